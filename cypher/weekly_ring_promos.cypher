// Per ring and promo code: orders placed with it by the ring's members in [$since, $until), how
// many members used it, and when it was first used.
UNWIND $rings AS ring
UNWIND ring.members AS account_id
MATCH (a:Account {id: account_id})-[:PLACED]->(o:Order)-[:USED_PROMO]->(c:PromoCode)
WHERE o.created_at >= datetime($since) AND o.created_at < datetime($until)
RETURN ring.id AS ring_id, c.id AS code, count(o) AS orders, count(DISTINCT a) AS members,
       min(o.created_at) AS first_order
ORDER BY ring_id, orders DESC, code
