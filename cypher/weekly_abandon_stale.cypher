// Weekly runs still 'running' when a new run holds the lock were killed: drop their ring
// snapshots (never published) and mark them abandoned.
MATCH (w:WeeklyRun {status: 'running'})
WHERE w.id <> $id
OPTIONAL MATCH (w)-[:HAS_SNAPSHOT]->(s:RingSnapshot)
WITH w, collect(s) AS snapshots
FOREACH (s IN snapshots | DETACH DELETE s)
SET w.status = 'abandoned', w.ended_at = datetime($now)
RETURN w.id AS id, size(snapshots) AS snapshots
