// Ids that start like an id that names nothing, per type, for "did you mean" (at most $per_type each).
CALL () {
  UNWIND $prefixes AS p MATCH (n:Account) WHERE 'account' IN $types AND n.id STARTS WITH p
  RETURN 'account' AS type, n.id AS id LIMIT $per_type
  UNION ALL
  UNWIND $prefixes AS p MATCH (n:Device) WHERE 'device' IN $types AND n.id STARTS WITH p
  RETURN 'device' AS type, n.id AS id LIMIT $per_type
  UNION ALL
  UNWIND $prefixes AS p MATCH (n:IP) WHERE 'ip' IN $types AND n.id STARTS WITH p
  RETURN 'ip' AS type, n.id AS id LIMIT $per_type
  UNION ALL
  UNWIND $address_prefixes AS p MATCH (n:Address) WHERE 'address' IN $types AND n.id STARTS WITH p
  RETURN 'address' AS type, n.id AS id LIMIT $per_type
  UNION ALL
  UNWIND $prefixes AS p MATCH (n:PaymentInstrument) WHERE 'instrument' IN $types AND n.id STARTS WITH p
  RETURN 'instrument' AS type, n.id AS id LIMIT $per_type
  UNION ALL
  UNWIND $prefixes AS p MATCH (n:Order) WHERE 'order' IN $types AND n.id STARTS WITH p
  RETURN 'order' AS type, n.id AS id LIMIT $per_type
  UNION ALL
  UNWIND $prefixes AS p MATCH (n:PromoCode) WHERE 'promo' IN $types AND n.id STARTS WITH p
  RETURN 'promo' AS type, n.id AS id LIMIT $per_type
  UNION ALL
  UNWIND $prefixes AS p MATCH (n:Ring) WHERE 'ring' IN $types AND n.id STARTS WITH p
  RETURN 'ring' AS type, n.id AS id LIMIT $per_type
}
RETURN DISTINCT type, id
