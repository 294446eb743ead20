// A weekly run is about to load a drop under this load run id: recorded before the load starts,
// so that if the run is killed during the load, the next weekly run abandons that load run
// (weekly_abandon_stale) and no other.
MATCH (w:WeeklyRun {id: $id})
SET w.load_run = $load_run
