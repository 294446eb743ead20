// The orders whose id is in [$lo, $hi] (both ends included: an index range seek; orders lie in
// the store in the order they were loaded, so a range of ids is read front to back), in one walk
// over the orders alone, summed on the server per (buyer, seller, currency, promo
// code, status, device, shipping address, payment instrument, card fingerprint) — order count,
// amount, sum of squared amounts, first order time (epoch seconds) — "" for a missing value:
// collect() drops nulls, and the lists must stay parallel. One record of parallel lists. With
// $as_of, only orders placed on or before it count. Buyer, seller and identifiers are the keys the
// loader keeps on each order, read without a hop (hops per order to the buyer and seller, or to the
// identifiers, made this read several times slower). Rows are cut to plain values before the
// aggregation: the local server keeps one row per group, and a row holding the matched nodes keeps
// their storage pages in memory (at 1M, a full heap).
MATCH (o:Order)
WHERE o.id >= $lo AND o.id <= $hi AND ($as_of IS NULL OR o.created_at <= datetime($as_of))
WITH coalesce(o.buyer_id, '') AS buyer, coalesce(o.seller_id, '') AS seller, o.currency AS currency,
     coalesce(o.promo_code, '') AS promo, coalesce(o.status, '') AS status, coalesce(o.device_id, '') AS device,
     coalesce(o.address_id, '') AS address, coalesce(o.instrument_id, '') AS instrument,
     coalesce(o.fingerprint, '') AS fingerprint,
     o.amount AS amount, o.created_at.epochSeconds AS placed
WITH buyer, seller, currency, promo, status, device, address, instrument, fingerprint, count(*) AS orders,
     sum(amount) AS amount, sum(amount * amount) AS amount_sq, min(placed) AS first
RETURN collect(buyer) AS buyer, collect(seller) AS seller, collect(currency) AS currency,
       collect(promo) AS promo, collect(status) AS status, collect(device) AS device,
       collect(address) AS address, collect(instrument) AS instrument, collect(fingerprint) AS fingerprint,
       collect(orders) AS orders, collect(amount) AS amount, collect(amount_sq) AS amount_sq,
       collect(first) AS first
