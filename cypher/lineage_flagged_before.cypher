// Which of $accounts were members of a ring in a complete weekly run before $as_of, and since when.
MATCH (w:WeeklyRun {status: 'complete'})-[:HAS_SNAPSHOT]->(s:RingSnapshot)
WHERE w.as_of < date($as_of) AND s.size > 0
UNWIND s.members AS account_id
WITH account_id, min(w.as_of) AS first
WHERE account_id IN $accounts
RETURN account_id, first
ORDER BY account_id
