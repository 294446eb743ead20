// Which of these account ids exist.
UNWIND $ids AS id
MATCH (a:Account {id: id})
RETURN a.id AS id
