// What changes when a ring changes: a detection run publishing it (last_run, updated_at) or a case
// status change (status_event). Read before and after a view made of several statements: when it
// moved, the view is read again, so its parts come from one state of the ring.
MATCH (r:Ring {id: $id})
RETURN r.last_run AS run, toString(r.updated_at) AS updated, r.status_event AS event, r.status AS status
