// New account -> device links, with first/last seen and the raw spellings as evidence
// (the dates are null when the input gave none).
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MATCH (d:Device {id: r.to})
CREATE (a)-[:USED_DEVICE {first_seen: CASE WHEN r.first_seen IS NULL THEN null ELSE datetime(r.first_seen) END,
                         last_seen: CASE WHEN r.last_seen IS NULL THEN null ELSE datetime(r.last_seen) END, raw: r.raw}]->(d)
