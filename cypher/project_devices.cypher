// Device -> the accounts that used it, directly (USED_DEVICE) or through an order they placed
// (FROM_DEVICE); only devices shared by two or more accounts. With $as_of, only accounts created,
// uses first seen and orders placed on or before it count.
MATCH (d:Device)
CALL (d) {
  MATCH (a:Account)-[u:USED_DEVICE]->(d)
  WHERE $as_of IS NULL OR (a.created_at <= datetime($as_of) AND coalesce(u.first_seen, a.created_at) <= datetime($as_of))
  RETURN a
  UNION
  MATCH (a:Account)-[:PLACED]->(o:Order)-[:FROM_DEVICE]->(d)
  WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
  RETURN a
}
WITH d, collect(DISTINCT a.id) AS accounts
WHERE size(accounts) >= 2
RETURN d.id AS key, accounts
