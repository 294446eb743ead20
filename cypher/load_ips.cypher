// IP nodes with their /24 (IPv4) or /64 (IPv6) subnet for linkage.
UNWIND $rows AS r
MERGE (i:IP {id: r.id})
  ON CREATE SET i.subnet = r.subnet
