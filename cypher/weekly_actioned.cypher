// Rings an investigator set to 'actioned' in [$since, $until) (case events of `rings mark`).
MATCH (r:Ring)-[:HAS_EVENT]->(e:CaseEvent)
WHERE e.status = 'actioned' AND e.at >= datetime($since) AND e.at < datetime($until)
RETURN count(DISTINCT r) AS rings
