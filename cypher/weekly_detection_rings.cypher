// The rings a detection run found, with the members that run gave them and the facts the report
// needs.
MATCH (r:Ring)-[:FOUND_BY]->(:DetectionRun {id: $run_id})
MATCH (a:Account)-[m:MEMBER_OF]->(r)
WHERE m.run_id = $run_id
WITH r, a ORDER BY a.id
RETURN r.id AS ring_id, r.score AS score, r.typology AS typology, r.reasons AS reasons,
       collect(a.id) AS members, collect(a.country) AS countries
ORDER BY ring_id
