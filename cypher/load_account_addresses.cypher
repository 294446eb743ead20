// Account -> Address, keeping every raw spelling the account typed.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MATCH (n:Address {id: r.address_id})
MERGE (a)-[h:HAS_ADDRESS]->(n)
  ON CREATE SET h.kind = r.kind, h.raw = r.raw
  ON MATCH SET h.raw = h.raw + [x IN r.raw WHERE NOT x IN h.raw]
