// Payment instrument -> the accounts that hold it (HAS_INSTRUMENT) or paid an order with it
// (PAID_WITH); only instruments shared by two or more accounts, and only ids in [$lo, $hi] (both
// ends included; each branch starts from the range's instruments). With $as_of, only accounts
// created and orders placed on or before it count. Returned as one record of two parallel lists:
// far faster over Bolt than a record per group.
CALL () {
  MATCH (p:PaymentInstrument) WHERE p.id >= $lo AND p.id <= $hi
  MATCH (p)<-[:HAS_INSTRUMENT]-(a:Account)
  WHERE $as_of IS NULL OR a.created_at <= datetime($as_of)
  RETURN p.id AS key, a.id AS account
  UNION
  MATCH (p:PaymentInstrument) WHERE p.id >= $lo AND p.id <= $hi
  MATCH (p)<-[:PAID_WITH]-(o:Order)<-[:PLACED]-(a:Account)
  WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
  RETURN p.id AS key, a.id AS account
}
WITH key, collect(account) AS accounts
WHERE size(accounts) >= 2
RETURN collect(key) AS keys, collect(accounts) AS accounts
