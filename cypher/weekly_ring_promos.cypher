// Per ring and promo code: orders placed with it by the ring's members in [$since, $until), how
// many members used it, and when it was first used. The code is the one the loader keeps on each
// order (the id of the PromoCode it links to), read without a hop per order.
UNWIND $rings AS ring
UNWIND ring.members AS account_id
MATCH (:Account {id: account_id})-[:PLACED]->(o:Order)
WHERE o.created_at >= datetime($since) AND o.created_at < datetime($until) AND o.promo_code <> ''
RETURN ring.id AS ring_id, o.promo_code AS code, count(o) AS orders, count(DISTINCT account_id) AS members,
       min(o.created_at) AS first_order
ORDER BY ring_id, orders DESC, code
