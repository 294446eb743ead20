// New account -> device links, with first/last seen and the raw spellings as evidence.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MATCH (d:Device {id: r.to})
CREATE (a)-[:USED_DEVICE {first_seen: datetime(r.first_seen), last_seen: datetime(r.last_seen), raw: r.raw}]->(d)
