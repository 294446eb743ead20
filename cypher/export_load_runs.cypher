// The load runs that brought the given accounts and orders, oldest first.
UNWIND $ids AS id
MATCH (l:LoadRun {id: id})
RETURN l.id AS id, l.started_at AS started_at, l.ended_at AS ended_at, l.status AS status, l.files AS files,
       l.sha256 AS sha256
ORDER BY started_at, id
