// The nodes behind a key several of them may share, for `expand` to show as one hub: instruments by
// card fingerprint (bin:last4), IPs by their /24 or /64 subnet, addresses by their building (its
// flats, and the building's own address). Per kind and key: how many nodes, and the top $limit of
// them, busiest (most links) first, then by id, each with its own number of links.
CALL () {
  UNWIND $fingerprint AS k MATCH (n:PaymentInstrument {fingerprint: k}) RETURN 'fingerprint' AS kind, k AS key, n
  UNION ALL
  UNWIND $subnet AS k MATCH (n:IP {subnet: k}) RETURN 'subnet' AS kind, k AS key, n
  UNION ALL
  UNWIND $building AS k MATCH (n:Address {building: k}) RETURN 'building' AS kind, k AS key, n
  UNION ALL
  UNWIND $building AS k MATCH (n:Address {id: k}) RETURN 'building' AS kind, k AS key, n
}
WITH kind, key, n,
     COUNT { (n)-[:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT|PLACED|SOLD_BY|FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]-() } AS links
ORDER BY links DESC, n.id
WITH kind, key, count(*) AS total, collect({id: n.id, props: properties(n), links: links})[..$limit] AS top
UNWIND top AS t
RETURN kind, key, total, t.id AS id, t.props AS props, t.links AS links
ORDER BY kind, key, links DESC, id
