// bench/load.py's baseline: one account -> device row per statement.
MATCH (a:Account {id: $account_id})
MERGE (d:Device {id: $device_id})
MERGE (a)-[u:USED_DEVICE]->(d)
SET u.first_seen = datetime($first_seen), u.last_seen = datetime($last_seen)
