// The devices each account of $rows uses, kept on the account (device_keys, and device_seen: when
// each was first seen, epoch seconds, the account's creation when not given) so that detection
// reads them with the account, without a hop per link. Run in the transaction that wrote the links.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
WITH a, [(a)-[u:USED_DEVICE]->(d:Device) | [d.id, coalesce(coalesce(u.first_seen, a.created_at).epochSeconds, 0)]] AS uses
SET a.device_keys = [x IN uses | x[0]], a.device_seen = [x IN uses | x[1]]
