// The shipping address of each new order, with the spelling as typed.
UNWIND $rows AS r
MATCH (o:Order {id: r.id})
MATCH (n:Address {id: r.to})
CREATE (o)-[:SHIPPED_TO {raw: r.raw}]->(n)
