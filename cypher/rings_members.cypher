// Account -> Ring membership with the member's role and the run that found it.
UNWIND $rows AS row
MATCH (a:Account {id: row.account_id})
MATCH (r:Ring {id: row.ring_id})
CREATE (a)-[:MEMBER_OF {role: row.role, run_id: $run_id}]->(r)
