// Which of these account ids exist, with the country their addresses are read by.
UNWIND $ids AS id
MATCH (a:Account {id: id})
RETURN a.id AS id, a.country AS country
