// Members of every ring a detection run found (for evaluation against labels).
MATCH (r:Ring)-[:FOUND_BY]->(:DetectionRun {id: $run_id})
MATCH (a:Account)-[:MEMBER_OF]->(r)
RETURN r.id AS ring_id, r.score AS score, collect(a.id) AS members
