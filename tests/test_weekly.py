"""The weekly job on the real local server: stable ids, lineage, backfill, lock, killed runs, CLI."""

import csv
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphfraud.cli import app
from graphfraud.detection import DetectionResult, list_rings
from graphfraud.errors import NotFoundError, UsageError
from graphfraud.home import installation
from graphfraud.load import load
from graphfraud.rings import match_rings, member_id
from graphfraud.weekly import WeeklyLockedError, earlier_weeks, ring_history, run_weekly, today_utc, weekly_lock

W1, W2, W3 = date(2025, 9, 8), date(2025, 9, 15), date(2025, 9, 22)

# Planted "detections": what a detector found each week, so lineage can be checked exactly.
PLANTED = {
    W1: [["a00", "a01", "a02", "a03"], ["a04", "a05", "a06"], ["a10", "a11", "a12", "a13", "a14", "a15"]],
    # the first two merge; the third splits into 4 + 2
    W2: [["a00", "a01", "a02", "a03", "a04", "a05", "a06"], ["a10", "a11", "a12", "a13"], ["a14", "a15"]],
    # the merged ring grows; the split-off pair dissolves; a new ring appears
    W3: [["a00", "a01", "a02", "a03", "a04", "a05", "a06", "a07"], ["a10", "a11", "a12", "a13"],
         ["a20", "a21", "a22"]],
}


def write_csv(path: Path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.fixture
def small_marketplace(tmp_path) -> Path:
    """25 buyers and 2 sellers ordering daily through September 2025."""
    folder = tmp_path / "drop"
    buyers = [f"a{i:02d}" for i in range(25)]
    write_csv(folder / "accounts.csv", [["account_id", "role", "created_at", "country"]]
              + [[a, "buyer", "2025-08-25T00:00:00Z", "DE" if a < "a10" else "PL"] for a in buyers]
              + [["s1", "seller", "2025-01-01T00:00:00Z", "DE"], ["s2", "seller", "2025-01-01T00:00:00Z", "PL"]])
    orders, n = [["order_id", "buyer_id", "seller_id", "amount", "currency", "created_at", "status", "promo_code"]], 0
    for day in range(28):
        for a in buyers:
            n += 1
            when = datetime(2025, 9, 1, 12, tzinfo=timezone.utc) + timedelta(days=day)
            orders.append([f"o{n}", a, "s1" if a < "a10" else "s2", "20", "EUR" if a < "a10" else "PLN",
                           when.isoformat().replace("+00:00", "Z"), "chargeback" if n % 10 == 0 else "completed",
                           "WELCOME5" if n % 4 == 0 else ""])
    write_csv(folder / "orders.csv", orders)
    return folder


def planted_typology(group: frozenset) -> str:
    return "promo_abuse" if "a20" in group else "brushing"


def planted_detection(planted: dict, follow_previous: bool = True, typology=planted_typology):
    """A stand-in for detection that 'finds' the planted groups and hands back, unpublished, the
    writes that store them the way detection does (DetectionRun, Ring, MEMBER_OF, FOUND_BY), ids
    matched to the run the weekly job names (or, with ``follow_previous=False``, to the latest
    completed run); ``typology(group)`` names each group's typology."""
    def detect(store, as_of, progress, previous=None):
        groups = [frozenset(g) for g in planted[as_of]]
        now = datetime.now(timezone.utc).isoformat()
        run_id = f"det-test-{as_of}-{time.monotonic_ns()}"
        latest = store.read("rings_latest_run")
        if previous is not None and follow_previous:
            before = previous
        elif latest:
            before = {r["id"]: frozenset(r["members"]) for r in store.read("rings_of_run", run_id=latest[0]["id"])}
        else:
            before = {}
        ids, events = match_rings(before, groups, member_id)
        rows = [{"id": i, "score": 70.0 + len(g), "typology": typology(g),
                 "typology_basis": "planted", "size": len(g), "seller_count": 0, "buyer_count": len(g),
                 "reasons": json.dumps([{"text": f"{len(g)} accounts ordered from one seller"}])}
                for i, g in zip(ids, groups)]
        writes = [
            ("rings_run_start", {"id": run_id, "started_at": now, "as_of": as_of.isoformat(), "params": "{}",
                                  "installation": installation()}),
            ("rings_upsert", {"run_id": run_id, "now": now, "rows": rows}),
            ("rings_clear_members", {"ids": ids}),
            ("rings_members", {"run_id": run_id, "rows": [{"account_id": a, "ring_id": i, "role": "buyer"}
                                                          for i, g in zip(ids, groups) for a in g]}),
            ("rings_run_end", {"id": run_id, "ended_at": now, "timings": "{}", "counts": "{}",
                               "lineage": json.dumps(events), "status": "complete"}),
        ]
        rings = [{**row, "members": sorted(g), "countries": ["DE"] * len(g)} for row, g in zip(rows, groups)]
        return DetectionResult(run_id=run_id, as_of=as_of.isoformat(), rings=rings, dismissed={}, counts={},
                               timings={}, params={}, lineage=events, writes=writes)
    return detect


def run(store, day, out, load=None, planted=PLANTED, **kw):
    return run_weekly(store, day, load, out / day.isoformat(), detect=planted_detection(planted), **kw)


def ids_by_members(store, result) -> dict[frozenset, str]:
    rows = store.read("rings_of_run", run_id=result.detection_run)
    return {frozenset(r["members"]): r["id"] for r in rows}


def kinds(history) -> list[tuple]:
    return [(h["as_of"], h["kind"], h["size"], h["from"], h["into"]) for h in history]


# --------------------------------------------------------------------------- lineage

def test_merge_and_split_produce_the_right_lineage(store, small_marketplace, tmp_path):
    r1 = run(store, W1, tmp_path, load=small_marketplace)
    first = ids_by_members(store, r1)
    big, small, six = (first[frozenset(PLANTED[W1][i])] for i in range(3))
    r2 = run(store, W2, tmp_path)
    second = ids_by_members(store, r2)
    assert r2.previous_run == r1.weekly_run
    assert r2.lineage == {"merged": 2, "split": 2}

    merged = second[frozenset(PLANTED[W2][0])]
    assert merged == big  # the larger overlap keeps its id
    assert kinds(ring_history(store, big)) == [("2025-09-08", "new", 4, [], []), ("2025-09-15", "merged", 7, [small], [])]
    assert kinds(ring_history(store, small)) == [("2025-09-08", "new", 3, [], []),
                                                  ("2025-09-15", "merged", 0, [], [big])]

    part = second[frozenset(["a14", "a15"])]
    assert second[frozenset(PLANTED[W2][1])] == six  # the largest part keeps the id
    six_history = ring_history(store, six)
    assert kinds(six_history) == [("2025-09-08", "new", 6, [], []), ("2025-09-15", "split", 4, [], [part])]
    assert six_history[-1]["removed_ids"] == ["a14", "a15"]
    assert kinds(ring_history(store, part)) == [("2025-09-15", "split", 2, [six], [])]

    r3 = run(store, W3, tmp_path)
    assert r3.lineage == {"dissolved": 1, "grown": 1, "new": 1, "unchanged": 1}
    assert ring_history(store, big)[-1]["added_ids"] == ["a07"]
    assert kinds(ring_history(store, part))[-1] == ("2025-09-22", "dissolved", 0, [], [])
    assert r3.metrics.new_rings == 1 and r3.metrics.new_by_typology == {"promo_abuse": 1}


def test_a_ring_that_splits_back_to_the_members_it_was_found_as(store, small_marketplace, tmp_path):
    core, rest = ["a00", "a01", "a02"], ["a03", "a04", "a05", "a06"]
    planted = {W1: [core], W2: [core + rest], W3: [core, rest]}
    r1 = run(store, W1, tmp_path, load=small_marketplace, planted=planted)
    ring = ids_by_members(store, r1)[frozenset(core)]
    run(store, W2, tmp_path, planted=planted)
    r3 = run(store, W3, tmp_path, planted=planted)
    third = ids_by_members(store, r3)
    part = third[frozenset(core)]
    assert third[frozenset(rest)] == ring and part != ring, "the ring lives on in its larger part"
    assert r3.lineage == {"split": 2} and not any("another run" in n for n in r3.notes)
    assert kinds(ring_history(store, ring))[-1] == ("2025-09-22", "split", 4, [], [part])
    assert kinds(ring_history(store, part)) == [("2025-09-22", "split", 3, [ring], [])]


def test_backfill_links_to_the_week_before_and_gives_the_same_result(store, small_marketplace, tmp_path):
    run(store, W1, tmp_path, load=small_marketplace)
    r2 = run(store, W2, tmp_path)
    ids2 = ids_by_members(store, r2)
    run(store, W3, tmp_path)
    again = run_weekly(store, W2, None, tmp_path / "again", detect=planted_detection(PLANTED))
    assert again.previous_run == r2.previous_run  # W1, not W3 which is already stored
    assert again.lineage == r2.lineage
    assert ids_by_members(store, again) == ids2
    assert again.later_weeks == 1
    assert "backfill: 1 later week (from 2025-09-22) was linked before this run; run it again to refresh its lineage" \
        in again.notes
    for key in ("active_rings", "new_rings", "accounts", "gmv", "promo_spend", "chargeback", "ttd_days"):
        assert getattr(again.metrics, key) == getattr(r2.metrics, key)
    assert (tmp_path / "again" / "report.md").read_text().split("\n", 3)[3] == \
        (tmp_path / W2.isoformat() / "report.md").read_text().split("\n", 3)[3]  # same but for the run id line


GROW_THEN_MERGE = {
    W1: [["a00", "a01", "a02"], ["a10", "a11", "a12", "a13", "a14", "a15"]],
    W2: [["a00", "a01", "a02", "a03"], ["a10", "a11", "a12", "a13", "a14", "a15"]],
    W3: [["a00", "a01", "a02", "a03", "a10", "a11", "a12", "a13", "a14", "a15"]],
}


def test_a_week_run_again_replaces_what_its_earlier_run_said_in_rings_history(store, small_marketplace, tmp_path):
    """Only the latest run of a week speaks for it: a ring id an earlier run of the week gave, and
    the re-run gave to other members or none, no longer shows that week in its history."""
    first, other = ["a00", "a01", "a02"], ["a03", "a04", "a05"]
    r1 = run(store, W1, tmp_path, load=small_marketplace, planted={W1: [first]})
    ring = ids_by_members(store, r1)[frozenset(first)]
    run(store, W2, tmp_path, planted={W2: [first]})
    again = run(store, W1, tmp_path / "again", planted={W1: [other]})
    assert ring not in ids_by_members(store, again).values()
    assert kinds(ring_history(store, ring)) == [("2025-09-15", "unchanged", 3, [], [])], \
        "the first run's W1 snapshot of this id is superseded by the re-run"
    replaced = ids_by_members(store, again)[frozenset(other)]
    assert kinds(ring_history(store, replaced)) == [("2025-09-08", "new", 3, [], [])]
    later = run(store, W3, tmp_path, planted={W3: [first]})
    assert later.lineage.get("returning", 0) == 0, "W2 flagged them, not the W1 that was run again"


@pytest.mark.parametrize("follows", [True, False], ids=["detection-follows-the-week-before", "detection-follows-latest"])
def test_backfill_is_not_confused_by_a_later_merge(store, small_marketplace, tmp_path, follows):
    def go(day, out):
        return run_weekly(store, day, small_marketplace if day == W1 else None, tmp_path / out,
                          detect=planted_detection(GROW_THEN_MERGE, follow_previous=follows))

    go(W1, "1")
    r2 = go(W2, "2")
    ids2 = ids_by_members(store, r2)
    go(W3, "3")  # the grown ring merges into the larger one
    again = go(W2, "again")
    if follows:
        assert ids_by_members(store, again) == ids2 and again.lineage == r2.lineage
        assert not any("another run" in n for n in again.notes)
    else:
        # Detection linked the week to the later merge, so the grown ring got a new id; the job
        # keeps detection's ids, says so, and compares rings by id for the week.
        assert ids_by_members(store, again) != ids2
        assert any("matched ring ids against another run" in n for n in again.notes)
        assert sum(again.lineage.values()) == 3  # two rings this week, one of last week's by id gone


def test_a_ring_that_comes_back_after_a_quiet_week_is_returning_not_new(store, small_marketplace, tmp_path):
    planted = {W1: [["a00", "a01", "a02", "a03"]], W2: [], W3: [["a00", "a01", "a02", "a03", "a04"]]}
    run(store, W1, tmp_path, load=small_marketplace, planted=planted)
    assert run(store, W2, tmp_path, planted=planted).lineage == {"dissolved": 1}
    r3 = run(store, W3, tmp_path, planted=planted)
    assert r3.lineage == {"returning": 1}, "the same split as the report's ring changes"
    assert r3.metrics.new_rings == 0 and r3.metrics.ttd_days == []
    assert "1 returning" in (tmp_path / W3.isoformat() / "report.md").read_text()


def test_a_run_off_the_weekly_cycle_hands_its_changes_to_the_next_weeks_report(store, small_marketplace, tmp_path):
    """A run four days after last week's is left out of the report's comparisons and trends; the
    ring it flagged first, and the growth it saw, are the next week's news, not 'unchanged'."""
    core, grown, fresh = ["a00", "a01", "a02", "a03"], ["a00", "a01", "a02", "a03", "a04"], ["a20", "a21", "a22"]
    off = W1 + timedelta(days=4)
    planted = {W1: [core], off: [grown, fresh], W2: [grown, fresh]}
    run(store, W1, tmp_path, load=small_marketplace, planted=planted)
    r_off = run(store, off, tmp_path, planted=planted)
    r2 = run(store, W2, tmp_path, planted=planted)
    assert r_off.lineage == r2.lineage == {"grown": 1, "new": 1}
    assert r2.metrics.new_rings == 1 and r2.metrics.new_by_typology == {"promo_abuse": 1}
    assert r2.metrics.ttd_days == r_off.metrics.ttd_days != [], "detected when the off-cycle run flagged it"
    new_ring = ids_by_members(store, r2)[frozenset(fresh)]
    assert kinds(ring_history(store, new_ring)) == [(off.isoformat(), "new", 3, [], []),
                                                    (W2.isoformat(), "unchanged", 3, [], [])], \
        "each run's lineage still follows the run before it"
    report = (tmp_path / W2.isoformat() / "report.md").read_text()
    assert new_ring in report and "left out of the comparisons and trends" in report.lower()


def order_rows(buyers, seller, first: date, last: date, every: int = 1, status="completed", promo=""):
    """Orders placed at noon UTC by each buyer with ``seller`` from ``first`` to ``last``, every ``every`` days."""
    days = range(0, (last - first).days + 1, every)
    return [[f"o-{b}-{seller}-{first + timedelta(days=d)}-{status}-{promo}", b, seller, "20", "EUR",
             f"{first + timedelta(days=d)}T12:00:00Z", status, promo] for b in buyers for d in days]


RINGS_BY_TYPOLOGY = {  # members (sellers "s…" among them), each ring's typology
    ("c0", "c1", "c2"): "chargeback", ("b0", "b1", "b2", "sb"): "brushing", ("l0", "l1", "sl"): "collusion",
    ("p0", "p1", "p2"): "promo_abuse", ("f0", "f1"): "brushing"}


@pytest.fixture
def typology_marketplace(tmp_path) -> Path:
    """Ring members who shopped at ordinary shops for months before their ring started (W2 = 15 Sep):
    the chargeback ring charged back from 10 Sep at the shop it always used (one member had charged
    back elsewhere on 20 Jul), the brushing and
    collusion rings bought from their own sellers from 12 and 13 Sep, the promo ring shared a code from
    9 Sep; one brushing ring has no seller of its own and shopped at one shop from 1 Aug."""
    folder = tmp_path / "typologies"
    members = [a for ring in RINGS_BY_TYPOLOGY for a in ring]
    write_csv(folder / "accounts.csv", [["account_id", "role", "created_at", "country"]]
              + [[a, "seller" if a.startswith("s") else "buyer", "2025-06-01T00:00:00Z", "DE"] for a in members]
              + [[s, "seller", "2025-01-01T00:00:00Z", "DE"] for s in ("shopC", "shopX", "shopF")])
    july, end = date(2025, 7, 1), date(2025, 9, 15)
    everyday = ["b0", "b1", "b2", "l0", "l1", "p0", "p1", "p2"]
    orders = (order_rows(["c0", "c1", "c2"], "shopC", july, end, every=2)
              + order_rows(["c2"], "shopC", date(2025, 8, 2), date(2025, 8, 2), status="refunded")
              + order_rows(["c0"], "shopC", date(2025, 9, 10), end, status="chargeback")
              + order_rows(["c1"], "shopC", date(2025, 9, 11), date(2025, 9, 11), status="disputed")
              + order_rows(["c2"], "shopX", date(2025, 7, 20), date(2025, 7, 20), status="chargeback")   # its own
              + order_rows(everyday, "shopX", july, end, every=2)
              + order_rows(["b0", "b1", "b2"], "sb", date(2025, 9, 12), end)
              + order_rows(["l0", "l1"], "sl", date(2025, 9, 13), end)
              + order_rows(["p0"], "shopX", date(2025, 7, 5), date(2025, 7, 5), promo="SOLO5")
              + order_rows(["p0", "p1"], "shopX", date(2025, 9, 9), end, promo="SHARED10")
              + order_rows(["f0", "f1"], "shopF", date(2025, 8, 1), end, every=3))
    write_csv(folder / "orders.csv", [["order_id", "buyer_id", "seller_id", "amount", "currency", "created_at",
                                       "status", "promo_code"]] + orders)
    return folder


def test_days_to_detection_count_from_the_first_order_the_typology_makes_fraud(store, typology_marketplace,
                                                                                tmp_path):
    planted = {W1: [], W2: [list(ring) for ring in RINGS_BY_TYPOLOGY]}
    detect = planted_detection(planted, typology=lambda g: next(t for r, t in RINGS_BY_TYPOLOGY.items() if set(r) == g))
    run_weekly(store, W1, typology_marketplace, tmp_path / "1", detect=detect)
    r2 = run_weekly(store, W2, None, tmp_path / "2", detect=detect)
    # chargeback: the first chargeback (10 Sep) at the shop two members disputed at, not the first order
    # there (1 Jul), a refund, or one member's own chargeback elsewhere (20 Jul);
    # brushing and collusion: the first order with their own seller (12 and 13 Sep); promo abuse: the
    # first use of a code two members used (9 Sep, not a code one member used on 5 Jul); the brushing
    # ring with no seller of its own: its first order at the shop with most of its orders (1 Aug)
    assert r2.metrics.ttd_days == [2, 3, 5, 6, 45]
    for text in (r2.report_md.read_text(), r2.report_html.read_text()):
        assert "everyday shopping does not count" not in text
        assert "for a chargeback ring, the first that ended in a chargeback or dispute" in text


def test_the_first_weekly_run_is_the_baseline_and_later_weeks_do_not_count_it_as_zero(store, small_marketplace,
                                                                                       tmp_path):
    r1 = run(store, W1, tmp_path, load=small_marketplace)
    m = r1.metrics
    assert m.baseline and (m.new_rings, m.ttd_days, m.new_by_typology, m.new_identifier_kinds) == (0, [], {}, {})
    assert r1.lineage == {"baseline": 3}
    caveat = ("First weekly run: its 3 rings are the baseline, not counted as new rings and with no days to detection; "
              "rings first flagged from the next run on are new.")
    md, html = r1.report_md.read_text(), r1.report_html.read_text()
    assert f"**Note:** {caveat}" in md and f"<li>{caveat}</li>" in html
    assert "| New rings | **–** | baseline | – | – |" in md
    assert "None counted: this is the first weekly run, and its rings are the baseline." in md
    big = ids_by_members(store, r1)[frozenset(PLANTED[W1][0])]
    assert kinds(ring_history(store, big))[0] == ("2025-09-08", "new", 4, [], []), "lineage still says new"

    r2 = run(store, W2, tmp_path)
    assert not r2.metrics.baseline
    assert "| New rings | **0** | last week: baseline | – | – |" in r2.report_md.read_text()
    r3 = run(store, W3, tmp_path)
    assert r3.metrics.new_rings == 1
    assert "| New rings | **1** | new | 0 | 0 |" in r3.report_md.read_text(), "averaged over the week to 15 Sep only"
    assert "| 2025-09-08 | 3 | 3 | baseline |" in r3.report_md.read_text()


def test_a_first_week_stored_before_baselines_were_kept_is_still_the_baseline(store, small_marketplace, tmp_path):
    r1 = run(store, W1, tmp_path, load=small_marketplace)
    run(store, W2, tmp_path)
    stored = json.loads(store.run_cypher("MATCH (w:WeeklyRun {id: $id}) RETURN w.metrics AS m",
                                         {"id": r1.weekly_run})[1][0]["m"])
    del stored["baseline"]   # as an older graphfraud stored it
    store.run_cypher("MATCH (w:WeeklyRun {id: $id}) SET w.metrics = $m", {"id": r1.weekly_run, "m": json.dumps(stored)},
                     write=True)
    assert "| 2025-09-08 | 3 | 3 | baseline |" in run(store, W3, tmp_path).report_md.read_text()


def test_a_backfill_before_every_stored_week_is_the_baseline(store, small_marketplace, tmp_path):
    run(store, W2, tmp_path, load=small_marketplace)
    run(store, W3, tmp_path)
    first = run(store, W1, tmp_path)
    assert first.metrics.baseline and first.metrics.new_rings == 0 and first.lineage == {"baseline": 3}
    assert not run(store, W2, tmp_path).metrics.baseline, "linked to the backfilled week now"


def test_active_rings_are_those_whose_members_ordered_in_the_week(store, small_marketplace, tmp_path):
    from graphfraud.load import load

    quiet = tmp_path / "quiet"  # three buyers who stopped ordering in August
    write_csv(quiet / "accounts.csv", [["account_id", "role", "created_at", "country"]]
              + [[a, "buyer", "2025-06-01T00:00:00Z", "DE"] for a in ("q0", "q1", "q2")])
    write_csv(quiet / "orders.csv", [["order_id", "buyer_id", "seller_id", "amount", "currency", "created_at",
                                      "status", "promo_code"]]
              + order_rows(["q0", "q1", "q2"], "s1", date(2025, 8, 1), date(2025, 8, 20), every=5))
    load(store, [quiet])
    r1 = run(store, W1, tmp_path, load=small_marketplace, planted={W1: PLANTED[W1] + [["q0", "q1", "q2"]]})
    assert (r1.metrics.active_rings, r1.metrics.rings_on_file, r1.rings) == (3, 4, 4)
    assert r1.metrics.accounts == 13, "members of active rings only"
    assert r1.summary()["active_rings"] == 3 and r1.summary()["rings"] == 4
    md, html = r1.report_md.read_text(), r1.report_html.read_text()
    assert "| Active rings | **3** |" in md and "Rings on file: **4**" in md
    assert "Rings on file: <strong>4</strong>" in html
    for text in (md, html):
        assert "members placed at least one order in the 7 days to 2025-09-08" in text


def test_caveats_in_the_report_are_sentences(store, small_marketplace, tmp_path):
    close = date(2025, 9, 11)   # three days after W1: left out of W2's comparisons
    planted = {W1: PLANTED[W1], close: PLANTED[W1], W2: PLANTED[W2]}
    run(store, W1, tmp_path, load=small_marketplace, planted=planted)
    run(store, close, tmp_path, planted=planted)
    md = run(store, W2, tmp_path, planted=planted).report_md.read_text()
    assert ("**Note:** Left out of the comparisons and trends, as less than 5 days from the next (their orders would "
            "count twice): 1 earlier run, 2025-09-11.\n") in md


def test_report_money_is_the_week_of_ring_orders_in_one_currency(store, small_marketplace, tmp_path):
    r1 = run(store, W1, tmp_path, load=small_marketplace)
    # Week to 8 Sep: 1-8 Sep is 8 days of data, the window is the 7 days 2-8 Sep; 13 ring members
    # (a00-a06 pay EUR 20, a10-a15 pay PLN 20 at 0.23).
    assert r1.metrics.accounts == 13
    assert r1.metrics.gmv == pytest.approx(7 * (7 * 20 + 6 * 20 * 0.23))
    assert r1.metrics.unconverted == {}
    html = r1.report_html.read_text()
    assert html.count("<svg") == 3 and "a00" not in html


def test_promo_spend_is_defined_in_plain_english(store, small_marketplace, tmp_path):
    r1 = run(store, W1, tmp_path, load=small_marketplace)
    md, html = r1.report_md.read_text(), r1.report_html.read_text()
    assert ("*Promo / subsidy spend abused*: estimated at 15% (the assumed average discount) of the value of the "
            "orders ring members placed with a promo code this week.") in md
    assert "<dd>Estimated at 15% (the assumed average discount) of the value" in html
    assert "Estimated subsidy:" not in md + html


GAP = date(2026, 6, 15)  # 39 weeks after W2


def test_a_run_after_months_without_one_does_not_call_the_old_run_last_week(store, small_marketplace, tmp_path):
    planted = {W1: PLANTED[W1], W2: PLANTED[W2], GAP: PLANTED[W3]}
    run(store, W1, tmp_path, load=small_marketplace, planted=planted)
    r2 = run(store, W2, tmp_path, planted=planted)
    late = run(store, GAP, tmp_path, planted=planted)
    assert late.previous_run == r2.weekly_run  # lineage still follows the ring from its last run
    gap = "no run last week (previous run 2025-09-15, 39 weeks earlier)"
    assert any(n.startswith(f"{gap}: the report does not compare with last week") for n in late.notes)
    md, html = late.report_md.read_text(), late.report_html.read_text()
    for text in (md, html):
        assert f"N{gap[1:]}." in text
        assert "2025-09" not in text.split("How to read")[0].replace("2025-09-15, 39 weeks", "")  # not in the trend
    assert "| Active rings | **0** | no run last week | – | – |" in md  # no orders in June 2026
    assert "Rings on file: **3**" in md
    assert "vs last week (" not in html
    assert "## Trend (the last week; charts in report.html)" in md


def test_runs_a_day_or_two_off_schedule_still_count_as_consecutive_weeks():
    runs = [{"as_of": d, "metrics": json.dumps({"as_of": d, "run_id": d, "active_rings": 1})}
            for d in ("2026-03-03", "2026-02-23", "2026-02-15")]  # 6 and 8 days apart: a slipped Monday
    weeks, notes = earlier_weeks(runs, date(2026, 3, 9), "EUR")
    assert [w.as_of for w in weeks] == ["2026-02-15", "2026-02-23", "2026-03-03"] and notes == []


def test_the_trend_keeps_only_the_runs_of_the_last_twelve_weeks():
    days = [date(2026, 3, 1) - timedelta(weeks=k) for k in range(0, 20)]
    runs = [{"as_of": d.isoformat(), "metrics": json.dumps({"as_of": d.isoformat(), "run_id": str(d)})}
            for d in days[1:]]
    weeks, _ = earlier_weeks(runs, days[0], "EUR")
    assert [w.as_of for w in weeks] == [d.isoformat() for d in reversed(days[1:12])]  # 11 earlier + this one
    old = [r for r in runs if r["as_of"] <= "2025-12-07"]  # 12 weeks and more before: nothing to trend
    assert earlier_weeks(old, days[0], "EUR") == ([], [])


def test_rings_actioned_and_case_decisions_are_the_weeks_own(store, small_marketplace, tmp_path):
    from graphfraud import cases

    r1 = run(store, W1, tmp_path, load=small_marketplace)
    a, b, c = sorted(ids_by_members(store, r1).values())
    in_week = datetime(2025, 9, 12, 10, tzinfo=timezone.utc)      # inside the week to W2 (9 to 15 September)
    cases.mark(store, a, "actioned", "accounts closed", by="t", at=in_week)
    cases.mark(store, b, "actioned", "closed the week before", by="t", at=in_week - timedelta(days=7))
    cases.mark(store, c, "confirmed", "looked at, not yet actioned", by="t", at=in_week)
    r2 = run(store, W2, tmp_path)
    assert r2.metrics.actioned == 1
    decisions = f"Case decisions this week: 1 actioned (`{a}`), 1 confirmed (`{c}`)."
    assert decisions in r2.report_md.read_text()
    assert b not in r2.report_md.read_text().split("Case decisions")[1].split("\n")[0]
    cases.mark(store, a, "dismissed", "the closure was reversed", by="t", at=in_week + timedelta(days=7, hours=1))
    cases.mark(store, c, "actioned", "closed", by="t", at=in_week + timedelta(days=7))
    cases.mark(store, c, "dismissed", "wrong ring closed", by="t", at=in_week + timedelta(days=7, hours=2))
    r3 = run(store, W3, tmp_path)
    assert r3.metrics.actioned == 0, "set actioned and dismissed in one week: the headline agrees with the decisions"
    assert f"Case decisions this week: 2 dismissed (`{a}`, `{c}`)." in r3.report_md.read_text()


# --------------------------------------------------------------------------- real detection

def cut(src: Path, dest: Path, start: date | None, end: date) -> Path:
    """The rows of a generated marketplace that arrived in (start, end]: one weekly drop."""
    def day(ts):
        return datetime.fromisoformat(ts.replace("Z", "+00:00")).date()

    def inside(d):
        return (start is None or d > start) and d <= end

    with open(src / "accounts.csv", newline="") as f:
        created = {r["account_id"]: day(r["created_at"]) for r in csv.DictReader(f)}
    for table in ("accounts", "account_devices", "account_addresses", "account_payment_instruments", "orders"):
        with open(src / f"{table}.csv", newline="") as f:
            reader = csv.DictReader(f)
            rows = [r for r in reader
                    if inside(day(r["created_at"]) if table == "orders" else created[r["account_id"]])]
            write_csv(dest / f"{table}.csv", [reader.fieldnames] + [list(r.values()) for r in rows])
    return dest


def test_two_drops_loaded_week_by_week_keep_their_ring_ids(store, tmp_path):
    from graphfraud.generate import write_marketplace

    start = date(2025, 9, 1)
    write_marketplace(tmp_path / "m", buyers=1000, seed=5, start=start, weeks=6)
    week1, week2 = start + timedelta(days=27), start + timedelta(days=34)
    r1 = run_weekly(store, week1, cut(tmp_path / "m", tmp_path / "d1", None, week1), tmp_path / "r1")
    rings1 = {v: k for k, v in ids_by_members(store, r1).items()}
    r2 = run_weekly(store, week2, cut(tmp_path / "m", tmp_path / "d2", week1, week2), tmp_path / "r2")
    rings2 = {v: k for k, v in ids_by_members(store, r2).items()}
    assert r1.rings >= 2 and r2.rings >= 2 and r2.previous_run == r1.weekly_run

    # Every ring of week 1 that week 2 finds again (Jaccard >= 0.5) carries the same id.
    same = 0
    for rid, members in rings1.items():
        best = max(rings2.items(), key=lambda kv: len(kv[1] & members) / len(kv[1] | members))
        if len(best[1] & members) / len(best[1] | members) >= 0.5:
            assert best[0] == rid
            same += 1
            kinds_seen = [h["kind"] for h in ring_history(store, rid)]
            assert kinds_seen[0] == "new" and kinds_seen[1] in ("grown", "shrunk", "unchanged", "merged", "split")
    assert same >= 1

    # The same data and date give the same result.
    again = run_weekly(store, week2, None, tmp_path / "again")
    assert {v: k for k, v in ids_by_members(store, again).items()} == rings2
    assert again.lineage == r2.lineage
    for key in ("active_rings", "new_rings", "accounts", "gmv", "promo_spend", "chargeback", "ttd_days",
                "new_by_typology", "money_by_typology", "countries", "identifier_kinds"):
        assert getattr(again.metrics, key) == getattr(r2.metrics, key), key


# --------------------------------------------------------------------------- lock and kill

def test_a_second_run_is_refused_while_the_lock_is_held(store, small_marketplace, tmp_path):
    with weekly_lock(what={"as_of": "2025-09-08", "started_at": "earlier"}):
        with pytest.raises(WeeklyLockedError, match=r"another weekly run is in progress \(pid \d+, as of 2025-09-08"):
            run(store, W1, tmp_path, load=small_marketplace)
        result = CliRunner().invoke(app, ["weekly", "--as-of", "2025-09-08", "--out", str(tmp_path / "x"), "--quiet"])
        assert result.exit_code == 75
        assert "another weekly run is in progress" in result.stderr
        line = json.loads(result.stdout)
        assert line["status"] == "error" and line["exit_code"] == 75
    assert store.read("weekly_recent_runs", as_of="2030-01-01", limit=5) == []  # nothing was written
    run(store, W1, tmp_path, load=small_marketplace)  # the lock was released


KILLED_RUN = textwrap.dedent("""
    import sys, time
    from datetime import date
    from pathlib import Path
    import graphfraud.weekly as weekly
    sys.path.insert(0, sys.argv[3])
    from test_weekly import PLANTED, planted_detection

    def stuck(data, out_dir):  # snapshots are written; the run hangs before publishing
        Path(sys.argv[1]).write_text("ready")
        time.sleep(600)

    weekly.staged_report = stuck
    from graphfraud.store import Store
    with Store.open() as store:
        weekly.run_weekly(store, date.fromisoformat(sys.argv[2]), None, Path(sys.argv[1]).parent / "out",
                          detect=planted_detection(PLANTED))
""")


def kill_when_ready(script_text: str, tmp_path: Path, day: date, *args: str) -> None:
    """Run a weekly run in another process, and kill it (SIGKILL) once it says it got where the script stops it."""
    ready = tmp_path / "ready"
    script = tmp_path / "killed.py"
    script.write_text(script_text)
    proc = subprocess.Popen([sys.executable, str(script), str(ready), day.isoformat(), str(Path(__file__).parent),
                             *args], env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, "the run never got to the step it is killed at"
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_a_killed_run_leaves_last_week_intact_and_can_be_run_again(store, small_marketplace, tmp_path):
    r1 = run(store, W1, tmp_path, load=small_marketplace)
    ids = ids_by_members(store, r1)
    before = {rid: ring_history(store, rid) for rid in ids.values()}
    listed = list_rings(store, members=True)

    kill_when_ready(KILLED_RUN, tmp_path, W2)

    # Nothing of the killed run is visible: last week's lineage, figures and rings are as they were.
    assert {rid: ring_history(store, rid) for rid in ids.values()} == before
    assert list_rings(store, members=True) == listed
    recent = store.read("weekly_recent_runs", as_of="2030-01-01", limit=5)
    assert [r["id"] for r in recent] == [r1.weekly_run]

    # Run again: the lock died with the process, the leftovers are abandoned, the week is done.
    r2 = run(store, W2, tmp_path)
    assert len(r2.abandoned) == 1 and r2.previous_run == r1.weekly_run
    assert r2.lineage == {"merged": 2, "split": 2}
    assert [h["as_of"] for h in ring_history(store, ids[frozenset(PLANTED[W1][0])])] == ["2025-09-08", "2025-09-15"]


KILLED_DURING_LOAD = textwrap.dedent("""
    import sys, time
    from datetime import date
    from pathlib import Path
    import graphfraud.weekly as weekly
    from graphfraud.store import Store
    sys.path.insert(0, sys.argv[3])
    from test_weekly import PLANTED, planted_detection

    write, write_together = Store.write, Store.write_together

    def hang_once_the_load_started(names):  # the load run is recorded; the run hangs in its load
        if "load_run_start" in names:
            Path(sys.argv[1]).write_text("ready")
            time.sleep(600)

    def stuck_write(self, name, **params):
        rows = write(self, name, **params)
        hang_once_the_load_started([name])
        return rows

    def stuck_write_together(self, parts):
        write_together(self, parts)
        hang_once_the_load_started([name for name, _ in parts])

    Store.write, Store.write_together = stuck_write, stuck_write_together
    with Store.open() as store:
        weekly.run_weekly(store, date.fromisoformat(sys.argv[2]), Path(sys.argv[4]), Path(sys.argv[1]).parent / "out",
                          detect=planted_detection(PLANTED))
""")


STOPPED_RUN = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    import graphfraud.weekly as weekly
    from graphfraud.__main__ import main
    from graphfraud.store import Store
    from test_weekly import PLANTED, planted_detection

    ready, day, when = Path(sys.argv[1]), sys.argv[2], sys.argv[4]

    def hanging(*args):   # a long detection: the run is stopped in it
        ready.write_text("ready")
        time.sleep(600)

    write_together = Store.write_together

    def stopped_once_published(self, parts):   # the signal comes between the publish and the report's swap
        write_together(self, parts)
        if any(name == "weekly_run_end" for name, _ in parts):
            os.kill(os.getpid(), signal.SIGTERM)

    if when == "detecting":
        weekly._detect = hanging
    else:
        weekly._detect = planted_detection(PLANTED)
        Store.write_together = stopped_once_published
    sys.argv = ["graphfraud", "weekly", "--as-of", day, "--out", str(ready.parent / "out"), "--quiet"]
    main()
""")


def stopped_run(tmp_path: Path, when: str, signum: int | None = None) -> subprocess.CompletedProcess:
    """A weekly run in its own process (the command, with its signal handling), stopped by ``signum``
    while it detects, or by SIGTERM just after it published (``when``)."""
    ready, script = tmp_path / "ready", tmp_path / "stopped.py"
    script.write_text(STOPPED_RUN)
    proc = subprocess.Popen([sys.executable, str(script), str(ready), W1.isoformat(), str(Path(__file__).parent),
                             when], env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if when == "detecting":
            deadline = time.monotonic() + 120
            while not ready.exists():
                assert proc.poll() is None, proc.communicate()[1][-3000:]
                assert time.monotonic() < deadline, "the run never got to where it is stopped"
                time.sleep(0.2)
            proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()   # a test that failed on the way leaves no run behind
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def weekly_runs(store) -> list[str]:
    return [r["status"] for r in store.run_cypher("MATCH (w:WeeklyRun) RETURN w.status AS status", {})[1]]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["sigterm", "sighup"])
def test_a_run_stopped_by_its_scheduler_is_marked_failed_and_still_prints_its_json_line(
        store, small_marketplace, tmp_path, signum):
    """``systemctl stop`` sends SIGTERM: the run ends as a Ctrl-C ends it (marked failed, the locks let
    go), with one JSON line and 128 + the signal; the week then simply runs again."""
    load(store, [small_marketplace])
    done = stopped_run(tmp_path, "detecting", signum)
    name = signal.Signals(signum).name
    assert done.returncode == 128 + signum, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"status": "error", "as_of": W1.isoformat(), "exit_code": 128 + signum, "error": f"terminated ({name})"}]
    assert done.stderr.strip() == f"terminated ({name})"
    assert weekly_runs(store) == ["failed"]
    assert run(store, W1, tmp_path).rings == len(PLANTED[W1]), "the locks were let go"


def test_a_stop_that_comes_as_the_run_publishes_waits_for_its_report(store, small_marketplace, tmp_path):
    """Stopped between its publish and its report's swap into place, a run was published and marked
    failed, its lineage deleted: the signal now waits for both, and the run stays complete."""
    load(store, [small_marketplace])
    done = stopped_run(tmp_path, "publishing")
    assert done.returncode == 143, done.stderr
    assert weekly_runs(store) == ["complete"]
    assert (tmp_path / "out" / "report.html").exists() and (tmp_path / "out" / "report.md").exists()
    _, rings = list_rings(store)
    assert len(rings) == len(PLANTED[W1]) and all(ring_history(store, r["ring_id"]) for r in rings), \
        "the week's rings and their lineage are kept"


def test_a_weekly_run_waits_for_a_load_or_detection_running_when_it_starts(store, small_marketplace, tmp_path):
    """Refused (exit 75 and 'not a failure' to systemd), a colliding week would be skipped, not retried:
    the weekly job waits for the graph lock, writes nothing while waiting, then does its week."""
    import threading

    from graphfraud.home import home
    from graphfraud.locks import GraphBusyError, held

    run(store, W1, tmp_path, load=small_marketplace)
    done = {}
    with held(home() / "graph.lock", {"command": "load"}, GraphBusyError):   # as another process holds it
        weekly = threading.Thread(target=lambda: done.update(result=run(store, W2, tmp_path)))
        weekly.start()
        time.sleep(1.0)
        assert weekly.is_alive()
        assert store.run_cypher("MATCH (w:WeeklyRun {as_of: date($d)}) RETURN count(w) AS n",
                                {"d": W2.isoformat()})[1] == [{"n": 0}], "nothing written while it waits"
    weekly.join(120)
    assert done["result"].as_of == W2 and done["result"].previous_run


def test_a_run_killed_during_its_load_leaves_no_load_running(store, small_marketplace, tmp_path):
    # a `graphfraud load` killed earlier: no two loads of one home run at once
    store.write("load_run_start", id="load-killed-before", started_at="2025-09-08T10:00:00Z", files=["orders.csv"],
                sha256=["0" * 64], installation=installation())
    kill_when_ready(KILLED_DURING_LOAD, tmp_path, W1, str(small_marketplace))
    killed = {r["id"]: r["status"] for r in store.read("load_runs", limit=10)}
    assert killed.pop("load-killed-before") == "abandoned", "the weekly run's load marked it so as it began"
    assert list(killed.values()) == ["running"]

    again = run(store, W1, tmp_path, load=small_marketplace)
    assert len(again.abandoned) == 1
    loads = {r["id"]: r["status"] for r in store.read("load_runs", limit=10)}
    assert loads.pop("load-killed-before") == "abandoned"
    assert loads.pop(again.load_run) == "complete"
    assert list(loads.values()) == ["abandoned"] and set(loads) == set(killed)


def test_a_run_that_fails_to_publish_leaves_the_weeks_report_as_it_was(store, small_marketplace, tmp_path,
                                                                       monkeypatch):
    r1 = run(store, W1, tmp_path, load=small_marketplace)
    folder = tmp_path / W1.isoformat()
    published = {p.name: p.read_bytes() for p in folder.iterdir()}
    publish = store.write_together

    def server_gone(parts):
        if any(name == "weekly_run_end" for name, _ in parts):
            raise ConnectionError("the server went away at publish")
        return publish(parts)

    monkeypatch.setattr(store, "write_together", server_gone)
    with pytest.raises(ConnectionError):
        run(store, W1, tmp_path)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == published, "no report of the failed run, no leftovers"
    assert r1.weekly_run in (folder / "report.md").read_text()


def test_a_run_that_fails_after_detection_leaves_the_rings_investigators_see(store, small_marketplace, tmp_path,
                                                                             monkeypatch):
    import graphfraud.weekly as weekly

    run(store, W1, tmp_path, load=small_marketplace)
    listed = list_rings(store, members=True)

    def no_room(*args):
        raise OSError("No space left on device")

    monkeypatch.setattr(weekly, "staged_report", no_room)
    with pytest.raises(OSError):
        run(store, W2, tmp_path)
    assert list_rings(store, members=True) == listed
    _, rows = store.run_cypher("MATCH (d:DetectionRun) RETURN count(d) AS n", {})
    assert rows == [{"n": 1}], "the failed week's detection was never stored"


def test_a_run_that_fails_is_marked_failed_and_publishes_nothing(store, small_marketplace, tmp_path):

    def broken(store, as_of, progress, previous=None):
        raise UsageError("the graph holds no accounts as of 2025-09-08")

    with pytest.raises(UsageError):
        run_weekly(store, W1, small_marketplace, tmp_path / "out", detect=broken)
    _, rows = store.run_cypher("MATCH (w:WeeklyRun) RETURN w.status AS status, w.error AS error", {})
    assert rows == [{"status": "failed", "error": "UsageError: the graph holds no accounts as of 2025-09-08"}]
    assert store.read("weekly_recent_runs", as_of="2030-01-01", limit=5) == []
    assert not (tmp_path / "out" / "report.html").exists()


# --------------------------------------------------------------------------- CLI

def test_a_week_in_the_future_is_run_with_a_note_that_it_is_not_over(store, small_marketplace, tmp_path):
    future = date.today() + timedelta(days=30)
    result = run(store, future, tmp_path, load=small_marketplace, planted={future: PLANTED[W1]})
    assert any(n.startswith(f"--as-of {future} is in the future") for n in result.notes)
    assert not any("in the future" in n for n in run(store, W2, tmp_path).notes)


def test_a_run_as_of_today_utc_notes_that_its_figures_are_partial(store, small_marketplace, tmp_path, monkeypatch):
    day = today_utc()
    result = run(store, day, tmp_path, load=small_marketplace, planted={day: PLANTED[W1]})
    assert any(n.startswith(f"--as-of {day} is today (UTC): the week is not over and its figures are partial")
               for n in result.notes)
    assert "**Note:** This week is not over yet: its figures are partial." in result.report_md.read_text()
    assert "<li>This week is not over yet: its figures are partial.</li>" in result.report_html.read_text()

    # "today" is the UTC date, however far east the machine's clock is: at 20:00 UTC on 1 March it is
    # already 2 March in Kiritimati (UTC+14), and the week to 1 March is not over
    import graphfraud.weekly
    from graphfraud.weekly import week_of

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 3, 1, 20, 0, tzinfo=timezone.utc).astimezone(tz)

    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    monkeypatch.setattr(graphfraud.weekly, "datetime", Clock)
    try:
        assert Clock.now().date() == date(2026, 3, 2), "the machine's own calendar is a day ahead"
        assert week_of(None) == date(2026, 3, 1)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_quiet_prints_exactly_one_json_line(store, small_marketplace, tmp_path, monkeypatch):
    import graphfraud.weekly as weekly

    monkeypatch.setattr(weekly, "_detect", planted_detection(PLANTED))
    result = CliRunner().invoke(app, ["weekly", "--as-of", "2025-09-08", "--load", str(small_marketplace),
                                      "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["status"] == "ok" and summary["as_of"] == "2025-09-08"
    assert summary["rings"] == 3 and summary["lineage"] == {"baseline": 3}  # a first run's rings are the baseline
    assert Path(summary["report"]).exists() and (tmp_path / "out" / "report.md").exists()


def test_weekly_refuses_a_missing_drop_with_exit_2(store, tmp_path):
    result = CliRunner().invoke(app, ["weekly", "--as-of", "2025-09-08", "--load", str(tmp_path / "nope"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


def test_an_empty_drop_is_a_quiet_week_not_a_failed_run(store, small_marketplace, tmp_path):
    """A week with no data arrives as an empty folder: the job runs on what is stored and says so."""
    run(store, W1, tmp_path, load=small_marketplace)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".keep").touch()
    quiet = run(store, W2, tmp_path, load=tmp_path / "empty")
    assert quiet.load_run is None and quiet.rings == len(PLANTED[W2])
    assert f"the drop {tmp_path / 'empty'} holds no files: nothing was loaded this week" in quiet.notes
    complete = sorted(p.name for p in small_marketplace.iterdir())
    for name, content, says in [   # named wrongly; still arriving (rsync, a browser); one level too high
            ("ordrs.csv", "order_id\n", "no input tables found"),
            (".orders.csv.a1B2c3", "order_id,buyer", "holds .orders.csv.a1B2c3, a file still being transferred"),
            ("orders.csv.part", "order_id,buyer", "holds orders.csv.part, a file still being transferred"),
            ("2025-09-22", None, "holds a folder, 2025-09-22")]:
        for beside in ([], complete):   # alone, or beside the tables that have arrived (half a week, published)
            drop = tmp_path / f"not-empty-{name}-{len(beside)}"
            drop.mkdir()
            for table in beside:
                (drop / table).write_bytes((small_marketplace / table).read_bytes())
            if content is None:
                (drop / name).mkdir()
            else:
                (drop / name).write_text(content)
            if beside and name == "ordrs.csv":
                continue   # beside tables, a file named after none is skipped with a note (a readme, say)
            with pytest.raises(UsageError, match=says):
                run(store, W3, tmp_path, load=drop)


@pytest.mark.parametrize("args, as_of, says", [
    (["--bogus", "--quiet"], None, "No such option: --bogus (Possible options: --out)"),
    (["--as-of=2025-09-08", "--bogus", "--quiet"], "2025-09-08", "No such option: --bogus (Possible options: --out)"),
    (["--quiet", "--load"], None, "Option '--load' requires an argument."),   # an unset variable, unquoted
    (["--quiet", "4111111111111111"], None, "Got unexpected extra argument(s) (411111******1111)"),
    (["--as-of", "4111111111111111", "--bogus", "--quiet"], "411111******1111",
     "No such option: --bogus (Possible options: --out)"),
    (["--as-of", "4111111111111111", "--quiet"], "411111******1111",
     "--as-of '411111******1111' is not a date (YYYY-MM-DD)"),
], ids=["unknown-option", "as-of-given", "option-without-value", "card-number", "card-number-as-of",
        "card-number-as-of-alone"])
def test_a_typo_in_the_jobs_line_still_gives_the_log_its_json_line(args, as_of, says):
    result = CliRunner().invoke(app, ["weekly", *args])
    assert result.exit_code == 2
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"status": "error", "as_of": as_of, "exit_code": 2, "error": says}]
    assert result.stderr.startswith(f"error: {says}") and "4111111111111111" not in result.stderr


@pytest.mark.parametrize("args, says", [
    (["--as-of", "2026-02-30"], "--as-of '2026-02-30' is not a date (YYYY-MM-DD)"),
    (["--as-of", "2026-1-5"], "--as-of '2026-1-5' is not a date (YYYY-MM-DD)"),
    (["--as-of", "9999-12-31"], "--as-of '9999-12-31' is out of range: the last week the job can run is to 9998-12-31"),
    (["--out", "{file}"], "--out {file}: cannot be a folder for the report"),
    (["--out", ""], "--out is empty: give a folder"),
    (["--load", " "], "--load is empty: give a folder"),
])
def test_bad_arguments_are_one_line_and_one_json_line_before_any_work(store, tmp_path, args, says, monkeypatch):
    import graphfraud.weekly as weekly

    monkeypatch.setattr(weekly, "_detect", lambda *a: pytest.fail("detection ran"))
    file = tmp_path / "afile"
    file.write_text("")
    args = [a.format(file=file) for a in args]
    result = CliRunner().invoke(app, ["weekly", *args])
    assert result.exit_code == 2 and result.stderr.strip().startswith(f"error: {says.format(file=file)}")
    assert len(result.stderr.strip().splitlines()) == 1
    quiet = CliRunner().invoke(app, ["weekly", *args, "--quiet"])
    assert quiet.exit_code == 2
    [line] = quiet.stdout.splitlines()
    assert json.loads(line)["status"] == "error" and json.loads(line)["exit_code"] == 2


@pytest.fixture
def unwritable_folder(tmp_path, request) -> Path:
    """An existing folder nothing can be written into, even by root: /proc, or an immutable folder."""
    if request.param == "/proc":
        return Path("/proc")
    folder = tmp_path / "immutable"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i does not work on this file system")
    request.addfinalizer(lambda: subprocess.run(["chattr", "-i", str(folder)]))
    return folder


@pytest.mark.parametrize("unwritable_folder", ["/proc", "immutable"], indirect=True)
def test_an_out_folder_that_cannot_be_written_is_refused_before_any_work(store, small_marketplace, unwritable_folder,
                                                                          monkeypatch):
    import graphfraud.weekly as weekly

    monkeypatch.setattr(weekly, "_detect", lambda *a: pytest.fail("detection ran"))
    args = ["weekly", "--as-of", "2025-09-08", "--load", str(small_marketplace), "--out", str(unwritable_folder)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: --out {unwritable_folder}: cannot write the report there")
    quiet = CliRunner().invoke(app, [*args, "--quiet"])
    [line] = quiet.stdout.splitlines()
    assert quiet.exit_code == 2 and json.loads(line)["exit_code"] == 2
    assert store.read("load_runs", limit=5) == [], "nothing was loaded"


def test_an_out_folder_holding_an_evidence_bundle_is_refused_before_any_work(store, tmp_path, monkeypatch):
    """The bundle's report.html is evidence whose hash enforcement holds: the week's report must not replace it."""
    import graphfraud.weekly as weekly

    monkeypatch.setattr(weekly, "_detect", lambda *a: pytest.fail("detection ran"))
    bundle = tmp_path / "case"
    bundle.mkdir()
    (bundle / "manifest.json").write_text("{}")
    (bundle / "report.html").write_text("<p>evidence</p>")
    result = CliRunner().invoke(app, ["weekly", "--as-of", "2025-09-08", "--out", str(bundle)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: --out {bundle} holds an evidence bundle: give the weekly report a folder of its own"
    assert (bundle / "report.html").read_text() == "<p>evidence</p>"


def test_a_refused_run_leaves_no_out_folder_it_made_behind(store, tmp_path):
    drop = tmp_path / "drop"
    write_csv(drop / "orders.csv", [["order_id", "buyer_id"], ["o1", "a00"]])   # columns missing
    kept = tmp_path / "kept"
    kept.mkdir()
    for out in (tmp_path / "new" / "out", kept):
        result = CliRunner().invoke(app, ["weekly", "--as-of", "2025-09-08", "--load", str(drop), "--out", str(out)])
        assert result.exit_code == 2 and "missing required column" in result.stderr
    assert not (tmp_path / "new").exists()
    assert kept.is_dir() and not list(kept.iterdir()), "a folder that was there before stays"
    _, runs = store.run_cypher("MATCH (w:WeeklyRun) RETURN w.status AS status, w.load_run AS load_run", {})
    assert runs == [{"status": "failed", "load_run": None}] * 2, "no id of a load run the refused drop never made"


def test_amounts_with_no_rate_are_named_in_the_notes_and_the_summary(store, small_marketplace, graphfraud_home,
                                                                     tmp_path, monkeypatch):
    import graphfraud.weekly as weekly

    monkeypatch.setattr(weekly, "_detect", planted_detection(PLANTED))
    (graphfraud_home / "report.json").write_text('{"rates": {"USD": 0.92}}')   # no rate for PLN
    args = ["weekly", "--as-of", "2025-09-08", "--load", str(small_marketplace), "--out", str(tmp_path / "out")]
    try:
        loud, quiet = CliRunner().invoke(app, args), CliRunner().invoke(app, [*args, "--quiet"])
    finally:
        (graphfraud_home / "report.json").unlink()
    assert loud.exit_code == 0 and quiet.exit_code == 0, loud.output + quiet.output
    says = "not converted to EUR (no rate): 840.00 PLN; the money figures leave these amounts out"   # 6 × 7 × 20 PLN
    assert f"note: {says}" in loud.stderr
    summary = json.loads(quiet.stdout)
    assert summary["unconverted"] == {"PLN": 840.0}
    assert any(n.startswith(says) for n in summary["notes"])
    assert "Not converted (no rate): 840 PLN." in (tmp_path / "out" / "report.md").read_text()


def test_the_readmes_example_settings_convert_every_currency_the_generator_writes():
    from graphfraud.generate import _CURRENCY

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("\n## The weekly job\n")[1].split("\n## ")[0]
    example = json.loads(re.search(r"`(\{\"currency\": .*?\})`", section).group(1))
    assert set(_CURRENCY) - {example["currency"]} <= set(example["rates"])


@pytest.mark.parametrize("settings, says", [
    ('{"currency": 5}', "currency 5 is not a three-letter code"),
    ('{"rates": [0.92]}', "rates must map currency codes to numbers"),
    ('{"rates": {"USD": "abc"}}', "rate of 'USD' is not a positive number between 1e-09 and 1e+09"),
    ('{"rates": {"USD": 1e309}}', "rate of 'USD' is not a positive number"),   # JSON's way to write infinity
    ('{"rates": {"GBP": 1.17, "USD": NaN}}', "rate of 'USD' is not a positive number"),
    ('{"rates": {"USD": 1e300}}', "rate of 'USD' is not a positive number"),    # sums would overflow
    ('{"promo_discount": "x"}', "promo_discount 'x' is not a share between 0 and 1"),
    ('[1]', "expected an object"),
    ('{"curency": "USD"}', "unknown setting 'curency'"),
])
def test_a_mistake_in_report_settings_is_one_line_before_any_work(store, graphfraud_home, tmp_path, settings, says,
                                                                  monkeypatch):
    import graphfraud.weekly as weekly

    monkeypatch.setattr(weekly, "_detect", lambda *a: pytest.fail("detection ran"))
    (graphfraud_home / "report.json").write_text(settings)
    try:
        result = CliRunner().invoke(app, ["weekly", "--as-of", "2025-09-08", "--out", str(tmp_path / "out")])
    finally:
        (graphfraud_home / "report.json").unlink()
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith(f"error: {graphfraud_home / 'report.json'}: {says}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_currency_without_rates_restates_the_planning_rates_in_it(graphfraud_home):
    from graphfraud.report import RATES_TO_EUR
    from graphfraud.weekly import settings

    (graphfraud_home / "report.json").write_text('{"currency": "usd"}')
    try:
        cfg = settings()
    finally:
        (graphfraud_home / "report.json").unlink()
    assert cfg["currency"] == "USD" and cfg["rates"]["USD"] == 1.0
    assert cfg["rates"]["GBP"] == pytest.approx(RATES_TO_EUR["GBP"] / RATES_TO_EUR["USD"])
    assert cfg["rates"]["EUR"] == pytest.approx(1 / RATES_TO_EUR["USD"])


def test_history_for_an_unknown_ring_is_a_clear_error(store):
    with pytest.raises(NotFoundError, match="no ring"):
        ring_history(store, "R-nope")


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_rings_history_command_in_every_format(store, small_marketplace, tmp_path, fmt):
    r1 = run(store, W1, tmp_path, load=small_marketplace)
    big = ids_by_members(store, r1)[frozenset(PLANTED[W1][0])]
    run(store, W2, tmp_path)
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["rings", "history", big, "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        rows = json.loads(result.stdout)
        assert [(r["as_of"], r["kind"], r["size"]) for r in rows] == [("2025-09-08", "new", 4),
                                                                       ("2025-09-15", "merged", 7)]
    elif fmt == "csv":
        lines = result.stdout.splitlines()
        assert lines[0].startswith("as_of,kind,size,previous_size,added,removed,from,into")
        assert lines[2].startswith("2025-09-15,merged,7,4,3,0")
    else:
        assert "merged" in result.stdout and "2025-09-15" in result.stdout


def test_rings_history_of_an_unknown_ring_exits_1(store):
    result = CliRunner().invoke(app, ["rings", "history", "R-nope"])
    assert result.exit_code == 1 and "no ring" in result.stderr


def test_the_reports_explanations_name_no_promo_code_or_seller_unmasked(store, tmp_path):
    """A reason's words can name a promo code or a seller; the report masks them even when the
    ring's orders lie outside the weeks the report measures (a backfill long after the data)."""
    from graphfraud.generate import write_marketplace

    start = date(2025, 9, 1)
    # seed 10: a promo abuse ring is among the report's top new rings (it is not on every seed)
    write_marketplace(tmp_path / "m", buyers=1500, seed=10, start=start, weeks=26)
    run_weekly(store, start, None, tmp_path / "baseline", detect=planted_detection({start: []}))  # rings new after it
    run_weekly(store, start + timedelta(weeks=26 + 30), tmp_path / "m", tmp_path / "r")
    text = (tmp_path / "r" / "report.md").read_text() + (tmp_path / "r" / "report.html").read_text()
    with open(tmp_path / "m" / "orders.csv", newline="") as f:
        named = {v for r in csv.DictReader(f) for v in (r["promo_code"], r["seller_id"]) if v}
    assert re.search(r"code \S*•••", text), "a ring explained by its promo code, masked"
    assert not [v for v in named if re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", text)]


def test_a_week_run_again_counts_no_device_first_seen_after_it(store, tmp_path):
    """The report's shared-identifier kinds counted a device or IP first seen after the week, so a
    week run again after a later drop lost its "new kind of link" sentence (detection itself counts
    them from when they were first seen)."""
    from test_load import ACCOUNTS, DEVICES, write

    from graphfraud.weekly import _measure

    write(tmp_path / "d", "accounts.csv", ACCOUNTS)
    write(tmp_path / "d", "account_devices.csv", DEVICES)   # a1 and a2 share dev-ab12 from 2025-10-01 and -02
    load(store, [tmp_path / "d"])
    ring = [{"ring_id": "R-1", "members": ["a1", "a2"], "typology": "collusion"}]
    assert _measure(store, ring, date(2025, 9, 30))["R-1"]["kinds"] == {}
    assert _measure(store, ring, date(2025, 10, 2))["R-1"]["kinds"] == {"device": 1, "subnet": 1}
