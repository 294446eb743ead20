// bench/load.py's baseline: one account -> instrument row per statement.
MATCH (a:Account {id: $account_id})
MERGE (p:PaymentInstrument {id: $instrument_id})
MERGE (a)-[:HAS_INSTRUMENT]->(p)
