// Address nodes by normalised key, with the building a flat is in (null when the key has no unit).
UNWIND $rows AS r
MERGE (n:Address {id: r.id})
  ON CREATE SET n.country = r.country, n.postcode = r.postcode, n.building = r.building
