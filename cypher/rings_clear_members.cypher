// Drop the member links of the given rings before the run writes their current members.
UNWIND $ids AS id
MATCH (:Account)-[m:MEMBER_OF]->(:Ring {id: id})
DELETE m
