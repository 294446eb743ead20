// The graph's schema version (null on a graph loaded before versions were kept) and whether it
// holds any account (a graph without accounts has nothing to migrate).
OPTIONAL MATCH (v:SchemaVersion {id: 'graphfraud'})
RETURN v.version AS version, EXISTS { MATCH (:Account) } AS has_accounts
