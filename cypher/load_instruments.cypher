// Payment instruments: an id (given, or the keyed hash of a card number), never a card number.
UNWIND $rows AS r
MERGE (p:PaymentInstrument {id: r.id})
  ON CREATE SET p.kind = r.kind, p.bin = r.bin, p.last4 = r.last4, p.fingerprint = r.fingerprint
