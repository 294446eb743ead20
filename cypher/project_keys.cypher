// The keys of one kind ($kind: account, device, address, instrument, fingerprint, subnet or promo):
// the smallest, the largest and how many, and with $with_keys every key as one list. A marketplace
// read in one range needs only the ends; a bigger one is read in key ranges cut from the list.
// Each branch tests $kind before its MATCH, so only the asked label is scanned.
CALL () {
  WITH $kind AS kind WHERE kind = 'account' MATCH (a:Account) RETURN a.id AS key
  UNION ALL
  WITH $kind AS kind WHERE kind = 'device' MATCH (d:Device) RETURN d.id AS key
  UNION ALL
  WITH $kind AS kind WHERE kind = 'address' MATCH (n:Address) RETURN n.id AS key
  UNION ALL
  WITH $kind AS kind WHERE kind = 'instrument' MATCH (p:PaymentInstrument) RETURN p.id AS key
  UNION ALL
  WITH $kind AS kind WHERE kind = 'fingerprint' MATCH (p:PaymentInstrument)
  WHERE p.fingerprint IS NOT NULL AND p.fingerprint <> '' RETURN p.fingerprint AS key
  UNION ALL
  WITH $kind AS kind WHERE kind = 'subnet' MATCH (i:IP) WHERE i.subnet IS NOT NULL RETURN i.subnet AS key
  UNION ALL
  WITH $kind AS kind WHERE kind = 'promo' MATCH (c:PromoCode) RETURN c.id AS key
}
RETURN min(key) AS lo, max(key) AS hi, count(key) AS n, collect(DISTINCT CASE WHEN $with_keys THEN key END) AS keys
