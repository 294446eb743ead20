// The payment instrument of each new order.
UNWIND $rows AS r
MATCH (o:Order {id: r.id})
MATCH (p:PaymentInstrument {id: r.to})
CREATE (o)-[:PAID_WITH]->(p)
