// The marketplace's orders per day (days since 1970-01-01, UTC), the baseline for bursts, as
// one record of parallel lists. With $as_of, only orders placed on or before it count.
MATCH (o:Order)
WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
WITH o.created_at.epochSeconds / 86400 AS day, count(*) AS orders
ORDER BY day
RETURN collect(day) AS day, collect(orders) AS orders
