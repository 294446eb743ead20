// The addresses each account of $rows holds, kept on the account (address_keys) so that detection
// reads them with the account, without a hop per link. Run in the transaction that wrote the links.
UNWIND $rows AS r
MATCH (a:Account {id: r.account_id})
SET a.address_keys = [(a)-[:HAS_ADDRESS]->(n:Address) | n.id]
