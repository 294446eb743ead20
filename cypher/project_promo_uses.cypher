// Promo code uses per (account, code): first use (epoch seconds) and number of orders, as one
// record of parallel lists (promo orders are a small share of all orders); only accounts whose id
// is in [$lo, $hi) (null: no bound). With $as_of, only orders placed on or before it count.
MATCH (a:Account)
WHERE ($lo IS NULL OR a.id >= $lo) AND ($hi IS NULL OR a.id < $hi)
MATCH (a)-[:PLACED]->(o:Order)-[:USED_PROMO]->(c:PromoCode)
WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
WITH a.id AS account, c.id AS code, min(o.created_at.epochSeconds) AS first, count(*) AS uses
RETURN collect(account) AS account, collect(code) AS code, collect(first) AS first, collect(uses) AS uses
