// Which orders of a batch are already stored, with the values a duplicate must agree on and its status.
// Anchored on the indexed order id first: starting from Account would scan every account.
UNWIND $ids AS id
MATCH (o:Order {id: id})
MATCH (o)<-[:PLACED]-(b:Account)
MATCH (o)-[:SOLD_BY]->(s:Account)
RETURN o.id AS id, b.id AS buyer_id, s.id AS seller_id, o.amount AS amount, o.currency AS currency,
       toString(o.created_at) AS created_at, o.status AS status
