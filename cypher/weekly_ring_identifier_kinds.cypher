// Per ring: how many identifiers of each kind two or more of its members share, directly or
// through orders placed before $until (IPs by subnet, cards also by BIN + last 4, flats by their
// building when members hold two or more of its flats). A device or IP counts from when it was first
// seen, as detection counts it: one first seen after the week would change a week run again.
UNWIND $rings AS ring
UNWIND ring.members AS account_id
MATCH (a:Account {id: account_id})
CALL (a) {
  MATCH (a)-[:HAS_ADDRESS|HAS_INSTRUMENT]->(x)
  RETURN labels(x)[0] AS kind, x.id AS key, null AS flat
  UNION
  MATCH (a)-[r:USED_DEVICE]->(x)
  WHERE r.first_seen IS NULL OR r.first_seen < datetime($until)
  RETURN labels(x)[0] AS kind, x.id AS key, null AS flat
  UNION
  MATCH (a)-[:PLACED]->(o:Order)-[:FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]->(x)
  WHERE o.created_at < datetime($until)
  RETURN labels(x)[0] AS kind, x.id AS key, null AS flat
  UNION
  MATCH (a)-[r:USED_IP]->(x:IP)
  WHERE r.first_seen IS NULL OR r.first_seen < datetime($until)
  RETURN 'Subnet' AS kind, x.subnet AS key, null AS flat
  UNION
  MATCH (a)-[:HAS_INSTRUMENT]->(x:PaymentInstrument)
  RETURN 'CardFingerprint' AS kind, x.fingerprint AS key, null AS flat
  UNION
  MATCH (a)-[:HAS_ADDRESS]->(x:Address)
  RETURN 'Building' AS kind, x.building AS key, x.id AS flat
}
WITH ring.id AS ring_id, kind, key, count(DISTINCT a) AS members, count(DISTINCT flat) AS flats
WHERE key IS NOT NULL AND members >= 2 AND (kind <> 'Building' OR flats >= 2)
RETURN ring_id, kind, count(*) AS identifiers
ORDER BY ring_id, kind
