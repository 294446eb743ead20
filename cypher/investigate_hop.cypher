// One hop out from every node of a frontier, aggregated on the server: per (node, link type,
// direction) the number of neighbours and the top $limit of them (highest ring score, then
// newest, then id), each with its current rings (those of detection run $run_id, the latest) and,
// for identifiers, its own number of links (how busy it is). Neighbours keyed `Label:id` in
// $seen were expanded already: they are counted in `total` and `skipped`, never listed (a group
// whose neighbours were all expanded already returns no row). The key holds the label because
// ids of different types may be equal (account 1001, order 1001). No pattern here ever starts at a
// null: the local server matches such a pattern comprehension against the whole graph.
UNWIND $frontier AS f
CALL (f) {
  MATCH (n:Account {id: f.id}) WHERE f.type = 'account' RETURN n
  UNION ALL
  MATCH (n:Device {id: f.id}) WHERE f.type = 'device' RETURN n
  UNION ALL
  MATCH (n:IP {id: f.id}) WHERE f.type = 'ip' RETURN n
  UNION ALL
  MATCH (n:Address {id: f.id}) WHERE f.type = 'address' RETURN n
  UNION ALL
  MATCH (n:PaymentInstrument {id: f.id}) WHERE f.type = 'instrument' RETURN n
  UNION ALL
  MATCH (n:Order {id: f.id}) WHERE f.type = 'order' RETURN n
  UNION ALL
  MATCH (n:PromoCode {id: f.id}) WHERE f.type = 'promo' RETURN n
}
MATCH (n)-[r:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT|PLACED|SOLD_BY|FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]-(m)
WITH f, r, m, startNode(r) = n AS outgoing, (labels(m)[0] + ':' + m.id) IN $seen AS skip,
     CASE WHEN m:Account
          THEN [(m)-[mo:MEMBER_OF]->(g:Ring) WHERE mo.run_id = $run_id
                | {id: g.id, score: g.score, role: mo.role, status: g.status}]
          ELSE [] END AS rings
WITH f, r, m, outgoing, skip, rings,
     reduce(best = -1.0, x IN rings | CASE WHEN x.score > best THEN x.score ELSE best END) AS score
ORDER BY score DESC, m.created_at DESC, m.id
WITH f, type(r) AS rel, outgoing, count(*) AS total, sum(CASE WHEN skip THEN 1 ELSE 0 END) AS skipped,
     collect(CASE WHEN NOT skip
                  THEN {m: m, rings: rings, link: {first_seen: r.first_seen, last_seen: r.last_seen, raw: r.raw}}
             END)[..$limit] AS top
UNWIND top AS t
WITH f, rel, outgoing, total, skipped, t, t.m AS m
RETURN f.type AS from_type, f.id AS from_id, rel, outgoing, total, skipped,
       labels(m)[0] AS label, m.id AS id, properties(m) AS props, t.link AS link, t.rings AS rings,
       CASE WHEN m:Account OR m:Order THEN null
            ELSE COUNT { (m)-[:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT|PLACED|SOLD_BY|FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO]-() }
       END AS links
