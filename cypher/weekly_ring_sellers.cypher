// Per ring and seller: how many orders the ring's members placed with that seller in
// [$since, $until), when the first of them was placed, when the first of them that ended in a
// chargeback or a dispute was (null if none did), and how many members disputed there. The seller
// is the id the loader keeps on each order (an order is only stored with its seller), read
// without a hop per order to the seller's node.
UNWIND $rings AS ring
UNWIND ring.members AS account_id
MATCH (:Account {id: account_id})-[:PLACED]->(o:Order)
WHERE o.created_at >= datetime($since) AND o.created_at < datetime($until)
RETURN ring.id AS ring_id, o.seller_id AS seller, count(o) AS orders, min(o.created_at) AS first_order,
       min(CASE WHEN o.status IN ['chargeback', 'disputed'] THEN o.created_at END) AS first_dispute,
       count(DISTINCT CASE WHEN o.status IN ['chargeback', 'disputed'] THEN account_id END) AS disputing
ORDER BY ring_id, orders DESC, seller
