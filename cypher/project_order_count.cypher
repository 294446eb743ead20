// How many orders the store holds: how many ranges the projection reads them in.
MATCH (o:Order)
RETURN count(o) AS orders
