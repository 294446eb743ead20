// New account -> IP links, with first/last seen.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MATCH (i:IP {id: r.to})
CREATE (a)-[:USED_IP {first_seen: datetime(r.first_seen), last_seen: datetime(r.last_seen)}]->(i)
