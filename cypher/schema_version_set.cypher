// Records the schema version the graph now follows (after its migrations completed).
MERGE (v:SchemaVersion {id: 'graphfraud'})
SET v.version = $version
