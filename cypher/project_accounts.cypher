// Accounts for the projection: id, role, creation time (epoch seconds), country, as one record
// of parallel lists; only ids in [$lo, $hi] (both ends included: an index range seek), so a big
// marketplace is read in ranges. With $as_of (an ISO datetime or null), only accounts created on
// or before it.
MATCH (a:Account)
WHERE a.id >= $lo AND a.id <= $hi
  AND ($as_of IS NULL OR a.created_at <= datetime($as_of))
RETURN collect(a.id) AS id, collect(a.role) AS role, collect(a.created_at.epochSeconds) AS created,
       collect(a.country) AS country
