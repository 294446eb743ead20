// Card fingerprint (BIN:last4, survives re-tokenisation) -> the accounts that hold or paid with
// an instrument carrying it; only fingerprints shared by two or more accounts. With $as_of, only
// accounts created and orders placed on or before it count.
MATCH (p:PaymentInstrument)
WHERE p.fingerprint IS NOT NULL AND p.fingerprint <> ''
CALL (p) {
  MATCH (a:Account)-[:HAS_INSTRUMENT]->(p)
  WHERE $as_of IS NULL OR a.created_at <= datetime($as_of)
  RETURN a
  UNION
  MATCH (a:Account)-[:PLACED]->(o:Order)-[:PAID_WITH]->(p)
  WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
  RETURN a
}
WITH p.fingerprint AS key, collect(DISTINCT a.id) AS accounts
WHERE size(accounts) >= 2
RETURN key, accounts
