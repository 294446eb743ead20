// IP subnet (/24 for IPv4) -> the accounts seen on an address in it; only subnets shared by two
// or more accounts, and only subnets in [$lo, $hi) (null: no bound). With $as_of, only accounts
// created and uses first seen on or before it count. Returned as one record of two parallel
// lists: far faster over Bolt than a record per group.
MATCH (a:Account)-[u:USED_IP]->(i:IP)
WHERE i.subnet IS NOT NULL AND ($lo IS NULL OR i.subnet >= $lo) AND ($hi IS NULL OR i.subnet < $hi)
  AND ($as_of IS NULL OR (a.created_at <= datetime($as_of) AND coalesce(u.first_seen, a.created_at) <= datetime($as_of)))
WITH i.subnet AS key, collect(DISTINCT a.id) AS accounts
WHERE size(accounts) >= 2
RETURN collect(key) AS keys, collect(accounts) AS accounts
