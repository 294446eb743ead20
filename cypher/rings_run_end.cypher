// Close a detection run with its timings, counts and ring lineage (JSON strings).
MATCH (r:DetectionRun {id: $id})
SET r.ended_at = datetime($ended_at), r.timings = $timings, r.counts = $counts, r.lineage = $lineage,
    r.status = $status
