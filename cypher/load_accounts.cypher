// Accounts, idempotent. A stored account whose values differ from the row is left as it is
// and returned, so the loader can quarantine the row as a conflicting duplicate.
UNWIND $rows AS r
MERGE (a:Account {id: r.id})
  ON CREATE SET a.role = r.role, a.created_at = datetime(r.created_at), a.country = r.country,
                a.status = r.status, a.load_run = $run_id
WITH a, r
WHERE a.role <> r.role OR a.created_at <> datetime(r.created_at) OR a.country <> r.country
RETURN r.line AS line, r.id AS id
