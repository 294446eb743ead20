// The rings of a weekly run as published (id -> members), for linking the next run to it.
MATCH (:WeeklyRun {id: $id})-[:HAS_SNAPSHOT]->(s:RingSnapshot)
WHERE s.size > 0
RETURN s.ring_id AS ring_id, s.members AS members
ORDER BY ring_id
