// Record a detection run as it starts, so a killed run leaves a trace; the installation that runs it
// marks it abandoned if it was killed (rings_abandon_stale).
CREATE (:DetectionRun {id: $id, started_at: datetime($started_at), as_of: $as_of, params: $params, status: 'running',
                       installation: $installation})
