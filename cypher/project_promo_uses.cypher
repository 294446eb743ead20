// Promo code uses per (account, code): first use (epoch seconds) and number of orders, as one
// record of parallel lists (promo orders are a small share of all orders); only accounts whose id
// is in [$lo, $hi] (both ends included: an index range seek). With $as_of, only orders placed on
// or before it count.
// Rows are cut to plain values before the aggregation: the local server keeps one row per group,
// and a row holding the matched nodes keeps their storage pages in memory (at 1M, a full heap).
MATCH (a:Account)
WHERE a.id >= $lo AND a.id <= $hi
MATCH (a)-[:PLACED]->(o:Order)-[:USED_PROMO]->(c:PromoCode)
WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
WITH a.id AS account, c.id AS code, o.created_at.epochSeconds AS placed
WITH account, code, min(placed) AS first, count(*) AS uses
RETURN collect(account) AS account, collect(code) AS code, collect(first) AS first, collect(uses) AS uses
