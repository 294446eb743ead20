// Orders summed per (buyer, seller, currency) for the buyers whose id is in [$lo, $hi] (both ends
// included: an index range seek), so a big marketplace is read in slices: order count, amount,
// sum of squared amounts, first order time (epoch seconds), as one record of parallel lists.
// With $as_of, only orders placed on or before it count.
MATCH (b:Account)
WHERE b.id >= $lo AND b.id <= $hi
MATCH (b)-[:PLACED]->(o:Order)-[:SOLD_BY]->(s:Account)
WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
WITH b.id AS buyer, s.id AS seller, o.currency AS currency, count(*) AS orders,
     sum(o.amount) AS amount, sum(o.amount * o.amount) AS amount_sq, min(o.created_at.epochSeconds) AS first
RETURN collect(buyer) AS buyer, collect(seller) AS seller, collect(currency) AS currency,
       collect(orders) AS orders, collect(amount) AS amount, collect(amount_sq) AS amount_sq,
       collect(first) AS first
