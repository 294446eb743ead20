"""Evaluation against labels: exact numbers on a hand-built case, clear errors for bad label files."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from graphfraud.cli import app
from graphfraud.errors import InputError, NotFoundError
from graphfraud.evaluate import evaluate_rings, flagged_share, match, read_labels, unknown_accounts

TRUTH = {
    "T1": frozenset({"a1", "a2", "a3", "a4"}),        # brushing
    "T2": frozenset({"b1", "b2", "b3"}),              # chargeback
    "T3": frozenset({"c1", "c2", "c3", "c4", "c5"}),  # promo_abuse
}
TYPOLOGIES = {"T1": "brushing", "T2": "chargeback", "T3": "promo_abuse"}
PREDICTED = [
    ("R1", frozenset({"a1", "a2", "a3", "x1"}), 90.0),   # Jaccard 3/5 = 0.6 with T1: a match
    ("R2", frozenset({"b1", "x2", "x3"}), 80.0),         # Jaccard 1/5 with T2: no match
    ("R3", frozenset({"c1", "c2", "c3", "c4", "c5"}), 70.0),  # exact: a match
    ("R4", frozenset({"x4", "x5"}), 60.0),               # nothing
]


def test_ring_and_account_metrics_on_a_hand_built_case():
    m = evaluate_rings(TRUTH, PREDICTED, TYPOLOGIES)
    assert (m["predicted_rings"], m["true_rings"], m["matched_rings"]) == (4, 3, 2)
    assert m["ring_precision"] == pytest.approx(2 / 4)
    assert m["ring_recall"] == pytest.approx(2 / 3)
    assert m["ring_f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert m["top50_precision"] == pytest.approx(2 / 4) and m["top_k"] == 4
    # accounts: predicted 4+3+5+2 = 14, true 12, in both a1 a2 a3 b1 c1..c5 = 9
    assert m["account_precision"] == pytest.approx(9 / 14)
    assert m["account_recall"] == pytest.approx(9 / 12)
    assert m["recall_by_typology"] == {"brushing": 1.0, "chargeback": 0.0, "promo_abuse": 1.0}
    assert m["matches"] == {"R1": "T1", "R3": "T3"}


def test_top_k_precision_ranks_by_score():
    m = evaluate_rings(TRUTH, PREDICTED, TYPOLOGIES, top_k=1)
    assert m["top1_precision"] == 1.0
    worst_first = [(r, s, 100 - score) for r, s, score in PREDICTED]
    assert evaluate_rings(TRUTH, worst_first, TYPOLOGIES, top_k=1)["top1_precision"] == 0.0


def test_matching_is_one_to_one_and_needs_half_the_union():
    truth = {"T": frozenset("abcd")}
    assert match(truth, [frozenset("ab"), frozenset("abc")]) == {1: "T"}, "the better of two candidates wins"
    assert match(truth, [frozenset("abcdefgh")]) == {0: "T"}, "Jaccard 4/8 = 0.5 still matches"
    assert match(truth, [frozenset("abcdefghi")]) == {}, "4/9 does not"


def test_nothing_predicted_gives_zeros_not_errors():
    m = evaluate_rings(TRUTH, [], TYPOLOGIES)
    assert m["ring_precision"] == m["ring_recall"] == m["ring_f1"] == m["top50_precision"] == 0.0


def test_flagged_share_of_look_alikes():
    assert flagged_share(["h1", "h2", "h3", "h4"], [frozenset({"h1", "z"})]) == 0.25
    assert flagged_share([], [frozenset({"h1"})]) == 0.0


def test_labels_file_with_benign_rows_and_typologies(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("account_id,ring_id,typology\na1,T1,brushing\na2,T1,brushing\nh1,,\nb1,T2,chargeback\n")
    labels = read_labels(path)
    assert labels.rings == {"T1": frozenset({"a1", "a2"}), "T2": frozenset({"b1"})}
    assert labels.typologies == {"T1": "brushing", "T2": "chargeback"}
    assert "h1" in labels.accounts


def test_labels_file_missing_a_column_names_file_and_column(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("account_id,typology\na1,brushing\n")
    with pytest.raises(InputError) as e:
        read_labels(path)
    assert e.value.column == "ring_id" and str(path) in str(e.value)
    result = CliRunner().invoke(app, ["evaluate", str(path)])
    assert result.exit_code == 2
    assert "ring_id" in result.output and "labels.csv" in result.output
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"


@pytest.mark.parametrize("content", [None, b"", b"\xff\xfe\x00garbage\x00\xff"], ids=["missing", "empty", "binary"])
def test_unreadable_labels_file_is_an_input_error(tmp_path, content):
    path = tmp_path / "labels.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as e:
        read_labels(path)
    assert str(path) in str(e.value)
    assert e.value.exit_code == 2


def test_evaluate_without_a_detection_run_says_so(store, tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("account_id,ring_id\na1,T1\n")
    result = CliRunner().invoke(app, ["evaluate", str(path)])
    assert result.exit_code == NotFoundError.exit_code == 1
    assert "no detection run" in result.output


def labels_file(tmp_path, text: str):
    path = tmp_path / "labels.csv"
    path.write_text(text)
    return path


def refused(path) -> str:
    """The one line ``evaluate`` prints for a bad labels file, after checking it exits 2 before any store is read."""
    result = CliRunner().invoke(app, ["evaluate", str(path)])
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr, result.stderr
    return result.stderr


def test_ring_zero_is_a_ring_and_only_empty_none_or_benign_mark_benign(tmp_path):
    path = labels_file(tmp_path, "account_id,ring_id\na1,0\na2,0\nb1,1\nh1,\nh2,none\nh3,Benign\nd1,-\n")
    labels = read_labels(path)
    assert labels.rings == {"0": frozenset({"a1", "a2"}), "1": frozenset({"b1"}), "-": frozenset({"d1"})}
    assert {"h1", "h2", "h3"} <= labels.accounts


@pytest.mark.parametrize("text", ["account_id,ring_id\n", "account_id,ring_id\nh1,\nh2,none\n"],
                         ids=["header-only", "only-benign"])
def test_labels_without_a_ring_are_refused(tmp_path, text):
    path = labels_file(tmp_path, text)
    with pytest.raises(InputError) as e:
        read_labels(path)
    assert e.value.exit_code == 2
    assert "no labelled ring" in refused(path)


def test_a_column_named_twice_is_refused(tmp_path):
    path = labels_file(tmp_path, "account_id,ring_id,ring_id\na1,T1,T2\n")
    assert "column 'ring_id' appears more than once" in refused(path)


@pytest.mark.parametrize("row, fields", [("acct_x", 1), ("a2,T1,brushing,extra", 4)], ids=["short", "long"])
def test_a_row_that_does_not_fit_the_header_is_refused_naming_its_line(tmp_path, row, fields):
    path = labels_file(tmp_path, f"account_id,ring_id,typology\na1,T1,brushing\n{row}\n")
    with pytest.raises(InputError) as e:
        read_labels(path)
    assert e.value.row == 3
    assert f"line 3: row has {fields} field" in refused(path)


def test_an_account_benign_on_one_line_and_in_a_ring_on_another_is_refused_naming_both_lines(tmp_path):
    path = labels_file(tmp_path, "account_id,ring_id\na1,T1\na2,T1\na1,\n")
    message = refused(path)
    assert "line 4" in message and "'a1'" in message and "benign" in message and "line 2" in message


def test_an_account_may_be_in_several_rings(tmp_path):
    """A seller serving two brushing rings is labelled in both (graphfraud's own generator does this)."""
    labels = read_labels(labels_file(tmp_path, "account_id,ring_id\ns1,T1\na1,T1\ns1,T2\na2,T2\na1,T1\n"))
    assert labels.rings == {"T1": frozenset({"s1", "a1"}), "T2": frozenset({"s1", "a2"})}


def test_a_byte_that_is_not_utf8_is_reported_with_its_line(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_bytes(b"account_id,ring_id\na1,T1\nb\xe9atrice,T1\n")
    with pytest.raises(InputError) as e:
        read_labels(path)
    assert e.value.row == 3
    assert "line 3" in refused(path) and "UTF-8" in str(e.value)


def test_a_semicolon_separated_file_is_read(tmp_path):
    path = labels_file(tmp_path, "account_id;ring_id;typology\na1;T1;brushing\na2;T1;brushing\n")
    assert read_labels(path).rings == {"T1": frozenset({"a1", "a2"})}


def test_a_header_without_a_known_delimiter_says_so(tmp_path):
    message = refused(labels_file(tmp_path, "account_id ring_id\na1 T1\n"))
    assert "one column" in message and "';'" in message


# --------------------------------------------------------------------------- against a stored detection run

STORE_RUN = """
CREATE (d:DetectionRun {id: 'run-eval', started_at: datetime('2025-11-01T00:00:00Z'), status: 'complete'})
WITH d
UNWIND $rings AS ring
CREATE (r:Ring {id: ring.id, score: ring.score})-[:FOUND_BY]->(d)
WITH r, ring
UNWIND ring.members AS id
MERGE (a:Account {id: id})
CREATE (a)-[:MEMBER_OF {run_id: 'run-eval'}]->(r)
"""


@pytest.fixture
def detected(store, tmp_path):
    """PREDICTED stored as a detection run stores it, and a labels file of TRUTH plus two benign
    accounts the graph has never seen (which change no figure)."""
    rings = [{"id": r, "members": sorted(m), "score": s} for r, m, s in PREDICTED]
    store.run_cypher(STORE_RUN, {"rings": rings}, write=True)
    store.run_cypher("UNWIND $ids AS id MERGE (:Account {id: id})",
                     {"ids": sorted(set().union(*TRUTH.values()))}, write=True)
    rows = [f"{a},{ring},{TYPOLOGIES[ring]}" for ring, members in TRUTH.items() for a in sorted(members)]
    return labels_file(tmp_path, "\n".join(["account_id,ring_id,typology", *rows, "gone1,,", "gone2,,"]) + "\n")


def test_labelled_accounts_missing_from_the_graph_are_counted_and_warned_about(store, detected):
    assert unknown_accounts(store, read_labels(detected).accounts) == ["gone1", "gone2"]
    result = CliRunner().invoke(app, ["evaluate", str(detected), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "warning: 2 of 14 labelled accounts are not in the graph (e.g. 'gone1'); " \
                            "those in rings count as missed\n"
    assert json.loads(result.stdout)["ring_recall"] == pytest.approx(2 / 3), "the figures are still computed"


def test_csv_carries_machine_keys_and_full_precision(detected):
    result = CliRunner().invoke(app, ["evaluate", str(detected), "--format", "csv"])
    assert result.exit_code == 0, result.output
    figures = {r["metric"]: r["value"] for r in csv.DictReader(io.StringIO(result.stdout))}
    assert float(figures["ring_recall"]) == 2 / 3 and float(figures["account_precision"]) == 9 / 14
    assert figures["recall_by_typology.brushing"] == "1.0" and figures["rings_by_typology.promo_abuse"] == "1"
    assert figures["top_k"] == "4" and "matches" not in result.stdout


def test_table_names_the_real_top_k_when_fewer_rings_are_predicted(detected):
    result = CliRunner().invoke(app, ["evaluate", str(detected)])
    assert result.exit_code == 0, result.output
    assert "top-4 precision" in result.stdout and "top50" not in result.stdout
    assert "ring F1" in result.stdout and "recall brushing (1 ring)" in result.stdout


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_blank_lines_before_the_header_are_skipped(tmp_path, delimiter):
    path = tmp_path / "labels.csv"
    path.write_text(f"\n\naccount_id{delimiter}ring_id\na1{delimiter}r1\na2{delimiter}r1\na3{delimiter}\n")
    assert read_labels(path).rings == {"r1": frozenset({"a1", "a2"})}
    path.write_text(f"\n\naccount_id{delimiter}ring_id\na1{delimiter}r1\na1{delimiter}\n")
    with pytest.raises(InputError, match="line 5"):   # line numbers count the blank lines
        read_labels(path)


def test_a_ring_given_two_typologies_is_refused_naming_both_lines(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("account_id,ring_id,typology\na1,r1,brushing\na2,r1,promo_abuse\n")
    with pytest.raises(InputError, match=r"line 3.*'promo_abuse' here and 'brushing' on line 2"):
        read_labels(path)


# --------------------------------------------------------------------------- labels as the loader stores ids

CARD = "4539 1488 0343 6467"   # a Luhn-valid test number, as an account id in a column mix-up
FULLWIDTH = "１２３４５６７８９０１２"   # twelve fullwidth digits, stored as ASCII (no card number)


def test_labelled_ids_are_read_as_the_loader_stores_them(store, tmp_path):
    """A card number as an account id is stored as its keyed hash, fullwidth digits as ASCII: the labels
    of those accounts meet the graph's, so the account is not reported missing nor counted as missed."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "accounts.csv").write_text(
        "account_id,role,created_at,country,status\n"
        f"{CARD},buyer,2025-01-01T00:00:00Z,US,active\n{FULLWIDTH},buyer,2025-01-01T00:00:00Z,US,active\n"
        "a2,buyer,2025-01-01T00:00:00Z,US,active\n")
    assert CliRunner().invoke(app, ["load", str(tmp_path / "data")]).exit_code == 0
    ids = sorted(r["id"] for r in store.run_cypher("MATCH (a:Account) RETURN a.id AS id", {})[1])
    assert len(ids) == 3 and ids[0] == "123456789012" and ids[2].startswith("card:")
    store.run_cypher(STORE_RUN, {"rings": [{"id": "R1", "members": ids, "score": 90.0}]}, write=True)
    path = labels_file(tmp_path, f"account_id,ring_id\n{CARD},T1\n{FULLWIDTH},T1\na2,T1\n")
    result = CliRunner().invoke(app, ["evaluate", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "", "every labelled account is in the graph"
    figures = json.loads(result.stdout)
    assert figures["ring_recall"] == 1.0 and figures["account_recall"] == 1.0


def test_a_card_number_label_missing_from_the_graph_is_warned_about_masked(store, detected):
    detected.write_text(detected.read_text() + f"{CARD},,\n")
    result = CliRunner().invoke(app, ["evaluate", str(detected), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "453914******6467" in result.stderr and "are not in the graph" in result.stderr
    assert "0343" not in result.stderr and "4539 1488" not in result.stderr


def test_labels_do_not_make_a_card_hashing_key(tmp_path, monkeypatch):
    """With no key yet no id is stored hashed; reading labels makes none, and still never keeps the number."""
    monkeypatch.setenv("GRAPHFRAUD_HOME", str(tmp_path / "home"))
    labels = read_labels(labels_file(tmp_path, f"account_id,ring_id\n{CARD},T1\na1,T1\n"))
    assert not (tmp_path / "home" / "card.key").exists()
    [card] = labels.accounts - {"a1"}
    assert card.startswith("card:") and labels.written[card] == CARD
    assert labels.rings == {"T1": frozenset({card, "a1"})}


def test_a_header_field_too_long_to_read_is_refused_naming_the_file(tmp_path):
    path = labels_file(tmp_path, "account_id,ring_id," + "x" * 140_000 + "\na1,T1,y\n")
    message = refused(path)
    assert "line 1" in message and "field larger than field limit" in message


@pytest.mark.parametrize("again", ["account_id,ring_id,typology", "\ufeffaccount_id,ring_id,typology",
                                   "ring_id,account_id", " Account_ID , ring_id , typology"],
                         ids=["same", "bom", "other-order", "spaced"])
def test_a_header_repeated_by_joining_two_files_is_refused_naming_its_line(tmp_path, again):
    path = labels_file(tmp_path, f"account_id,ring_id,typology\na1,T1,brushing\na2,T1,brushing\n{again}\n"
                                 "b1,T2,chargeback\nb2,T2,chargeback\n")
    message = refused(path)
    assert "line 4" in message and "repeats the header" in message


@pytest.mark.parametrize("invisible", ["\ufeff", "\u200b", "\u202e"])
def test_an_account_id_holding_an_invisible_character_is_refused_as_the_loader_does(tmp_path, invisible):
    path = labels_file(tmp_path, f"account_id,ring_id\na1,T1\n{invisible}a2,T1\n")
    message = refused(path)
    assert "line 3" in message and "'account_id'" in message
    assert f"invisible character U+{ord(invisible):04X}" in message


def test_a_control_character_in_an_account_id_is_refused(tmp_path):
    message = refused(labels_file(tmp_path, "account_id,ring_id\na1,T1\na\x072,T1\n"))
    assert "line 3" in message and "control character U+0007" in message


def test_unnamed_trailing_header_cells_of_a_spreadsheet_export_are_ignored(tmp_path):
    path = labels_file(tmp_path, "account_id,ring_id,typology,,\na1,T1,brushing,,\na2,T1,brushing,,\nh1,,,,\n")
    labels = read_labels(path)
    assert labels.rings == {"T1": frozenset({"a1", "a2"})} and labels.typologies == {"T1": "brushing"}
    assert "column 'ring_id' appears more than once" in refused(labels_file(tmp_path, "account_id,ring_id,ring_id,,\n"))
