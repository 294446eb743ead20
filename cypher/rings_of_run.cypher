// The rings a detection run found, with their current members, for stable ids in the next run.
MATCH (:DetectionRun {id: $run_id})<-[:FOUND_BY]-(r:Ring)
OPTIONAL MATCH (r)<-[:MEMBER_OF]-(a:Account)
RETURN r.id AS id, collect(a.id) AS members
