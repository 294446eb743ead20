// A case status change on a ring: a CaseEvent (who, when, why, from which status) and the ring's status.
// The ring is written first (the event that sets its status), which takes its write lock on Neo4j
// before the previous status is read: two changes at once from two machines are stored one after
// the other, each with the status it replaced (one installation's marks wait in cases.lock).
MATCH (r:Ring {id: $ring_id})
SET r.status_event = $event_id
WITH r, coalesce(r.status, 'open') AS previous
CREATE (r)-[:HAS_EVENT]->(e:CaseEvent {id: $event_id, at: datetime($at), by: $by, status: $status, previous: previous,
                                       note: $note})
SET r.status = $status, r.status_at = datetime($at), r.status_by = $by
RETURN r.id AS ring_id, e.previous AS previous, e.status AS status, e.at AS at, e.by AS by, e.note AS note
