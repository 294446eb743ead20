"""Quality of detected rings against labels: ring-level and account-level.

A predicted ring *matches* a true ring when their Jaccard similarity is at least 0.5;
matching is one-to-one (best pairs first), so one big predicted blob cannot match
several true rings. Ring precision is the share of predicted rings that match, ring
recall the share of true rings matched. Top-50 precision ranks predicted rings by
score. Account-level figures treat "in any ring" as the positive class.

Examples
--------
>>> truth = {"T1": frozenset("abc"), "T2": frozenset("xyz")}
>>> predicted = [("R1", frozenset("abcd"), 90.0), ("R2", frozenset("pq"), 50.0)]
>>> m = evaluate_rings(truth, predicted, typologies={"T1": "brushing", "T2": "chargeback"})
>>> m["ring_precision"], m["ring_recall"], m["ring_f1"]
(0.5, 0.5, 0.5)
>>> m["recall_by_typology"]
{'brushing': 1.0, 'chargeback': 0.0}
>>> m["account_precision"], m["account_recall"]
(0.5, 0.5)
"""

import csv
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError

__all__ = ["read_labels", "evaluate_rings", "match", "jaccard", "Labels", "MATCH_JACCARD", "TOP_K"]

MATCH_JACCARD = 0.5
TOP_K = 50
BENIGN = {"", "none", "benign", "0", "-"}


class Labels:
    """True rings read from a labels file: ring id → members, ring id → typology."""

    def __init__(self, rings: dict[str, frozenset[str]], typologies: dict[str, str], accounts: set[str]):
        self.rings, self.typologies, self.accounts = rings, typologies, accounts

    def __repr__(self):
        return f"Labels({len(self.rings)} rings, {len(self.accounts)} labelled accounts)"


def read_labels(path: Path | str) -> Labels:
    """Read ``account_id, ring_id[, typology]`` rows; an empty ring id marks a benign account.

    Raises ``InputError`` (exit 2) naming the file, and the column when one is missing.
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            if not header:
                raise InputError(path, "is empty; expected a header with account_id and ring_id")
            for column in ("account_id", "ring_id"):
                if column not in header:
                    raise InputError(path, "missing required column", column=column)
            reader.fieldnames = header
            members: dict[str, set[str]] = {}
            typologies: dict[str, str] = {}
            accounts: set[str] = set()
            for row in reader:
                account = (row.get("account_id") or "").strip()
                if not account:
                    raise InputError(path, "account_id is empty", row=reader.line_num, column="account_id")
                accounts.add(account)
                ring = (row.get("ring_id") or "").strip()
                if ring.lower() in BENIGN:
                    continue
                members.setdefault(ring, set()).add(account)
                typology = (row.get("typology") or "").strip()
                if typology:
                    typologies.setdefault(ring, typology)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (UnicodeDecodeError, csv.Error, IsADirectoryError, PermissionError) as e:
        raise InputError(path, f"cannot be read as CSV: {type(e).__name__}: {e}") from None
    return Labels({r: frozenset(m) for r, m in members.items()}, typologies, accounts)


def jaccard(a: frozenset, b: frozenset) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets).

    >>> jaccard(frozenset("ab"), frozenset("bc"))
    0.3333333333333333
    """
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def match(truth: dict[str, frozenset], predicted: list[frozenset], threshold: float = MATCH_JACCARD) -> dict[int, str]:
    """One-to-one matching, best Jaccard first: predicted index → true ring id.

    >>> match({"T": frozenset("ab")}, [frozenset("a"), frozenset("ab")])
    {1: 'T'}
    """
    by_account: dict[str, list[str]] = {}
    for ring, members in truth.items():
        for a in members:
            by_account.setdefault(a, []).append(ring)
    pairs = []
    for i, p in enumerate(predicted):
        for ring in {r for a in p for r in by_account.get(a, ())}:
            j = jaccard(p, truth[ring])
            if j >= threshold:
                pairs.append((-j, i, ring))
    pairs.sort()
    out: dict[int, str] = {}
    taken: set[str] = set()
    for _, i, ring in pairs:
        if i not in out and ring not in taken:
            out[i] = ring
            taken.add(ring)
    return out


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate_rings(truth: dict[str, frozenset], predicted: Iterable[tuple[str, frozenset, float]],
                   typologies: dict[str, str] | None = None, top_k: int = TOP_K) -> dict:
    """Ring and account metrics of ``predicted`` (ring id, members, score) against ``truth``."""
    predicted = sorted(predicted, key=lambda r: (-r[2], r[0]))
    sets = [p[1] for p in predicted]
    matched = match(truth, sets)
    n_pred, n_true = len(predicted), len(truth)
    precision = len(matched) / n_pred if n_pred else 0.0
    recall = len(matched) / n_true if n_true else 0.0
    top = min(top_k, n_pred)
    top_precision = sum(1 for i in range(top) if i in matched) / top if top else 0.0

    true_accounts = set().union(*truth.values()) if truth else set()
    pred_accounts = set().union(*sets) if sets else set()
    hit = len(true_accounts & pred_accounts)
    acc_p = hit / len(pred_accounts) if pred_accounts else 0.0
    acc_r = hit / len(true_accounts) if true_accounts else 0.0

    typologies = typologies or {}
    found = set(matched.values())
    by_typology: dict[str, list[int]] = {}
    for ring in truth:
        t = typologies.get(ring, "unknown")
        counts = by_typology.setdefault(t, [0, 0])
        counts[0] += ring in found
        counts[1] += 1
    return {
        "predicted_rings": n_pred, "true_rings": n_true, "matched_rings": len(matched),
        "ring_precision": precision, "ring_recall": recall, "ring_f1": _f1(precision, recall),
        f"top{top_k}_precision": top_precision, "top_k": top,
        "account_precision": acc_p, "account_recall": acc_r, "account_f1": _f1(acc_p, acc_r),
        "recall_by_typology": {t: c[0] / c[1] for t, c in sorted(by_typology.items())},
        "rings_by_typology": {t: c[1] for t, c in sorted(by_typology.items())},
        "matches": {predicted[i][0]: ring for i, ring in sorted(matched.items())},
    }


def flagged_share(accounts: Iterable[str], predicted: Iterable[frozenset]) -> float:
    """Share of ``accounts`` (e.g. benign look-alikes) that sit in some predicted ring.

    >>> flagged_share(["a", "b", "c", "d"], [frozenset("ax")])
    0.25
    """
    accounts, predicted = set(accounts), list(predicted)
    if not accounts:
        return 0.0
    flagged = set().union(*predicted) if predicted else set()
    return len(accounts & flagged) / len(accounts)
