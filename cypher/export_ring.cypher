// A ring's own properties and the detection runs that found it, oldest first.
MATCH (r:Ring {id: $ring_id})
OPTIONAL MATCH (r)-[:FOUND_BY]->(d:DetectionRun)
WITH r, d ORDER BY d.started_at, d.id
RETURN properties(r) AS ring,
       collect(d {.id, .started_at, .ended_at, .as_of, .params, .status}) AS detection_runs
