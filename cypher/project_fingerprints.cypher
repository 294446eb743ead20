// Card fingerprint (BIN:last4, survives re-tokenisation) -> the accounts that hold or paid with
// an instrument carrying it; only fingerprints shared by two or more accounts, and only those in
// [$lo, $hi] (both ends included; each branch starts from the range's instruments, through the
// fingerprint index). With $as_of, only accounts created and orders placed on or before it count.
// Returned as one record of two parallel lists: far faster over Bolt than a record per group.
CALL () {
  MATCH (p:PaymentInstrument) WHERE p.fingerprint >= $lo AND p.fingerprint <= $hi AND p.fingerprint <> ''
  MATCH (p)<-[:HAS_INSTRUMENT]-(a:Account)
  WHERE $as_of IS NULL OR a.created_at <= datetime($as_of)
  RETURN p.fingerprint AS key, a.id AS account
  UNION
  MATCH (p:PaymentInstrument) WHERE p.fingerprint >= $lo AND p.fingerprint <= $hi AND p.fingerprint <> ''
  MATCH (p)<-[:PAID_WITH]-(o:Order)<-[:PLACED]-(a:Account)
  WHERE $as_of IS NULL OR o.created_at <= datetime($as_of)
  RETURN p.fingerprint AS key, a.id AS account
}
WITH key, collect(account) AS accounts
WHERE size(accounts) >= 2
RETURN collect(key) AS keys, collect(accounts) AS accounts
