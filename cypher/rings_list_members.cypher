// One row per (ring, member) for the rings a detection run found, best ring first.
MATCH (:DetectionRun {id: $run_id})<-[:FOUND_BY]-(r:Ring)
WHERE r.score >= $min_score AND ($typology IS NULL OR r.typology = $typology)
MATCH (r)<-[m:MEMBER_OF]-(a:Account)
RETURN r.id AS ring_id, a.id AS account_id, r.score AS score, m.role AS role, r.typology AS typology,
       r.status AS status, a.country AS country, a.created_at AS created_at
ORDER BY r.score DESC, r.id, m.role DESC, a.id
