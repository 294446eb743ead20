// The device each new order was placed from.
UNWIND $rows AS r
MATCH (o:Order {id: r.id})
MATCH (d:Device {id: r.to})
CREATE (o)-[:FROM_DEVICE]->(d)
