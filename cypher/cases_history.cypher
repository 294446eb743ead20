// A ring's current case status and its status changes, oldest first (no row if the ring does not exist).
MATCH (r:Ring {id: $ring_id})
OPTIONAL MATCH (r)-[:HAS_EVENT]->(e:CaseEvent)
WITH r, e ORDER BY e.at, e.id
RETURN r.id AS ring_id, coalesce(r.status, 'open') AS status,
       collect(e {.at, .by, .status, .previous, .note}) AS events
