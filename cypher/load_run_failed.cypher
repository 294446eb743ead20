// A load that stopped on an error: say why, so it does not stay 'running'. Run it again to finish it.
MATCH (l:LoadRun {id: $id})
WHERE l.status = 'running'
SET l.status = 'failed', l.ended_at = datetime($ended_at), l.error = $error
