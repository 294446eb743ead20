// One shortest connection between two entities through shared identifiers and orders (ring
// membership is not a link), at most $max_hops (<= 6) long; each node with its current rings
// (those of detection run $run_id, the latest) and link count. shortestPath searches from both
// ends: milliseconds where allShortestPaths over 6 hops takes seconds on 100k buyers, so this runs
// first and tells how long the connections are. The hop limit is applied after the search (WITH):
// a WHERE on the path's length beside shortestPath makes Neo4j plan an exhaustive fallback search
// of every path up to 6 hops whenever none qualifies (Cypher Manual, shortest path planning).
CALL () {
  MATCH (n:Account {id: $a}) WHERE $a_type = 'account' RETURN n
  UNION ALL
  MATCH (n:Device {id: $a}) WHERE $a_type = 'device' RETURN n
  UNION ALL
  MATCH (n:IP {id: $a}) WHERE $a_type = 'ip' RETURN n
  UNION ALL
  MATCH (n:Address {id: $a}) WHERE $a_type = 'address' RETURN n
  UNION ALL
  MATCH (n:PaymentInstrument {id: $a}) WHERE $a_type = 'instrument' RETURN n
  UNION ALL
  MATCH (n:Order {id: $a}) WHERE $a_type = 'order' RETURN n
  UNION ALL
  MATCH (n:PromoCode {id: $a}) WHERE $a_type = 'promo' RETURN n
}
WITH n AS a
CALL () {
  MATCH (n:Account {id: $b}) WHERE $b_type = 'account' RETURN n
  UNION ALL
  MATCH (n:Device {id: $b}) WHERE $b_type = 'device' RETURN n
  UNION ALL
  MATCH (n:IP {id: $b}) WHERE $b_type = 'ip' RETURN n
  UNION ALL
  MATCH (n:Address {id: $b}) WHERE $b_type = 'address' RETURN n
  UNION ALL
  MATCH (n:PaymentInstrument {id: $b}) WHERE $b_type = 'instrument' RETURN n
  UNION ALL
  MATCH (n:Order {id: $b}) WHERE $b_type = 'order' RETURN n
  UNION ALL
  MATCH (n:PromoCode {id: $b}) WHERE $b_type = 'promo' RETURN n
}
WITH a, n AS b
MATCH p = shortestPath((a)-[:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT|PLACED|SOLD_BY|FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO*..6]-(b))
WITH p WHERE length(p) <= $max_hops
RETURN [x IN nodes(p) | {label: labels(x)[0], id: x.id, props: properties(x),
          rings: [(x)-[mo:MEMBER_OF]->(g:Ring) WHERE mo.run_id = $run_id
                  | {id: g.id, score: g.score, role: mo.role, status: g.status}],
          links: COUNT { (x)-[:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT|PLACED|SOLD_BY|FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]-() }}] AS nodes,
       [i IN range(0, length(p) - 1) | {type: type(relationships(p)[i]), forward: startNode(relationships(p)[i]) = nodes(p)[i],
          props: properties(relationships(p)[i])}] AS rels
