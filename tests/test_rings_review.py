"""Rings across detection runs on the real local server: a run that fails is marked failed,
investigator views show the latest run's rings, every command says the same for an unknown
ring id, and `rings show` and the evidence bundle list the rings of the latest run tied to a ring."""

import json
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from graphfraud import cases, detection, investigate
from graphfraud.cli import app
from graphfraud.detection import ring_detail, run_detection
from graphfraud.errors import NotFoundError
from graphfraud.export import export_ring
from graphfraud.weekly import ring_history
from investigate_data import RING_ID, RUN_ID, load_marketplace


@pytest.fixture
def market(store, tmp_path):
    """The investigator's small marketplace, with ring RING_ID found by run RUN_ID."""
    load_marketplace(store, tmp_path / "drop")
    return store


def write_run(store, run_id: str, rings: dict[str, list[str]]) -> None:
    """A later detection run written back the way ``run_detection`` writes one."""
    now = datetime.now(timezone.utc).isoformat()
    store.write("rings_run_start", id=run_id, started_at=now, as_of=None, params="{}", installation="test")
    rows = [{"id": rid, "score": 90.0, "typology": "chargeback", "typology_basis": "test", "reasons": "[]",
             "size": len(members), "seller_count": 0, "buyer_count": len(members)} for rid, members in rings.items()]
    store.write_together([
        ("rings_upsert", {"rows": rows, "run_id": run_id, "now": now}),
        ("rings_clear_members", {"ids": list(rings)}),
        ("rings_members", {"rows": [{"ring_id": rid, "account_id": a, "role": "buyer"}
                                    for rid, members in rings.items() for a in members], "run_id": run_id}),
        ("rings_run_end", {"id": run_id, "ended_at": now, "timings": "{}", "counts": "{}", "lineage": "[]",
                           "status": "complete"}),
    ])


def test_a_detection_run_that_fails_after_it_started_is_marked_failed(market, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("candidates: out of memory")

    monkeypatch.setattr(detection, "find_rings", broken)
    with pytest.raises(RuntimeError):
        run_detection(market)
    _, rows = market.run_cypher("MATCH (d:DetectionRun) WHERE d.id <> $id "
                                "RETURN d.status AS status, d.error AS error, d.ended_at IS NOT NULL AS ended",
                                {"id": RUN_ID})
    assert rows == [{"status": "failed", "error": "RuntimeError: candidates: out of memory", "ended": True}]
    assert market.read("rings_latest_run")[0]["id"] == RUN_ID, "the rings found before are still the current ones"


def test_investigator_views_show_the_latest_runs_rings_and_old_rings_keep_their_members(market):
    write_run(market, "det-test-2", {"R-later": ["r1", "r2"]})  # RING_ID is not found again: it dissolved
    hood = investigate.expand(market, "r1", hops=2)
    assert [r["id"] for r in hood.root.rings] == ["R-later"]
    by_id = {n.id: n for n in hood.nodes}
    assert [r["id"] for r in by_id["r2"].rings] == ["R-later"]
    assert by_id["r3"].rings == [], "r3 is in no ring of the latest run"
    _, _, found = investigate.paths(market, "r1", "r3")
    assert found and (found[0].nodes[0]["ring"], found[0].nodes[-1]["ring"]) == ("R-later", None)
    kept = ring_detail(market, RING_ID)["members"]
    assert sorted(m["account_id"] for m in kept) == ["r1", "r2", "r3", "r4", "rs"], "history for show and export"


def test_every_command_says_the_same_for_an_unknown_ring_id(market, tmp_path):
    calls = [lambda ring_id: ring_detail(market, ring_id),                        # rings show
             lambda ring_id: ring_history(market, ring_id),                       # rings history
             lambda ring_id: cases.mark(market, ring_id, "confirmed", "x"),       # rings mark
             lambda ring_id: cases.history(market, ring_id),
             lambda ring_id: export_ring(market, ring_id, tmp_path / "bundle")]   # export
    for call in calls:
        with pytest.raises(NotFoundError) as e:
            call("R-test0000x")
        assert str(e.value) == f"no ring has the id 'R-test0000x'; did you mean ring '{RING_ID}'?"


def test_rings_show_lists_the_rings_of_the_latest_run_its_members_are_tied_to(market):
    # R-a's buyers share a device, an address and a card with R-b's buyers (held, and on their orders)
    # and bought four times from R-b's seller; R-c shares only the kiosk tablet with r1 (61 holders:
    # over the cap); r1 bought once from R-d's seller s1 (one purchase ties nothing)
    write_run(market, "det-test-2", {"R-a": ["r1", "r2"], "R-b": ["r3", "r4", "rs"], "R-c": ["k01", "k02"],
                                     "R-d": ["s1", "b1"]})
    linked = ring_detail(market, "R-a")["linked"]
    assert [(r["ring_id"], r["our_members"], r["their_members"], r["shared_identifiers"], r["orders"])
            for r in linked] == [("R-b", 2, 3, 3, 4)]
    assert [i["kind"] for i in linked[0]["identifiers"]] == ["Address", "Device", "PaymentInstrument"]
    assert [(r["ring_id"], r["our_members"], r["their_members"]) for r in ring_detail(market, "R-b")["linked"]] \
        == [("R-a", 3, 2)]
    assert ring_detail(market, "R-c")["linked"] == [], "a super-node ties no rings"
    assert ring_detail(market, "R-d")["linked"] == [], "one order ties no rings"
    # RING_ID, which the latest run did not find again: its members are in R-a and R-b now
    assert {r["ring_id"]: r["their_members"] for r in ring_detail(market, RING_ID)["linked"]} == {"R-a": 2, "R-b": 3}
    shown = CliRunner().invoke(app, ["rings", "show", "R-a"], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert "rings of the latest run tied to its members" in shown.stdout and "R-b" in shown.stdout
    shown = CliRunner().invoke(app, ["rings", "show", "R-c"])
    assert "no other ring of the latest run is tied to its members" in shown.stdout


def test_flats_of_one_building_tie_two_rings(market):
    # k03 and k04 share only the kiosk tablet (over the cap); each holds a flat of 5 Oak St
    market.run_cypher("""
        MATCH (k3:Account {id: 'k03'}), (k4:Account {id: 'k04'})
        CREATE (k3)-[:HAS_ADDRESS]->(:Address {id: 'unit 1 5 oak st london e1 6an', building: '5 oak st london e1 6an'})
        CREATE (k4)-[:HAS_ADDRESS]->(:Address {id: 'unit 2 5 oak st london e1 6an', building: '5 oak st london e1 6an'})
        """, {}, write=True)
    write_run(market, "det-test-2", {"R-e": ["k03", "k05"], "R-f": ["k04", "k06"]})
    linked = ring_detail(market, "R-e")["linked"]
    assert [(r["ring_id"], r["our_members"], r["their_members"], r["identifiers"]) for r in linked] == \
        [("R-f", 1, 1, [{"kind": "Building", "id": "5 oak st london e1 6an"}])]


def test_the_evidence_bundle_lists_the_tied_rings_with_instruments_masked(market, tmp_path):
    write_run(market, "det-test-2", {"R-a": ["r1", "r2"], "R-b": ["r3", "r4", "rs"]})
    export_ring(market, "R-a", tmp_path / "bundle")
    summary = json.loads((tmp_path / "bundle" / "summary.json").read_text())
    [tied] = summary["tied_rings"]
    assert (tied["ring_id"], tied["our_members"], tied["their_members"], tied["orders"]) == ("R-b", 2, 3, 4)
    instrument = [i["id"] for i in tied["identifiers"] if i["kind"] == "PaymentInstrument"]
    assert instrument and "pi_777" not in json.dumps(summary), "instrument ids are masked, as everywhere in a bundle"
    report = (tmp_path / "bundle" / "report.html").read_text()
    assert "Rings tied to its members (1)" in report and "R-b" in report and instrument[0] in report
    assert summary["tied_rings_run"] == "det-test-2" and "latest detection run (det-test-2)" in report
    queries = (tmp_path / "bundle" / "queries.cypher").read_text()
    assert "cypher/rings_show_linked.cypher" in queries and "det-test-2" in queries
    export_ring(market, "R-a", tmp_path / "unmasked", unmask=True)
    unmasked = json.loads((tmp_path / "unmasked" / "summary.json").read_text())["tied_rings"][0]["identifiers"]
    assert {"kind": "PaymentInstrument", "id": "pi_777"} in unmasked


def test_a_ring_exported_before_any_run_completed_has_no_tied_rings(market, tmp_path):
    market.run_cypher("MATCH (d:DetectionRun {id: $id}) SET d.status = 'failed'", {"id": RUN_ID}, write=True)
    export_ring(market, RING_ID, tmp_path / "bundle")
    summary = json.loads((tmp_path / "bundle" / "summary.json").read_text())
    assert (summary["tied_rings"], summary["tied_rings_run"]) == ([], None)
    assert "No detection run has completed" in (tmp_path / "bundle" / "report.html").read_text()


def test_rings_show_is_read_from_one_state_of_the_ring(market):
    """`rings show` reads the ring, its members, identifiers and orders in several statements: a
    change between them (here a case mark) makes it read the whole view again."""
    store, real_read, marks = market, market.read, []

    def read_while_marking(name, **params):
        if name == "rings_show_members" and not marks:
            marks.append(cases.mark(store, RING_ID, "confirmed", "marked while it was shown", by="bob"))
        return real_read(name, **params)

    store.read = read_while_marking
    try:
        detail = ring_detail(store, RING_ID)
    finally:
        del store.read
    assert marks and detail["ring"]["status"] == "confirmed", "the view read before the mark was read again"
