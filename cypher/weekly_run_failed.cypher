// A weekly run that stopped on an error: drop its unpublished snapshots and say why it failed.
MATCH (w:WeeklyRun {id: $id})
OPTIONAL MATCH (w)-[:HAS_SNAPSHOT]->(s:RingSnapshot)
WITH w, collect(s) AS snapshots
FOREACH (s IN snapshots | DETACH DELETE s)
SET w.status = 'failed', w.ended_at = datetime($ended_at), w.error = $error
RETURN w.id AS id
