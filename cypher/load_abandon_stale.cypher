// Load runs of this installation still 'running' when a new load of it holds the installation's
// writer lock were killed, or their server went away before they could say so: no other load of
// this installation can be running. They are marked abandoned, so none stays 'running' for good.
// Another installation's loads into the same database are its own (runs recorded before
// installations were are taken as this one's).
MATCH (l:LoadRun {status: 'running'})
WHERE l.id <> $id AND coalesce(l.installation, $installation) = $installation
SET l.status = 'abandoned', l.ended_at = datetime($now),
    l.error = 'abandoned: its process ended before the load finished (killed, or its server went away)'
RETURN l.id AS id
ORDER BY id
