// New orders with their buyer and seller. Runs in one transaction with the order's identifier
// links, so an order that exists always has all its relationships (a killed load resumes cleanly).
UNWIND $rows AS r
MATCH (b:Account {id: r.buyer_id})
MATCH (s:Account {id: r.seller_id})
CREATE (o:Order {id: r.id, amount: r.amount, currency: r.currency, created_at: datetime(r.created_at),
                 status: r.status, promo_code: r.promo_code, load_run: $run_id})
CREATE (b)-[:PLACED]->(o)
CREATE (o)-[:SOLD_BY]->(s)
