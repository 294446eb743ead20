// bench/load.py's baseline: one account -> address row per statement.
MATCH (a:Account {id: $account_id})
MERGE (n:Address {id: $address_id})
MERGE (a)-[h:HAS_ADDRESS]->(n)
SET h.kind = $kind
