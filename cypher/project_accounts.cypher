// Accounts for the projection: id, role, creation time (epoch seconds), country.
// With $as_of (an ISO datetime or null), only accounts created on or before it.
MATCH (a:Account)
WHERE $as_of IS NULL OR a.created_at <= datetime($as_of)
RETURN a.id AS id, a.role AS role, a.created_at.epochSeconds AS created, a.country AS country
