// Record a weekly run as it starts (status 'running'); it becomes visible to reports and
// `rings history` only when weekly_run_end marks it complete.
CREATE (:WeeklyRun {id: $id, as_of: date($as_of), started_at: datetime($started_at), status: 'running', pid: $pid})
