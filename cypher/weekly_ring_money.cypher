// Per ring and currency: the orders its members placed in [$since, $until): count, value,
// promo orders and their value, and the value that ended in a chargeback or a dispute.
UNWIND $rings AS ring
UNWIND ring.members AS account_id
MATCH (:Account {id: account_id})-[:PLACED]->(o:Order)
WHERE o.created_at >= datetime($since) AND o.created_at < datetime($until)
RETURN ring.id AS ring_id, o.currency AS currency, count(o) AS orders, sum(o.amount) AS amount,
       sum(CASE WHEN o.promo_code IS NULL OR o.promo_code = '' THEN 0 ELSE 1 END) AS promo_orders,
       sum(CASE WHEN o.promo_code IS NULL OR o.promo_code = '' THEN 0.0 ELSE o.amount END) AS promo_amount,
       sum(CASE WHEN o.status IN ['chargeback', 'disputed'] THEN o.amount ELSE 0.0 END) AS chargeback_amount
ORDER BY ring_id, currency
