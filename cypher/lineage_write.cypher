// One lineage snapshot per ring for a weekly run (row.id is '<weekly run>/<ring>'), linked to the
// run and to its ring.
MATCH (w:WeeklyRun {id: $weekly_id})
UNWIND $rows AS row
MATCH (r:Ring {id: row.ring_id})
CREATE (s:RingSnapshot)
SET s = row, s.weekly_run = $weekly_id, s.as_of = date($as_of)
CREATE (w)-[:HAS_SNAPSHOT]->(s)
CREATE (r)-[:HAS_SNAPSHOT]->(s)
RETURN count(s) AS written
