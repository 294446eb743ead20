"""The synthetic marketplace generator: files, determinism, and what is planted in them (no database)."""

import collections
import csv
import errno
import gzip
import json
import re
import signal
import subprocess
import sys
import time
import unicodedata

import pyarrow.parquet as pq
import pytest

from graphfraud import generate
from graphfraud.errors import UsageError
from graphfraud.signals import Terminated

INPUTS = ("accounts", "account_devices", "account_addresses", "account_payment_instruments", "orders")


def read(d, table):
    with open(d / f"{table}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    d = tmp_path_factory.mktemp("market")
    counts = generate.write_marketplace(d, buyers=2000, seed=7)
    return d, counts


@pytest.fixture(scope="module")
def tables(market):
    d, _ = market
    return {t: read(d, t) for t in generate.TABLES}


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        v = int(ch)
        if i % 2:
            v = v * 2 - 9 if v > 4 else v * 2
        total += v
    return total % 10 == 0


def loose(address: str) -> str:
    """Lower-cased, accent-free, without punctuation or spaces: typing noise removed, words kept."""
    s = unicodedata.normalize("NFD", address.lower())
    return re.sub(r"[\W_]+", "", "".join(c for c in s if unicodedata.category(c) != "Mn"))


def test_same_seed_gives_identical_files(tmp_path):
    for fmt in ("csv", "csv.gz", "parquet"):
        a, b = tmp_path / f"a-{fmt}", tmp_path / f"b-{fmt}"
        generate.write_marketplace(a, buyers=300, seed=42, fmt=fmt)
        generate.write_marketplace(b, buyers=300, seed=42, fmt=fmt)
        names = sorted(p.name for p in a.iterdir())
        assert names == sorted(p.name for p in b.iterdir())
        for name in names:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_different_seed_gives_a_different_marketplace(tmp_path):
    a = generate.write_marketplace(tmp_path / "a", buyers=300, seed=1)
    b = generate.write_marketplace(tmp_path / "b", buyers=300, seed=2)
    assert a != b
    assert (tmp_path / "a" / "orders.csv").read_bytes() != (tmp_path / "b" / "orders.csv").read_bytes()


def test_every_table_has_the_exact_header(market):
    d, counts = market
    for table, columns in generate.TABLES.items():
        with open(d / f"{table}.csv", encoding="utf-8") as f:
            assert f.readline().rstrip("\n") == ",".join(columns)
        assert counts[table] == len(read(d, table))


def test_every_labelled_ring_member_is_an_account(tables):
    accounts = {r["account_id"] for r in tables["accounts"]}
    assert tables["labels"]
    assert {r["account_id"] for r in tables["labels"]} <= accounts
    assert {r["account_id"] for r in tables["lookalikes"]} <= accounts


def test_every_ring_has_the_window_its_fraud_falls_in(tables):
    """``ring_windows.csv`` says when each ring's fraud runs: brushing and collusion orders to
    the ring's own sellers fall inside it (what bench/weekly.py measures time to detection from)."""
    windows = {w["ring_id"]: w for w in tables["ring_windows"]}
    rings = {}
    for r in tables["labels"]:
        rings.setdefault(r["ring_id"], set()).add(r["account_id"])
    assert set(windows) == set(rings)
    inside = total = 0
    for ring, members in rings.items():
        w = windows[ring]
        assert w["active_from"] < w["active_to"]
        if w["typology"] in ("brushing", "collusion"):
            own = [o["created_at"] for o in tables["orders"] if o["buyer_id"] in members and o["seller_id"] in members]
            inside += sum(w["active_from"] <= t < w["active_to"] for t in own)
            total += len(own)
    assert total and inside >= 0.95 * total, (inside, total)   # a few ordinary orders of aged members fall outside


def test_every_order_names_an_existing_buyer_and_seller_in_the_right_roles(tables):
    role = {r["account_id"]: r["role"] for r in tables["accounts"]}
    for o in tables["orders"]:
        assert role[o["buyer_id"]] in ("buyer", "both")
        assert role[o["seller_id"]] in ("seller", "both")
    for t in INPUTS[1:4]:
        assert all(r["account_id"] in role for r in tables[t])


def test_orders_fall_in_the_span_after_both_accounts_exist(tables):
    created = {r["account_id"]: r["created_at"] for r in tables["accounts"]}
    stamps = [o["created_at"] for o in tables["orders"]]
    assert min(stamps) >= "2025-09-01T00:00:00Z" and max(stamps) < "2026-03-02T00:00:00Z"
    assert min(stamps) < "2025-09-15" and max(stamps) > "2026-02-15"  # spread over the whole span
    for o in tables["orders"]:
        assert o["created_at"] >= created[o["buyer_id"]] and o["created_at"] >= created[o["seller_id"]]
    assert [o["order_id"] for o in tables["orders"]] == sorted(o["order_id"] for o in tables["orders"])


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_every_typology_is_present_at_2000_buyers(tmp_path, seed):
    generate.write_marketplace(tmp_path, buyers=2000, seed=seed)
    labels = read(tmp_path, "labels")
    assert {r["typology"] for r in labels} == set(generate.TYPOLOGIES)
    sizes = collections.Counter(r["ring_id"] for r in labels)
    assert min(sizes.values()) >= 3 and max(sizes.values()) <= 40


def test_ring_members_are_a_few_percent_of_buyers(tables):
    buyers = sum(r["role"] == "buyer" for r in tables["accounts"])
    ring_buyers = {r["account_id"] for r in tables["labels"]} & {
        r["account_id"] for r in tables["accounts"] if r["role"] == "buyer"}
    assert 0.01 <= len(ring_buyers) / buyers <= 0.05


def test_card_numbers_pass_luhn_and_rows_carry_one_instrument(tables):
    rows = tables["account_payment_instruments"]
    raw = [r for r in rows if r["card_number"]]
    assert 0.1 <= len(raw) / sum(r["kind"].endswith("card") for r in rows) <= 0.5
    for r in rows:
        assert bool(r["instrument_id"]) != bool(r["card_number"])
    spellings = set()
    for r in raw:
        digits = re.sub(r"[ -]", "", r["card_number"])
        assert len(digits) == 16 and digits.isdigit() and luhn(digits)
        spellings.add(" " in r["card_number"] or "-" in r["card_number"])
    assert spellings == {True, False}


def test_one_card_can_appear_under_two_instrument_ids(tables):
    tokens = collections.defaultdict(set)
    for r in tables["account_payment_instruments"]:
        if r["instrument_id"] and r["bin"]:
            tokens[(r["bin"], r["last4"])].add(r["instrument_id"])
    assert any(len(t) > 1 for t in tokens.values())


def test_benign_lookalike_groups_share_identifiers(tables):
    groups = collections.defaultdict(list)
    for r in tables["lookalikes"]:
        groups[(r["kind"], r["group_id"])].append(r["account_id"])
    assert {k for k, _g in groups} == set(generate.LOOKALIKE_KINDS)
    addresses = collections.defaultdict(set)
    for r in tables["account_addresses"]:
        addresses[r["account_id"]].add(r["address"].lower().strip())
    loose_addresses = {a: {loose(x) for x in xs} for a, xs in addresses.items()}
    ips = collections.defaultdict(set)
    for r in tables["account_devices"]:
        ips[r["account_id"]].add(r["ip"])

    def shared(members, values):
        seen = collections.Counter(v for m in members for v in values.get(m, ()))
        return any(n > 1 for n in seen.values())

    households = [m for (kind, _g), m in groups.items() if kind == "household"]
    exact = sum(shared(m, addresses) for m in households) / len(households)
    typed = sum(shared(m, loose_addresses) for m in households) / len(households)
    network = sum(shared(m, ips) for m in households) / len(households)
    assert exact >= 0.4 and typed >= 0.6 and network >= 0.6
    for kind in ("office", "student_flat", "small_business"):
        for members in (m for (k, _g), m in groups.items() if k == kind):
            assert shared(members, loose_addresses) or shared(members, ips)


def test_rings_share_identifiers_partially_not_all_through_one_device(tables):
    members = collections.defaultdict(list)
    for r in tables["labels"]:
        members[r["ring_id"]].append(r["account_id"])
    devices = collections.defaultdict(set)
    for r in tables["account_devices"]:
        devices[r["account_id"]].add(r["device_id"].lower().replace("-", "").replace("dev_", ""))
    whole = 0
    for ring in members.values():
        common = set.intersection(*(devices[m] for m in ring))
        whole += bool(common)
    assert whole < len(members) / 2


def test_addresses_come_in_spelling_variants(tables):
    by_loose = collections.defaultdict(set)
    for r in tables["account_addresses"]:
        by_loose[loose(r["address"])].add(r["address"])
    assert sum(len(v) > 1 for v in by_loose.values()) > 20
    texts = " ".join(r["address"] for r in tables["account_addresses"])
    for form in ("Str.", "straße", " St", "Street", "ul.", "C/", "Via", "rue"):
        assert form in texts, form


def test_device_ids_are_spelled_in_several_ways(tables):
    ids = [r["device_id"] for r in tables["account_devices"]]
    assert all(re.fullmatch(r"(dev_|DEV_|dev-)[0-9a-fA-F-]{16,19}", d) for d in ids)
    assert any(d.startswith("DEV_") for d in ids) and any(d.count("-") == 3 for d in ids)


def test_honest_order_statuses_have_market_rates(tables):
    ring = {r["account_id"] for r in tables["labels"]}
    status = collections.Counter(o["status"] for o in tables["orders"] if o["buyer_id"] not in ring)
    n = sum(status.values())
    assert 0.001 <= status["chargeback"] / n <= 0.015
    assert 0.01 <= status["refunded"] / n <= 0.07
    assert 0.005 <= status["cancelled"] / n <= 0.045
    assert {o["currency"] for o in tables["orders"]} <= {"USD", "GBP", "EUR", "PLN", "CAD", "AUD"}
    assert all(re.fullmatch(r"\d+\.\d\d", o["amount"]) for o in tables["orders"])


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv.gz"])
def test_other_formats_round_trip_the_same_rows(tmp_path, fmt):
    csv_counts = generate.write_marketplace(tmp_path / "csv", buyers=300, seed=9)
    counts = generate.write_marketplace(tmp_path / fmt, buyers=300, seed=9, fmt=fmt)
    assert counts == csv_counts
    for table in INPUTS:
        path = tmp_path / fmt / f"{table}.{fmt}"
        if fmt == "parquet":
            t = pq.read_table(path)
            assert t.column_names == list(generate.TABLES[table])
            n = t.num_rows
        elif fmt == "jsonl":
            lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
            assert all(list(x) == list(generate.TABLES[table]) for x in lines)
            n = len(lines)
        else:
            with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
                rows = list(csv.DictReader(f))
            n = len(rows)
        assert n == csv_counts[table]
    assert (tmp_path / fmt / "labels.csv").exists() and (tmp_path / fmt / "lookalikes.csv").exists()
    assert (tmp_path / fmt / "labels.csv").read_bytes() == (tmp_path / "csv" / "labels.csv").read_bytes()


def test_jsonl_values_match_csv(tmp_path):
    generate.write_marketplace(tmp_path / "a", buyers=300, seed=4)
    generate.write_marketplace(tmp_path / "b", buyers=300, seed=4, fmt="jsonl")
    rows = read(tmp_path / "a", "orders")
    lines = (tmp_path / "b" / "orders.jsonl").read_text(encoding="utf-8").splitlines()
    for r, line in zip(rows, lines):
        assert {k: v or None for k, v in r.items()} == json.loads(line)


def test_progress_is_reported_per_table(tmp_path):
    seen = {}
    counts = generate.write_marketplace(tmp_path, buyers=300, seed=3, on_progress=lambda t, n: seen.__setitem__(t, n))
    assert seen == counts


def test_bad_arguments_are_usage_errors(tmp_path):
    with pytest.raises(UsageError):
        generate.write_marketplace(tmp_path, buyers=300, seed=1, fmt="xml")
    with pytest.raises(UsageError):
        generate.write_marketplace(tmp_path, buyers=5, seed=1)


# --------------------------------------------------------------------------- complete or not at all

def run(*args):
    from typer.testing import CliRunner

    from graphfraud.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def snapshot(d):
    """Every file and folder under ``d``, hidden ones too, with the bytes of each file."""
    return {str(p.relative_to(d)): p.read_bytes() if p.is_file() else "folder" for p in sorted(d.rglob("*"))}


# each way a generate stops part-way: the exit code and the line it says (``{file}``: the table it was writing)
STOPS = [(KeyboardInterrupt(), 130, "interrupted\n"),
         (Terminated(signal.SIGTERM), 143, "terminated (SIGTERM)\n"),
         (OSError(errno.ENOSPC, "No space left on device"), 1,
          "error: cannot write to {file}: No space left on device\n")]


@pytest.fixture(params=STOPS, ids=["ctrl-c", "sigterm", "disk-full"])
def stop_at_orders(request, monkeypatch):
    """From its call on, the orders table fails as it is written (its header is in the file already),
    the tables before it complete: the state an interruption or a full disk left. Returns the exit
    code and the line expected."""
    error, code, says = request.param
    write = generate._Sink.write

    def failing(sink, cols):
        if sink.columns == list(generate.TABLES["orders"]):
            raise error
        return write(sink, cols)

    def arm():
        monkeypatch.setattr(generate._Sink, "write", failing)
        return code, says
    return arm


def test_a_generate_stopped_part_way_leaves_no_folder_behind(tmp_path, stop_at_orders):
    """Neither the folder nor the ones made for it, nor a temporary one: nothing a load could take for a marketplace."""
    code, says = stop_at_orders()
    out = tmp_path / "new" / "market"
    result = run("generate", out, "--buyers", 300, "--seed", 7, "--quiet")
    assert (result.exit_code, result.stderr) == (code, says.format(file=out / "orders.csv"))
    assert snapshot(tmp_path) == {}


def test_a_generate_stopped_part_way_leaves_an_empty_folder_empty(tmp_path, stop_at_orders):
    code, says = stop_at_orders()
    out = tmp_path / "market"
    out.mkdir()
    result = run("generate", out, "--buyers", 300, "--seed", 7, "--quiet", "--format", "parquet")
    assert (result.exit_code, result.stderr) == (code, says.format(file=out / "orders.parquet"))
    assert snapshot(tmp_path) == {"market": "folder"}


def test_a_forced_generate_stopped_part_way_keeps_the_earlier_marketplace(tmp_path, stop_at_orders):
    """The earlier tables are replaced only by a complete marketplace: a failure keeps every byte of them."""
    out = tmp_path / "market"
    generate.write_marketplace(out, buyers=300, seed=7)
    (out / "notes.txt").write_text("my notes")
    before = snapshot(tmp_path)
    code, says = stop_at_orders()
    result = run("generate", out, "--buyers", 300, "--seed", 8, "--format", "jsonl", "--force", "--quiet")
    assert (result.exit_code, result.stderr) == (code, says.format(file=out / "orders.jsonl"))
    assert snapshot(tmp_path) == before


def test_a_terminated_generate_leaves_nothing_behind(tmp_path):
    """The real signal, sent once the first table is on disk (the state ``kill`` found before)."""
    out = tmp_path / "market"
    command = [sys.executable, "-m", "graphfraud", "generate", str(out), "--buyers", "20000", "--seed", "3", "--quiet"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.is_file() for p in tmp_path.rglob("*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (143, "terminated (SIGTERM)\n")
    assert snapshot(tmp_path) == {}


def test_a_complete_marketplace_appears_with_its_files_alone(tmp_path):
    """Into a new folder, an empty one or over an earlier marketplace (--force): the same bytes, no temporary folder."""
    fresh, empty, forced = tmp_path / "new" / "fresh", tmp_path / "empty", tmp_path / "forced"
    empty.mkdir()
    generate.write_marketplace(forced, buyers=300, seed=8, fmt="parquet")
    (forced / "notes.txt").write_text("my notes")
    for out in (fresh, empty, forced):
        result = run("generate", out, "--buyers", 300, "--seed", 7, "--quiet", "--force")
        assert (result.exit_code, result.stderr) == (0, "")
    made = snapshot(fresh)
    assert sorted(made) == sorted(f"{t}.csv" for t in generate.TABLES)
    assert snapshot(empty) == made
    assert snapshot(forced) == made | {"notes.txt": b"my notes"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "forced", "new"]
