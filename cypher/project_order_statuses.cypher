// Per buyer, its orders that ended charged back, refunded or cancelled (buyers with none are left
// out), as one record of parallel lists; only buyers whose id is in [$lo, $hi] (both ends
// included: an index range seek). With $as_of, only orders placed on or before it count.
MATCH (b:Account)
WHERE b.id >= $lo AND b.id <= $hi
MATCH (b)-[:PLACED]->(o:Order)
WHERE o.status IN ['chargeback', 'refunded', 'cancelled'] AND ($as_of IS NULL OR o.created_at <= datetime($as_of))
WITH b.id AS buyer, sum(CASE WHEN o.status = 'chargeback' THEN 1 ELSE 0 END) AS chargebacks,
     sum(CASE WHEN o.status = 'refunded' THEN 1 ELSE 0 END) AS refunds,
     sum(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END) AS cancels
RETURN collect(buyer) AS buyer, collect(chargebacks) AS chargebacks, collect(refunds) AS refunds,
       collect(cancels) AS cancels
