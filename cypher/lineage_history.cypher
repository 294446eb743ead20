// A ring's lineage, one row per week it took part in (the latest complete weekly run of each
// as-of date), oldest first.
MATCH (:Ring {id: $id})-[:HAS_SNAPSHOT]->(s:RingSnapshot)<-[:HAS_SNAPSHOT]-(w:WeeklyRun {status: 'complete'})
WITH s, w ORDER BY w.ended_at DESC, w.id DESC
WITH s.as_of AS as_of, collect([s, w])[0] AS pick
WITH as_of, pick[0] AS s, pick[1] AS w
RETURN as_of, s.kind AS kind, s.size AS size, s.previous_size AS previous_size, s.added AS added,
       s.removed AS removed, s.from_rings AS from_rings, s.into_rings AS into_rings, s.added_ids AS added_ids,
       s.removed_ids AS removed_ids, s.score AS score, s.typology AS typology, w.id AS weekly_run,
       w.detection_run AS detection_run
ORDER BY as_of
