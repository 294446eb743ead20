// Add new spellings to stored account -> address links.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})-[h:HAS_ADDRESS]->(n:Address {id: r.to})
SET h.raw = r.raw
