// identifiers.csv: one row per (identifier, member) for every identifier two or more members reach,
// directly or through their orders (also the card fingerprint, IP subnet and building behind them; a
// building is listed when members reach two or more of its flats, as holders or by shipping there),
// with how
// each member reaches it, first/last seen, the raw spellings it was typed as, and how many links the
// identifier has in the whole graph (a busy identifier is weak evidence). Patterns start at the
// node already bound: the local server plans a pattern from its left end.
MATCH (ring:Ring {id: $ring_id})
MATCH (ring)<-[:MEMBER_OF]-(a:Account)
CALL (a) {
  MATCH (a)-[r:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT]->(x)
  RETURN labels(x)[0] AS type, x.id AS identifier, x AS x, type(r) AS link, r.first_seen AS first,
         r.last_seen AS last, 0 AS orders, r.raw AS raw
  UNION ALL
  MATCH (a)-[:PLACED]->(o:Order)-[r:FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]->(x)
  RETURN labels(x)[0] AS type, x.id AS identifier, x AS x, type(r) AS link, o.created_at AS first,
         o.created_at AS last, 1 AS orders, r.raw AS raw
  UNION ALL
  MATCH (a)-[r:HAS_INSTRUMENT]->(x:PaymentInstrument) WHERE x.fingerprint IS NOT NULL
  RETURN 'CardFingerprint' AS type, x.fingerprint AS identifier, x AS x, type(r) AS link, null AS first,
         null AS last, 0 AS orders, null AS raw
  UNION ALL
  MATCH (a)-[r:USED_IP]->(x:IP) WHERE x.subnet IS NOT NULL
  RETURN 'Subnet' AS type, x.subnet AS identifier, x AS x, type(r) AS link, r.first_seen AS first,
         r.last_seen AS last, 0 AS orders, null AS raw
  UNION ALL
  MATCH (a)-[r:HAS_ADDRESS]->(x:Address) WHERE x.building IS NOT NULL
  RETURN 'Building' AS type, x.building AS identifier, x AS x, type(r) AS link, r.first_seen AS first,
         r.last_seen AS last, 0 AS orders, r.raw AS raw
  UNION ALL
  MATCH (a)-[:PLACED]->(o:Order)-[r:SHIPPED_TO]->(x:Address) WHERE x.building IS NOT NULL
  RETURN 'Building' AS type, x.building AS identifier, x AS x, type(r) AS link, o.created_at AS first,
         o.created_at AS last, 1 AS orders, r.raw AS raw
  UNION ALL
  MATCH (a)-[:PLACED]->(o:Order)-[r:PAID_WITH]->(x:PaymentInstrument) WHERE x.fingerprint IS NOT NULL
  RETURN 'CardFingerprint' AS type, x.fingerprint AS identifier, x AS x, type(r) AS link, o.created_at AS first,
         o.created_at AS last, 1 AS orders, null AS raw
}
WITH type, identifier, a.id AS account_id, collect(DISTINCT link) AS links, min(first) AS first_seen,
     max(last) AS last_seen, sum(orders) AS orders, collect(raw) AS raw, collect(DISTINCT x.id) AS nodes,
     collect(DISTINCT x) AS xs
WHERE identifier IS NOT NULL
WITH type, identifier,
     collect({account_id: account_id, links: links, first_seen: first_seen, last_seen: last_seen, orders: orders,
              raw: raw, nodes: nodes}) AS uses,
     collect(xs) AS xss
WHERE size(uses) >= 2
  AND (type <> 'Building' OR size(reduce(flats = [], u IN uses | flats + [n IN u.nodes WHERE NOT n IN flats])) >= 2)
WITH type, identifier, uses, head(head(xss)) AS x
WITH type, identifier, uses,
     CASE WHEN type IN ['CardFingerprint', 'Subnet', 'Building'] THEN null
          ELSE COUNT { (x)-[:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT|PLACED|SOLD_BY|FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]-() }
     END AS links_in_graph
UNWIND uses AS u
RETURN type, identifier, size(uses) AS ring_members, u.account_id AS account_id, u.links AS links,
       u.orders AS orders, u.first_seen AS first_seen, u.last_seen AS last_seen, u.raw AS spellings,
       u.nodes AS nodes, links_in_graph
ORDER BY ring_members DESC, type, identifier, account_id
