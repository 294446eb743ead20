// The account ids: the smallest, the largest and how many, and with $with_keys every id as one
// list. A marketplace read in one range needs only the ends; a bigger one is read in account
// ranges cut from the list.
MATCH (a:Account)
RETURN min(a.id) AS lo, max(a.id) AS hi, count(a) AS n, collect(CASE WHEN $with_keys THEN a.id END) AS keys
