// The graph's schema version (null on a graph loaded before versions were kept) and whether it
// holds any order (a graph without orders has nothing to migrate).
OPTIONAL MATCH (v:SchemaVersion {id: 'graphfraud'})
RETURN v.version AS version, EXISTS { MATCH (:Order) } AS has_orders
