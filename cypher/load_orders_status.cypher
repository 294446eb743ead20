// Orders already stored that a later drop gives another status: a chargeback, refund or dispute
// arrives weeks after the order. The drop's status replaces the stored one, and the load that
// changed it is kept on the order.
UNWIND $rows AS r
MATCH (o:Order {id: r.id})
SET o.status = r.status, o.status_load_run = $run_id
