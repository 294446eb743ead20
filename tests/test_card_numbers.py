"""A card number in any column, not only ``card_number``: on the real local server, it is never
stored, logged, quarantined or printed in clear, and ids that are card numbers still join."""

import json
import re
from pathlib import Path

from test_load import ACCOUNTS, ORDERS, files_under, run, write
from test_load_review import latest_quarantine

from graphfraud import normalise
from graphfraud.investigate import resolve
from graphfraud.load import load

ORDER_HEADER = ORDERS[0]


def card(prefix: str) -> str:
    """A Luhn-valid 16-digit number starting with ``prefix``, unique to this file's tests."""
    body = prefix.ljust(15, "7")
    return next(body + d for d in "0123456789" if normalise.luhn_valid(body + d))


ACCOUNT_PAN = card("4916003")      # an account id that is a card number
INSTRUMENT_PAN = card("4916004")   # an instrument id that is a card number
ADDRESS_PAN = card("4916005")      # pasted into an address
PROMO_PAN = card("4916006")        # a promo code
DEVICE_PAN = card("4916007")       # a device id
STATUS_PAN = card("4916008")       # an order status
KIND_PAN = card("4916009")         # an instrument kind
COLON_PAN = card("4916010")        # a device id in groups parted by colons
SLASH_PAN = card("4916011")        # in an address, in groups parted by slashes
EVERY_PAN = (ACCOUNT_PAN, INSTRUMENT_PAN, ADDRESS_PAN, PROMO_PAN, DEVICE_PAN, STATUS_PAN, KIND_PAN, COLON_PAN,
             SLASH_PAN)
ORDINARY_IDS = ("202500000007", "ORD-20251004-000123")   # long numbers, one passing Luhn: no card numbers


def parted(pan: str, gap: str) -> str:
    return gap.join(pan[i:i + 4] for i in range(0, 16, 4))


def spaced(pan: str) -> str:
    return " ".join(pan[i:i + 4] for i in range(0, 16, 4))


def _order(order_id: str, **values) -> list[str]:
    row = dict(zip(ORDER_HEADER, ["", "a1", "s1", "10.00", "EUR", "2025-10-04T12:00:00Z", "completed", "", "", "", ""]))
    row.update(order_id=order_id, **values)
    return [row[c] for c in ORDER_HEADER]


def _marketplace(folder: Path) -> Path:
    write(folder, "accounts.csv", ACCOUNTS + [[f" {ACCOUNT_PAN}", "buyer", "2025-10-01T00:00:00Z", "DE", "active"]])
    write(folder, "account_payment_instruments.csv", [
        ["account_id", "instrument_id", "card_number", "kind", "bin", "last4"],
        ["a1", INSTRUMENT_PAN, "", "card", "", ""],
        ["a2", "pi_9", "", KIND_PAN, "", ""],
    ])
    write(folder, "orders.csv", [
        ORDER_HEADER,
        _order("c1", buyer_id=ACCOUNT_PAN, instrument_id=spaced(INSTRUMENT_PAN)),
        _order("c2", address=f"Flat 4, {spaced(ADDRESS_PAN)}, Hauptstraße 5, 10115 Berlin", promo_code=PROMO_PAN),
        _order("c3", device_id=DEVICE_PAN, status=STATUS_PAN),
        _order("c4", device_id=parted(COLON_PAN, ":"), address=f"{parted(SLASH_PAN, '/')} High St, London"),
        *(_order(order_id) for order_id in ORDINARY_IDS),
    ])
    return folder


def _in_clear(home: Path, pans) -> list[str]:
    """Files under ``home`` (the server's database files and write-ahead log included) holding a
    number, whatever parts its groups (every byte but the digits dropped)."""
    found = []
    for path, data in files_under(home):
        digits = re.sub(rb"[^0-9]", b"", data)
        found += [f"{path}: {pan}" for pan in pans if pan.encode() in digits]
    return found


def test_a_card_number_in_any_column_is_hashed_or_masked_and_ids_still_join(store, tmp_path, graphfraud_home):
    result = load(store, [_marketplace(tmp_path)])
    assert result.quarantined == 0, "rows with a card number in the wrong place still load"
    values = store.run_cypher("MATCH (n) RETURN properties(n) AS p", {})[1]
    values += store.run_cypher("MATCH ()-[r]->() RETURN properties(r) AS p", {})[1]
    assert not [pan for pan in EVERY_PAN if pan in repr(values) or spaced(pan) in repr(values)]
    assert not _in_clear(graphfraud_home, EVERY_PAN)

    joined = store.run_cypher(
        "MATCH (a:Account)-[:PLACED]->(o:Order {id: 'c1'})-[:PAID_WITH]->(p:PaymentInstrument) "
        "OPTIONAL MATCH (holder:Account)-[:HAS_INSTRUMENT]->(p) "
        "RETURN a.id AS buyer, p.id AS instrument, p.bin AS bin, holder.id AS holder", {})[1]
    assert len(joined) == 1 and joined[0]["buyer"].startswith("card:"), "the account id is stored as its keyed hash"
    assert joined[0]["instrument"].startswith("card:") and joined[0]["holder"] == "a1", \
        "the order's instrument, given spaced, is the one a1 holds: both are the card's keyed hash"
    assert joined[0]["bin"] == INSTRUMENT_PAN[:6]
    shipped = store.run_cypher("MATCH (:Order {id: 'c2'})-[s:SHIPPED_TO]->(a:Address) RETURN s.raw AS raw", {})[1]
    assert mask_of(ADDRESS_PAN) in shipped[0]["raw"] and "Hauptstraße 5" in shipped[0]["raw"]
    orders = {r["id"] for r in store.run_cypher("MATCH (o:Order) RETURN o.id AS id", {})[1]}
    assert set(ORDINARY_IDS) <= orders, "an order number that merely passes Luhn is kept as it is"


def mask_of(pan: str) -> str:
    return normalise.mask_card(pan[:6], pan[-4:])


def test_an_id_given_as_a_card_number_is_found_by_that_number(store, tmp_path):
    load(store, [_marketplace(tmp_path)])
    assert resolve(store, spaced(ACCOUNT_PAN)).type == "account"
    assert resolve(store, DEVICE_PAN).type == "device"
    assert resolve(store, PROMO_PAN).type == "promo"
    assert resolve(store, parted(COLON_PAN, ":")).type == "device"
    assert resolve(store, f"{parted(SLASH_PAN, '/')} High St, London").type == "address"


def test_load_notes_show_a_card_number_only_masked(store, tmp_path):
    result = run("load", _marketplace(tmp_path))
    assert result.exit_code == 0, result.output
    assert "statuses outside" in result.output and mask_of(STATUS_PAN) in result.output
    assert not [pan for pan in EVERY_PAN if pan in result.output]


def test_quarantine_masks_a_mistyped_card_number_in_a_shifted_row_and_every_reason(store, tmp_path, graphfraud_home):
    mistyped = INSTRUMENT_PAN[:-1] + str((int(INSTRUMENT_PAN[-1]) + 1) % 10)   # fails Luhn
    glued = "x" * 30 + ACCOUNT_PAN   # a reason quotes 40 characters of a bad timestamp
    write(tmp_path, "accounts.csv", ACCOUNTS)
    (tmp_path / "orders.csv").write_text(
        ",".join(ORDER_HEADER) + ",card_number\n"
        f"q1,a1,s1,10.00,EUR,2025-10-04T12:00:00Z,completed,,Flat 2, 5 Oak St,,,{mistyped}\n"   # a stray comma
        f"q2,a1,s1,10.00,{KIND_PAN},2025-10-04T12:00:00Z,completed,,,,,\n"
        f"q3,a1,s1,10.00,EUR,{glued},completed,,,,,\n", encoding="utf-8")
    write(tmp_path, "account_payment_instruments.csv", [
        ["account_id", "instrument_id", "bin", "last4"], ["a1", "pi_1", PROMO_PAN, "1111"]])
    write(tmp_path, "account_devices.csv", [
        ["account_id", "device_id", "first_seen", "last_seen", "ip"], ["a1", "d1", parted(COLON_PAN, ":"), "", ""]])
    result = load(store, [tmp_path])
    assert result.quarantined == 5
    text = json.dumps(latest_quarantine(graphfraud_home), ensure_ascii=False)
    for number in (mistyped, KIND_PAN, ACCOUNT_PAN, PROMO_PAN, COLON_PAN):
        assert number[:10] not in text and number[6:] not in text, number
    assert "is not 6 to 8 digits" in text and "is not an ISO 4217 code" in text


def test_card_numbers_in_fullwidth_digits_an_ip_an_address_key_or_a_jsonl_key_are_not_kept(
        store, tmp_path, graphfraud_home):
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in ACCOUNT_PAN)          # ４９１６…
    write(tmp_path, "accounts.csv", ACCOUNTS + [[fullwidth, "buyer", "2025-10-01T00:00:00Z", "DE", "active"]])
    write(tmp_path, "account_devices.csv", [["account_id", "device_id", "first_seen", "last_seen", "ip"],
                                            ["a1", "d1", "", "", parted(COLON_PAN, ":") + "::"]])   # IPv6 form
    halves = (SLASH_PAN[:8], SLASH_PAN[8:])   # the unit moves to the front of the key: the halves meet
    write(tmp_path, "account_addresses.csv", [["account_id", "address", "kind", "country"],
                                              ["a2", f"{halves[1][:4]} {halves[1][4:]} Apt {halves[0][:4]} "
                                                     f"{halves[0][4:]}, 5 Main St", "home", "GB"]])
    (tmp_path / "orders.jsonl").write_text(json.dumps({"order_id": "j1", "buyer_id": "a1", "seller_id": "s1",
                                                       "amount": "oops", "currency": "EUR",
                                                       "created_at": "2025-10-04T12:00:00Z", PROMO_PAN: "x"}) + "\n")
    result = load(store, [tmp_path])
    assert result.quarantined == 2, "the IP that is a card number and the order with a bad amount"
    assert resolve(store, ACCOUNT_PAN).type == "account", "fullwidth digits are the same number"
    assert fullwidth not in repr(store.run_cypher("MATCH (a:Account) RETURN a.id AS id", {})[1])
    assert not _in_clear(graphfraud_home, (ACCOUNT_PAN, COLON_PAN, SLASH_PAN, PROMO_PAN))
    assert not any(pan in json.dumps(latest_quarantine(graphfraud_home)) for pan in (COLON_PAN, PROMO_PAN))


def in_script(pan: str, zero: int) -> str:
    """``pan`` in the decimal digits of another script (0x0660 Arabic-Indic, 0x0966 Devanagari)."""
    return "".join(chr(zero + int(d)) for d in pan)


def test_card_numbers_in_another_scripts_digits_are_hashed_or_masked_like_any_other(
        store, tmp_path, graphfraud_home):
    """NFKC folds fullwidth digits but leaves Arabic-Indic and Devanagari ones: they were stored in clear."""
    account, device, address, card_number = (card(p) for p in ("4916012", "4916013", "4916014", "4916015"))
    arabic, devanagari = in_script(account, 0x0660), in_script(device, 0x0966)
    write(tmp_path, "accounts.csv", ACCOUNTS + [[arabic, "buyer", "2025-10-01T00:00:00Z", "DE", "active"]])
    write(tmp_path, "account_devices.csv", [["account_id", "device_id"], ["a1", devanagari]])
    write(tmp_path, "account_addresses.csv", [["account_id", "address", "kind", "country"],
                                              ["a2", f"1 Main St {in_script(address, 0x0660)}, Springfield", "home",
                                               "US"]])
    write(tmp_path, "account_payment_instruments.csv", [["account_id", "card_number"],
                                                        ["a1", in_script(card_number, 0x0660)]])
    result = load(store, [tmp_path])
    assert result.quarantined == 0, "a card number in Arabic-Indic digits is a card number, not a bad value"
    assert resolve(store, account).type == "account" and resolve(store, device).type == "device"
    assert resolve(store, card_number).type == "instrument"
    stored = repr(store.run_cypher("MATCH (n) RETURN n.id AS id, n.raw AS raw, n.key AS key", {})[1])
    assert not any(ch in stored for ch in arabic + devanagari), stored
    assert not _in_clear(graphfraud_home, (account, device, address, card_number))
    for path, data in files_under(graphfraud_home):
        assert not any(in_script(pan, zero).encode() in data for pan in (account, device, address, card_number)
                       for zero in (0x0660, 0x0966)), path


def test_a_run_of_more_than_19_digits_is_masked_where_every_long_number_is():
    """A card number with its expiry typed on: 20 digits, no card, but most of one."""
    pan_and_expiry = card("4916016") + "1228"
    assert pan_and_expiry not in normalise.mask_card_numbers(f"no entity has the id '{pan_and_expiry}'",
                                                             checked=False)
    assert normalise.mask_card_numbers("order 2025000000070000000001", checked=True) == "order 2025000000070000000001"


def test_a_field_of_many_card_numbers_is_masked_not_a_crash():
    assert normalise.mask_stored_text(" ".join([spaced(ACCOUNT_PAN)] * 2000)).count(mask_of(ACCOUNT_PAN)) == 2000


def test_a_card_number_no_network_issues_is_still_found_by_typing_it(store, tmp_path):
    """``card_number`` is hashed whenever it passes Luhn; a lookup by the number does the same."""
    unissued = card("9123456")
    write(tmp_path, "accounts.csv", ACCOUNTS)
    write(tmp_path, "account_payment_instruments.csv", [["account_id", "card_number"], ["a1", spaced(unissued)]])
    load(store, [tmp_path])
    assert resolve(store, unissued).type == "instrument"


def test_a_card_number_in_a_files_name_is_stored_and_shown_only_masked(store, tmp_path):
    """An export named after the card it was pulled for put the number, in clear, into the LoadRun
    node and the output of `stats`."""
    write(tmp_path / "drop", "accounts_4539148803436467.csv", ACCOUNTS)
    write(tmp_path / "drop", "notes_4539148803436467.txt", [["x"]])   # skipped, with a note
    result = load(store, [tmp_path / "drop"])
    stats = run("stats", "--format", "json")
    assert "453914******6467" in stats.stdout and "4539148803436467" not in stats.stdout
    assert "4539148803436467" not in " ".join(result.notes) and "453914******6467" in " ".join(result.notes)
