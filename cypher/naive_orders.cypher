// bench/load.py's baseline: one order per statement.
MATCH (b:Account {id: $buyer_id})
MATCH (s:Account {id: $seller_id})
MERGE (o:Order {id: $id})
SET o.amount = $amount, o.currency = $currency, o.created_at = datetime($created_at), o.status = $status
MERGE (b)-[:PLACED]->(o)
MERGE (o)-[:SOLD_BY]->(s)
