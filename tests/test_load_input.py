"""Unusual input found in the second review of the loader, each against the real local server:
an unbalanced quote, files that break off half-way, values Python or the store cannot hold,
JSONL and Parquet quirks, European amounts, empty device ids, a load that stops on an error."""

import gzip
import json

import pytest
from test_load import ACCOUNTS, ORDERS, PAN, PAN_DIGITS, counts, run, write
from test_load_review import latest_quarantine

from graphfraud.errors import InputError
from graphfraud.load import load

ORDER_HEADER = ORDERS[0]


def _order(order_id: str, **values) -> list[str]:
    row = dict(zip(ORDER_HEADER, ["", "a1", "s1", "10.00", "EUR", "2025-10-04T12:00:00Z", "completed", "", "", "", ""]))
    row.update(order_id=order_id, **values)
    return [row[c] for c in ORDER_HEADER]


def _load_runs(store) -> list[dict]:
    return store.run_cypher("MATCH (l:LoadRun) RETURN l.status AS status, l.error AS error", {})[1]


def test_an_unbalanced_quote_quarantines_the_lines_it_took_in_and_stores_no_card_number(
        store, tmp_path, graphfraud_home):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    (tmp_path / "orders.csv").write_text(
        "order_id,buyer_id,seller_id,amount,currency,created_at,card_number,address\n"
        "q1,a1,s1,10.00,EUR,2025-10-04T12:00:00Z,,\"12 Main St\n"
        f"q2,a2,s1,20.00,EUR,2025-10-04T12:00:00Z,{PAN_DIGITS},\"5 Oak St\"\n"
        "q3,a3,s1,30.00,EUR,2025-10-04T12:00:00Z,,\"1 High St\n Flat 2\"\n")   # an address on two lines is fine
    result = load(store, [tmp_path])
    [entry] = latest_quarantine(graphfraud_home)   # which also checks the card number is not in it
    assert (entry["line"], entry["column"]) == ("2", "")
    assert entry["reason"].startswith("a quoted field runs from line 2 to line 3: an unbalanced quote")
    assert result.counts["orders"] == {"read": 2, "loaded": 1, "quarantined": 1}
    stored = store.run_cypher("MATCH (n) UNWIND keys(n) AS k WITH n[k] AS v WHERE v IS :: STRING "
                              "AND v CONTAINS $digits RETURN count(*) AS n", {"digits": PAN_DIGITS[-8:]})[1]
    assert stored == [{"n": 0}]


def test_an_address_quoted_over_two_lines_in_a_narrow_file_loads(store, tmp_path):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    (tmp_path / "account_addresses.csv").write_text('account_id,address\na1,"Flat 2, 5 Oak St\nLondon, SW1A 1AA"\n')
    assert load(store, [tmp_path]).quarantined == 0
    assert counts(store)["Address"] == 1


@pytest.mark.parametrize("name, content, says", [
    ("orders.csv.gz", None, "EOFError"),                                     # truncated
    ("orders.csv", b'o9,a1,s1,1,EUR,2025-10-04T12:00:00Z,"' + b"x" * 200_000 + b'"\n', "field larger than field limit"),
])
def test_a_file_that_breaks_off_half_way_is_refused_before_anything_is_written(
        store, tmp_path, name, content, says):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    good = "".join(",".join(_order(f"o{i}")[:6]) + "\n" for i in range(400)).encode()
    text = ",".join(ORDER_HEADER[:6]).encode() + b"\n" + good
    if name.endswith(".gz"):
        (tmp_path / name).write_bytes(gzip.compress(text * 20)[:-200])
    else:
        (tmp_path / name).write_bytes(text + content)
    with pytest.raises(InputError) as refused:
        load(store, [tmp_path])
    assert name in str(refused.value) and says in str(refused.value) and "after line" in str(refused.value)
    assert counts(store).get("Account", 0) == 0 and _load_runs(store) == [], "nothing half-written"
    result = run("load", tmp_path, "--quiet")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("name, rows_before", [("orders.csv", 2499), ("orders.csv.gz", 2499), ("orders.csv", 3)])
def test_a_byte_that_is_not_utf8_is_refused_naming_the_line_it_is_on(store, tmp_path, name, rows_before):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    rows = [",".join(_order(f"o{i}")[:6]).encode() + b"\n" for i in range(rows_before + 500)]
    rows[rows_before] = rows[rows_before].replace(b"EUR", b"\xe9UR")   # Latin-1 'é': on line rows_before + 2
    text = ",".join(ORDER_HEADER[:6]).encode() + b"\n" + b"".join(rows)
    (tmp_path / name).write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
    with pytest.raises(InputError) as refused:
        load(store, [tmp_path])
    assert str(refused.value) == f"{tmp_path / name}, line {rows_before + 2}: cannot be read: byte 0xe9 is not UTF-8 " \
                                 "(save the file as UTF-8)"
    assert counts(store).get("Account", 0) == 0 and _load_runs(store) == [], "nothing half-written"
    result = run("load", tmp_path, "--quiet")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


def test_values_python_or_the_store_cannot_hold_are_quarantined_not_a_crash(store, tmp_path, graphfraud_home):
    write(tmp_path, "accounts.csv", ACCOUNTS + [["old", "buyer", "0001-01-01T00:00:00+01:00", "DE", "active"],
                                                ["late", "buyer", "9999-12-31T23:59:59-01:00", "DE", "active"],
                                                ["typo", "buyer", "0202-05-01T10:00:00Z", "DE", "active"],
                                                ["placeholder", "buyer", "1900-01-01T00:00:00Z", "DE", "active"]])
    (tmp_path / "account_devices.jsonl").write_text("\n".join([
        json.dumps({"account_id": "a1", "device_id": "dev-1"}),
        "[" * 100_000 + "]" * 100_000,                          # deeper than Python's stack
        json.dumps({"account_id": "a2", "device_id": ["d1", "d2"]}),
        json.dumps({"account_id": "a3", "device_id": "[]"}),    # nothing left of it: no shared "" device
        json.dumps({"account_id": "a3", "device_id": "dev-3", "first_seen": "0500-01-01T00:00:00Z"}),
    ]) + "\n")
    write(tmp_path, "orders.csv", [ORDER_HEADER, _order("o1", device_id="()"), _order("o2", amount="-0"),
                                   _order("o3", amount="1_000"), _order("o4", amount="１２"),
                                   _order("o5", created_at="0099-02-01T00:00:00Z"), _order("o6", amount="1,234")])
    result = load(store, [tmp_path])
    reasons = {(e["file"], e["line"]): (e["column"], e["reason"]) for e in latest_quarantine(graphfraud_home)}
    before_1900 = "is before 1900: a typo or a placeholder, no marketplace event"
    assert reasons == {
        ("accounts.csv", "6"): ("created_at", "created_at '0001-01-01T00:00:00+01:00' is not an ISO 8601 timestamp"),
        ("accounts.csv", "7"): ("created_at", "created_at '9999-12-31T23:59:59-01:00' is not an ISO 8601 timestamp"),
        ("accounts.csv", "8"): ("created_at", f"created_at '0202-05-01T10:00:00Z' {before_1900}"),
        ("account_devices.jsonl", "2"): ("", "not a JSON object"),
        ("account_devices.jsonl", "3"): ("", "device_id holds a list or an object, not a value"),
        ("account_devices.jsonl", "4"): ("device_id", "device_id has nothing left after normalisation"),
        ("account_devices.jsonl", "5"): ("first_seen", f"first_seen '0500-01-01T00:00:00Z' {before_1900}"),
        ("orders.csv", "4"): ("amount", "amount '1_000' is not a number"),
        ("orders.csv", "5"): ("amount", "amount '１２' is not a number"),
        ("orders.csv", "6"): ("created_at", f"created_at '0099-02-01T00:00:00Z' {before_1900}"),
        ("orders.csv", "7"): ("amount", "amount '1,234' is ambiguous: 1234 or 1.234? Write the decimals out"),
    }
    assert result.counts["orders"]["loaded"] == 2
    assert store.run_cypher("MATCH (a:Account {id: 'placeholder'}) RETURN a.created_at AS created", {})[1] == \
        [{"created": "1900-01-01T00:00:00Z"}]
    orders = store.run_cypher("MATCH (o:Order) OPTIONAL MATCH (o)-[:FROM_DEVICE]->(d) "
                              "RETURN o.id AS id, o.amount AS amount, d.id AS device ORDER BY id", {})[1]
    assert orders == [{"id": "o1", "amount": 10.0, "device": None}, {"id": "o2", "amount": 0.0, "device": None}]
    assert str(orders[1]["amount"]) == "0.0"


def test_jsonl_columns_come_from_its_objects_and_a_missing_key_is_one_rows_fault(store, tmp_path, graphfraud_home):
    header, *rows = ACCOUNTS
    objects = [dict(zip(header, r)) for r in rows]
    del objects[0]["created_at"]
    (tmp_path / "accounts.jsonl").write_text("\n" + "\n".join(json.dumps(o) for o in objects) + "\n")
    result = load(store, [tmp_path])
    [entry] = latest_quarantine(graphfraud_home)
    assert (entry["line"], entry["column"], entry["reason"]) == ("2", "created_at", "created_at is missing")
    assert result.counts["accounts"] == {"read": 4, "loaded": 3, "quarantined": 1}


def test_a_column_named_twice_is_refused(store, tmp_path):
    write(tmp_path, "accounts.csv", [ACCOUNTS[0] + ["role"]] + [r + ["seller"] for r in ACCOUNTS[1:]])
    result = run("load", tmp_path)
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {tmp_path / 'accounts.csv'}: column 'role' appears more than once"
    assert counts(store).get("Account", 0) == 0


def test_parquet_timestamps_with_nanoseconds_load(store, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    header, *rows = ACCOUNTS
    table = pa.table({"account_id": [r[0] for r in rows], "role": [r[1] for r in rows],
                      "created_at": pa.array([1_759_312_800_123_456_789 + i for i in range(len(rows))],
                                             pa.timestamp("ns", tz="UTC")),
                      "country": [r[3] for r in rows]})
    pq.write_table(table, tmp_path / "accounts.parquet")
    assert load(store, [tmp_path]).quarantined == 0
    created = store.run_cypher("MATCH (a:Account {id: 'a1'}) RETURN toString(a.created_at) AS t", {})[1][0]["t"]
    assert created.startswith("2025-10-01T10:00")


def test_european_amounts_in_a_semicolon_separated_export_load(store, tmp_path):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    (tmp_path / "orders.csv").write_text(";".join(ORDER_HEADER[:6]) + "\n" + "\n".join(
        f"e{i};a1;s1;{amount};EUR;2025-10-04T12:00:00Z" for i, amount in enumerate(["12,50", "1.234,50", "7"])) + "\n")
    assert load(store, [tmp_path]).quarantined == 0
    amounts = store.run_cypher("MATCH (o:Order) RETURN o.amount AS a ORDER BY a", {})[1]
    assert [r["a"] for r in amounts] == [7.0, 12.5, 1234.5]


def test_a_card_number_shifted_into_another_column_is_masked_however_it_is_spaced(store, tmp_path, graphfraud_home):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    spaced = PAN_DIGITS[:4] + "  " + PAN_DIGITS[4:8] + "  " + PAN_DIGITS[8:12] + "  " + PAN_DIGITS[12:]
    dotted = ".".join(PAN.split())
    (tmp_path / "account_payment_instruments.csv").write_text(
        "account_id,instrument_id,card_number,kind\n"
        f"a1,pi_x,y,{spaced},credit\n"
        f"a2,pi_y,y,{dotted},credit\n")
    assert load(store, [tmp_path]).quarantined == 2
    text = json.dumps(latest_quarantine(graphfraud_home))
    assert spaced not in text and dotted not in text and PAN_DIGITS[6:12] not in text


def test_a_load_that_stops_on_an_error_is_marked_failed_not_left_running(store, tmp_path, monkeypatch):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    write(tmp_path, "orders.csv", [ORDER_HEADER, _order("o1")])
    real = store.write_together

    def failing(parts):
        if any(name == "load_orders_create" for name, _ in parts):
            raise RuntimeError("the server went away")
        return real(parts)

    monkeypatch.setattr(store, "write_together", failing)
    with pytest.raises(RuntimeError):
        load(store, [tmp_path])
    assert _load_runs(store) == [{"status": "failed", "error": "RuntimeError: the server went away"}]


def test_a_time_named_in_a_zone_is_read_in_that_zone(store, tmp_path, graphfraud_home):
    write(tmp_path, "accounts.csv", [ACCOUNTS[0], ["z1", "buyer", "2025-10-01T10:00:00[Europe/Paris]", "FR", "active"],
                                     ["z2", "buyer", "2025-10-01T10:00:00[Europe]", "FR", "active"]])
    assert load(store, [tmp_path]).quarantined == 1
    [entry] = latest_quarantine(graphfraud_home)
    assert entry["reason"] == "created_at '2025-10-01T10:00:00[Europe]' is not an ISO 8601 timestamp"
    created = store.run_cypher("MATCH (a:Account {id: 'z1'}) RETURN toString(a.created_at) AS t", {})[1][0]["t"]
    assert created.startswith("2025-10-01T08:00")


def test_unnamed_trailing_columns_of_a_spreadsheet_export_are_ignored_not_refused(store, tmp_path):
    """A spreadsheet exports the empty cells after the last column as unnamed columns, often several:
    they are no column named twice, but extra columns, noted as ignored."""
    write(tmp_path, "accounts.csv", [row + ["", ""] for row in ACCOUNTS])
    result = load(store, [tmp_path])
    assert result.quarantined == 0 and counts(store)["Account"] == len(ACCOUNTS) - 1
    assert "accounts.csv: extra columns ignored: (unnamed), (unnamed)" in result.notes
    write(tmp_path, "accounts.csv", [row + [row[1]] for row in ACCOUNTS])
    with pytest.raises(InputError, match="column 'role' appears more than once"):
        load(store, [tmp_path])


def test_a_country_that_is_no_country_is_quarantined_and_a_fullwidth_currency_is_read(store, tmp_path, graphfraud_home):
    """The weekly report names the countries rings shift between: a country of `US](https://evil)`
    put a live link into report.md, one of `<img …>` raw HTML, and a direction control mirrored the
    report's figures. A currency typed in fullwidth letters (ＥＵＲ) was kept as another currency."""
    write(tmp_path, "accounts.csv", [ACCOUNTS[0], ["c1", "buyer", "2025-10-01T10:00:00Z", "US](https://evil.example)", ""],
                                     ["c2", "buyer", "2025-10-01T10:00:00Z", "<img src=x onerror=alert(1)>", ""],
                                     ["c3", "buyer", "2025-10-01T10:00:00Z", "US\u202e", ""],
                                     ["c4", "buyer", "2025-10-01T10:00:00Z", "Côte d'Ivoire", ""],
                                     ["c5", "buyer", "2025-10-01T10:00:00Z", "de", ""],
                                     ["s9", "seller", "2025-01-01T00:00:00Z", "DE", ""]])
    write(tmp_path, "orders.csv", [ORDER_HEADER, _order("o1", buyer_id="c5", seller_id="s9", currency="ＥＵＲ")])
    result = load(store, [tmp_path])
    reasons = {e["line"]: (e["column"], e["reason"]) for e in latest_quarantine(graphfraud_home)}
    assert reasons == {
        "2": ("country", "country 'US](https://evil.example)' is not a country code or name"),
        "3": ("country", "country '<img src=x onerror=alert(1)>' is not a country code or name"),
        "4": ("country", "country 'US\\u202e' is not a country code or name"),
    }
    assert result.counts["orders"]["loaded"] == 1
    rows = store.run_cypher("MATCH (a:Account) WHERE a.id IN ['c4', 'c5'] RETURN a.id AS id, a.country AS country "
                            "ORDER BY id", {})[1]
    assert rows == [{"id": "c4", "country": "CÔTE D'IVOIRE"}, {"id": "c5", "country": "DE"}]
    assert store.run_cypher("MATCH (o:Order {id: 'o1'}) RETURN o.currency AS c", {})[1] == [{"c": "EUR"}]
