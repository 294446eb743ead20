// One row per (ring, member) for the rings a detection run found, best ring first.
MATCH (r:Ring)-[:FOUND_BY]->(:DetectionRun {id: $run_id})
WHERE r.score >= $min_score AND ($typology IS NULL OR r.typology = $typology)
MATCH (a:Account)-[m:MEMBER_OF]->(r)
RETURN r.id AS ring_id, a.id AS account_id, r.score AS score, m.role AS role, r.typology AS typology,
       r.status AS status, a.country AS country, a.created_at AS created_at
ORDER BY r.score DESC, r.id, m.role DESC, a.id
