// members.csv: a ring's member accounts with their role in it, account facts and order counts.
MATCH (r:Ring {id: $ring_id})
MATCH (r)<-[m:MEMBER_OF]-(a:Account)
RETURN a.id AS account_id, m.role AS ring_role, m.run_id AS detection_run, a.role AS account_role,
       a.country AS country, a.status AS status, a.created_at AS created_at,
       COUNT { (a)-[:PLACED]->(:Order) } AS orders_placed,
       COUNT { (a)<-[:SOLD_BY]-(:Order) } AS orders_sold,
       COUNT { (a)-[:PLACED]->(o:Order) WHERE o.status = 'chargeback' } AS chargebacks,
       COUNT { (a)-[:PLACED]->(o:Order) WHERE o.status = 'refunded' } AS refunds,
       a.load_run AS load_run, a.status_load_run AS status_load_run
ORDER BY ring_role, account_id
