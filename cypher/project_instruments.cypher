// Payment instrument -> the accounts that hold it (HAS_INSTRUMENT) or paid an order with it
// (PAID_WITH); only instruments shared by two or more accounts. With $as_of, only accounts
// created and orders placed on or before it count.
MATCH (p:PaymentInstrument)
CALL (p) {
  MATCH (a:Account)-[:HAS_INSTRUMENT]->(p)
  WHERE $as_of IS NULL OR a.created_at <= datetime($as_of)
  RETURN a
  UNION
  MATCH (a:Account)-[:PLACED]->(o:Order)-[:PAID_WITH]->(p)
  WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
  RETURN a
}
WITH p, collect(DISTINCT a.id) AS accounts
WHERE size(accounts) >= 2
RETURN p.id AS key, accounts
