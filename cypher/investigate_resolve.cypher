// Which entities an id names: each type is looked up with its own normalised spellings of the id.
CALL () {
  UNWIND $account AS k MATCH (n:Account {id: k}) RETURN 'account' AS type, n.id AS id
  UNION ALL
  UNWIND $device AS k MATCH (n:Device {id: k}) RETURN 'device' AS type, n.id AS id
  UNION ALL
  UNWIND $ip AS k MATCH (n:IP {id: k}) RETURN 'ip' AS type, n.id AS id
  UNION ALL
  UNWIND $address AS k MATCH (n:Address {id: k}) RETURN 'address' AS type, n.id AS id
  UNION ALL
  UNWIND $instrument AS k MATCH (n:PaymentInstrument {id: k}) RETURN 'instrument' AS type, n.id AS id
  UNION ALL
  UNWIND $fingerprint AS k MATCH (n:PaymentInstrument {fingerprint: k}) RETURN 'instrument' AS type, n.id AS id
  UNION ALL
  UNWIND $order AS k MATCH (n:Order {id: k}) RETURN 'order' AS type, n.id AS id
  UNION ALL
  UNWIND $promo AS k MATCH (n:PromoCode {id: k}) RETURN 'promo' AS type, n.id AS id
  UNION ALL
  UNWIND $ring AS k MATCH (n:Ring {id: k}) RETURN 'ring' AS type, n.id AS id
}
RETURN DISTINCT type, id
ORDER BY type, id
LIMIT 50
