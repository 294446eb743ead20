// Which entities an id names: each type is looked up with its own normalised spellings of the id.
// Each comes with its properties, current rings (those of detection run $run_id, the latest: a ring
// that merged away or dissolved keeps its members as history) and number of data links (the root
// of an expand).
CALL () {
  UNWIND $account AS k MATCH (n:Account {id: k}) RETURN 'account' AS type, n
  UNION ALL
  UNWIND $device AS k MATCH (n:Device {id: k}) RETURN 'device' AS type, n
  UNION ALL
  UNWIND $ip AS k MATCH (n:IP {id: k}) RETURN 'ip' AS type, n
  UNION ALL
  UNWIND $address AS k MATCH (n:Address {id: k}) RETURN 'address' AS type, n
  UNION ALL
  UNWIND $instrument AS k MATCH (n:PaymentInstrument {id: k}) RETURN 'instrument' AS type, n
  UNION ALL
  UNWIND $fingerprint AS k MATCH (n:PaymentInstrument {fingerprint: k}) RETURN 'instrument' AS type, n
  UNION ALL
  UNWIND $order AS k MATCH (n:Order {id: k}) RETURN 'order' AS type, n
  UNION ALL
  UNWIND $promo AS k MATCH (n:PromoCode {id: k}) RETURN 'promo' AS type, n
  UNION ALL
  UNWIND $ring AS k MATCH (n:Ring {id: k}) RETURN 'ring' AS type, n
}
WITH DISTINCT type, n
ORDER BY type, n.id
LIMIT 50
RETURN type, n.id AS id, properties(n) AS props,
       [(n)-[mo:MEMBER_OF]->(g:Ring) WHERE mo.run_id = $run_id
        | {id: g.id, score: g.score, role: mo.role, status: g.status}] AS rings,
       COUNT { (n)-[:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT|PLACED|SOLD_BY|FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]-() } AS links
