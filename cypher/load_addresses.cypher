// Address nodes by normalised key.
UNWIND $rows AS r
MERGE (n:Address {id: r.id})
  ON CREATE SET n.country = r.country, n.postcode = r.postcode
