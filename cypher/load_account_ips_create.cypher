// New account -> IP links, with first/last seen (null when the input gave none).
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MATCH (i:IP {id: r.to})
CREATE (a)-[:USED_IP {first_seen: CASE WHEN r.first_seen IS NULL THEN null ELSE datetime(r.first_seen) END,
                     last_seen: CASE WHEN r.last_seen IS NULL THEN null ELSE datetime(r.last_seen) END}]->(i)
