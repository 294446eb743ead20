// Record a load as it starts, so a killed load leaves a trace.
CREATE (l:LoadRun {id: $id, started_at: datetime($started_at), files: $files, sha256: $sha256, status: 'running'})
