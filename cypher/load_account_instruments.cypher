// Account -> PaymentInstrument.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
MATCH (p:PaymentInstrument {id: r.instrument_id})
MERGE (a)-[:HAS_INSTRUMENT]->(p)
