// The most recent completed detection run.
MATCH (r:DetectionRun)
WHERE r.status = 'complete'
RETURN r.id AS id, r.started_at AS started_at, r.ended_at AS ended_at, r.as_of AS as_of, r.params AS params,
       r.timings AS timings, r.counts AS counts
ORDER BY r.started_at DESC, r.id DESC
LIMIT 1
