"""A small marketplace for the investigator tests: one ring, one super-node, benign look-alikes.

- ring R-test00001: buyers r1..r4 share a device (typed three ways), an address (typed two
  ways) and one card (hashed in one place, tokenised in another), and buy from seller rs
  (a member too) with the promo code RINGPROMO;
- a super-node: the kiosk device KIOSK-0001 is used by k01..k60 and by r1;
- b1, b2: ordinary buyers of seller s1, on their own devices, in one IP /24;
- k01, k02: two flats of one building; k03 on b2's IP; k04 alone in its IP /24;
- z1: an account linked to nothing; so is the account 203.0.113, whose id is also b1's and b2's
  subnet.

``load_marketplace(store, folder)`` writes the CSVs, loads them with the real loader and
adds the ring as detection would (a DetectionRun, the Ring, MEMBER_OF links) with the
test's own Cypher.
"""

import csv
import json
from pathlib import Path

RING_ID = "R-test00001"
RUN_ID = "det-test-1"
PAN = "4539 1488 0343 6467"  # Luhn-valid test number
KIOSK_USERS = [f"k{i:02d}" for i in range(1, 61)]
RING_BUYERS = ["r1", "r2", "r3", "r4"]

REASONS = [
    {"signal": "shared_devices", "value": 1, "baseline": 0.02, "evidence": ["dev_ab12cd34"],
     "text": "4 members share 1 device (baseline 0.02)"},
    {"signal": "chargeback_rate", "value": 0.5, "baseline": 0.01, "evidence": [],
     "text": "50% of orders charged back (baseline 1%)"},
]


def _write(folder: Path, name: str, rows: list[list]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w", newline="") as f:
        csv.writer(f).writerows(rows)


def write_marketplace(folder: Path) -> Path:
    accounts = [["account_id", "role", "created_at", "country", "status"]]
    accounts += [[a, "buyer", f"2025-09-0{i + 1}T10:00:00Z", "DE", "active"] for i, a in enumerate(RING_BUYERS)]
    accounts += [["rs", "seller", "2025-08-01T00:00:00Z", "DE", "active"],
                 ["s1", "seller", "2025-01-01T00:00:00Z", "GB", "active"],
                 ["b1", "buyer", "2025-03-01T00:00:00Z", "GB", "active"],
                 ["b2", "buyer", "2025-03-02T00:00:00Z", "GB", "active"],
                 ["z1", "buyer", "2025-04-01T00:00:00Z", "PL", "active"],
                 ["203.0.113", "buyer", "2025-04-01T00:00:00Z", "PL", "active"]]
    accounts += [[k, "buyer", "2025-06-01T00:00:00Z", "FR", "active"] for k in KIOSK_USERS]
    devices = [["account_id", "device_id", "first_seen", "last_seen", "ip"],
               ["r1", "DEV-AB12-CD34", "2025-09-01T10:00:00Z", "2025-10-01T10:00:00Z", "198.51.100.7"],
               ["r2", "dev_ab12cd34", "2025-09-02T10:00:00Z", "2025-10-02T10:00:00Z", "198.51.100.7"],
               ["r3", "{DEV-AB12-CD34}", "2025-09-03T10:00:00Z", "2025-10-03T10:00:00Z", "198.51.100.8"],
               ["r4", "dev_AB12CD34", "2025-09-04T10:00:00Z", "2025-10-04T10:00:00Z", ""],
               ["r1", "KIOSK-0001", "2025-09-05T10:00:00Z", "2025-09-05T11:00:00Z", ""],
               ["b1", "phone-b1", "2025-03-01T10:00:00Z", "2025-10-01T10:00:00Z", "203.0.113.10"],
               ["b2", "phone-b2", "2025-03-02T10:00:00Z", "2025-10-01T10:00:00Z", "203.0.113.77"],
               ["k03", "phone-k03", "2025-06-01T10:00:00Z", "2025-06-02T10:00:00Z", "203.0.113.77"],
               ["k04", "phone-k04", "2025-06-01T10:00:00Z", "2025-06-02T10:00:00Z", "192.0.2.5"]]
    devices += [[k, "KIOSK-0001", "2025-06-01T10:00:00Z", "2025-06-02T10:00:00Z", ""] for k in KIOSK_USERS]
    addresses = [["account_id", "address", "kind", "country"],
                 ["r1", "Hauptstraße 5, 10115 Berlin", "shipping", "DE"],
                 ["r2", "Hauptstr. 5, 10115 Berlin", "shipping", "DE"],
                 ["r3", "Hauptstrasse 5, 10115 Berlin", "shipping", "DE"],
                 ["b1", "10 Downing Street, London SW1A 2AA", "home", "GB"],
                 ["k01", "Lindenallee 40, Whg. 17, 50968 Köln", "home", "DE"],
                 ["k02", "Lindenallee 40, Whg. 18, 50968 Köln", "home", "DE"]]
    instruments = [["account_id", "instrument_id", "card_number", "kind", "bin", "last4"],
                   ["r1", "", PAN, "card", "", ""],
                   ["r2", "pi_777", "", "card", "453914", "6467"],
                   ["r3", "pi_777", "", "card", "453914", "6467"],
                   ["b1", "pi_b1", "", "card", "411111", "1111"]]
    orders = [["order_id", "buyer_id", "seller_id", "amount", "currency", "created_at", "status", "device_id",
               "address", "instrument_id", "promo_code"]]
    statuses = ["completed", "chargeback"]
    for i, buyer in enumerate(RING_BUYERS):
        for j in range(2):
            orders.append([f"o-{buyer}-{j}", buyer, "rs", f"{99.5 + i + j}", "EUR", f"2025-10-{10 + i + j:02d}T12:00:00Z",
                           statuses[j], "DEV:AB12:CD34", "Hauptstr 5, 10115 Berlin", "pi_777", "ringpromo"])
    orders += [["o-b1-0", "b1", "s1", "20", "GBP", "2025-09-20T12:00:00Z", "completed", "phone-b1", "", "pi_b1", ""],
               ["o-b2-0", "b2", "s1", "25", "GBP", "2025-09-21T12:00:00Z", "completed", "phone-b2", "", "", ""],
               ["o-r1-s1", "r1", "s1", "15", "GBP", "2025-09-22T12:00:00Z", "completed", "", "", "", ""]]
    for name, rows in [("accounts.csv", accounts), ("account_devices.csv", devices),
                       ("account_addresses.csv", addresses), ("account_payment_instruments.csv", instruments),
                       ("orders.csv", orders)]:
        _write(folder, name, rows)
    return folder


RING_CYPHER = """
CREATE (d:DetectionRun {id: $run_id, started_at: datetime('2025-11-01T00:00:00Z'), as_of: '2025-11-01',
                        params: '{"seed": 1}', status: 'complete'})
CREATE (r:Ring {id: $ring_id, score: 0.87, typology: 'buyer_seller_collusion', typology_basis: 'one seller, shared device',
                reasons: $reasons, size: 5, status: 'open', first_run: $run_id, last_run: $run_id,
                buyer_count: 4, seller_count: 1})
CREATE (r)-[:FOUND_BY]->(d)
WITH r
UNWIND $members AS m
MATCH (a:Account {id: m.id})
CREATE (a)-[:MEMBER_OF {role: m.role, run_id: $run_id}]->(r)
"""


def add_ring(store) -> None:
    members = [{"id": b, "role": "buyer"} for b in RING_BUYERS] + [{"id": "rs", "role": "seller"}]
    store.run_cypher(RING_CYPHER, {"run_id": RUN_ID, "ring_id": RING_ID, "reasons": json.dumps(REASONS),
                                   "members": members}, write=True)


def load_marketplace(store, folder: Path) -> None:
    from graphfraud.load import load

    result = load(store, [write_marketplace(folder)])
    assert result.quarantined == 0, result.counts
    add_ring(store)
