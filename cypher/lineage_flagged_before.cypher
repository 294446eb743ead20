// Which of $accounts were members of a ring in a week before $as_of, and since when. A week is its
// latest complete weekly run: a week run again replaces what its earlier runs said.
MATCH (run:WeeklyRun {status: 'complete'})
WHERE run.as_of < date($as_of)
WITH run ORDER BY run.ended_at DESC, run.id DESC
WITH run.as_of AS as_of, collect(run)[0] AS w
MATCH (w)-[:HAS_SNAPSHOT]->(s:RingSnapshot)
WHERE s.size > 0
UNWIND s.members AS account_id
WITH account_id, min(as_of) AS first
WHERE account_id IN $accounts
RETURN account_id, first
ORDER BY account_id
