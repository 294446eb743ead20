// Every account id, as one list: the projection is read in account ranges cut from it.
MATCH (a:Account)
RETURN collect(a.id) AS keys
