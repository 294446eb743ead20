// The most recent load runs.
MATCH (l:LoadRun)
RETURN l.id AS id, l.started_at AS started_at, l.ended_at AS ended_at, l.status AS status,
       l.files AS files, l.quarantined AS quarantined, l.counts AS counts
ORDER BY l.started_at DESC
LIMIT $limit
