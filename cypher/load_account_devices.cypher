// Account -> Device use, with first/last seen widened and each raw spelling kept as evidence.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MATCH (d:Device {id: r.device_id})
MERGE (a)-[u:USED_DEVICE]->(d)
  ON CREATE SET u.first_seen = datetime(r.first_seen), u.last_seen = datetime(r.last_seen), u.raw = r.raw
  ON MATCH SET u.first_seen = CASE WHEN datetime(r.first_seen) < u.first_seen THEN datetime(r.first_seen) ELSE u.first_seen END,
               u.last_seen = CASE WHEN datetime(r.last_seen) > u.last_seen THEN datetime(r.last_seen) ELSE u.last_seen END,
               u.raw = u.raw + [x IN r.raw WHERE NOT x IN u.raw]
