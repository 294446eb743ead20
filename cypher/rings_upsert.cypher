// Rings found by a run: created with case status 'open', or updated (the case status is never
// touched here), and linked to the run that found them.
MATCH (d:DetectionRun {id: $run_id})
UNWIND $rows AS row
MERGE (r:Ring {id: row.id})
  ON CREATE SET r.status = 'open', r.first_run = $run_id, r.created_at = datetime($now)
SET r.score = row.score, r.typology = row.typology, r.typology_basis = row.typology_basis,
    r.reasons = row.reasons, r.size = row.size, r.seller_count = row.seller_count,
    r.buyer_count = row.buyer_count, r.last_run = $run_id, r.updated_at = datetime($now)
MERGE (r)-[:FOUND_BY]->(d)
