// A weekly run that stopped on an error: drop its unpublished snapshots and say why it failed. Its
// load run id is kept only if that load run exists (a drop refused before it started never made one).
// A run already complete is left as it is: an error after its publish does not unpublish it.
MATCH (w:WeeklyRun {id: $id})
WHERE w.status = 'running'
OPTIONAL MATCH (w)-[:HAS_SNAPSHOT]->(s:RingSnapshot)
WITH w, collect(s) AS snapshots
FOREACH (s IN snapshots | DETACH DELETE s)
WITH w
OPTIONAL MATCH (l:LoadRun {id: w.load_run})
SET w.status = 'failed', w.ended_at = datetime($ended_at), w.error = $error, w.load_run = l.id
RETURN w.id AS id
