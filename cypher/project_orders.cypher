// The orders whose id is after $after, up to $hi included (an index range seek; orders lie in
// the store in the order they were loaded, so a range of ids is read front to back), in one walk
// over the orders alone, summed on the server per (buyer, seller, currency, promo code, status,
// device, shipping address, payment instrument, card fingerprint) — order count, amount, sum of
// squared amounts, first order time (epoch seconds). The nine keys are grouped as one string,
// joined by $sep (a control character the loader never stores; "" for a missing value): this
// server groups on one string key about twice as fast as on nine. One record of parallel lists.
// With $as_of, only orders placed on or before it count. Buyer, seller and identifiers are the
// keys the loader keeps on each order, read without a hop (hops per order to the buyer and
// seller, or to the identifiers, made this read several times slower). Rows are cut to plain
// values before the aggregation: the local server keeps one row per group, and a row holding the
// matched nodes keeps their storage pages in memory (at 1M, a full heap).
MATCH (o:Order)
WHERE o.id > $after AND o.id <= $hi AND ($as_of IS NULL OR o.created_at <= datetime($as_of))
WITH coalesce(o.buyer_id, '') + $sep + coalesce(o.seller_id, '') + $sep + coalesce(o.currency, '') + $sep +
     coalesce(o.promo_code, '') + $sep + coalesce(o.status, '') + $sep + coalesce(o.device_id, '') + $sep +
     coalesce(o.address_id, '') + $sep + coalesce(o.instrument_id, '') + $sep + coalesce(o.fingerprint, '') AS sold,
     o.amount AS amount, o.created_at.epochSeconds AS placed
WITH sold, count(*) AS orders, sum(amount) AS amount, sum(amount * amount) AS amount_sq, min(placed) AS first
RETURN collect(sold) AS sold, collect(orders) AS orders, collect(amount) AS amount, collect(amount_sq) AS amount_sq,
       collect(first) AS first
