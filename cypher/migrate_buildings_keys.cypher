// Schema version 3, read side: one page of address keys ($limit after the first $skip) as one
// list. graphfraud cuts each flat's building from its key and writes it with migrate_buildings.
MATCH (n:Address)
WITH n.id AS id
SKIP $skip LIMIT $limit
RETURN collect(id) AS keys
