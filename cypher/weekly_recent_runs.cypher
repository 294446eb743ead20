// The latest complete weekly run of each as-of date up to $as_of (the newest $limit dates),
// with the metrics it measured and whether it followed no earlier run (the baseline), for the
// report's comparisons and trends.
MATCH (w:WeeklyRun {status: 'complete'})
WHERE w.as_of <= date($as_of)
WITH w ORDER BY w.ended_at DESC, w.id DESC
WITH w.as_of AS as_of, collect(w)[0] AS w
RETURN w.id AS id, as_of, w.metrics AS metrics, w.previous_run IS NULL AS first_run
ORDER BY as_of DESC
LIMIT $limit
