// The promo code each new order redeemed.
UNWIND $rows AS r
MATCH (o:Order {id: r.id})
MATCH (c:PromoCode {id: r.to})
CREATE (o)-[:USED_PROMO]->(c)
