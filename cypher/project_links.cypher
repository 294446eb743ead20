// The identifiers held by the accounts whose id is in [$lo, $hi] (both ends included: an index
// range seek): devices used, addresses held, payment instruments held with their card
// fingerprints (BIN:last4, "" when unknown), and the subnets of the IPs seen. One record: per
// kind, the account ids and the keys as parallel lists (one subquery per kind, each giving one
// row: a UNION ALL of (kind, account, key) rows was twice as slow on the local server). The
// client groups them with the identifiers used on orders. With $as_of, only accounts created and
// uses first seen on or before it count.
CALL () {
  MATCH (a:Account) WHERE a.id >= $lo AND a.id <= $hi AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
  MATCH (a)-[u:USED_DEVICE]->(d:Device)
  WHERE $as_of IS NULL OR coalesce(u.first_seen, a.created_at) <= datetime($as_of)
  RETURN collect(a.id) AS device_account, collect(d.id) AS device
}
CALL () {
  MATCH (a:Account) WHERE a.id >= $lo AND a.id <= $hi AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
  MATCH (a)-[:HAS_ADDRESS]->(n:Address)
  RETURN collect(a.id) AS address_account, collect(n.id) AS address
}
CALL () {
  MATCH (a:Account) WHERE a.id >= $lo AND a.id <= $hi AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
  MATCH (a)-[:HAS_INSTRUMENT]->(p:PaymentInstrument)
  RETURN collect(a.id) AS instrument_account, collect(p.id) AS instrument, collect(coalesce(p.fingerprint, '')) AS fingerprint
}
CALL () {
  MATCH (a:Account) WHERE a.id >= $lo AND a.id <= $hi AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
  MATCH (a)-[u:USED_IP]->(i:IP)
  WHERE i.subnet IS NOT NULL AND ($as_of IS NULL OR coalesce(u.first_seen, a.created_at) <= datetime($as_of))
  RETURN collect(a.id) AS subnet_account, collect(i.subnet) AS subnet
}
RETURN device_account, device, address_account, address, instrument_account, instrument, fingerprint,
       subnet_account, subnet
