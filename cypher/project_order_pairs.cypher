// Orders summed per (buyer, seller, currency) for the buyers whose id is in [$lo, $hi] (both ends
// included: an index range seek), so a big marketplace is read in slices: order count, amount,
// sum of squared amounts, first order time (epoch seconds), and the orders that ended charged
// back, refunded or cancelled (one walk over the orders for all of it), as one record of parallel
// lists. With $as_of, only orders placed on or before it count.
// Rows are cut to plain values before the aggregation: the local server keeps one row per group,
// and a row holding the matched nodes keeps their storage pages in memory (at 1M, a full heap).
MATCH (b:Account)
WHERE b.id >= $lo AND b.id <= $hi
MATCH (b)-[:PLACED]->(o:Order)-[:SOLD_BY]->(s:Account)
WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
WITH b.id AS buyer, s.id AS seller, o.currency AS currency, o.amount AS amount,
     o.created_at.epochSeconds AS placed, o.status AS status
WITH buyer, seller, currency, count(*) AS orders, sum(amount) AS amount, sum(amount * amount) AS amount_sq,
     min(placed) AS first, sum(CASE WHEN status = 'chargeback' THEN 1 ELSE 0 END) AS chargebacks,
     sum(CASE WHEN status = 'refunded' THEN 1 ELSE 0 END) AS refunds,
     sum(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancels
RETURN collect(buyer) AS buyer, collect(seller) AS seller, collect(currency) AS currency,
       collect(orders) AS orders, collect(amount) AS amount, collect(amount_sq) AS amount_sq,
       collect(first) AS first, collect(chargebacks) AS chargebacks, collect(refunds) AS refunds,
       collect(cancels) AS cancels
