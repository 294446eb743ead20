// Which accounts of a batch are already stored, with the values a duplicate must agree on and its status.
UNWIND $ids AS id
MATCH (a:Account {id: id})
RETURN a.id AS id, a.role AS role, toString(a.created_at) AS created_at, a.country AS country,
       a.status AS status
