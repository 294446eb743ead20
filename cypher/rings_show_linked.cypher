// The other rings of the same detection run that a ring's members are tied to, for the
// investigator: detection can report one ring in pieces, or two rings that work together. A tie
// is a device, an address or a payment instrument that members of both rings hold, held by at
// most $cap accounts (a parcel locker or a café's tablet ties strangers), or an order that a
// member of one ring placed with a member of the other. Every branch starts at the ring (found
// by its id): starting at the accounts is ten times slower on the local server.
CALL () {
  MATCH (:Ring {id: $id})<-[m:MEMBER_OF]-(:Account)-[:USED_DEVICE|HAS_ADDRESS|HAS_INSTRUMENT]->(x)
  WHERE COUNT { (x)<-[:USED_DEVICE|HAS_ADDRESS|HAS_INSTRUMENT]-(:Account) } <= $cap
  MATCH (x)<-[:USED_DEVICE|HAS_ADDRESS|HAS_INSTRUMENT]-(b:Account)-[n:MEMBER_OF]->(other:Ring)
  WHERE n.run_id = m.run_id AND other.id <> $id
  RETURN other, labels(x)[0] + ' ' + x.id AS identifier, b.id AS account, null AS order_id
  UNION
  MATCH (:Ring {id: $id})<-[m:MEMBER_OF]-(:Account)-[:PLACED]->(o:Order)-[:SOLD_BY]->(b:Account)
  MATCH (b)-[n:MEMBER_OF]->(other:Ring)
  WHERE n.run_id = m.run_id AND other.id <> $id
  RETURN other, null AS identifier, b.id AS account, o.id AS order_id
  UNION
  MATCH (:Ring {id: $id})<-[m:MEMBER_OF]-(:Account)<-[:SOLD_BY]-(o:Order)<-[:PLACED]-(b:Account)
  MATCH (b)-[n:MEMBER_OF]->(other:Ring)
  WHERE n.run_id = m.run_id AND other.id <> $id
  RETURN other, null AS identifier, b.id AS account, o.id AS order_id
}
WITH other, collect(DISTINCT identifier) AS identifiers, count(DISTINCT order_id) AS orders,
     count(DISTINCT account) AS tied_members
RETURN other.id AS ring_id, other.score AS score, other.typology AS typology, other.size AS size,
       tied_members, size(identifiers) AS shared_identifiers, orders, identifiers
ORDER BY shared_identifiers + orders DESC, ring_id
