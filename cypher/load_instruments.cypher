// Payment instruments: an id (given, or the keyed hash of a card number), never a card number. An
// instrument first met on an order knows no BIN or last 4: a later row that gives them fills them in,
// so the graph does not depend on which drop came first, and the orders paid with it take its card
// fingerprint too (detection reads it there). Nothing stored is overwritten, and nothing is written
// when nothing is missing (a MERGE's ON MATCH SET would write every known instrument again).
UNWIND $rows AS r
MERGE (p:PaymentInstrument {id: r.id})
  ON CREATE SET p.kind = r.kind, p.bin = r.bin, p.last4 = r.last4, p.fingerprint = r.fingerprint
WITH p, r, p.fingerprint IS NULL AND r.fingerprint IS NOT NULL AS missing
FOREACH (_ IN CASE WHEN missing THEN [1] ELSE [] END |
  SET p.bin = r.bin, p.last4 = r.last4, p.fingerprint = r.fingerprint)
WITH p, missing
WHERE missing
MATCH (o:Order)-[:PAID_WITH]->(p)
SET o.fingerprint = p.fingerprint
