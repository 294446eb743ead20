// Widen stored account -> IP links.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})-[u:USED_IP]->(i:IP {id: r.to})
SET u.first_seen = datetime(r.first_seen), u.last_seen = datetime(r.last_seen)
