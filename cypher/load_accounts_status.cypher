// Accounts already stored that a later drop gives another status (suspended, closed, banned: a
// marketplace's own words, kept as written). The drop's status replaces the stored one, and the
// load that changed it is kept on the account.
UNWIND $rows AS r
MATCH (a:Account {id: r.id})
SET a.status = r.status, a.status_load_run = $run_id
