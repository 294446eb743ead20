// The keys of one kind ($kind: account, device, address, instrument, fingerprint, subnet or promo),
// as one list: a big marketplace's accounts and identifier groups are read in key ranges cut from it.
CALL () {
  MATCH (a:Account) WHERE $kind = 'account' RETURN a.id AS key
  UNION ALL
  MATCH (d:Device) WHERE $kind = 'device' RETURN d.id AS key
  UNION ALL
  MATCH (n:Address) WHERE $kind = 'address' RETURN n.id AS key
  UNION ALL
  MATCH (p:PaymentInstrument) WHERE $kind = 'instrument' RETURN p.id AS key
  UNION ALL
  MATCH (p:PaymentInstrument) WHERE $kind = 'fingerprint' AND p.fingerprint IS NOT NULL RETURN p.fingerprint AS key
  UNION ALL
  MATCH (i:IP) WHERE $kind = 'subnet' AND i.subnet IS NOT NULL RETURN i.subnet AS key
  UNION ALL
  MATCH (c:PromoCode) WHERE $kind = 'promo' RETURN c.id AS key
}
RETURN collect(DISTINCT key) AS keys
