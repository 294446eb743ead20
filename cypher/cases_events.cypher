// Case status changes of every ring between two instants ($since inclusive, $until exclusive), oldest
// first: what the weekly report lists as decided that week.
MATCH (r:Ring)-[:HAS_EVENT]->(e:CaseEvent)
WHERE e.at >= datetime($since) AND e.at < datetime($until)
RETURN r.id AS ring_id, e.at AS at, e.by AS by, e.status AS status, e.previous AS previous, e.note AS note
ORDER BY at, ring_id
