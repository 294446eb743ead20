// A detection run that stopped on an error before its write-back committed: say why it failed.
// A run already complete is left alone (the error came after its write-back).
MATCH (r:DetectionRun {id: $id})
WHERE r.status = 'running'
SET r.status = 'failed', r.ended_at = datetime($ended_at), r.error = $error
