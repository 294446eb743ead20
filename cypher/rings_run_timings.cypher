// The run's stage timings, completed with the write-back once its transaction has committed.
MATCH (r:DetectionRun {id: $id})
SET r.timings = $timings
