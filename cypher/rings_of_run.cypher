// The rings a detection run found, with their current members, for stable ids in the next run.
MATCH (r:Ring)-[:FOUND_BY]->(:DetectionRun {id: $run_id})
OPTIONAL MATCH (a:Account)-[:MEMBER_OF]->(r)
RETURN r.id AS id, collect(a.id) AS members
