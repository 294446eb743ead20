// Orders already stored without a device, shipping address, payment instrument or promo code that a
// later row gives: the identifier is kept on the order as a new order keeps it (its relationship is
// created beside, in the same transaction), and the load that gave it is recorded. Nothing stored is
// overwritten.
UNWIND $rows AS r
MATCH (o:Order {id: r.id})
SET o.device_id = coalesce(o.device_id, r.device), o.address_id = coalesce(o.address_id, r.address),
    o.instrument_id = coalesce(o.instrument_id, r.instrument), o.promo_code = coalesce(o.promo_code, r.promo_code),
    o.links_load_run = $run_id
