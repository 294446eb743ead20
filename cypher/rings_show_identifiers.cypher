// Identifiers that two or more members of a ring reach, directly or through their orders
// (IPs themselves and by their subnet, cards by their fingerprint, flats by their building, listed
// when members reach two or more of its flats, as holders or by shipping there), with the members
// that reach each. Every branch
// starts at the ring (found by its id): starting at the accounts is ten times slower on the
// local server.
CALL () {
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)
  MATCH (a)-[:USED_DEVICE|HAS_ADDRESS|HAS_INSTRUMENT]->(x)
  RETURN a, labels(x)[0] AS kind, x.id AS key, null AS flat
  UNION
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)
  MATCH (a)-[:PLACED]->(:Order)-[:FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]->(x)
  RETURN a, labels(x)[0] AS kind, x.id AS key, null AS flat
  UNION
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)
  MATCH (a)-[:USED_IP]->(x:IP)
  RETURN a, 'Subnet' AS kind, x.subnet AS key, null AS flat
  UNION
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)
  MATCH (a)-[:USED_IP]->(x:IP)
  RETURN a, 'IP' AS kind, x.id AS key, null AS flat
  UNION
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)
  MATCH (a)-[:HAS_ADDRESS]->(x:Address)
  WHERE x.building IS NOT NULL
  RETURN a, 'Building' AS kind, x.building AS key, x.id AS flat
  UNION
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)
  MATCH (a)-[:PLACED]->(:Order)-[:SHIPPED_TO]->(x:Address)
  WHERE x.building IS NOT NULL
  RETURN a, 'Building' AS kind, x.building AS key, x.id AS flat
  UNION
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)
  MATCH (a)-[:HAS_INSTRUMENT]->(x:PaymentInstrument)
  WHERE x.fingerprint IS NOT NULL
  RETURN a, 'CardFingerprint' AS kind, x.fingerprint AS key, null AS flat
  UNION
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)
  MATCH (a)-[:PLACED]->(:Order)-[:PAID_WITH]->(x:PaymentInstrument)
  WHERE x.fingerprint IS NOT NULL
  RETURN a, 'CardFingerprint' AS kind, x.fingerprint AS key, null AS flat
}
WITH kind, key, collect(DISTINCT a.id) AS members, collect(DISTINCT flat) AS flats
WHERE key IS NOT NULL AND size(members) >= 2 AND (kind <> 'Building' OR size(flats) >= 2)
RETURN kind, key AS identifier, size(members) AS ring_members, members
ORDER BY ring_members DESC, kind, identifier
