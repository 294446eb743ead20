// The payment instrument of each new order, and its card fingerprint kept on the order (the
// instrument node's own, so the two never disagree; detection reads it without a hop).
UNWIND $rows AS r
MATCH (o:Order {id: r.id})
MATCH (p:PaymentInstrument {id: r.to})
CREATE (o)-[:PAID_WITH]->(p)
SET o.fingerprint = p.fingerprint
