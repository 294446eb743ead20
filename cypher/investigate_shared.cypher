// What two accounts have in common: identifiers each reaches directly or through its orders
// (also the card fingerprint, IP subnet and building behind them), counterparties and promo codes, with
// first/last seen per account; plus orders between the two accounts themselves. The accounts are
// looked up one id at a time (`WHERE id IN [...]` before a CALL scans every account on the local server).
UNWIND [$a, $b] AS account_id
MATCH (acc:Account {id: account_id})
CALL (acc) {
  MATCH (acc)-[r:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT]->(x)
  RETURN labels(x)[0] AS kind, x.id AS key, x AS x, r.first_seen AS first, r.last_seen AS last, 0 AS orders, r.raw AS raw
  UNION ALL
  MATCH (acc)-[:PLACED]->(o:Order)-[r:FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]->(x)
  RETURN labels(x)[0] AS kind, x.id AS key, x AS x, o.created_at AS first, o.created_at AS last, 1 AS orders, r.raw AS raw
  UNION ALL
  MATCH (acc)-[:HAS_INSTRUMENT]->(x:PaymentInstrument) WHERE x.fingerprint IS NOT NULL
  RETURN 'CardFingerprint' AS kind, x.fingerprint AS key, x AS x, null AS first, null AS last, 0 AS orders, null AS raw
  UNION ALL
  MATCH (acc)-[:PLACED]->(o:Order)-[:PAID_WITH]->(x:PaymentInstrument) WHERE x.fingerprint IS NOT NULL
  RETURN 'CardFingerprint' AS kind, x.fingerprint AS key, x AS x, o.created_at AS first, o.created_at AS last, 1 AS orders, null AS raw
  UNION ALL
  MATCH (acc)-[r:USED_IP]->(x:IP) WHERE x.subnet IS NOT NULL
  RETURN 'Subnet' AS kind, x.subnet AS key, x AS x, r.first_seen AS first, r.last_seen AS last, 0 AS orders, null AS raw
  UNION ALL
  MATCH (acc)-[r:HAS_ADDRESS]->(x:Address) WHERE x.building IS NOT NULL
  RETURN 'Building' AS kind, x.building AS key, x AS x, r.first_seen AS first, r.last_seen AS last, 0 AS orders,
         r.raw AS raw
  UNION ALL
  MATCH (acc)-[:PLACED]->(o:Order)-[r:SHIPPED_TO]->(x:Address) WHERE x.building IS NOT NULL
  RETURN 'Building' AS kind, x.building AS key, x AS x, o.created_at AS first, o.created_at AS last, 1 AS orders,
         r.raw AS raw
  UNION ALL
  MATCH (acc)-[:PLACED]->(o:Order)-[:SOLD_BY]->(x:Account)
  RETURN 'Seller' AS kind, x.id AS key, x AS x, o.created_at AS first, o.created_at AS last, 1 AS orders, null AS raw
  UNION ALL
  MATCH (acc)<-[:SOLD_BY]-(o:Order)<-[:PLACED]-(x:Account)
  RETURN 'Buyer' AS kind, x.id AS key, x AS x, o.created_at AS first, o.created_at AS last, 1 AS orders, null AS raw
}
WITH acc.id AS account, kind, key, min(first) AS first, max(last) AS last, sum(orders) AS orders,
     count(*) - sum(orders) AS direct, collect(raw) AS raw, collect(DISTINCT x.id) AS via
WHERE key IS NOT NULL
WITH kind, key, collect({account: account, first: first, last: last, orders: orders, direct: direct, raw: raw, via: via}) AS uses
WHERE size(uses) = 2 OR (kind IN ['Seller', 'Buyer'] AND key IN [$a, $b])
RETURN kind, key, uses
ORDER BY kind, key
