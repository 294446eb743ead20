// Widen stored account -> IP links; dates may be null.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})-[u:USED_IP]->(i:IP {id: r.to})
SET u.first_seen = CASE WHEN r.first_seen IS NULL THEN null ELSE datetime(r.first_seen) END,
    u.last_seen = CASE WHEN r.last_seen IS NULL THEN null ELSE datetime(r.last_seen) END
