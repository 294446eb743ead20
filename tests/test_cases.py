"""Case status: rings mark keeps who/when/why in the graph; history is read back oldest first."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from graphfraud import cases
from graphfraud.cli import app
from graphfraud.errors import NotFoundError, UsageError
from investigate_data import RING_ID, add_ring


@pytest.fixture
def ring(store):
    store.run_cypher("UNWIND $ids AS id CREATE (:Account {id: id, role: 'buyer', country: 'DE'})",
                     {"ids": ["r1", "r2", "r3", "r4", "rs"]}, write=True)
    add_ring(store)
    return store


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    # CliRunner catches a crash into result.exception: its output never shows a traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    return result


def test_marking_a_ring_records_an_event_and_sets_its_status(ring):
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    event = cases.mark(ring, RING_ID, "under_review", "shared device across 4 buyers", by="alice", at=t0)
    assert (event["previous"], event["status"], event["by"]) == ("open", "under_review", "alice")
    cases.mark(ring, RING_ID, "confirmed", "same card under two ids", by="bob", at=t0 + timedelta(hours=3))
    history = cases.history(ring, RING_ID)
    assert history["status"] == "confirmed"
    assert [(e["status"], e["previous"], e["by"]) for e in history["events"]] == [
        ("under_review", "open", "alice"), ("confirmed", "under_review", "bob")]
    assert history["events"][0]["note"] == "shared device across 4 buyers"
    assert str(history["events"][0]["at"]).startswith("2026-03-02T09:00:00")
    _, rows = ring.run_cypher("MATCH (r:Ring {id: $id}) RETURN r.status AS status, r.status_by AS by", {"id": RING_ID})
    assert rows == [{"status": "confirmed", "by": "bob"}]


def test_history_is_in_time_order_even_within_one_second(ring):
    """Shortened times do not sort as text: 07:00:00.5Z comes before 07:00:00.52Z."""
    t0 = datetime(2026, 12, 5, 7, 0, 0, 500000, tzinfo=timezone.utc)
    cases.mark(ring, RING_ID, "under_review", "first", by="a", at=t0)
    cases.mark(ring, RING_ID, "confirmed", "second", by="a", at=t0 + timedelta(microseconds=20000))
    cases.mark(ring, RING_ID, "actioned", "third", by="a", at=t0 + timedelta(seconds=1))
    assert [e["note"] for e in cases.history(ring, RING_ID)["events"]] == ["first", "second", "third"]
    shown = run("rings", "show", RING_ID, "--format", "json")
    assert [e["note"] for e in json.loads(shown.stdout)["case"]["events"]] == ["first", "second", "third"]


def test_events_of_a_period_for_the_weekly_report(ring):
    monday = datetime(2026, 3, 2, tzinfo=timezone.utc)
    cases.mark(ring, RING_ID, "under_review", "before", by="a", at=monday - timedelta(seconds=1))
    cases.mark(ring, RING_ID, "confirmed", "in the week", by="b", at=monday)
    cases.mark(ring, RING_ID, "actioned", "next week", by="c", at=monday + timedelta(days=7))
    week = cases.events(ring, monday, monday + timedelta(days=7))
    assert [(e["ring_id"], e["status"], e["previous"], e["by"]) for e in week] == [
        (RING_ID, "confirmed", "under_review", "b")]
    with pytest.raises(UsageError):
        cases.events(ring, monday, monday)


def test_the_author_defaults_to_the_os_user(ring, monkeypatch):
    monkeypatch.setattr(cases.getpass, "getuser", lambda: "investigator7")
    assert cases.mark(ring, RING_ID, "dismissed", "benign family household")["by"] == "investigator7"


def test_a_ring_with_no_events_is_open(ring):
    assert cases.history(ring, RING_ID) == {"ring_id": RING_ID, "status": "open", "events": []}


@pytest.mark.parametrize("status,note", [("closed", "x"), ("confirmed", "  "), ("confirmed", "x" * 5000),
                                         ("confirmed", "refund \u202eetouq\u202c approved")])
def test_bad_status_or_note_is_a_usage_error(ring, status, note):
    with pytest.raises(UsageError):
        cases.mark(ring, RING_ID, status, note)
    assert cases.history(ring, RING_ID)["events"] == []


def test_a_note_or_author_that_would_read_in_another_order_is_refused_naming_the_option(ring):
    with pytest.raises(UsageError, match=r"^--note holds the direction control U\+202E"):
        cases.mark(ring, RING_ID, "confirmed", "paid \u202e001\u202c")
    with pytest.raises(UsageError, match=r"^--by holds the direction control U\+2067"):
        cases.mark(ring, RING_ID, "confirmed", "seen", by="\u2067ana\u2069")
    assert cases.history(ring, RING_ID)["events"] == []
    assert cases.mark(ring, RING_ID, "confirmed", "مراجعة: חשבון", by="رنا")["note"] == "مراجعة: חשבון", \
        "right-to-left text itself is fine"


def test_a_note_or_author_holding_what_a_terminal_acts_on_is_refused_and_a_name_is_one_line(ring):
    """An escape sequence would clear the screen of whoever reads ``rings show``; a line break in a
    name would start a line of its own in the bundle's ``queries.cypher``."""
    for note, by, says in [("paid\x1b[2J", None, r"^--note holds the control character U\+001B"),
                           ("ok", "alice\nMATCH (n) DETACH DELETE n;", r"^--by holds the control character U\+000A"),
                           ("ok", "bob\x9b2J", r"^--by holds the control character U\+009B")]:
        with pytest.raises(UsageError, match=says):
            cases.mark(ring, RING_ID, "confirmed", note, by=by)
    assert cases.history(ring, RING_ID)["events"] == []
    assert cases.mark(ring, RING_ID, "confirmed", "line one\n\tline two", by="ana")["note"] == "line one\n\tline two"
    assert cases.mark(ring, RING_ID, "confirmed", "pasted\r\nfrom Windows", by="ana")["note"] == "pasted\nfrom Windows"


def test_unknown_ring_is_not_found_with_close_ids(ring):
    with pytest.raises(NotFoundError) as e:
        cases.mark(ring, "R-test0000x", "confirmed", "x")
    assert RING_ID in str(e.value)
    with pytest.raises(NotFoundError):
        cases.history(ring, "R-nothing")


def test_detection_rewriting_a_ring_keeps_its_case_status(ring):
    cases.mark(ring, RING_ID, "confirmed", "card shared", by="alice")
    ring.run_cypher("MATCH (r:Ring {id: $id}) SET r.score = 0.9, r.last_run = 'det-test-2'", {"id": RING_ID}, write=True)
    assert cases.history(ring, RING_ID)["status"] == "confirmed"


def test_rings_mark_command(ring):
    result = run("rings", "mark", RING_ID, "--status", "under_review", "--note", "looks collusive", "--by", "carol")
    assert result.exit_code == 0, result.output
    assert f"ring {RING_ID}: open → under_review by carol" in result.stdout
    assert cases.history(ring, RING_ID)["events"][0]["by"] == "carol"
    result = run("rings", "mark", RING_ID, "--status", "closed", "--note", "x")
    assert result.exit_code == 2 and "unknown status" in result.stderr
    result = run("rings", "mark", "R-none", "--status", "confirmed", "--note", "x")
    assert result.exit_code == 1 and "no ring" in result.stderr
    result = run("rings", "mark", RING_ID, "--status", "confirmed")
    assert result.exit_code == 2, "a note is required"


def test_rings_show_includes_the_case_history(ring):
    cases.mark(ring, RING_ID, "confirmed", "the note to find", by="dave")
    result = run("rings", "show", RING_ID, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "the note to find" in result.stdout and "dave" in result.stdout


def test_a_note_and_its_author_keep_no_card_number(ring):
    cases.mark(ring, RING_ID, "under_review", "paid with 4539 1488 0343 6467 twice", by="analyst 4111111111111111")
    event = cases.history(ring, RING_ID)["events"][-1]
    assert (event["note"], event["by"]) == ("paid with 453914******6467 twice", "analyst 411111******1111")


def test_marks_made_at_once_each_replace_the_status_before_them_in_order(ring):
    """Two investigators marking one ring at once: both events read the same previous status, were
    stored out of order, and the ring could end with a status its last event did not give."""
    from concurrent.futures import ThreadPoolExecutor

    statuses = ["under_review", "confirmed", "dismissed", "actioned", "under_review", "confirmed", "dismissed", "open"]
    with ThreadPoolExecutor(len(statuses)) as pool:
        list(pool.map(lambda s: cases.mark(ring, RING_ID, s, f"set to {s}", by="team"), statuses))
    history = cases.history(ring, RING_ID)
    chain = [(e["previous"], e["status"]) for e in history["events"]]
    assert len(chain) == len(statuses) and chain[0][0] == "open"
    assert all(before[1] == after[0] for before, after in zip(chain, chain[1:])), chain
    assert history["status"] == chain[-1][1]
