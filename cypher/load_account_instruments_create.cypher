// New account -> payment instrument links.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MATCH (p:PaymentInstrument {id: r.to})
CREATE (a)-[:HAS_INSTRUMENT]->(p)
