// New orders with their buyer and seller. Runs in one transaction with the order's identifier
// links, so an order that exists always has all its relationships (a killed load resumes cleanly).
// The buyer and seller ids and the identifiers used on the order (device, shipping address key,
// payment instrument; the card fingerprint is set with the PAID_WITH link) are also kept on the
// order itself: detection's projection reads them in its one walk over the orders instead of a
// hop per relationship (several times faster on the local server); the relationships stay the
// graph investigators walk.
UNWIND $rows AS r
MATCH (b:Account {id: r.buyer_id})
MATCH (s:Account {id: r.seller_id})
CREATE (o:Order {id: r.id, buyer_id: r.buyer_id, seller_id: r.seller_id, amount: r.amount, currency: r.currency,
                 created_at: datetime(r.created_at),
                 status: r.status, promo_code: r.promo_code, device_id: r.device, address_id: r.address,
                 instrument_id: r.instrument, load_run: $run_id})
CREATE (b)-[:PLACED]->(o)
CREATE (o)-[:SOLD_BY]->(s)
