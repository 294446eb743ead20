"""The linkage between accounts, read from the store into numpy arrays.

The server does the aggregation (named statements ``cypher/project_*.cypher``): for each
identifier kind it returns identifier → [accounts] groups, reached directly from the
account and through the orders it placed; orders come back summed per (buyer, seller,
currency). Bolt carries groups and sums, never one row per order. The graph is read in key
ranges, one per ``SLICE_ACCOUNTS`` accounts (account ids; each identifier kind's own keys cut
into as many ranges), so that no single read holds the whole graph in the server's heap. Every
read starts from an index range seek on its own keys (a pattern filtered on its far end would
walk the whole graph once per range), and the reads are independent: ``READERS`` run at once.

Groups become weighted account pairs here, in numpy: a group of ``n`` accounts gives
each of its ``n (n - 1) / 2`` pairs the weight ``w_kind / log2(n)`` (Adamic & Adar's
down-weighting of common neighbours by their degree): two flatmates sharing a phone get
1, eight people on one machine 1/3 each. Groups larger than ``cap`` (lockers, cafés,
offices, welcome codes) give no pairs at all; they stay in the projection as evidence.

Kinds of one family (a card's instrument id and its fingerprint) count once per pair,
with the larger weight, so a re-tokenised card is not counted twice.

An address does not link a pair when one of the two holds it and the other only shipped
a parcel there: gifts to family, and brushing parcels sent to strangers' homes, are not
living together (at half weight, such links still pulled brushing rings apart into their
victims' households). Two accounts that only ship to the same address (a drop) keep the
full weight.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

__all__ = ["KINDS", "Projection", "expand_groups", "pair_weights", "project"]

# kind → (statement, family, weight). Weights are round: a device, an address or a card
# shared is full evidence of linkage; a /24 subnet half (neighbours, carriers); a promo code a
# quarter (codes are public: one only adds to other links, it does not make a group alone).
KINDS: dict[str, tuple[str, str, float]] = {
    "device": ("project_devices", "device", 1.0),
    "address": ("project_addresses", "address", 1.0),
    "instrument": ("project_instruments", "card", 1.0),
    "fingerprint": ("project_fingerprints", "card", 1.0),
    "subnet": ("project_subnets", "network", 0.5),
    "promo": ("project_promos", "promo", 0.25),
}
KIND_NAMES = list(KINDS)
GROUP_CAP = 50
READERS = 2               # projection reads in flight at once, one per server core (1.75x faster than one on 2 cores)
SHIPPED_ONLY = 0.0        # weight factor of a holder × shipped-there-only pair of an address
ROLES = {"buyer": 0, "seller": 1, "both": 2}


@dataclass
class Projection:
    """Accounts, identifier groups, account pairs and order sums as arrays.

    Account ``i`` is ``ids[i]``; every other array refers to accounts by that index.
    """

    ids: np.ndarray                      # str, sorted
    role: np.ndarray                     # int8: 0 buyer, 1 seller, 2 both
    created: np.ndarray                  # int64 epoch seconds
    country: np.ndarray                  # int32 index into countries
    countries: list[str]
    group_kind: np.ndarray               # int8 index into KIND_NAMES
    group_key: np.ndarray                # object
    group_ptr: np.ndarray                # int64, len(groups) + 1
    group_members: np.ndarray            # int32 account index, grouped by group
    group_held: np.ndarray               # bool per group member: holds it (False: only used it on an order)
    pair_a: np.ndarray                   # int32, pair_a < pair_b
    pair_b: np.ndarray
    pair_w: np.ndarray                   # float64
    orders: dict[str, np.ndarray]        # per (buyer, seller, currency) sums (ORDER_COLUMNS), and per account
                                         # account_chargebacks, account_refunds, account_cancels
    currencies: list[str]
    promo_uses: dict = field(default_factory=dict)   # per (account, code): account, code, first, uses
    as_of: str | None = None
    cap: int = GROUP_CAP
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.ids)

    def group_sizes(self) -> np.ndarray:
        return np.diff(self.group_ptr)


ORDER_COLUMNS = ("buyer", "seller", "currency", "orders", "amount", "amount_sq", "first")
STATUS_COLUMNS = ("chargebacks", "refunds", "cancels")   # read per pair, kept per buyer as account_<status>


def expand_groups(ptr: np.ndarray, members: np.ndarray, cap: int = GROUP_CAP, positions: bool = False):
    """All pairs within each group of 2..cap members: (a, b, group index), with a < b.

    With ``positions``, also the positions of a and b in ``members``. Loops over distinct
    group sizes only (at most ``cap``), never over groups.

    >>> ptr = np.array([0, 2, 5, 6])
    >>> a, b, g = expand_groups(ptr, np.array([4, 1, 0, 2, 3, 9]))
    >>> [(int(x), int(y), int(z)) for x, y, z in zip(a, b, g)]
    [(1, 4, 0), (0, 2, 1), (0, 3, 1), (2, 3, 1)]
    """
    ptr = np.asarray(ptr, dtype=np.int64)
    members = np.asarray(members)
    sizes = np.diff(ptr)
    out_a, out_b, out_g = [], [], []
    for s in np.unique(sizes[(sizes >= 2) & (sizes <= cap)]):
        groups = np.flatnonzero(sizes == s)
        pos = ptr[groups][:, None] + np.arange(s)                  # (groups, s)
        pos = np.take_along_axis(pos, np.argsort(members[pos], axis=1, kind="stable"), axis=1)
        i, j = np.triu_indices(int(s), 1)
        out_a.append(pos[:, i].ravel())
        out_b.append(pos[:, j].ravel())
        out_g.append(np.repeat(groups, len(i)))
    if not out_a:
        empty = np.zeros(0, dtype=np.int64)
        e = empty.astype(members.dtype)
        return (e, e.copy(), empty, empty, empty.copy()) if positions else (e, e.copy(), empty)
    order = np.argsort(np.concatenate(out_g), kind="stable")
    pa, pb, g = np.concatenate(out_a)[order], np.concatenate(out_b)[order], np.concatenate(out_g)[order]
    if positions:
        return members[pa], members[pb], g, pa, pb
    return members[pa], members[pb], g


def pair_weights(ptr: np.ndarray, members: np.ndarray, kinds: np.ndarray, n_accounts: int,
                 cap: int = GROUP_CAP, kinds_table: dict = KINDS,
                 held: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted account pairs from identifier groups: (a, b, weight) with a < b, unique pairs.

    A pair's weight is, summed over identifier families, the largest ``w_kind / log2(n)``
    among the groups of that family the two accounts share (times ``SHIPPED_ONLY`` for an
    address one holds and the other only shipped to; ``held`` flags each group member).

    >>> ptr = np.array([0, 2, 4, 7])
    >>> members = np.array([0, 1, 0, 1, 1, 2, 3])
    >>> kinds = np.array([0, 2, 4])              # device, instrument, subnet
    >>> a, b, w = pair_weights(ptr, members, kinds, 4)
    >>> [(int(x), int(y), round(float(v), 3)) for x, y, v in zip(a, b, w)]
    [(0, 1, 2.0), (1, 2, 0.315), (1, 3, 0.315), (2, 3, 0.315)]
    """
    names = list(kinds_table)
    families = sorted({f for _, f, _ in kinds_table.values()})
    family_of_kind = np.array([families.index(kinds_table[k][1]) for k in names], dtype=np.int64)
    weight_of_kind = np.array([kinds_table[k][2] for k in names])
    a, b, g, pa, pb = expand_groups(ptr, members, cap, positions=True)
    if not len(a):
        z = np.zeros(0, dtype=np.int32)
        return z, z.copy(), np.zeros(0)
    sizes = np.diff(np.asarray(ptr))
    w = weight_of_kind[kinds[g]] / np.log2(sizes[g])
    if held is not None and "address" in names:
        held = np.asarray(held, dtype=bool)
        mixed = (kinds[g] == names.index("address")) & (held[pa] != held[pb])
        w = np.where(mixed, w * SHIPPED_ONLY, w)
    fam = family_of_kind[kinds[g]]
    n = np.int64(n_accounts)
    key = (a.astype(np.int64) * n + b) * len(families) + fam
    # largest weight per (pair, family), then summed per pair
    order = np.lexsort((-w, key))
    key, w = key[order], w[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    pair = key[first] // len(families)
    w = w[first]
    uniq, inverse = np.unique(pair, return_inverse=True)
    total = np.bincount(inverse, weights=w)
    keep = total > 0
    return (uniq[keep] // n).astype(np.int32), (uniq[keep] % n).astype(np.int32), total[keep]


# --------------------------------------------------------------------------- reading the store

def _codes(values: list) -> tuple[np.ndarray, list[str]]:
    """Category codes of a list of strings (None as ""), without a Python loop per value."""
    arr = np.array(["" if v is None else v for v in values] if None in values else values, dtype=str)
    if not len(arr):
        return np.zeros(0, dtype=np.int32), []
    labels, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.int32), labels.tolist()


def _numbers(values: list, dtype) -> np.ndarray:
    """A numeric column; nulls become 0."""
    try:
        return np.array(values, dtype=dtype)
    except (TypeError, ValueError):
        return np.array([0 if v is None else v for v in values], dtype=dtype)


def _index(ids: np.ndarray, values) -> np.ndarray:
    """Positions of ``values`` in the sorted ``ids`` (-1 where absent), vectorised."""
    values = np.asarray(values, dtype=str)
    if not len(values) or not len(ids):
        return np.full(len(values), -1, dtype=np.int64)
    pos = np.minimum(np.searchsorted(ids, values), len(ids) - 1)
    return np.where(ids[pos] == values, pos, -1)


def _columns(store, name: str, as_of: str | None, **params) -> dict:
    """A statement that returns one record of parallel lists (one Bolt record, not millions)."""
    rows = store.read(name, as_of=as_of, **params)
    return rows[0] if rows else {}


SLICE_ACCOUNTS = 150_000  # accounts per range read (1M in 150k ranges: 2.3 GB live at most in the 4 GB heap)


def _ranges(keys, slices: int) -> list[tuple[str, str]]:
    """The sorted ``keys`` cut into ``slices`` equal parts, each given by its first and last key:
    the inclusive bounds of one index range seek. No keys, no ranges.

    >>> _ranges(["d", "a", "c", "b", "e"], 2)
    [('a', 'b'), ('c', 'e')]
    """
    keys = np.sort(np.asarray(keys, dtype=str))
    slices = max(1, min(slices, len(keys)))
    cuts = [len(keys) * i // slices for i in range(slices + 1)]
    return [(str(keys[lo]), str(keys[hi - 1])) for lo, hi in zip(cuts[:-1], cuts[1:]) if hi > lo]


def _key_ranges(store, kind: str, slices: int | None = None) -> list[tuple[str, str]]:
    """The key ranges to read ``kind`` in: ``slices`` of them, or (None) one per ``SLICE_ACCOUNTS``
    keys. A single range comes from the smallest and largest key, without every key crossing Bolt."""
    ends = _columns(store, "project_keys", None, kind=kind, with_keys=False)
    if not ends.get("n"):
        return []
    slices = slices or -(-ends["n"] // SLICE_ACCOUNTS)
    if slices == 1:
        return [(ends["lo"], ends["hi"])]
    return _ranges(_columns(store, "project_keys", None, kind=kind, with_keys=True)["keys"], slices)


def _joined(parts: list[dict]) -> dict:
    """The list columns of one-record reads over key ranges, concatenated (a range holds whole
    groups, so the parts join by concatenation)."""
    return {column: list(chain.from_iterable(part.get(column) or [] for part in parts))
            for column in dict.fromkeys(c for part in parts for c in part)}


def _timed_read(store, name: str, as_of: str | None, lo: str, hi: str, convert) -> tuple[object, float]:
    """One range of a one-record statement, passed through ``convert`` there and then (bounded
    client memory), with the seconds it took."""
    t0 = time.perf_counter()
    value = convert(_columns(store, name, as_of, lo=lo, hi=hi))
    return value, time.perf_counter() - t0


def project(store, as_of: str | None = None, cap: int = GROUP_CAP, progress=None) -> Projection:
    """Read accounts, identifier groups and order sums from ``store`` and build the pairs.

    ``as_of``: an ISO datetime; only accounts created, identifier uses first seen and
    orders placed on or before it count. ``progress(step)`` is called as each step's reads end.
    """
    timings: dict[str, float] = {}
    tick = progress or (lambda step: None)

    t0 = time.perf_counter()
    account_ranges = _key_ranges(store, "account")   # every account, as of any date: they only cut the ranges
    acc = _joined([_columns(store, "project_accounts", as_of, lo=lo, hi=hi) for lo, hi in account_ranges])
    timings["accounts"] = time.perf_counter() - t0
    tick("accounts")
    slices = max(len(account_ranges), 1)
    raw_ids = np.array(acc.get("id") or [], dtype=str)
    order = np.argsort(raw_ids, kind="stable")
    ids = raw_ids[order]
    roles = np.array(acc.get("role") or [], dtype=object)
    role = np.zeros(len(ids), dtype=np.int8)
    for name, code in ROLES.items():
        role[roles == name] = code
    role = role[order]
    created = _numbers(acc.get("created") or [], np.int64)[order]
    country, countries = _codes(acc.get("country") or [])
    country = country[order] if len(country) else country

    # Every (statement, key range) is a read of its own: READERS at a time keep the server's cores
    # busy to the end. Identifier keys first (quick, and they cut the identifier ranges), then the
    # order sums (the longest).
    with ThreadPoolExecutor(READERS) as pool:
        def submit(name, ranges, convert=lambda columns: columns):
            return [pool.submit(_timed_read, store, name, as_of, lo, hi, convert) for lo, hi in ranges]

        try:
            kind_ranges = {kind: pool.submit(_key_ranges, store, kind, slices) for kind in KIND_NAMES}
            pending = {"orders": submit("project_order_pairs", account_ranges, lambda c: _order_arrays(c, ids)),
                       "promo uses": submit("project_promo_uses", account_ranges)}
            pending.update({kind: submit(KINDS[kind][0], kind_ranges[kind].result()) for kind in KIND_NAMES})
            results = {}
            for step, parts in pending.items():
                done = [f.result() for f in parts]
                timings[step] = sum(seconds for _, seconds in done)   # reading time, summed over its ranges
                results[step] = [value for value, _ in done]
                tick(step)
        except BaseException:
            pool.shutdown(cancel_futures=True)   # a read failed (or Ctrl-C): the queued ones need not run
            raise

    kinds, keys, sizes, members, helds = [], [], [], [], []
    for k, name in enumerate(KIND_NAMES):
        groups = _joined(results.pop(name))
        lists = groups.get("accounts") or []
        if not lists:
            continue
        n_in = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        idx = _index(ids, list(chain.from_iterable(lists)))
        held = np.array(list(chain.from_iterable(groups["held"])), dtype=bool) if groups.get("held") \
            else np.ones(len(idx), dtype=bool)
        found = idx >= 0
        # the server returns groups in no fixed order: sort them by key, and members by index,
        # so that the same graph always gives the same arrays (and the same rings)
        group_order = np.argsort(np.array(groups["keys"], dtype=str), kind="stable")
        rank = np.empty(len(lists), dtype=np.int64)
        rank[group_order] = np.arange(len(lists))
        row = rank[np.repeat(np.arange(len(lists)), n_in)][found]
        entry_order = np.lexsort((idx[found], row))
        idx, held, row = idx[found][entry_order], held[found][entry_order], row[entry_order]
        size = np.bincount(row, minlength=len(lists))
        keep_group = size >= 2
        keep = keep_group[row]
        kinds.append(np.full(int(keep_group.sum()), k, dtype=np.int8))
        keys.append(np.array(groups["keys"], dtype=object)[group_order][keep_group])
        sizes.append(size[keep_group])
        members.append(idx[keep])
        helds.append(held[keep])
    sizes = np.concatenate(sizes) if sizes else np.zeros(0, dtype=np.int64)
    group_ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=group_ptr[1:])
    group_members = np.concatenate(members).astype(np.int32) if members else np.zeros(0, dtype=np.int32)
    group_held = np.concatenate(helds) if helds else np.zeros(0, dtype=bool)
    group_kind = np.concatenate(kinds) if kinds else np.zeros(0, dtype=np.int8)
    group_key = np.concatenate(keys) if keys else np.zeros(0, dtype=object)

    t0 = time.perf_counter()
    pair_a, pair_b, pair_w = pair_weights(group_ptr, group_members, group_kind, len(ids), cap, held=group_held)
    timings["pairs"] = time.perf_counter() - t0

    orders, currencies = _joined_orders(results.pop("orders"))
    for column in STATUS_COLUMNS:   # per buyer, from the per-pair counts
        per_pair = orders.pop(column)
        orders[f"account_{column}"] = np.bincount(orders["buyer"], weights=per_pair, minlength=len(ids)).astype(np.int64)
    promo_uses = _promo_use_arrays(_joined(results.pop("promo uses")), ids)
    return Projection(ids=ids, role=role, created=created, country=country, countries=countries,
                      group_kind=group_kind, group_key=group_key, group_ptr=group_ptr,
                      group_members=group_members, group_held=group_held, pair_a=pair_a, pair_b=pair_b, pair_w=pair_w,
                      orders=orders, currencies=currencies, promo_uses=promo_uses,
                      as_of=as_of, cap=cap, timings=timings)


def _promo_use_arrays(columns: dict, ids: np.ndarray) -> dict:
    """Promo uses per (account, code), in that order whatever order the server sent them in."""
    a = _index(ids, columns.get("account") or [])
    code = np.array(columns.get("code") or [], dtype=str)
    keep = a >= 0
    order = np.lexsort((code[keep], a[keep]))
    return {"account": a[keep][order].astype(np.int32), "code": code[keep][order].astype(object),
            "first": _numbers(columns.get("first") or [], np.int64)[keep][order],
            "uses": _numbers(columns.get("uses") or [], np.int64)[keep][order]}


def _order_arrays(columns: dict, ids: np.ndarray) -> dict:
    """One range's order sums per (buyer, seller, currency) as arrays, accounts as indexes into ``ids``."""
    b = _index(ids, columns.get("buyer") or [])
    s = _index(ids, columns.get("seller") or [])
    keep = (b >= 0) & (s >= 0)
    part = {"buyer": b[keep].astype(np.int32), "seller": s[keep].astype(np.int32),
            "currency": np.array(columns.get("currency") or [], dtype=object)[keep]}
    for column in ("orders", "first", *STATUS_COLUMNS):
        part[column] = _numbers(columns.get(column) or [], np.int64)[keep]
    for column in ("amount", "amount_sq"):
        part[column] = _numbers(columns.get(column) or [], np.float64)[keep]
    return part


def _joined_orders(parts: list[dict]) -> tuple[dict, list[str]]:
    """The ranges' order sums in one set of arrays, in a fixed order whatever the server's."""
    parts = parts or [_order_arrays({}, np.zeros(0, dtype=str))]
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    out["currency"], currencies = _codes(list(out["currency"]))
    order = np.lexsort((out["currency"], out["seller"], out["buyer"]))
    return {k: v[order] for k, v in out.items()}, currencies
