// Promo code -> the accounts that placed an order with it; only codes used by two or more
// accounts, and only codes in [$lo, $hi] (both ends included; read from the range's codes).
// With $as_of, only orders placed on or before it count. Returned as one record of two parallel
// lists: far faster over Bolt than a record per group.
// Rows are cut to plain values before the aggregation: the local server keeps one row per group,
// and a row holding the matched nodes keeps their storage pages in memory (at 1M, a full heap).
MATCH (c:PromoCode) WHERE c.id >= $lo AND c.id <= $hi
MATCH (c)<-[:USED_PROMO]-(o:Order)<-[:PLACED]-(a:Account)
WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
WITH c.id AS key, a.id AS account
WITH key, collect(DISTINCT account) AS accounts
WHERE size(accounts) >= 2
RETURN collect(key) AS keys, collect(accounts) AS accounts
