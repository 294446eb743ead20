// Schema version 4: the orders of the buyers whose id is in [$lo, $hi] keep their buyer's and
// seller's ids as properties (the projection walks the orders without a hop), copied from their
// relationships. Run range by range, one transaction each. Idempotent: a migration killed
// half-way is simply run again.
MATCH (b:Account)
WHERE b.id >= $lo AND b.id <= $hi
MATCH (b)-[:PLACED]->(o:Order)-[:SOLD_BY]->(s:Account)
SET o.buyer_id = b.id, o.seller_id = s.id
RETURN count(o) AS orders
