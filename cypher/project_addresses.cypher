// Normalised address -> the accounts that hold it (HAS_ADDRESS) or shipped an order to it
// (SHIPPED_TO), with for each account whether it holds the address (1) or only shipped there
// (0); only addresses shared by two or more accounts, and only keys in [$lo, $hi] (both ends
// included; each branch starts from the range's addresses). With $as_of, only accounts created
// and orders placed on or before it count. One record of parallel lists.
CALL () {
  MATCH (n:Address) WHERE n.id >= $lo AND n.id <= $hi
  MATCH (n)<-[:HAS_ADDRESS]-(a:Account)
  WHERE $as_of IS NULL OR a.created_at <= datetime($as_of)
  RETURN n.id AS key, a.id AS account, 1 AS held
  UNION
  MATCH (n:Address) WHERE n.id >= $lo AND n.id <= $hi
  MATCH (n)<-[:SHIPPED_TO]-(o:Order)<-[:PLACED]-(a:Account)
  WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
  RETURN n.id AS key, a.id AS account, 0 AS held
}
WITH key, account, max(held) AS held
WITH key, collect(account) AS accounts, collect(held) AS held
WHERE size(accounts) >= 2
RETURN collect(key) AS keys, collect(accounts) AS accounts, collect(held) AS held
