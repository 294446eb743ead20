// The identifiers held by the accounts whose id is in [$lo, $hi] (both ends included: an index
// range seek), as the loader keeps them on each account (cypher/load_account_*_keys.cypher): the
// devices used, with when each was first seen (epoch seconds); the addresses held; the payment
// instruments held, with their card fingerprints (BIN:last4, "" when unknown); the subnets of the
// IPs seen, with when each was first seen. Read with the account, without a hop per link (a hop per
// link made this read 3-4 times slower at 1M accounts). One record of parallel lists, one entry
// per account, each a list of its keys. The client groups them with the identifiers used on
// orders. With $as_of, only accounts created on or before it; the client drops the uses first seen
// after `until` ($as_of in epoch seconds, as this server reads it).
MATCH (a:Account)
WHERE a.id >= $lo AND a.id <= $hi AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
RETURN CASE WHEN $as_of IS NULL THEN null ELSE datetime($as_of).epochSeconds END AS until,
       collect(a.id) AS account,
       collect(coalesce(a.device_keys, [])) AS device, collect(coalesce(a.device_seen, [])) AS device_seen,
       collect(coalesce(a.address_keys, [])) AS address,
       collect(coalesce(a.instrument_keys, [])) AS instrument,
       collect(coalesce(a.instrument_fingerprints, [])) AS fingerprint,
       collect(coalesce(a.subnet_keys, [])) AS subnet, collect(coalesce(a.subnet_seen, [])) AS subnet_seen
