// Publish a weekly run: its snapshots, metrics and report become the week's result at once.
MATCH (w:WeeklyRun {id: $id})
SET w.status = 'complete', w.ended_at = datetime($ended_at), w.detection_run = $detection_run,
    w.previous_run = $previous_run, w.load_run = $load_run, w.metrics = $metrics, w.lineage = $lineage,
    w.report_dir = $report_dir
RETURN w.id AS id
