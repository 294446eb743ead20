// The rings of the latest detection run ($run_id) that a ring's members are tied to, for the
// investigator: detection can report one ring in pieces, or two rings that work together. A tie
// is a device, an IP, an address or a payment instrument that members of both rings reach (they
// hold it, or used it on an order), reached by at most $cap accounts in all, as the projection
// counts a group (a parcel locker or a café's tablet ties strangers); flats of one building that
// members of both hold (at most $cap holders: as in the projection, shipping a parcel to a flat
// is no tie to its building); or $min_orders or more orders that members of one ring placed with
// members of the other (one purchase from a ring's shop ties nothing). Subnets, card fingerprints
// (in the 1M-account bench, 60 % of cards share their BIN:last4 with another card by chance) and
// sellers both rings buy from are not ties here (`shared` shows them for two accounts). Per
// tied ring: how many members of this ring and of that one are tied, the identifiers, and the
// orders between the two. Every branch starts at the ring (found by its id): starting at the
// accounts is ten times slower on the local server.
CALL () {
  CALL () {
    MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)-[:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT]->(x)
    RETURN a.id AS mine, x
    UNION
    MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)-[:PLACED]->(:Order)-[:FROM_DEVICE|SHIPPED_TO|PAID_WITH]->(x)
    RETURN a.id AS mine, x
  }
  WITH x, collect(DISTINCT mine) AS mine
  CALL (x) {
    MATCH (x)<-[:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT]-(b:Account)
    RETURN b
    UNION
    MATCH (x)<-[:FROM_DEVICE|SHIPPED_TO|PAID_WITH]-(:Order)<-[:PLACED]-(b:Account)
    RETURN b
  }
  WITH x, mine, collect(b) AS reached
  WHERE size(reached) <= $cap
  UNWIND reached AS b
  MATCH (b)-[n:MEMBER_OF]->(other:Ring)
  WHERE n.run_id = $run_id AND other.id <> $id
  UNWIND mine AS a
  RETURN other, a AS mine, b.id AS theirs, {kind: labels(x)[0], id: x.id} AS identifier, null AS order_id
  UNION
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)-[:HAS_ADDRESS]->(f:Address)
  WHERE f.building IS NOT NULL
  WITH f.building AS building, collect(DISTINCT a.id) AS mine
  MATCH (:Address {building: building})<-[:HAS_ADDRESS]-(b:Account)
  WITH building, mine, collect(DISTINCT b) AS reached
  WHERE size(reached) <= $cap
  UNWIND reached AS b
  MATCH (b)-[n:MEMBER_OF]->(other:Ring)
  WHERE n.run_id = $run_id AND other.id <> $id
  UNWIND mine AS a
  RETURN other, a AS mine, b.id AS theirs, {kind: 'Building', id: building} AS identifier, null AS order_id
  UNION
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)-[:PLACED]->(o:Order)-[:SOLD_BY]->(b:Account)
  MATCH (b)-[n:MEMBER_OF]->(other:Ring)
  WHERE n.run_id = $run_id AND other.id <> $id
  RETURN other, a.id AS mine, b.id AS theirs, null AS identifier, o.id AS order_id
  UNION
  MATCH (:Ring {id: $id})<-[:MEMBER_OF]-(a:Account)<-[:SOLD_BY]-(o:Order)<-[:PLACED]-(b:Account)
  MATCH (b)-[n:MEMBER_OF]->(other:Ring)
  WHERE n.run_id = $run_id AND other.id <> $id
  RETURN other, a.id AS mine, b.id AS theirs, null AS identifier, o.id AS order_id
}
WITH other, count(DISTINCT mine) AS our_members, count(DISTINCT theirs) AS their_members,
     collect(DISTINCT identifier) AS identifiers, count(DISTINCT order_id) AS orders
WHERE size(identifiers) > 0 OR orders >= $min_orders
RETURN other.id AS ring_id, other.score AS score, other.typology AS typology, other.size AS size,
       our_members, their_members, size(identifiers) AS shared_identifiers, orders, identifiers
ORDER BY shared_identifiers DESC, orders DESC, ring_id
