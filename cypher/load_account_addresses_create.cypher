// New account -> address links, keeping every spelling the account typed.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MATCH (n:Address {id: r.to})
CREATE (a)-[:HAS_ADDRESS {kind: r.kind, raw: r.raw}]->(n)
