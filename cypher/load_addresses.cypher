// Address nodes by normalised key, with the building a flat is in (null when the key has no unit). An
// address first met on an order knows no postcode: a later row that gives one fills it in (written
// only then).
UNWIND $rows AS r
MERGE (n:Address {id: r.id})
  ON CREATE SET n.country = r.country, n.postcode = r.postcode, n.building = r.building
WITH n, r
FOREACH (_ IN CASE WHEN n.postcode IS NULL AND r.postcode IS NOT NULL THEN [1] ELSE [] END |
  SET n.postcode = r.postcode)
