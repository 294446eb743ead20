"""Evaluation against labels: exact numbers on a hand-built case, clear errors for bad label files."""

import pytest
from typer.testing import CliRunner

from graphfraud.cli import app
from graphfraud.errors import InputError, NotFoundError
from graphfraud.evaluate import evaluate_rings, flagged_share, match, read_labels

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
