// The identifiers held by the accounts whose id is in [$lo, $hi] (both ends included: an index
// range seek), as (kind, account, key) edges: devices used, addresses held, payment instruments
// held and their card fingerprints (BIN:last4), and the subnets of the IPs seen. One record of
// parallel lists; the client groups them with the identifiers used on orders. With $as_of, only
// accounts created and uses first seen on or before it count.
CALL () {
  MATCH (a:Account) WHERE a.id >= $lo AND a.id <= $hi AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
  MATCH (a)-[u:USED_DEVICE]->(d:Device)
  WHERE $as_of IS NULL OR coalesce(u.first_seen, a.created_at) <= datetime($as_of)
  RETURN 'device' AS kind, a.id AS account, d.id AS key
  UNION ALL
  MATCH (a:Account) WHERE a.id >= $lo AND a.id <= $hi AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
  MATCH (a)-[:HAS_ADDRESS]->(n:Address)
  RETURN 'address' AS kind, a.id AS account, n.id AS key
  UNION ALL
  MATCH (a:Account) WHERE a.id >= $lo AND a.id <= $hi AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
  MATCH (a)-[:HAS_INSTRUMENT]->(p:PaymentInstrument)
  RETURN 'instrument' AS kind, a.id AS account, p.id AS key
  UNION ALL
  MATCH (a:Account) WHERE a.id >= $lo AND a.id <= $hi AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
  MATCH (a)-[:HAS_INSTRUMENT]->(p:PaymentInstrument)
  WHERE p.fingerprint IS NOT NULL AND p.fingerprint <> ''
  RETURN 'fingerprint' AS kind, a.id AS account, p.fingerprint AS key
  UNION ALL
  MATCH (a:Account) WHERE a.id >= $lo AND a.id <= $hi AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
  MATCH (a)-[u:USED_IP]->(i:IP)
  WHERE i.subnet IS NOT NULL AND ($as_of IS NULL OR coalesce(u.first_seen, a.created_at) <= datetime($as_of))
  RETURN 'subnet' AS kind, a.id AS account, i.subnet AS key
}
RETURN collect(kind) AS kind, collect(account) AS account, collect(key) AS key
