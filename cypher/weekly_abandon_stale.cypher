// Weekly runs still 'running' when a new run holds the lock were killed: drop their ring
// snapshots (never published), mark them abandoned, and mark abandoned the load run each one
// started if that load never finished (a standalone `graphfraud load` is never touched).
MATCH (w:WeeklyRun {status: 'running'})
WHERE w.id <> $id
OPTIONAL MATCH (w)-[:HAS_SNAPSHOT]->(s:RingSnapshot)
WITH w, collect(s) AS snapshots
FOREACH (s IN snapshots | DETACH DELETE s)
SET w.status = 'abandoned', w.ended_at = datetime($now)
WITH w, snapshots
OPTIONAL MATCH (l:LoadRun {id: w.load_run, status: 'running'})
FOREACH (x IN CASE WHEN l IS NULL THEN [] ELSE [l] END |
  SET x.status = 'abandoned', x.ended_at = datetime($now),
      x.error = 'abandoned: the weekly run ' + w.id + ' that started it was killed during the load')
RETURN w.id AS id, size(snapshots) AS snapshots, l.id AS load_run
