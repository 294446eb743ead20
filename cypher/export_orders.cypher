// orders.csv: every order a ring member placed or sold, oldest first, with the identifiers it used.
// Patterns start at the node already bound: the local server plans a pattern from its left end.
MATCH (r:Ring {id: $ring_id})
CALL (r) {
  MATCH (r)<-[:MEMBER_OF]-(b:Account)
  MATCH (b)-[:PLACED]->(o:Order)
  RETURN o
  UNION
  MATCH (r)<-[:MEMBER_OF]-(s:Account)
  MATCH (s)<-[:SOLD_BY]-(o:Order)
  RETURN o
}
MATCH (o)<-[:PLACED]-(b:Account)
MATCH (o)-[:SOLD_BY]->(s:Account)
OPTIONAL MATCH (o)-[:FROM_DEVICE]->(d:Device)
OPTIONAL MATCH (o)-[sh:SHIPPED_TO]->(ad:Address)
OPTIONAL MATCH (o)-[:PAID_WITH]->(p:PaymentInstrument)
RETURN o.id AS order_id, o.created_at AS created_at, b.id AS buyer_id, s.id AS seller_id,
       EXISTS { (b)-[:MEMBER_OF]->(r) } AS buyer_in_ring, EXISTS { (s)-[:MEMBER_OF]->(r) } AS seller_in_ring,
       o.amount AS amount, o.currency AS currency, o.status AS status, o.promo_code AS promo_code,
       d.id AS device_id, ad.id AS address_id, sh.raw AS address_raw, p.id AS instrument_id,
       p.bin AS card_bin, p.last4 AS card_last4, o.load_run AS load_run, o.status_load_run AS status_load_run,
       o.links_load_run AS links_load_run
ORDER BY created_at, order_id
