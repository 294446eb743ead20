// Orders summed per (buyer, seller, currency): counts by status, amounts, promo use, first order
// time (epoch seconds), as one record of parallel lists. With $as_of, only orders
// placed on or before it count.
MATCH (b:Account)-[:PLACED]->(o:Order)-[:SOLD_BY]->(s:Account)
WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
WITH b.id AS buyer, s.id AS seller, o.currency AS currency, count(*) AS orders,
     sum(o.amount) AS amount, sum(o.amount * o.amount) AS amount_sq,
     sum(CASE WHEN o.status = 'chargeback' THEN 1 ELSE 0 END) AS chargebacks,
     sum(CASE WHEN o.status = 'refunded' THEN 1 ELSE 0 END) AS refunds,
     sum(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END) AS cancels,
     sum(CASE WHEN o.promo_code IS NULL OR o.promo_code = '' THEN 0 ELSE 1 END) AS promos,
     min(o.created_at.epochSeconds) AS first
RETURN collect(buyer) AS buyer, collect(seller) AS seller, collect(currency) AS currency,
       collect(orders) AS orders, collect(amount) AS amount, collect(amount_sq) AS amount_sq,
       collect(chargebacks) AS chargebacks, collect(refunds) AS refunds, collect(cancels) AS cancels,
       collect(promos) AS promos, collect(first) AS first
