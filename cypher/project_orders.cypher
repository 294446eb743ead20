// The orders of the buyers whose id is in [$lo, $hi] (both ends included: an index range seek),
// in one walk: summed per (buyer, seller, currency, promo code) — order count, amount, sum of
// squared amounts, first order time (epoch seconds), orders charged back, refunded and cancelled —
// "" for no code: collect() drops nulls, and the lists must stay parallel —
// with the distinct devices, shipping addresses, payment instruments and card fingerprints used
// on them. One record of parallel lists. With $as_of, only orders placed on or before it count.
// An order has at most one device, address, instrument and code (the loader makes it so), so the
// optional matches never multiply its row. Rows are cut to plain values before the aggregation:
// the local server keeps one row per group, and a row holding the matched nodes keeps their
// storage pages in memory (at 1M, a full heap).
MATCH (b:Account)
WHERE b.id >= $lo AND b.id <= $hi
MATCH (b)-[:PLACED]->(o:Order)-[:SOLD_BY]->(s:Account)
WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
OPTIONAL MATCH (o)-[:FROM_DEVICE]->(d:Device)
OPTIONAL MATCH (o)-[:SHIPPED_TO]->(n:Address)
OPTIONAL MATCH (o)-[:PAID_WITH]->(p:PaymentInstrument)
OPTIONAL MATCH (o)-[:USED_PROMO]->(c:PromoCode)
WITH b.id AS buyer, s.id AS seller, o.currency AS currency, coalesce(c.id, '') AS promo, o.amount AS amount,
     o.created_at.epochSeconds AS placed, o.status AS status, d.id AS device, n.id AS address,
     p.id AS instrument, p.fingerprint AS fingerprint
WITH buyer, seller, currency, promo, count(*) AS orders, sum(amount) AS amount,
     sum(amount * amount) AS amount_sq, min(placed) AS first,
     sum(CASE WHEN status = 'chargeback' THEN 1 ELSE 0 END) AS chargebacks,
     sum(CASE WHEN status = 'refunded' THEN 1 ELSE 0 END) AS refunds,
     sum(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancels,
     collect(DISTINCT device) AS devices, collect(DISTINCT address) AS addresses,
     collect(DISTINCT instrument) AS instruments, collect(DISTINCT fingerprint) AS fingerprints
RETURN collect(buyer) AS buyer, collect(seller) AS seller, collect(currency) AS currency,
       collect(promo) AS promo, collect(orders) AS orders, collect(amount) AS amount,
       collect(amount_sq) AS amount_sq, collect(first) AS first, collect(chargebacks) AS chargebacks,
       collect(refunds) AS refunds, collect(cancels) AS cancels, collect(devices) AS devices,
       collect(addresses) AS addresses, collect(instruments) AS instruments,
       collect(fingerprints) AS fingerprints
