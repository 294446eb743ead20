// IP subnet (/24 for IPv4) -> the accounts seen on an address in it; only subnets shared by two
// or more accounts, and only subnets in [$lo, $hi] (both ends included; read from the range's
// IPs, through the subnet index). With $as_of, only accounts created and uses first seen on or
// before it count. Returned as one record of two parallel lists: far faster over Bolt than a
// record per group.
// Rows are cut to plain values before the aggregation: the local server keeps one row per group,
// and a row holding the matched nodes keeps their storage pages in memory (at 1M, a full heap).
MATCH (i:IP) WHERE i.subnet >= $lo AND i.subnet <= $hi
MATCH (i)<-[u:USED_IP]-(a:Account)
WHERE $as_of IS NULL OR (a.created_at <= datetime($as_of) AND coalesce(u.first_seen, a.created_at) <= datetime($as_of))
WITH i.subnet AS key, a.id AS account
WITH key, collect(DISTINCT account) AS accounts
WHERE size(accounts) >= 2
RETURN collect(key) AS keys, collect(accounts) AS accounts
