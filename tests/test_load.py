"""Loading a marketplace into the real local server: linkage, idempotence, resume, bad input, PAN safety."""

import csv
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from graphfraud.cli import app
from graphfraud.errors import UsageError
from graphfraud.load import load

PAN = "4539 1488 0343 6467"  # a Luhn-valid test number
PAN_DIGITS = PAN.replace(" ", "")

ACCOUNTS = [
    ["account_id", "role", "created_at", "country", "status"],
    ["a1", "buyer", "2025-10-01T10:00:00Z", "DE", "active"],
    ["a2", "buyer", "2025-10-02T10:00:00+02:00", "DE", "active"],
    ["a3", "buyer", "2025-10-03T10:00:00Z", "GB", "active"],
    ["s1", "seller", "2025-01-01T00:00:00Z", "DE", "active"],
]
DEVICES = [
    ["account_id", "device_id", "first_seen", "last_seen", "ip"],
    ["a1", "DEV-AB12", "2025-10-01T10:00:00Z", "2025-10-05T10:00:00Z", "203.0.113.7"],
    ["a2", "dev-ab12", "2025-10-02T10:00:00Z", "2025-10-03T10:00:00Z", "203.0.113.9"],
    ["a3", "dev-zz99", "2025-10-03T10:00:00Z", "2025-10-03T10:00:00Z", ""],
]
ADDRESSES = [
    ["account_id", "address", "kind", "country"],
    ["a1", "Hauptstraße 5, 10115 Berlin", "shipping", "DE"],
    ["a2", "Hauptstr. 5, 10115 Berlin", "shipping", "DE"],
    ["a3", "10 Downing Street, London SW1A 2AA", "home", "GB"],
]
INSTRUMENTS = [
    ["account_id", "instrument_id", "card_number", "kind", "bin", "last4"],
    ["a1", "", PAN, "card", "", ""],
    ["a2", "pi_777", "", "card", "453914", "6467"],
]
ORDERS = [
    ["order_id", "buyer_id", "seller_id", "amount", "currency", "created_at", "status", "device_id", "address",
     "instrument_id", "promo_code"],
    ["o1", "a1", "s1", "19.99", "EUR", "2025-10-04T12:00:00Z", "completed", "DEV-AB12", "Hauptstrasse 5, 10115 Berlin",
     "pi_777", "welcome10"],
    ["o2", "a2", "s1", "19.99", "EUR", "2025-10-04T12:05:00Z", "chargeback", "", "", "", "WELCOME10"],
    ["o3", "a3", "s1", "5", "GBP", "2025-10-05T12:05:00Z", "completed", "dev-zz99", "", "", ""],
]


def write(folder: Path, name: str, rows) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def marketplace(tmp_path) -> Path:
    folder = tmp_path / "drop"
    for name, rows in [("accounts.csv", ACCOUNTS), ("account_devices.csv", DEVICES),
                       ("account_addresses.csv", ADDRESSES), ("account_payment_instruments.csv", INSTRUMENTS),
                       ("orders.csv", ORDERS)]:
        write(folder, name, rows)
    return folder


def counts(store) -> dict:
    nodes = {r["label"]: r["count"] for r in store.read("stats_labels") if r["label"] != "LoadRun"}
    rels = {r["type"]: r["count"] for r in store.read("stats_relationships")}
    return {**nodes, **rels}


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    # CliRunner catches a crash into result.exception: its output never shows a traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    return result


def test_load_links_accounts_through_normalised_identifiers(store, marketplace):
    result = load(store, [marketplace])
    assert result.quarantined == 0
    c = counts(store)
    assert c["Account"] == 4 and c["Order"] == 3
    assert c["Device"] == 2, "DEV-AB12 and dev-ab12 are one device"
    assert c["USED_DEVICE"] == 3
    shared = store.run_cypher(
        "MATCH (a:Account {id:'a1'})-[:HAS_ADDRESS]->(x)<-[:HAS_ADDRESS]-(b:Account) RETURN b.id AS b", {})[1]
    assert [r["b"] for r in shared] == ["a2"], "two spellings of one German street meet"
    raw = store.run_cypher("MATCH (:Account {id:'a2'})-[h:HAS_ADDRESS]->() RETURN h.raw AS raw", {})[1][0]["raw"]
    assert raw == ["Hauptstr. 5, 10115 Berlin"], "the spelling the user typed is kept as evidence"
    promo = store.run_cypher("MATCH (o:Order)-[:USED_PROMO]->(p:PromoCode) RETURN DISTINCT p.id AS p", {})[1]
    assert [r["p"] for r in promo] == ["WELCOME10"]
    order = store.run_cypher("MATCH (b:Account)-[:PLACED]->(o:Order {id:'o1'})-[:SOLD_BY]->(s:Account) "
                             "MATCH (o)-[:FROM_DEVICE]->(d) MATCH (o)-[:PAID_WITH]->(p) MATCH (o)-[:SHIPPED_TO]->(ad) "
                             "RETURN b.id AS b, s.id AS s, d.id AS d, p.id AS p, o.amount AS amount", {})[1]
    assert order == [{"b": "a1", "s": "s1", "d": order[0]["d"], "p": "pi_777", "amount": 19.99}]
    subnet = store.run_cypher("MATCH (i:IP) RETURN DISTINCT i.subnet AS s", {})[1]
    assert [r["s"] for r in subnet] == ["203.0.113"]
    run_row = store.read("load_runs", limit=1)[0]
    assert run_row["status"] == "complete" and len(run_row["files"]) == 5


def test_card_number_becomes_keyed_hash_with_bin_and_last4(store, marketplace):
    load(store, [marketplace])
    rows = store.run_cypher("MATCH (:Account {id:'a1'})-[:HAS_INSTRUMENT]->(p) RETURN p {.*} AS p", {})[1]
    p = rows[0]["p"]
    assert p["id"].startswith("card:") and PAN_DIGITS not in p["id"]
    assert (p["bin"], p["last4"], p["fingerprint"]) == ("453914", "6467", "453914:6467")
    fingerprints = store.run_cypher("MATCH (p:PaymentInstrument {fingerprint:'453914:6467'}) RETURN count(p) AS n", {})[1]
    assert fingerprints[0]["n"] == 2, "the hashed card and the tokenised pi_777 share a fingerprint"


def files_under(home: Path) -> list[tuple[Path, bytes]]:
    """Every file under ``home`` with its bytes: the server's database files, write-ahead logs and
    our own. The live server deletes rotated logs at any moment, so a file gone between the listing
    and the read is skipped; the test fails if too few are left to mean anything."""
    found = []
    for root, _, names in os.walk(home):
        for name in names:
            try:
                found.append((Path(root, name), Path(root, name).read_bytes()))
            except FileNotFoundError:
                continue
    assert len(found) > 10, f"only {len(found)} files under {home}"
    return found


def test_card_number_never_reaches_store_logs_or_quarantine(store, marketplace, graphfraud_home):
    bad = write(marketplace, "account_payment_instruments_bad.csv",
                [INSTRUMENTS[0], ["a3", "", "4539 1488 0343 6468", "card", "", ""]])  # fails Luhn
    result = run("load", marketplace)
    assert result.exit_code == 0, result.output
    assert "6468" not in result.output
    all_values = store.run_cypher("MATCH (n) RETURN properties(n) AS p", {})[1]
    all_values += store.run_cypher("MATCH ()-[r]->() RETURN properties(r) AS p", {})[1]
    assert PAN_DIGITS not in repr(all_values)
    needles = [PAN_DIGITS.encode(), PAN.encode(), b"4539148803436468", b"4539 1488 0343 6468"]
    for path, data in files_under(graphfraud_home):
        for needle in needles:
            assert needle not in data, f"card number found in {path}"
    assert bad.exists()


def test_loading_the_same_files_twice_changes_no_count(store, marketplace):
    load(store, [marketplace])
    first = counts(store)
    load(store, [marketplace])
    assert counts(store) == first


KEPT_AND_LINKED = """
MATCH (a:Account)
RETURN a.id AS id,
       [(a)-[u:USED_DEVICE]->(d) | [d.id, coalesce(u.first_seen, a.created_at).epochSeconds]] AS devices,
       [(a)-[u:USED_IP]->(i) | [i.subnet, coalesce(u.first_seen, a.created_at).epochSeconds]] AS subnets,
       [(a)-[:HAS_ADDRESS]->(n) | n.id] AS addresses,
       [(a)-[:HAS_INSTRUMENT]->(p) | [p.id, coalesce(p.fingerprint, '')]] AS instruments,
       a.device_keys AS device_keys, a.device_seen AS device_seen, a.subnet_keys AS subnet_keys,
       a.subnet_seen AS subnet_seen, a.address_keys AS address_keys, a.instrument_keys AS instrument_keys,
       a.instrument_fingerprints AS fingerprints
"""


def _kept_and_linked(store) -> tuple[dict, dict]:
    """Per account, the identifier keys kept on it and those its relationships reach (the test's own Cypher)."""
    kept, linked = {}, {}
    for r in store.run_cypher(KEPT_AND_LINKED, {})[1]:
        pairs = lambda keys, other: sorted(zip(keys or [], other or []))
        kept[r["id"]] = (pairs(r["device_keys"], r["device_seen"]), pairs(r["subnet_keys"], r["subnet_seen"]),
                         sorted(r["address_keys"] or []), pairs(r["instrument_keys"], r["fingerprints"]))
        linked[r["id"]] = (sorted(map(tuple, r["devices"])), sorted(map(tuple, r["subnets"])), sorted(r["addresses"]),
                           sorted(map(tuple, r["instruments"])))
    return kept, linked


def test_accounts_keep_the_keys_their_links_reach_across_drops(store, marketplace, tmp_path):
    """Detection reads an account's identifiers from the keys kept on it: a second drop that adds
    links and widens when a device was first seen keeps them equal to the relationships."""
    load(store, [marketplace])
    kept, linked = _kept_and_linked(store)
    assert kept == linked and kept["a1"][0] and kept["a1"][1] and kept["a1"][3]
    later = tmp_path / "later"
    write(later, "account_devices.csv", [DEVICES[0], ["a1", "phone-new", "2025-11-01T10:00:00Z", "", "198.51.100.4"],
                                         ["a2", "dev-ab12", "2025-09-20T10:00:00Z", "", ""]])
    write(later, "account_addresses.csv", [ADDRESSES[0], ["a3", "Hauptstr. 5, 10115 Berlin", "shipping", "DE"]])
    write(later, "account_payment_instruments.csv", [INSTRUMENTS[0], ["a3", "pi_777", "", "card", "453914", "6467"]])
    load(store, [later])
    kept_later, linked_later = _kept_and_linked(store)
    assert kept_later == linked_later and kept_later != kept
    assert len(kept_later["a1"][0]) == 2 and len(kept_later["a3"][2]) == 2


@pytest.mark.parametrize("kind", ["device", "subnet"])
def test_the_projection_counts_a_device_or_ip_from_when_it_was_first_seen(store, marketplace, kind):
    """a2 (created 08:00 UTC) first used a1's device, and an IP of a1's /24, at 10:00: as of 09:00
    the device and the subnet are a1's alone (no group: one account shares nothing), as of 11:00
    theirs."""
    from graphfraud.project import KIND_NAMES, project

    load(store, [marketplace])

    def groups(as_of):
        p = project(store, as_of=as_of)
        assert "a2" in p.ids
        sizes = np.diff(p.group_ptr)
        return [sorted(p.ids[p.group_members[p.group_ptr[g]:p.group_ptr[g + 1]]]) for g in range(len(sizes))
                if KIND_NAMES[p.group_kind[g]] == kind]

    assert groups("2025-10-02T09:00:00Z") == []
    assert groups("2025-10-02T11:00:00Z") == [["a1", "a2"]]


@pytest.mark.parametrize("die_at", [2, 5, 9])
def test_killed_load_run_again_ends_with_the_same_counts(store, marketplace, monkeypatch, die_at):
    load(store, [marketplace])
    uninterrupted = counts(store)
    store.write("clear_graph")

    calls = {"n": 0}

    def dying(real):
        def call(*args, **params):
            calls["n"] += 1
            if calls["n"] == die_at:
                raise KeyboardInterrupt  # the process is killed between two transactions
            return real(*args, **params)
        return call

    monkeypatch.setattr(store, "write", dying(store.write))
    monkeypatch.setattr(store, "write_together", dying(store.write_together))
    with pytest.raises(KeyboardInterrupt):
        load(store, [marketplace])
    monkeypatch.undo()
    assert counts(store) != uninterrupted
    kept, linked = _kept_and_linked(store)
    assert kept == linked, "keys and links are written together"
    load(store, [marketplace])
    assert counts(store) == uninterrupted
    kept, linked = _kept_and_linked(store)
    assert kept == linked


def test_tables_load_in_dependency_order_whatever_the_file_order(store, tmp_path):
    write(tmp_path, "a_orders.csv", ORDERS)  # not a table name: skipped with a note
    write(tmp_path, "orders.csv", ORDERS)
    write(tmp_path, "accounts.csv", ACCOUNTS)
    result = load(store, [tmp_path / "orders.csv", tmp_path / "accounts.csv"])
    assert result.quarantined == 0
    assert counts(store)["Order"] == 3
    write(tmp_path, "labels.csv", [["account_id", "ring_id"]])
    write(tmp_path / "week2", "orders.csv", ORDERS)   # a folder is not gone into, and the note says so
    assert load(store, [tmp_path]).notes == ["not named after a table, so skipped: a_orders.csv, labels.csv, "
                                             "week2/ (a folder: its files are not read)"]


@pytest.mark.parametrize("row,column,reason", [
    (["a9", "", "2025-10-01T10:00:00Z", "DE", "active"], "role", "role is missing"),
    (["", "buyer", "2025-10-01T10:00:00Z", "DE", "active"], "account_id", "account_id is missing"),
    (["a9", "admin", "2025-10-01T10:00:00Z", "DE", "active"], "role", "unknown role"),
    (["a9", "buyer", "yesterday", "DE", "active"], "created_at", "not an ISO 8601"),
    (["a1", "seller", "2025-10-01T10:00:00Z", "DE", "active"], "account_id", "conflicting values"),
])
def test_bad_account_rows_are_quarantined_with_file_line_column_and_reason(store, marketplace, graphfraud_home, row, column, reason):
    write(marketplace, "accounts.csv", ACCOUNTS + [row])
    result = run("load", marketplace)
    assert result.exit_code == 0
    assert "1 row quarantined" in result.output
    quarantine = sorted((graphfraud_home / "quarantine").glob("*.csv"), key=os.path.getmtime)[-1]
    entries = list(csv.DictReader(open(quarantine)))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry["file"], entry["line"], entry["column"]) == ("accounts.csv", "6", column)
    assert reason in entry["reason"]
    assert counts(store)["Account"] == 4


def test_a_device_last_seen_before_it_was_first_seen_is_quarantined(store, marketplace, graphfraud_home):
    write(marketplace, "account_devices.csv", DEVICES + [["a1", "dev-new", "2025-01-05T00:00:00Z", "2025-01-02T00:00:00Z",
                                                          ""]])
    result = run("load", marketplace)
    assert result.exit_code == 0
    quarantine = sorted((graphfraud_home / "quarantine").glob("*.csv"), key=os.path.getmtime)[-1]
    assert stat.S_IMODE(quarantine.stat().st_mode) == 0o600, "quarantined rows are the owner's alone"
    [entry] = list(csv.DictReader(open(quarantine)))
    assert (entry["file"], entry["line"], entry["column"]) == ("account_devices.csv", "5", "last_seen")
    assert entry["reason"] == "last_seen 2025-01-02T00:00:00Z is before first_seen 2025-01-05T00:00:00Z"


@pytest.mark.parametrize("row,column,reason", [
    (["o9", "ghost", "s1", "10", "EUR", "2025-10-04T12:00:00Z", "completed", "", "", "", ""], "buyer_id", "does not exist"),
    (["o9", "a1", "s1", "ten", "EUR", "2025-10-04T12:00:00Z", "completed", "", "", "", ""], "amount", "not a number"),
    (["o9", "a1", "s1", "10", "EUR", "2025-13-04", "completed", "", "", "", ""], "created_at", "not an ISO 8601"),
    (["o1", "a1", "s1", "99", "EUR", "2025-10-04T12:00:00Z", "completed", "", "", "", ""], "order_id", "conflicting"),
])
def test_bad_order_rows_are_quarantined(store, marketplace, graphfraud_home, row, column, reason):
    write(marketplace, "orders.csv", ORDERS + [row])
    result = run("load", marketplace, "--strict")
    assert result.exit_code == 1, "--strict turns a quarantined row into exit 1"
    quarantine = sorted((graphfraud_home / "quarantine").glob("*.csv"), key=os.path.getmtime)[-1]
    entry = list(csv.DictReader(open(quarantine)))[0]
    assert (entry["file"], entry["line"], entry["column"]) == ("orders.csv", "5", column)
    assert reason in entry["reason"]
    assert counts(store)["Order"] == 3


def test_an_order_stored_earlier_with_other_values_is_quarantined_not_overwritten(store, marketplace, graphfraud_home):
    load(store, [marketplace])
    changed = [list(r) for r in ORDERS]
    changed[1][3] = "500.00"
    folder = marketplace.parent / "drop2"
    write(folder, "orders.csv", changed)
    result = load(store, [folder])
    assert result.quarantined == 1
    amount = store.run_cypher("MATCH (o:Order {id:'o1'}) RETURN o.amount AS a", {})[1][0]["a"]
    assert amount == 19.99


def test_rows_of_an_account_this_load_quarantined_are_held_back_not_linked_to_the_stored_one(
        store, marketplace, graphfraud_home):
    """A drop whose a1 is another account (another country) than the a1 stored: its a1 row is
    quarantined, and so are its device and order for a1, rather than tie that person's device to
    the stored a1. A new account whose row is bad holds its rows back the same way."""
    load(store, [marketplace])
    folder = marketplace.parent / "drop2"
    write(folder, "accounts.csv", [ACCOUNTS[0], ["a1", "buyer", "2025-10-01T10:00:00Z", "FR", "active"],
                                   ["a9", "buyer", "yesterday", "DE", "active"]])
    write(folder, "account_devices.csv", [DEVICES[0], ["a1", "dev-other", "2025-11-01T10:00:00Z", "", ""],
                                          ["a9", "dev-nine", "2025-11-01T10:00:00Z", "", ""],
                                          ["a2", "dev-two", "2025-11-01T10:00:00Z", "", ""]])
    write(folder, "orders.csv", [ORDERS[0], ["o9", "a1", "s1", "5", "EUR", "2025-11-02T12:00:00Z", "completed",
                                             "", "", "", ""]])
    result = load(store, [folder])
    reasons = {(e["file"], e["line"]): (e["column"], e["reason"]) for e in
               csv.DictReader(open(sorted((graphfraud_home / "quarantine").glob("*.csv"), key=os.path.getmtime)[-1]))}
    held = "is quarantined in this load: its rows are held back with it"
    assert reasons == {
        ("accounts.csv", "2"): ("country", "account_id 'a1' is already stored with another country"),
        ("accounts.csv", "3"): ("created_at", "created_at 'yesterday' is not an ISO 8601 timestamp"),
        ("account_devices.csv", "2"): ("account_id", f"account 'a1' {held}"),
        ("account_devices.csv", "3"): ("account_id", f"account 'a9' {held}"),
        ("orders.csv", "2"): ("buyer_id", f"account 'a1' {held}"),
    }
    assert result.counts["account_devices"]["loaded"] == 1, "a2's device, of an account nothing disputes, loads"
    devices = store.run_cypher("MATCH (:Account {id: 'a1'})-[:USED_DEVICE]->(d) RETURN d.id AS d ORDER BY d", {})[1]
    assert [d["d"] for d in devices] == ["dev-ab12"]


def test_an_order_given_again_with_another_status_takes_it_and_other_changes_are_still_refused(
        store, marketplace, graphfraud_home):
    """Chargebacks arrive weeks after the order, as the same order id with a new status: the drop
    that brings one must change the stored status (it used to be counted as loaded and dropped)."""
    first = load(store, [marketplace])
    folder = marketplace.parent / "late"
    o1_charged_back = ORDERS[1][:6] + ["chargeback"] + ORDERS[1][7:]
    o3_dearer = ORDERS[3][:3] + ["6"] + ORDERS[3][4:6] + ["refunded"] + ORDERS[3][7:]
    write(folder, "orders.csv", [ORDERS[0], o1_charged_back, ORDERS[2], o3_dearer])
    result = load(store, [folder])
    statuses = store.run_cypher("MATCH (o:Order) RETURN o.id AS id, o.status AS status, "
                                "o.status_load_run AS changed_by ORDER BY id", {})[1]
    assert statuses == [{"id": "o1", "status": "chargeback", "changed_by": result.run_id},
                        {"id": "o2", "status": "chargeback", "changed_by": None},
                        {"id": "o3", "status": "completed", "changed_by": None}], "o3's amount disagrees: refused whole"
    assert result.counts["orders"] == {"read": 3, "loaded": 2, "quarantined": 1}
    assert "orders: 1 order already stored took the status this load gave them" in " ".join(result.notes)
    assert not any("took the status" in note for note in first.notes + load(store, [folder]).notes), \
        "loading the same drop again changes nothing"

    no_status = marketplace.parent / "resent"   # an order sent again without its status keeps the stored one
    write(no_status, "orders.csv", [ORDERS[0][:6], ORDERS[1][:6]])
    assert not any("took the status" in note for note in load(store, [no_status]).notes)
    twice = marketplace.parent / "twice"         # one drop, the order twice: the later row's status is the one
    write(twice, "orders.csv", [ORDERS[0], ORDERS[3], ORDERS[3][:6] + ["refunded"] + ORDERS[3][7:],
                                ORDERS[3][:6] + [""] + ORDERS[3][7:]])
    load(store, [twice])
    assert [r["status"] for r in store.run_cypher("MATCH (o:Order) RETURN o.status AS status ORDER BY o.id", {})[1]] \
        == ["chargeback", "chargeback", "refunded"]
    replayed = load(store, [marketplace])   # the first drop loaded again: its o1 'completed', o3 'completed'
    assert [r["status"] for r in store.run_cypher("MATCH (o:Order) RETURN o.status AS status ORDER BY o.id", {})[1]] \
        == ["chargeback", "chargeback", "refunded"], "a chargeback or a refund is not undone by an older drop"
    assert any(note.startswith("orders: 2 orders already stored kept a final status") for note in replayed.notes)


def test_an_instrument_first_met_on_an_order_takes_its_card_data_from_a_later_drop(store, tmp_path):
    """Details were written only when a node was first made, so the graph depended on drop order: an
    instrument an order brought first never got its BIN and last 4, and no fingerprint linked its holder."""
    write(tmp_path / "first", "accounts.csv", ACCOUNTS)
    write(tmp_path / "first", "orders.csv", [ORDERS[0], ["o9", "a1", "s1", "5", "EUR", "2025-10-04T12:00:00Z",
                                                          "completed", "", "", "pi_late", ""]])
    load(store, [tmp_path / "first"])
    write(tmp_path / "later", "account_payment_instruments.csv", [["account_id", "instrument_id", "kind", "bin", "last4"],
                                                                  ["a1", "pi_late", "card", "411111", "1234"],
                                                                  ["a2", "pi_other", "card", "411111", "1234"]])
    load(store, [tmp_path / "later"])
    held = store.run_cypher("MATCH (a:Account) WHERE a.id IN ['a1', 'a2'] "
                            "RETURN a.id AS id, a.instrument_fingerprints AS fingerprints ORDER BY id", {})[1]
    assert held == [{"id": "a1", "fingerprints": ["411111:1234"]}, {"id": "a2", "fingerprints": ["411111:1234"]}]
    paid = store.run_cypher("MATCH (o:Order {id: 'o9'}) RETURN o.fingerprint AS fingerprint", {})[1]
    assert paid == [{"fingerprint": "411111:1234"}], "the order paid with it takes the fingerprint detection reads"


def test_an_order_given_again_may_add_an_identifier_it_lacked_but_not_name_another(store, marketplace, graphfraud_home):
    """A restated order naming another device was counted as loaded and its device ignored (and
    its device node made, tied to nothing): now it is quarantined. One that names a device it was
    stored without gives it, as a re-export with more columns would."""
    load(store, [marketplace])
    folder = marketplace.parent / "again"
    o1_other_device = ORDERS[1][:7] + ["dev-other"] + ORDERS[1][8:]
    o2_with_device = ORDERS[2][:7] + ["dev-late", "", "", "WELCOME10"]
    o3_dearer_with_code = ORDERS[3][:3] + ["6"] + ORDERS[3][4:10] + ["NEWCODE"]
    write(folder, "orders.csv", [ORDERS[0], o1_other_device, o2_with_device, o3_dearer_with_code])
    result = load(store, [folder])
    quarantine = sorted((graphfraud_home / "quarantine").glob("*.csv"), key=os.path.getmtime)[-1]
    reasons = {e["line"]: (e["column"], e["reason"]) for e in csv.DictReader(open(quarantine))}
    assert reasons == {"2": ("device", "order_id 'o1' is already stored with another device"),
                       "4": ("amount", "order_id 'o3' is already stored with another amount")}
    assert result.counts["orders"] == {"read": 3, "loaded": 1, "quarantined": 2}
    assert "orders: 1 order already stored took a device, address, payment instrument or promo code" \
        in " ".join(result.notes)
    o2 = store.run_cypher("MATCH (o:Order {id: 'o2'})-[:FROM_DEVICE]->(d:Device) "
                          "RETURN d.id AS device, o.device_id AS kept, o.promo_code AS code, "
                          "o.links_load_run AS given_by", {})[1]
    assert o2 == [{"device": "dev-late", "kept": "dev-late", "code": "WELCOME10", "given_by": result.run_id}]
    assert store.run_cypher("MATCH (d:Device) WHERE d.id = 'dev-other' RETURN d", {})[1] == []
    assert store.run_cypher("MATCH (c:PromoCode {id: 'NEWCODE'}) RETURN c", {})[1] == [], \
        "a refused order leaves no identifier node behind"
    assert not any("took a device" in note for note in load(store, [folder]).notes), "given once, not again"

    twice = marketplace.parent / "twice"   # one drop: a later row gives what the first left out, not another
    new = ["o9", "a3", "s1", "7", "GBP", "2025-10-06T12:00:00Z", "completed"]
    write(twice, "orders.csv", [ORDERS[0], new + ["", "", "", ""], new + ["dev-zz99", "", "", ""],
                                new + ["dev-xx", "", "", ""]])
    result = load(store, [twice])
    assert result.counts["orders"] == {"read": 3, "loaded": 2, "quarantined": 1}
    assert store.run_cypher("MATCH (o:Order {id: 'o9'})-[:FROM_DEVICE]->(d) RETURN d.id AS d", {})[1] == \
        [{"d": "dev-zz99"}]


def test_an_account_given_again_with_another_status_takes_it(store, marketplace):
    """A ban arrives after the account: it was counted as loaded and dropped."""
    load(store, [marketplace])
    write(marketplace.parent / "banned", "accounts.csv", [ACCOUNTS[0], ACCOUNTS[1][:4] + ["suspended"], ACCOUNTS[2][:4] + [""]])
    result = load(store, [marketplace.parent / "banned"])
    statuses = store.run_cypher("MATCH (a:Account) WHERE a.id IN ['a1', 'a2'] RETURN a.id AS id, a.status AS status, "
                                "a.status_load_run AS changed_by ORDER BY id", {})[1]
    assert statuses == [{"id": "a1", "status": "suspended", "changed_by": result.run_id},
                        {"id": "a2", "status": "active", "changed_by": None}], "no status given: the stored one stays"
    assert "accounts: 1 account already stored took the status this load gave them (suspended, closed since)" \
        in result.notes and result.quarantined == 0


def test_a_load_or_detection_while_another_writes_is_refused_and_nothing_is_written(store, marketplace):
    """Two loads at once stored relationships twice; a detection during a load published a
    half-loaded graph's rings. One writer at a time: the second is refused, exit 75, in one line."""
    from graphfraud.home import home
    from graphfraud.locks import GraphBusyError, held

    with held(home() / "graph.lock", {"command": "load"}, GraphBusyError):   # as another process holds it
        for command in (["load", marketplace], ["detect"]):
            result = run(*command)
            assert result.exit_code == 75, result.output
            assert result.stderr.startswith("error: a load, detection or weekly run is writing (load, pid ")
            assert result.stderr.count("\n") == 1
    assert counts(store) == {}, "nothing was written"
    loaded = run("load", marketplace)
    assert loaded.exit_code == 0, "the lock is gone with its holder"
    assert "━" not in loaded.stderr and "rows read through" not in loaded.stderr, "no bars when stderr is no terminal"


def test_a_load_left_running_by_a_kill_is_marked_abandoned_by_the_next_load(store, marketplace):
    from graphfraud.home import installation

    store.write("load_run_start", id="load-killed", started_at="2025-10-01T00:00:00Z", files=["orders.csv"],
                sha256=["x"], installation=installation())
    store.write("load_run_start", id="load-elsewhere", started_at="2025-10-01T00:00:00Z", files=["orders.csv"],
                sha256=["x"], installation="another-host:/srv/graphfraud")   # another installation, same database
    done = load(store, [marketplace])
    runs = {r["id"]: r for r in store.run_cypher("MATCH (l:LoadRun) RETURN l.id AS id, l.status AS status, "
                                                 "l.error AS error", {})[1]}
    assert runs[done.run_id]["status"] == "complete"
    assert runs["load-killed"]["status"] == "abandoned"
    assert runs["load-killed"]["error"].startswith("abandoned: its process ended before the load finished")
    assert runs["load-elsewhere"]["status"] == "running", "another installation's load is its own"


def test_missing_file_is_a_one_line_usage_error(store, tmp_path):
    result = run("load", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_missing_required_column_is_refused_before_anything_is_written(store, marketplace):
    write(marketplace, "orders.csv", [[c for c in ORDERS[0] if c != "amount"]] + [r[:3] + r[4:] for r in ORDERS[1:]])
    result = run("load", marketplace)
    assert result.exit_code == 2
    assert "orders.csv" in result.output and "amount" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert counts(store).get("Account", 0) == 0, "nothing half-written"


def test_parquet_and_jsonl_load_like_csv(store, tmp_path, marketplace):
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "mixed"
    folder.mkdir()
    header, *rows = ACCOUNTS
    pq.write_table(pa.Table.from_pylist([dict(zip(header, r)) for r in rows]), folder / "accounts.parquet")
    header, *rows = ORDERS
    with open(folder / "orders.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps(dict(zip(header, r))) + "\n")
    result = load(store, [folder])
    assert result.quarantined == 0
    assert counts(store)["Order"] == 3 and counts(store)["Account"] == 4


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_with_another_delimiter_loads_like_comma_separated(store, tmp_path, marketplace, delimiter):
    """A spreadsheet export in a European locale separates columns with ';' (addresses keep their commas)."""
    load(store, [marketplace])
    expected = counts(store)
    store.write("clear_graph")
    folder = tmp_path / "other"
    folder.mkdir()
    for name, rows in [("accounts.csv", ACCOUNTS), ("account_devices.csv", DEVICES),
                       ("account_addresses.csv", ADDRESSES), ("account_payment_instruments.csv", INSTRUMENTS),
                       ("orders.csv", ORDERS)]:
        with open(folder / name, "w", newline="") as f:
            csv.writer(f, delimiter=delimiter).writerows(rows)
    result = load(store, [folder])
    assert result.quarantined == 0 and counts(store) == expected


def test_extra_columns_are_ignored_with_a_note(store, tmp_path):
    write(tmp_path, "accounts.csv", [ACCOUNTS[0] + ["shoe_size"]] + [r + ["42"] for r in ACCOUNTS[1:]])
    result = load(store, [tmp_path])
    assert any("shoe_size" in n for n in result.notes)


def test_stats_of_an_empty_graph_keeps_its_headers_and_titles(store):
    assert run("stats", "--format", "csv").stdout == "kind,name,count\n"
    table = run("stats").stdout
    assert "nodes" in table and "relationships" in table and "recent loads" in table
    assert run("stats", "--runs", "99999999999999999999").exit_code == 2


def test_stats_json_counts_labels_relationships_and_runs(store, marketplace):
    import json

    load(store, [marketplace])
    result = run("stats", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"label": "Account", "count": 4} in data["nodes"]
    assert {"type": "PLACED", "count": 3} in data["relationships"]
    assert data["load_runs"][0]["status"] == "complete"
    assert data["load_runs"][0]["counts"]["accounts"] == {"read": 4, "loaded": 4, "quarantined": 0}


def test_a_load_in_small_chunks_gives_the_same_graph_and_catches_duplicates_across_chunks(store, tmp_path, monkeypatch):
    """Big files are parsed and written a chunk at a time; the graph must not depend on the chunk size."""
    import graphfraud.load as loader

    sample = Path(__file__).resolve().parents[1] / "datasets" / "sample"
    load(store, [sample])
    whole = counts(store)
    store.write("clear_graph")
    folder = tmp_path / "sample"
    folder.mkdir()
    for path in sample.glob("*.csv"):
        (folder / path.name).write_text(path.read_text())
    with open(folder / "orders.csv", newline="") as f:
        first = next(csv.DictReader(f))
    with open(folder / "orders.csv", "a", newline="") as f:   # the first order again, last, with another amount
        csv.DictWriter(f, fieldnames=list(first)).writerow({**first, "amount": "999.00"})
    monkeypatch.setattr(loader, "CHUNK_ROWS", 97)
    result = load(store, [folder])
    assert counts(store) == whole
    assert result.quarantined == 1
    assert result.counts["orders"]["quarantined"] == 1


def test_order_statuses_in_other_words_are_mapped_and_unknown_ones_kept_with_a_note(store, marketplace):
    orders = [list(r) for r in ORDERS]
    orders[1][6], orders[2][6], orders[3][6] = "Delivered", "charged back", "on hold"
    write(marketplace, "orders.csv", orders)
    result = load(store, [marketplace])
    assert result.quarantined == 0
    rows = store.run_cypher("MATCH (o:Order) RETURN o.id AS id, o.status AS status ORDER BY id", {})[1]
    assert [r["status"] for r in rows] == ["completed", "chargeback", "on hold"]
    assert any("'on hold' (1)" in n for n in result.notes)


def test_a_load_with_another_card_key_than_the_graphs_is_refused_before_writing(store, marketplace, graphfraud_home):
    """card.key lost and made anew (or another installation's) stored the same card under another id:
    its links were lost without a word."""
    load(store, [marketplace])
    key = graphfraud_home / "card.key"
    kept = key.read_bytes()
    runs = len(store.read("load_runs", limit=100))
    try:
        key.unlink()
        with pytest.raises(UsageError, match="card.key is not the key this graph's card numbers were hashed with"):
            load(store, [marketplace])
        assert len(store.read("load_runs", limit=100)) == runs, "refused before anything is written"
    finally:
        key.write_bytes(kept)
    assert load(store, [marketplace]).quarantined == 0
