// Whether a ring id names a ring.
MATCH (r:Ring {id: $id})
RETURN r.id AS id
