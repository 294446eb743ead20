// One page of order ids, $limit of them after the first $skip, as one list: the projection reads
// the orders in id ranges cut from every page. The pages follow the server's scan order, which is
// the same for every page while nothing writes.
MATCH (o:Order)
WITH o.id AS id
SKIP $skip LIMIT $limit
RETURN collect(id) AS keys
