// One ring with all its properties and the runs that found it.
MATCH (r:Ring {id: $id})
OPTIONAL MATCH (r)-[:FOUND_BY]->(d:DetectionRun)
WITH r, d ORDER BY d.started_at
RETURN properties(r) AS ring, collect(d.id) AS runs
