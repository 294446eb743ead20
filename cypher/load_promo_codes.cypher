// Promo code nodes (deduplicated by the loader).
UNWIND $rows AS r
MERGE (:PromoCode {id: r.id})
