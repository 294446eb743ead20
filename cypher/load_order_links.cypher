// The identifiers an order used. Each list holds zero or one id, so a missing one adds nothing.
UNWIND $rows AS r
MATCH (o:Order {id: r.id})
CALL (o, r) { UNWIND r.device AS id MATCH (d:Device {id: id}) MERGE (o)-[:FROM_DEVICE]->(d) }
CALL (o, r) { UNWIND r.address AS id MATCH (n:Address {id: id}) MERGE (o)-[s:SHIPPED_TO]->(n) ON CREATE SET s.raw = r.address_raw }
CALL (o, r) { UNWIND r.instrument AS id MATCH (p:PaymentInstrument {id: id}) MERGE (o)-[:PAID_WITH]->(p) }
CALL (o, r) { UNWIND r.promo AS id MATCH (c:PromoCode {id: id}) MERGE (o)-[:USED_PROMO]->(c) }
