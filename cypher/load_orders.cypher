// Orders with buyer and seller, idempotent. A stored order whose values differ from the row is
// left as it is and returned, so the loader can quarantine the row as a conflicting duplicate.
UNWIND $rows AS r
MATCH (b:Account {id: r.buyer_id})
MATCH (s:Account {id: r.seller_id})
MERGE (o:Order {id: r.id})
  ON CREATE SET o.amount = r.amount, o.currency = r.currency, o.created_at = datetime(r.created_at),
                o.status = r.status, o.promo_code = r.promo_code, o.load_run = $run_id
MERGE (b)-[:PLACED]->(o)
MERGE (o)-[:SOLD_BY]->(s)
WITH o, r
WHERE o.amount <> r.amount OR o.currency <> r.currency OR o.created_at <> datetime(r.created_at)
RETURN r.line AS line, r.id AS id
