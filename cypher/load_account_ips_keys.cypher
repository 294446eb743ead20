// The subnets of the IPs each account of $rows used, one per IP, kept on the account (subnet_keys,
// and subnet_seen: when each IP was first seen, epoch seconds, the account's creation when not
// given) so that detection reads them with the account, without a hop per link. Run in the
// transaction that wrote the links.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
WITH a, [(a)-[u:USED_IP]->(i:IP) WHERE i.subnet IS NOT NULL
         | [i.subnet, coalesce(coalesce(u.first_seen, a.created_at).epochSeconds, 0)]] AS uses
SET a.subnet_keys = [x IN uses | x[0]], a.subnet_seen = [x IN uses | x[1]]
