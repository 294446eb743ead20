// Schema version 3: flats keep the building they are in, computed by graphfraud from their key
// (addresses with no unit have none). Idempotent.
UNWIND $rows AS r
MATCH (n:Address {id: r.id})
SET n.building = r.building
