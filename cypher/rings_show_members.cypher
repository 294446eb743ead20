// A ring's members with their role in it and their account facts and order counts.
MATCH (:Ring {id: $id})<-[m:MEMBER_OF]-(a:Account)
RETURN a.id AS account_id, m.role AS role, m.run_id AS run_id, a.role AS account_role, a.country AS country,
       a.created_at AS created_at, a.status AS status,
       COUNT { (a)-[:PLACED]->(:Order) } AS orders_placed,
       COUNT { (:Order)-[:SOLD_BY]->(a) } AS orders_sold
ORDER BY m.role DESC, a.id
