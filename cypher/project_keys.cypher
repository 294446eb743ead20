// One page of account ids, $limit of them after the first $skip, as one list: the projection is
// read in account ranges cut from every page (the local server caps a collect() at its heap / 2048
// elements, so the ids of a bigger marketplace come in pages). The pages follow the server's
// scan order, which is the same for every page while nothing writes.
MATCH (a:Account)
WITH a.id AS id
SKIP $skip LIMIT $limit
RETURN collect(id) AS keys
