// Rings found by a detection run, best first, optionally filtered by score and typology.
MATCH (:DetectionRun {id: $run_id})<-[:FOUND_BY]-(r:Ring)
WHERE r.score >= $min_score AND ($typology IS NULL OR r.typology = $typology)
RETURN r.id AS ring_id, r.score AS score, r.typology AS typology, r.size AS size,
       r.buyer_count AS buyers, r.seller_count AS sellers, r.status AS status, r.reasons AS reasons,
       r.typology_basis AS typology_basis, r.first_run AS first_run, r.last_run AS last_run
ORDER BY r.score DESC, r.id
