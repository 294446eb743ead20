// Record a load as it starts, so a killed load leaves a trace, with the installation (host and
// home folder) that runs it: the next load of that installation abandons it if it was killed.
CREATE (l:LoadRun {id: $id, started_at: datetime($started_at), files: $files, sha256: $sha256, status: 'running',
                   installation: $installation})
