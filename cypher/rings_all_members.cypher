// Members of every ring a detection run found (for evaluation against labels).
MATCH (:DetectionRun {id: $run_id})<-[:FOUND_BY]-(r:Ring)
MATCH (r)<-[:MEMBER_OF]-(a:Account)
RETURN r.id AS ring_id, r.score AS score, collect(a.id) AS members
