// Which (account, IP) links of a batch's accounts are already stored, with what they hold.
UNWIND $ids AS id
MATCH (a:Account {id: id})-[u:USED_IP]->(x:IP)
RETURN a.id AS account_id, x.id AS to, toString(u.first_seen) AS first_seen, toString(u.last_seen) AS last_seen,
       u.raw AS raw
