// Entities given as {type, id}: their properties, current rings and number of data links.
UNWIND $nodes AS f
CALL (f) {
  MATCH (n:Account {id: f.id}) WHERE f.type = 'account' RETURN n
  UNION ALL
  MATCH (n:Device {id: f.id}) WHERE f.type = 'device' RETURN n
  UNION ALL
  MATCH (n:IP {id: f.id}) WHERE f.type = 'ip' RETURN n
  UNION ALL
  MATCH (n:Address {id: f.id}) WHERE f.type = 'address' RETURN n
  UNION ALL
  MATCH (n:PaymentInstrument {id: f.id}) WHERE f.type = 'instrument' RETURN n
  UNION ALL
  MATCH (n:Order {id: f.id}) WHERE f.type = 'order' RETURN n
  UNION ALL
  MATCH (n:PromoCode {id: f.id}) WHERE f.type = 'promo' RETURN n
}
RETURN f.type AS type, n.id AS id, properties(n) AS props,
       [(n)-[mo:MEMBER_OF]->(g:Ring) | {id: g.id, score: g.score, role: mo.role, status: g.status}] AS rings,
       COUNT { (n)-[:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT|PLACED|SOLD_BY|FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]-() } AS links
