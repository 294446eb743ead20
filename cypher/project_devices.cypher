// Device -> the accounts that used it, directly (USED_DEVICE) or through an order they placed
// (FROM_DEVICE); only devices shared by two or more accounts, and only devices whose id is in
// [$lo, $hi] (both ends included), so a big marketplace is read in key ranges. Each branch starts
// from the devices of the range (an index range seek): a pattern filtered on its far end walks the
// whole graph. With $as_of, only accounts created, uses first seen and orders placed on or before
// it count. (An uncorrelated UNION then one aggregation: a subquery per device is a hundred times
// slower on the local server.) Returned as one record of two parallel lists: far faster over Bolt
// than a record per group.
CALL () {
  MATCH (d:Device) WHERE d.id >= $lo AND d.id <= $hi
  MATCH (d)<-[u:USED_DEVICE]-(a:Account)
  WHERE $as_of IS NULL OR (a.created_at <= datetime($as_of) AND coalesce(u.first_seen, a.created_at) <= datetime($as_of))
  RETURN d.id AS key, a.id AS account
  UNION
  MATCH (d:Device) WHERE d.id >= $lo AND d.id <= $hi
  MATCH (d)<-[:FROM_DEVICE]-(o:Order)<-[:PLACED]-(a:Account)
  WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
  RETURN d.id AS key, a.id AS account
}
WITH key, collect(account) AS accounts
WHERE size(accounts) >= 2
RETURN collect(key) AS keys, collect(accounts) AS accounts
