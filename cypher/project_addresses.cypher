// Normalised address -> the accounts that hold it (HAS_ADDRESS) or shipped an order to it
// (SHIPPED_TO); only addresses shared by two or more accounts. With $as_of, only accounts created
// and orders placed on or before it count.
MATCH (n:Address)
CALL (n) {
  MATCH (a:Account)-[:HAS_ADDRESS]->(n)
  WHERE $as_of IS NULL OR a.created_at <= datetime($as_of)
  RETURN a
  UNION
  MATCH (a:Account)-[:PLACED]->(o:Order)-[:SHIPPED_TO]->(n)
  WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
  RETURN a
}
WITH n, collect(DISTINCT a.id) AS accounts
WHERE size(accounts) >= 2
RETURN n.id AS key, accounts
