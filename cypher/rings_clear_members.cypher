// Drop the member links of the given rings before the run writes their current members
// (anchored on the ring, found by its id, so only its own links are walked). A ring this run
// did not find (merged away, dissolved) keeps the members of the last run that found it, for
// `rings show` and evidence bundles; investigator views show only the latest run's rings.
UNWIND $ids AS id
MATCH (r:Ring {id: id})
MATCH (r)<-[m:MEMBER_OF]-()
DELETE m
