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
import io
import secrets
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from . import normalise
from .errors import InputError
from .home import card_hash_key
from .load import RowError, check_id, csv_reader, not_utf8, refuse_repeated_columns
from .store import pieces
from .wording import counted

__all__ = ["read_labels", "evaluate_rings", "flat_metrics", "unknown_accounts", "match", "jaccard", "Labels",
           "MATCH_JACCARD", "TOP_K", "BENIGN_MARKERS"]

MATCH_JACCARD = 0.5
TOP_K = 50
# Ring ids that mark a benign account besides an empty one: words only, so rings numbered 0, 1, 2 … keep ring 0.
BENIGN_MARKERS = {"none", "benign"}


class Labels:
    """True rings read from a labels file: ring id → members, ring id → typology. Account ids are
    as the graph stores them (``_as_stored``); ``written`` maps each to how the file first wrote it,
    for messages (which mask a card number in it)."""

    def __init__(self, rings: dict[str, frozenset[str]], typologies: dict[str, str], accounts: set[str],
                 written: dict[str, str] | None = None):
        self.rings, self.typologies, self.accounts = rings, typologies, accounts
        self.written = written or {}

    def __repr__(self):
        return f"Labels({len(self.rings)} rings, {len(self.accounts)} labelled accounts)"


def read_labels(path: Path | str) -> Labels:
    """Read ``account_id, ring_id[, typology]`` rows; an empty ring id (or ``none``, ``benign``) marks a benign account.

    The delimiter is the one the header uses most, as ``load`` reads tables, so a ``;`` export
    reads too. Anything that would bend the figures unseen is refused with ``InputError`` (exit 2)
    naming the file, line and column: a column named twice, a row whose fields do not line up
    with the header, an account labelled benign on one line and in a ring on another, a row
    repeating the header (two label files joined), an account id holding a character that does not
    show or a control character (as ``load`` refuses them), and a file with no ring to score
    against. An account may be in several rings (a seller serving two). Account ids are read as
    ``load`` stores an account_id (a card number as its keyed hash…), so they meet the graph's.
    Unnamed (empty) header cells, as a spreadsheet exports them, are ignored like other extra columns.
    """
    path = Path(path)
    reader = csv_reader(io.StringIO(_text(path), newline=""))
    try:
        header = [h.strip() for h in next((row for row in reader if any(f.strip() for f in row)), [])]   # blank lines first
    except csv.Error as e:   # a header field over the csv module's limit
        raise InputError(path, f"header cannot be read: {e}", row=reader.line_num) from None
    if not any(header):
        raise InputError(path, "is empty; expected a header with account_id and ring_id")
    refuse_repeated_columns(path, header)
    for column in ("account_id", "ring_id"):
        if column not in header:
            raise InputError(path, "missing required column" + _one_column(header), column=column)
    members: dict[str, set[str]] = {}
    typologies: dict[str, tuple[str, int]] = {}   # ring → (typology, line)
    labelled: dict[str, tuple[str, int]] = {}   # account → (ring id, "" when benign; line)
    written: dict[str, str] = {}   # account as stored → as the file first wrote it
    get_key = cache(_card_key)   # read once, when an id first needs it
    end = reader.line_num
    try:
        for fields in reader:
            line, end = end + 1, reader.line_num
            if not fields:
                continue   # a blank line
            if _is_header(fields):   # two label files joined: its header is no account in a ring
                raise InputError(path, "row repeats the header (two label files joined?); remove it", row=line)
            if len(fields) != len(header):   # a missing ring id or an unquoted comma would mislabel the account
                raise InputError(path, f"row has {counted(len(fields), 'field')}, "
                                       f"the header has {len(header)}", row=line)
            row = {c: v.strip() for c, v in zip(header, fields)}
            account, ring = row["account_id"], row["ring_id"]
            if not account:
                raise InputError(path, "account_id is empty", row=line, column="account_id")
            try:   # as the loader refuses such an account: the graph cannot hold it
                check_id("account_id", account)
            except RowError as e:
                raise InputError(path, e.reason, row=line, column=e.column) from None
            shown, account = account, _as_stored(account, get_key)
            written.setdefault(account, shown)
            if ring.lower() in BENIGN_MARKERS:
                ring = ""
            earlier = labelled.setdefault(account, (ring, line))
            if bool(earlier[0]) != bool(ring):   # several rings are fine (a seller serving two), benign and a ring not
                raise InputError(path, f"account {shown!r} is labelled {_label(ring)} here and "
                                       f"{_label(earlier[0])} on line {earlier[1]}", row=line, column="ring_id")
            if ring:
                members.setdefault(ring, set()).add(account)
                if row.get("typology"):
                    said = typologies.setdefault(ring, (row["typology"], line))
                    if said[0] != row["typology"]:   # which one would the breakdown count it under?
                        raise InputError(path, f"ring {ring!r} is labelled {row['typology']!r} here and {said[0]!r} "
                                               f"on line {said[1]}", row=line, column="typology")
    except csv.Error as e:
        raise InputError(path, f"cannot be read after line {end}: {e}") from None
    if not members:
        raise InputError(path, "has no labelled ring (no row has a ring_id), so there is nothing to score")
    return Labels({r: frozenset(m) for r, m in members.items()}, {r: t for r, (t, _) in typologies.items()},
                  set(labelled), written)


def _is_header(fields: list[str]) -> bool:
    """Whether a row is a labels header (names account_id and ring_id), a byte order mark before it or not."""
    return {"account_id", "ring_id"} <= {f.strip().lstrip("\ufeff").strip().lower() for f in fields}


def _as_stored(account: str, get_key) -> str:
    """A labelled account id as ``load`` stores an account_id (``load._Loader._without_card_numbers``,
    then stripped): one that is or holds a card number as its keyed hash; one of twelve digits or more
    that is none with other-script or fullwidth digits made ASCII; any other as written.

    >>> _as_stored("acct_7", bytes), _as_stored("4539 1488 0343 6467", lambda: b"k")[:5]
    ('acct_7', 'card:')
    """
    if normalise.may_hold_card_number(account):
        account = normalise.id_as_stored("account_id", account, get_key)
    return account.strip()


def _card_key() -> bytes:
    """The installation's card hashing key for ``_as_stored``, never made: with no key yet, no id has
    been stored hashed, and such an id is hashed with a throwaway key, which no stored id matches, so
    it is still never sent as is."""
    return card_hash_key(create=False) or secrets.token_bytes(32)


def _one_column(header: list[str]) -> str:
    """Why a required column is missing when the header is a single column: no delimiter was found in it."""
    if len(header) > 1:
        return ""
    return f" (the header is one column, {header[0][:80]!r}: separate columns with ',', ';', tab or '|')"


def _label(ring: str) -> str:
    return f"ring {ring!r}" if ring else "benign"


def _text(path: Path) -> str:
    """The file as text; a byte that is not UTF-8 is reported with the line it sits on."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as e:
        raise InputError(path, f"cannot be read: {type(e).__name__}: {e.strerror or e}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise not_utf8(path, data.count(b"\n", 0, e.start) + 1, data[e.start]) from None


def unknown_accounts(store, accounts: Iterable[str]) -> list[str]:
    """Labelled accounts the graph does not hold, sorted. Detection cannot find them, so those in
    rings only count as missed; many of them usually mean labels of another marketplace."""
    ids = sorted(accounts)
    found = {r["id"] for part in pieces({"ids": ids}) for r in store.read("find_accounts", **part)}
    return [a for a in ids if a not in found]


def flat_metrics(metrics: dict) -> dict:
    """Figures one level deep, a nested one keyed ``outer.inner``, so a CSV row or a shell
    variable can name each one.

    >>> flat_metrics({"ring_f1": 0.5, "recall_by_typology": {"brushing": 1.0}})
    {'ring_f1': 0.5, 'recall_by_typology.brushing': 1.0}
    """
    flat = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


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
