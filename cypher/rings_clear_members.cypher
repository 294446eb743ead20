// Drop the member links of the given rings before the run writes their current members
// (anchored on the ring, found by its id, so only its own links are walked).
UNWIND $ids AS id
MATCH (r:Ring {id: id})
MATCH (r)<-[m:MEMBER_OF]-()
DELETE m
