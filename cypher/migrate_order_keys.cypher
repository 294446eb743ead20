// Schema version 2: the orders of the buyers whose id is in [$lo, $hi] keep the keys of their
// device, shipping address, payment instrument and card fingerprint as properties (the projection
// reads them without a hop), copied from their relationships. Run range by range, one transaction
// each (a single CALL … IN TRANSACTIONS over every order ran the local server out of heap at 5M
// orders). Idempotent: a migration killed half-way is simply run again.
MATCH (b:Account)
WHERE b.id >= $lo AND b.id <= $hi
MATCH (b)-[:PLACED]->(o:Order)
OPTIONAL MATCH (o)-[:FROM_DEVICE]->(d:Device)
OPTIONAL MATCH (o)-[:SHIPPED_TO]->(n:Address)
OPTIONAL MATCH (o)-[:PAID_WITH]->(p:PaymentInstrument)
SET o.device_id = d.id, o.address_id = n.id, o.instrument_id = p.id, o.fingerprint = p.fingerprint
RETURN count(o) AS orders
