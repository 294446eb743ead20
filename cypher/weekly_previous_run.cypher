// The weekly run this one follows: the latest complete run with an earlier as-of date (so a
// backfill links to the week before it, never to a later week already stored).
MATCH (w:WeeklyRun {status: 'complete'})
WHERE w.as_of < date($as_of)
RETURN w.id AS id, w.as_of AS as_of, w.detection_run AS detection_run
ORDER BY w.as_of DESC, w.ended_at DESC, w.id DESC
LIMIT 1
