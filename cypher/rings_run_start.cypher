// Record a detection run as it starts, so a killed run leaves a trace.
CREATE (:DetectionRun {id: $id, started_at: datetime($started_at), as_of: $as_of, params: $params, status: 'running'})
