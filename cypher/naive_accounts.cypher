// bench/load.py's baseline: one account per statement, the way tutorials load rows.
MERGE (a:Account {id: $id})
SET a.role = $role, a.created_at = datetime($created_at), a.country = $country, a.status = $status
