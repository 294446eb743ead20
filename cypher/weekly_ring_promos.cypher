// Per ring and promo code: orders placed with it by the ring's members in [$since, $until)
// and how many members used it.
UNWIND $rings AS ring
UNWIND ring.members AS account_id
MATCH (a:Account {id: account_id})-[:PLACED]->(o:Order)-[:USED_PROMO]->(c:PromoCode)
WHERE o.created_at >= datetime($since) AND o.created_at < datetime($until)
RETURN ring.id AS ring_id, c.id AS code, count(o) AS orders, count(DISTINCT a) AS members
ORDER BY ring_id, orders DESC, code
