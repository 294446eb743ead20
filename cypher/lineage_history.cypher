// A ring's lineage, one row per week it takes part in, oldest first. A week is its latest
// complete weekly run of that as-of date: a week run again replaces what its earlier runs said,
// so a snapshot of an earlier run of the week (a ring id that run gave, since re-assigned) is left out.
MATCH (:Ring {id: $id})-[:HAS_SNAPSHOT]->(:RingSnapshot)<-[:HAS_SNAPSHOT]-(seen:WeeklyRun {status: 'complete'})
WITH DISTINCT seen.as_of AS as_of
MATCH (run:WeeklyRun {status: 'complete'})
WHERE run.as_of = as_of
WITH as_of, run ORDER BY run.ended_at DESC, run.id DESC
WITH as_of, collect(run)[0] AS w
MATCH (:Ring {id: $id})-[:HAS_SNAPSHOT]->(s:RingSnapshot)<-[:HAS_SNAPSHOT]-(w)
RETURN as_of, s.kind AS kind, s.size AS size, s.previous_size AS previous_size, s.added AS added,
       s.removed AS removed, s.from_rings AS from_rings, s.into_rings AS into_rings, s.added_ids AS added_ids,
       s.removed_ids AS removed_ids, s.score AS score, s.typology AS typology, w.id AS weekly_run,
       w.detection_run AS detection_run
ORDER BY as_of
