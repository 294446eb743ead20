// Schema version 2: every order keeps the keys of its device, shipping address, payment
// instrument and card fingerprint as properties (the projection reads them without a hop),
// copied from its relationships. Idempotent: a migration killed half-way is simply run again.
MATCH (o:Order)
CALL (o) {
  OPTIONAL MATCH (o)-[:FROM_DEVICE]->(d:Device)
  OPTIONAL MATCH (o)-[:SHIPPED_TO]->(n:Address)
  OPTIONAL MATCH (o)-[:PAID_WITH]->(p:PaymentInstrument)
  SET o.device_id = d.id, o.address_id = n.id, o.instrument_id = p.id, o.fingerprint = p.fingerprint
} IN TRANSACTIONS OF 10000 ROWS
