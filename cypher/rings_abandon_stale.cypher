// Detection runs of this installation still 'running' when a new detection of it holds the
// installation's writer lock were killed, or their server went away before they could say so: no
// other detection of this installation can be running. They are marked abandoned, so none stays
// 'running' for good. Another installation's runs in the same database are its own (runs recorded
// before installations were are taken as this one's).
MATCH (d:DetectionRun {status: 'running'})
WHERE d.id <> $id AND coalesce(d.installation, $installation) = $installation
SET d.status = 'abandoned', d.ended_at = datetime($now),
    d.error = 'abandoned: its process ended before the detection finished (killed, or its server went away)'
RETURN d.id AS id
ORDER BY id
