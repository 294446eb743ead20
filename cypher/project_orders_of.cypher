// Every order placed by the given buyers ($ids), one row each, for the evidence of candidate
// groups. With $as_of, only orders placed on or before it count.
UNWIND $ids AS id
MATCH (b:Account {id: id})-[:PLACED]->(o:Order)-[:SOLD_BY]->(s:Account)
WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
RETURN b.id AS buyer, s.id AS seller, o.id AS order_id, o.amount AS amount, o.currency AS currency,
       o.created_at.epochSeconds AS created, o.status AS status, o.promo_code AS promo
