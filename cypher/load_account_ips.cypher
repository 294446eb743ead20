// Account -> IP use, with first/last seen widened.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MATCH (i:IP {id: r.ip})
MERGE (a)-[u:USED_IP]->(i)
  ON CREATE SET u.first_seen = datetime(r.first_seen), u.last_seen = datetime(r.last_seen)
  ON MATCH SET u.first_seen = CASE WHEN datetime(r.first_seen) < u.first_seen THEN datetime(r.first_seen) ELSE u.first_seen END,
               u.last_seen = CASE WHEN datetime(r.last_seen) > u.last_seen THEN datetime(r.last_seen) ELSE u.last_seen END
