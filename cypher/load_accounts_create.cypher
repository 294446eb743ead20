// New accounts only (the loader has checked which exist): CREATE is several times faster than MERGE.
UNWIND $rows AS r
CREATE (:Account {id: r.id, role: r.role, created_at: datetime(r.created_at), country: r.country,
                  status: r.status, load_run: $run_id})
