"""Loader defects found in review, each against the real local server: addresses in a later load,
rows whose field count is not the header's, missing seen dates, a rejected order row followed by its correction."""

import csv
import json
import os
from pathlib import Path

import pytest

from test_load import ACCOUNTS, PAN, PAN_DIGITS, counts, write

from graphfraud.load import load
from graphfraud.times import parse

FLAT = "Lindenallee 40, Whg. 17, 50968 Köln"
FLAT_KEY = "unit 17 lindenallee 40 koln 50968"   # read with German rules; with none it is '… whg 17 …'


def latest_quarantine(home: Path) -> list[dict]:
    path = sorted((home / "quarantine").glob("*.csv"), key=os.path.getmtime)[-1]
    assert PAN_DIGITS not in path.read_text() and PAN not in path.read_text()
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_a_later_load_reads_addresses_with_the_country_of_accounts_loaded_earlier(store, tmp_path):
    week1 = tmp_path / "week1"
    write(week1, "accounts.csv", ACCOUNTS)
    write(week1, "account_addresses.csv", [["account_id", "address", "kind", "country"], ["a1", FLAT, "home", ""]])
    assert load(store, [week1]).quarantined == 0
    week2 = tmp_path / "week2"   # a new drop naming only accounts stored last week
    write(week2, "account_addresses.csv", [["account_id", "address"], ["a2", FLAT]])
    write(week2, "orders.csv", [["order_id", "buyer_id", "seller_id", "amount", "currency", "created_at", "address"],
                                ["o1", "a1", "s1", "5", "EUR", "2025-10-05T12:00:00Z", FLAT],
                                ["o2", "a1", "s1", "5", "EUR", "2025-10-05T12:00:00Z", FLAT.replace("17", "18")]])
    assert load(store, [week2]).quarantined == 0
    addresses = store.run_cypher("MATCH (n:Address) RETURN n.id AS id, n.country AS country ORDER BY id", {})[1]
    assert addresses == [{"id": FLAT_KEY, "country": "DE"}, {"id": FLAT_KEY.replace("17", "18"), "country": "DE"}]
    linked = store.run_cypher("MATCH (:Address {id: $id})<-[:HAS_ADDRESS|SHIPPED_TO]-(n) RETURN count(n) AS n",
                              {"id": FLAT_KEY})[1]
    assert linked[0]["n"] == 3, "a1's and a2's homes and o1's shipping address are one place"


def test_a_row_whose_field_count_is_not_the_headers_is_quarantined_and_shows_no_card_number(
        store, tmp_path, graphfraud_home):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    header = "order_id,buyer_id,seller_id,amount,currency,created_at,address,card_number,promo_code"
    (tmp_path / "orders.csv").write_text("\n".join([
        header,
        "o1,a1,s1,10,EUR,2025-10-04T12:00:00Z,Hauptstraße 5,,",
        f"o2,a1,s1,10,EUR,2025-10-04T12:00:00Z,Hauptstraße 5, 10115 Berlin,{PAN},",   # unquoted comma
        "o3,a1,s1,10,EUR,2025-10-04T12:00:00Z,Main St 1, Springfield,,SAVE5",          # would load shifted
        "o4,a1,s1,10,EUR,2025-10-04T12:00:00Z",                                         # short
        f'o5,a1,s1,{PAN},EUR,2025-10-04T12:00:00Z,"Hauptstr. 5 {PAN}",,{PAN}',          # a card out of place
    ]) + "\n")
    result = load(store, [tmp_path])
    entries = latest_quarantine(graphfraud_home)
    assert counts(store)["Order"] == 1
    assert [(e["line"], e["column"], e["reason"]) for e in entries] == [
        ("3", "", "row has 10 fields, the header has 9"),
        ("4", "", "row has 10 fields, the header has 9"),
        ("5", "", "row has 6 fields, the header has 9"),
        ("6", "amount", "amount '453914******6467' is not a number"),
    ]
    shifted = json.loads(entries[0]["row"])
    assert "null" not in shifted and shifted["field 10"] == ""
    assert json.loads(entries[3]["row"])["address"] == "Hauptstr. 5 453914******6467", "the house number stays"
    assert result.counts["orders"] == {"read": 5, "loaded": 1, "quarantined": 4}


def test_device_links_load_with_and_without_seen_dates_and_a_missing_date_erases_none(store, tmp_path):
    header = ["account_id", "device_id", "first_seen", "last_seen", "ip"]
    first = tmp_path / "first"
    write(first, "accounts.csv", ACCOUNTS)
    write(first, "account_devices.csv", [header,
                                         ["a1", "DEV-1", "", "", ""],
                                         ["a1", "dev-1", "2025-10-02T00:00:00Z", "2025-10-03T00:00:00Z", ""],
                                         ["a2", "DEV-2", "", "", "203.0.113.9"]])
    assert load(store, [first]).quarantined == 0
    later = tmp_path / "later"
    write(later, "account_devices.csv", [header,
                                         ["a1", "Dev-1", "", "", ""],   # a new spelling, no dates
                                         ["a2", "DEV-2", "2025-10-04T00:00:00Z", "", "203.0.113.9"]])
    assert load(store, [later]).quarantined == 0
    rows = store.run_cypher("MATCH (a:Account)-[u:USED_DEVICE|USED_IP]->() RETURN a.id AS a, type(u) AS t, "
                            "toString(u.first_seen) AS first, toString(u.last_seen) AS last, u.raw AS raw "
                            "ORDER BY a, t", {})[1]
    seen = [(r["a"], r["t"], r["first"] and parse(r["first"]), r["last"] and parse(r["last"])) for r in rows]
    oct_ = lambda day: parse(f"2025-10-{day:02}T00:00:00Z")  # noqa: E731
    assert seen == [("a1", "USED_DEVICE", oct_(2), oct_(3)),
                    ("a2", "USED_DEVICE", oct_(4), oct_(4)), ("a2", "USED_IP", oct_(4), oct_(4))]
    assert rows[0]["raw"] == ["DEV-1", "dev-1", "Dev-1"]


def test_a_rejected_order_row_does_not_hide_a_corrected_row_for_the_same_order(store, tmp_path, graphfraud_home):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    header = ["order_id", "buyer_id", "seller_id", "amount", "currency", "created_at", "card_number"]
    write(tmp_path, "orders.csv", [header,
                                   ["o9", "a1", "s1", "10", "EUR", "2025-10-04T12:00:00Z", "4539 1488 0343 6468"],
                                   ["o9", "a1", "s1", "10", "EUR", "2025-10-04T12:00:00Z", PAN]])
    result = load(store, [tmp_path])
    assert result.counts["orders"] == {"read": 2, "loaded": 1, "quarantined": 1}
    paid = store.run_cypher("MATCH (:Order {id: 'o9'})-[:PAID_WITH]->(p) RETURN p.last4 AS last4", {})[1]
    assert paid == [{"last4": "6467"}]
    assert [e["column"] for e in latest_quarantine(graphfraud_home)] == ["card_number"]


@pytest.mark.parametrize(("control", "named"), [("\x00", "a NUL character"), ("\x1f", "the control character U+001F"),
                                               ("\x9b", "the control character U+009B"),
                                               ("\ufffe", "the noncharacter U+FFFE")],
                         ids=["nul", "unit-separator", "c1-escape", "not-xml"])
def test_a_value_holding_a_control_character_is_quarantined_not_stored(store, tmp_path, graphfraud_home, control,
                                                                        named):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    (tmp_path / "account_devices.csv").write_text(
        "account_id,device_id,first_seen,last_seen,ip\n"
        "a1,dev-1,2025-10-01T00:00:00Z,,\n"
        f"a2,dev{control}-1,2025-10-01T00:00:00Z,,\n", encoding="utf-8")
    result = load(store, [tmp_path])
    assert result.quarantined == 1
    entries = latest_quarantine(graphfraud_home)
    assert [(e["file"], e["line"], e["column"]) for e in entries] == [("account_devices.csv", "3", "device_id")]
    assert f"device_id holds {named}" in entries[0]["reason"]
    stored = store.run_cypher("MATCH (d:Device) RETURN d.id AS id", {})[1]
    assert [r["id"] for r in stored] == ["dev-1"]


@pytest.mark.parametrize(("device", "says"), [
    ("\\ud800", "device_id holds half a surrogate pair, U+D800"),      # a JSON escape no text can hold
    ("x" * 200_000, "device_id is 200,004 characters long; at most 131,072"),
    ("1\\u200b", "device_id holds the invisible character U+200B, which makes two ids read the same"),
], ids=["lone-surrogate", "too-long", "zero-width"])
def test_a_jsonl_value_no_store_or_reader_can_use_is_quarantined_and_the_rest_loads(store, tmp_path, graphfraud_home,
                                                                                     device, says):
    """A lone surrogate failed the whole load, on every retry; a 1 MB value failed its commit; an id
    with a zero-width space loaded as a second account that reads as the first."""
    write(tmp_path, "accounts.csv", ACCOUNTS)
    (tmp_path / "account_devices.jsonl").write_text(
        '{"account_id": "a1", "device_id": "dev-1"}\n'
        f'{{"account_id": "a2", "device_id": "dev-{device}"}}\n', encoding="utf-8")   # the JSON escapes as written
    result = load(store, [tmp_path])
    assert result.quarantined == 1
    [entry] = latest_quarantine(graphfraud_home)
    assert (entry["file"], entry["line"], entry["column"]) == ("account_devices.jsonl", "2", "device_id")
    assert entry["reason"].startswith(says)
    assert [r["id"] for r in store.run_cypher("MATCH (d:Device) RETURN d.id AS id", {})[1]] == ["dev-1"]


def test_an_empty_file_is_an_empty_table_not_a_refused_drop(store, tmp_path):
    """A week with no orders, exported as nothing (0 bytes, or a JSONL file of no lines)."""
    write(tmp_path, "accounts.csv", ACCOUNTS)
    (tmp_path / "orders.csv").write_text("")
    (tmp_path / "account_devices.jsonl").write_text("\n")
    result = load(store, [tmp_path])
    assert result.quarantined == 0 and result.counts["accounts"]["loaded"] == len(ACCOUNTS) - 1
    assert "orders.csv: empty, nothing to load" in result.notes
    assert "account_devices.jsonl: empty, nothing to load" in result.notes
