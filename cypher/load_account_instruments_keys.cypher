// The payment instruments each account of $rows holds, kept on the account (instrument_keys, and
// instrument_fingerprints: BIN:last4, "" when unknown) so that detection reads them with the
// account, without a hop per link. Run in the transaction that wrote the links.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
WITH a, [(a)-[:HAS_INSTRUMENT]->(p:PaymentInstrument) | [p.id, coalesce(p.fingerprint, '')]] AS held
SET a.instrument_keys = [x IN held | x[0]], a.instrument_fingerprints = [x IN held | x[1]]
