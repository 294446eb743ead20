// The order timeline of a ring: every order a member placed, oldest first (at most $limit),
// marking orders sold by another member.
MATCH (r:Ring {id: $id})<-[:MEMBER_OF]-(b:Account)
MATCH (b)-[:PLACED]->(o:Order)-[:SOLD_BY]->(s:Account)
RETURN o.created_at AS created_at, o.id AS order_id, b.id AS buyer, s.id AS seller,
       EXISTS { (s)-[:MEMBER_OF]->(r) } AS seller_in_ring, o.amount AS amount, o.currency AS currency,
       o.status AS status, o.promo_code AS promo
ORDER BY created_at, order_id
LIMIT $limit
