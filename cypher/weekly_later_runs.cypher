// Complete weekly runs with a later as-of date than $as_of (a backfill runs before them).
MATCH (w:WeeklyRun {status: 'complete'})
WHERE w.as_of > date($as_of)
RETURN count(DISTINCT w.as_of) AS weeks, min(w.as_of) AS first
