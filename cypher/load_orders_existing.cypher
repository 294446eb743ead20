// Which orders of a batch are already stored, with the values a duplicate must agree on, its status,
// and the identifiers it names (a later row may give one it was stored without, not another one).
// Anchored on the indexed order id first: starting from Account would scan every account.
UNWIND $ids AS id
MATCH (o:Order {id: id})
MATCH (o)<-[:PLACED]-(b:Account)
MATCH (o)-[:SOLD_BY]->(s:Account)
RETURN o.id AS id, b.id AS buyer_id, s.id AS seller_id, o.amount AS amount, o.currency AS currency,
       toString(o.created_at) AS created_at, o.status AS status, o.device_id AS device,
       o.address_id AS address, o.instrument_id AS instrument, o.promo_code AS promo_code
