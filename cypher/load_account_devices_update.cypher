// Widen stored account -> device links (seen earlier or later, new spellings).
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})-[u:USED_DEVICE]->(d:Device {id: r.to})
SET u.first_seen = datetime(r.first_seen), u.last_seen = datetime(r.last_seen), u.raw = r.raw
