// Device nodes by canonical id (deduplicated by the loader).
UNWIND $rows AS r
MERGE (:Device {id: r.id})
