// Close a load run with its counts.
MATCH (l:LoadRun {id: $id})
SET l.ended_at = datetime($ended_at), l.counts = $counts, l.quarantined = $quarantined, l.status = $status
