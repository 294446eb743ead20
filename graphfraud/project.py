"""The linkage between accounts, read from the store into numpy arrays.

The graph is read in ranges (so that no read holds the whole graph in the server's heap), each
read starting from an index range seek, ``READERS`` reads at once:

- ``cypher/project_orders.cypher`` walks the orders of a range of ``SLICE_ORDERS`` order ids
  once, summed on the server per (buyer, seller, currency, promo code, status) and the device,
  address, instrument and card fingerprint used on them (the keys the loader keeps on each
  order, packed into one string: the server groups one key twice as fast as nine): Bolt carries
  sums, not one row per order. Ranges of order ids, not of buyers: orders
  lie in the store in the order they were loaded, so a range of them is read front to back,
  while one buyer's orders lie all over the store (at 1M accounts, 250k orders took 8.5–10 s
  read by order id against 30–32 s read through their buyers);
- ``cypher/project_links.cypher`` reads the identifiers the accounts of a range of
  ``SLICE_ACCOUNTS`` account ids hold, as the loader keeps their keys on each account (with when
  devices and IPs were first seen): read with the account, not by a hop per link.

The client groups both into identifier → accounts groups with numpy. (One walk over the orders
for everything: walking them again from each identifier kind made 1M accounts four times
slower.) The keys in the records are split, looked up and coded with Arrow's compute
functions, which let go of the interpreter lock, so the two readers' conversions run beside each
other and beside the decoding: at 1M accounts the client spends 29–32 s of CPU in the
projection, against 56–64 s when one Python map coded the keys.

Groups become weighted account pairs here, in numpy: a group of ``n`` accounts gives
each of its ``n (n - 1) / 2`` pairs the weight ``w_kind / log2(n)`` (Adamic & Adar's
down-weighting of common neighbours by their degree): two flatmates sharing a phone get
1, eight people on one machine 1/3 each. Groups larger than ``cap`` (lockers, cafés,
offices, welcome codes) give no pairs at all; they stay in the projection as evidence.

Kinds of one family (a card's instrument id and its fingerprint) count once per pair,
with the larger weight, so a re-tokenised card is not counted twice. A fingerprint (BIN:last4)
in a BIN so common that every card there expects a stranger with its last four digits gives no
pairs (``chance_fingerprints``): at 1M accounts, 60 % of cards share their fingerprint by chance.

Flats of one building meet at half weight: a normalised address starts with its unit
("unit 5 18 martin luther king jr bd seattle wa 98136"), and the rest is the building. A ring
spread over the flats of one building, one unit per account (a known evasion: no address is
shared), is then still one group, while neighbours get a link too weak to hold a group on
its own. Flat and building are one family, so flatmates count once.

An address (or a building) does not link a pair when one of the two holds it and the other only shipped
a parcel there: gifts to family, and brushing parcels sent to strangers' homes, are not
living together (at half weight, such links still pulled brushing rings apart into their
victims' households). Two accounts that only ship to the same address (a drop) keep the
full weight.
"""

from __future__ import annotations

import gc
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .detect import distinct
from .errors import StoreError

__all__ = ["KINDS", "Projection", "account_ranges", "all_keys", "chance_fingerprints", "expand_groups", "order_ranges",
           "pair_weights", "project"]

# kind → (family, weight). Weights are round: a device, an address or a card
# shared is full evidence of linkage; a building (other flats of it) half (neighbours); a /24
# subnet a quarter (a carrier's NAT, a VPN exit or a café's line is shared by strangers: two
# rings on one VPN provider must not meet at the CPM resolution); a promo code a quarter
# (codes are public: one only adds to other links).
KINDS: dict[str, tuple[str, float]] = {
    "device": ("device", 1.0),
    "address": ("address", 1.0),
    "instrument": ("card", 1.0),
    "fingerprint": ("card", 1.0),
    "subnet": ("network", 0.25),
    "promo": ("promo", 0.25),
    "building": ("address", 0.5),
}
KIND_NAMES = list(KINDS)
GROUP_CAP = 50
READERS = 2               # projection reads in flight at once, one per server core (1.75x faster than one on 2 cores)
SHIPPED_ONLY = 0.0        # weight factor of a holder × shipped-there-only pair of an address
LAST4_VALUES = 10_000     # a card fingerprint is BIN:last4: in a BIN of N cards, each expects (N - 1) / 10,000
                          # chance partners; from one up, a shared fingerprint gives no pairs
ROLES = {"buyer": 0, "seller": 1, "both": 2}


@dataclass(frozen=True)
class Projection:
    """Accounts, identifier groups, account pairs and order sums as arrays.

    Account ``i`` is ``ids[i]``; every other array refers to accounts by that index. Once built
    it does not change (its fields cannot be set again, its arrays are read-only), so the
    marketplace baselines scoring keeps with it in ``derived`` cannot go stale.
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
    group_silent: np.ndarray             # bool per group: gives no pairs (``chance_fingerprints``)
    pair_a: np.ndarray                   # int32, pair_a < pair_b
    pair_b: np.ndarray
    pair_w: np.ndarray                   # float64
    orders: dict[str, np.ndarray]        # per (buyer, seller, currency) sums (ORDER_COLUMNS and chargebacks: whose
                                         # shop lost the money), and per account account_chargebacks,
                                         # account_refunds, account_cancels
    currencies: list[str]
    promo_uses: dict = field(default_factory=dict)   # per (account, code): account, code, first, uses
    as_of: str | None = None
    cap: int = GROUP_CAP
    timings: dict[str, float] = field(default_factory=dict)
    derived: dict = field(default_factory=dict, repr=False, compare=False)   # marketplace baselines scoring
                                         # computes once per projection, not once per pass (score._once)

    def __post_init__(self):
        for value in (*vars(self).values(), *self.orders.values(), *self.promo_uses.values()):
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    @property
    def n(self) -> int:
        return len(self.ids)

    def group_sizes(self) -> np.ndarray:
        return np.diff(self.group_ptr)


ORDER_COLUMNS = ("buyer", "seller", "currency", "orders", "amount", "amount_sq", "first")
# order statuses counted per pair (column → status), kept per buyer as account_<column>
STATUSES = {"chargebacks": "chargeback", "refunds": "refunded", "cancels": "cancelled"}


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
                 cap: int = GROUP_CAP, kinds_table: dict = KINDS, held: np.ndarray | None = None,
                 silent: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted account pairs from identifier groups: (a, b, weight) with a < b, unique pairs.

    A pair's weight is, summed over identifier families, the largest ``w_kind / log2(n)``
    among the groups of that family the two accounts share (times ``SHIPPED_ONLY`` for an
    address one holds and the other only shipped to; ``held`` flags each group member).
    Groups flagged ``silent`` give no pairs.

    >>> ptr = np.array([0, 2, 4, 7])
    >>> members = np.array([0, 1, 0, 1, 1, 2, 3])
    >>> kinds = np.array([0, 2, 4])              # device, instrument, subnet
    >>> a, b, w = pair_weights(ptr, members, kinds, 4)
    >>> [(int(x), int(y), round(float(v), 3)) for x, y, v in zip(a, b, w)]
    [(0, 1, 2.0), (1, 2, 0.158), (1, 3, 0.158), (2, 3, 0.158)]
    """
    names = list(kinds_table)
    families = sorted({f for f, _ in kinds_table.values()})
    family_of_kind = np.array([families.index(kinds_table[k][0]) for k in names], dtype=np.int64)
    weight_of_kind = np.array([kinds_table[k][1] for k in names])
    a, b, g, pa, pb = expand_groups(ptr, members, cap, positions=True)
    if silent is not None:
        heard = ~np.asarray(silent, dtype=bool)[g]
        a, b, g, pa, pb = a[heard], b[heard], g[heard], pa[heard], pb[heard]
    if not len(a):
        z = np.zeros(0, dtype=np.int32)
        return z, z.copy(), np.zeros(0)
    sizes = np.diff(np.asarray(ptr))
    w = weight_of_kind[kinds[g]] / np.log2(sizes[g])
    if held is not None and "address" in names:
        held = np.asarray(held, dtype=bool)
        places = [names.index(k) for k in ("address", "building") if k in names]
        mixed = np.isin(kinds[g], places) & (held[pa] != held[pb])
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

STEPS = ("accounts", "orders", "links", "pairs")   # progress(step) is called as each one ends
SLICE_ACCOUNTS = 50_000   # accounts per range read
SLICE_ORDERS = 250_000    # orders per range read: about what a 50k-account range held (150k-account ranges,
                          # about 750k orders, overran the server's 2 GB query budget at 1M)
KEY_PAGE = 1_000_000       # ids per read: the local server caps a collect() at its heap / 2048 elements (1,310,720
                          # with the default 2.5 GB), so a page fits down to a 2 GB heap; the second page costs
                          # 1.6 s at 1M accounts
CUT_SAMPLE = 50           # order ids sampled per range cut: a range then holds SLICE_ORDERS give or take 15 %
ORDER_USES = ("device", "address", "instrument", "fingerprint")   # identifier kinds read on the orders
ORDER_KEYS = ("buyer", "seller", "currency", "promo", "status", *ORDER_USES)   # as project_orders packs them
KEY_SEPARATOR = "\x1f"   # joins them: the ASCII unit separator, which the loader quarantines in any value
LINK_SEEN = {"device": "device_seen", "address": None, "instrument": None, "fingerprint": None,
             "subnet": "subnet_seen"}   # identifier kind → project_links' column of when each was first seen
PAIR_SUMS = ("orders", "amount", "amount_sq", *STATUSES)   # summed per (buyer, seller, currency)


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


def _index(id_set: pa.Array, values: pa.Array) -> np.ndarray:
    """Positions of ``values`` in the account ids ``id_set`` (-1 where absent), by Arrow's hash
    lookup, which lets go of the interpreter lock: the other reader decodes meanwhile."""
    return pc.index_in(values, value_set=id_set).fill_null(-1).to_numpy().astype(np.int64)


def _nonempty(texts: pa.Array) -> np.ndarray:
    """Where a string column holds a value (neither null nor "")."""
    return pc.fill_null(pc.greater(pc.binary_length(texts), 0), False).to_numpy(zero_copy_only=False)


def _texts(labels: pa.ChunkedArray, codes: np.ndarray) -> np.ndarray:
    """``labels[codes]`` as an object array of strings."""
    return labels.take(pa.array(np.asarray(codes, dtype=np.int64))).to_numpy(zero_copy_only=False)


def _columns(store, name: str, as_of: str | None, **params) -> dict:
    """A statement that returns one record of parallel lists (one Bolt record, not millions)."""
    return store.read_columns(name, as_of=as_of, **params)


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


def all_keys(store, statement: str) -> list[str]:
    """Every key a paged ``statement`` lists (``$skip``, ``$limit`` → one ``keys`` list), read
    ``KEY_PAGE`` at a time."""
    keys: list[str] = []
    while True:
        page = _columns(store, statement, None, skip=len(keys), limit=KEY_PAGE).get("keys") or []
        keys.extend(page)
        if len(page) < KEY_PAGE:
            return keys


def _slices(count: int, slice_size: int) -> int:
    """How many ranges ``count`` keys are read in: one per ``slice_size``, and at least two per
    reader, so that both stay busy to the end."""
    return max(-(-count // slice_size), 2 * READERS)


def account_ranges(store) -> list[tuple[str, str]]:
    """The account id ranges the identifiers (and migrations) are read in."""
    keys = all_keys(store, "project_keys")
    return _ranges(keys, _slices(len(keys), SLICE_ACCOUNTS))


def order_ranges(store) -> list[dict[str, str]]:
    """The ranges the orders are read in, as ``project_orders``' bounds: ids after ``after`` up to
    ``hi``, the first after "" and the last up to the largest id. Cut at a random sample of the ids
    (``project_order_cuts``, about ``CUT_SAMPLE`` per range; every id once the store holds few):
    the cuts only share the orders out between the reads, every order is read once whatever
    they are."""
    count = _columns(store, "project_order_count", None)["orders"] or 0
    slices = _slices(count, SLICE_ORDERS)
    found = _columns(store, "project_order_cuts", None, rate=min(1.0, CUT_SAMPLE * slices / max(count, 1)))
    if found.get("last") is None:
        return []
    sample = np.sort(np.asarray(found.get("sample") or [], dtype=str))
    ends = (len(sample) * i // slices for i in range(1, slices))   # of equal parts of the sample
    cuts = sorted({str(sample[end - 1]) for end in ends if end > 0})
    bounds = ["", *cuts, found["last"]]
    return [{"after": after, "hi": hi} for after, hi in zip(bounds[:-1], bounds[1:]) if hi > after]


def _timed_read(store, name: str, as_of: str | None, bounds: dict, convert, **params) -> tuple[object, float]:
    """One range of a one-record statement, passed through ``convert`` there and then (bounded
    client memory), with the seconds it took."""
    t0 = time.perf_counter()
    value = convert(_columns(store, name, as_of, **bounds, **params))
    return value, time.perf_counter() - t0


def _uses(kind: str, accounts: np.ndarray, keys: pa.Array, held: bool) -> dict:
    """Identifier uses as arrays: kind, account index, key (text, until ``_coded``) and whether the
    account holds the identifier. Unknown accounts (-1) and empty keys are left out."""
    keep = (accounts >= 0) & _nonempty(keys)
    return {"kind": np.full(int(keep.sum()), KIND_NAMES.index(kind), dtype=np.int8),
            "account": accounts[keep].astype(np.int32), "key": keys.filter(pa.array(keep)),
            "held": np.full(int(keep.sum()), held)}


def _coded(uses: dict[str, dict]) -> dict:
    """One range's uses (kind → ``_uses``) joined, each kind's keys as codes into the range's own
    dictionary of them (``keys[kind]``), which Arrow builds without the interpreter lock.
    ``_in_one_code`` makes the codes the marketplace's once every range is read (coded in one map
    shared by the readers, 12M keys at 1M accounts took some 26 s of the client's CPU under the
    lock)."""
    keys = {}
    for kind, use in uses.items():
        encoded = pc.dictionary_encode(use.pop("key"))
        use["key"] = encoded.indices.to_numpy().astype(np.int64)
        if len(use["key"]):
            keys[kind] = encoded.dictionary.cast(pa.large_string())
    return {"uses": _concat(list(uses.values())), "keys": keys}


def _in_one_code(parts: list[dict]) -> tuple[dict, pa.ChunkedArray]:
    """The ranges' ``_coded`` uses joined, each key coded once for the whole marketplace: returns
    the uses and ``labels``, ``labels[code]`` being the key. Kind by kind (codes follow the kinds,
    then the ranges): one dictionary of every kind's keys at once held Arrow's hash table of all
    of them, and the client's peak at 1M accounts rose from 2.8 to 3.5 GB."""
    uses = [part.pop("uses") for part in parts]
    labels = []
    for kind in KIND_NAMES:
        having = [i for i, part in enumerate(parts) if kind in part["keys"]]
        if not having:
            continue
        dictionaries = [parts[i]["keys"].pop(kind) for i in having]
        encoded = pc.dictionary_encode(pa.chunked_array(dictionaries, type=pa.large_string()))
        offset = sum(map(len, labels))
        for i, chunk in zip(having, encoded.chunks, strict=True):
            of_kind = uses[i]["kind"] == KIND_NAMES.index(kind)
            uses[i]["key"][of_kind] = offset + chunk.indices.to_numpy()[uses[i]["key"][of_kind]]
        labels.append(encoded.chunks[-1].dictionary)
    return _concat(uses), pa.chunked_array(labels, type=pa.large_string())


def _building_uses(uses: dict, labels: pa.ChunkedArray) -> tuple[dict, pa.ChunkedArray]:
    """The building of every flat used (``normalise.building_key``), as uses of kind
    ``building``; an address without a unit has none. One string operation per distinct
    address, not per use. Returns the uses and ``labels`` with the buildings after them."""
    from .normalise import building_key

    address = uses["kind"] == KIND_NAMES.index("address")
    codes, inverse = np.unique(uses["key"][address], return_inverse=True)
    buildings = pa.array([building_key(key) for key in _texts(labels, codes)], pa.large_string())
    encoded = pc.dictionary_encode(buildings)
    building = np.where(_nonempty(buildings), len(labels) + encoded.indices.to_numpy().astype(np.int64), -1)[inverse]
    keep = building >= 0
    return ({"kind": np.full(int(keep.sum()), KIND_NAMES.index("building"), dtype=np.int8),
             "account": uses["account"][address][keep], "key": building[keep], "held": uses["held"][address][keep]},
            pa.chunked_array([*labels.chunks, encoded.dictionary.cast(labels.type)]))


def _concat(parts: list[dict]) -> dict:
    """Dicts of equal-length arrays, joined column by column."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _distinct_uses(uses: dict) -> dict:
    """One use per (kind, key, account), held if any of them is, sorted that way (an account's
    device comes back once per seller it bought from on it).

    The four columns are packed into one integer, sorted once and unpacked: at 1M accounts (some
    14M uses) 0.1 s against 5 s for a four-key lexsort, which stays for codes too large to pack.

    >>> uses = {"kind": np.array([1, 0, 1, 1], np.int8), "key": np.array([7, 9, 7, 7]),
    ...         "account": np.array([3, 2, 3, 1], np.int32), "held": np.array([False, True, True, False])}
    >>> {k: v.tolist() for k, v in _distinct_uses(uses).items()}
    {'kind': [0, 1, 1], 'key': [9, 7, 7], 'account': [2, 1, 3], 'held': [True, False, True]}
    >>> wide = _distinct_uses(dict(uses, key=uses["key"] + 2**60))   # too wide to pack: the lexsort, same uses
    >>> [k - 2**60 for k in wide["key"].tolist()], wide["account"].tolist(), wide["held"].tolist()
    ([9, 7, 7], [2, 1, 3], [True, False, True])
    """
    kind, key, account, held = uses["kind"], uses["key"], uses["account"], uses["held"]
    if not len(key):
        return dict(uses)
    kind_bits, key_bits, account_bits = (int(column.max()).bit_length() for column in (kind, key, account))
    if kind_bits + key_bits + account_bits + 1 > 63:   # + 1: the held bit
        order = np.lexsort((~held, account, key, kind))      # a held use first within an (identifier, account)
        kind, key, account, held = kind[order], key[order], account[order], held[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = (kind[1:] != kind[:-1]) | (key[1:] != key[:-1]) | (account[1:] != account[:-1])
        return {"kind": kind[first], "key": key[first], "account": account[first], "held": held[first]}
    account_at = 1
    key_at = account_at + account_bits
    kind_at = key_at + key_bits
    packed = np.sort((kind.astype(np.int64) << kind_at) | (key.astype(np.int64) << key_at)
                     | (account.astype(np.int64) << account_at) | ~held)   # not held sorts after held
    first = np.ones(len(packed), dtype=bool)
    first[1:] = (packed[1:] >> account_at) != (packed[:-1] >> account_at)
    packed = packed[first]

    def field(at: int, bits: int, dtype) -> np.ndarray:
        return ((packed >> at) & ((1 << bits) - 1)).astype(dtype)

    return {"kind": field(kind_at, kind_bits, kind.dtype), "key": field(key_at, key_bits, key.dtype),
            "account": field(account_at, account_bits, account.dtype), "held": (packed & 1) == 0}


def _unpacked(sold: list[str]) -> dict[str, pa.Array]:
    """``project_orders``' packed keys, one Arrow string column per ``ORDER_KEYS``, split without
    the interpreter lock; a split into too many fields (a separator in a value the loader did not
    check) is refused.

    >>> sold = KEY_SEPARATOR.join(["b1", "s1", "EUR", "", "completed", "d1", "", "", ""])
    >>> {k: v.to_pylist() for k, v in _unpacked([sold]).items() if k in ("buyer", "promo", "device")}
    {'buyer': ['b1'], 'promo': [''], 'device': ['d1']}
    >>> _unpacked([KEY_SEPARATOR.join(["b1", "s1"] + [""] * 8)])   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    graphfraud.errors.StoreError: project_orders: an order's keys hold the control character U+001F, ...
    """
    fields = pc.split_pattern(pa.array(sold, pa.string()), KEY_SEPARATOR)
    if len(fields) and pc.any(pc.not_equal(pc.list_value_length(fields), len(ORDER_KEYS))).as_py():
        raise StoreError(f"project_orders: an order's keys hold the control character U+{ord(KEY_SEPARATOR):04X}, "
                         "which the loader quarantines: load that order again with this graphfraud")
    return {key: pc.list_element(fields, i) for i, key in enumerate(ORDER_KEYS)}


def _categories(texts: pa.Array) -> np.ndarray:
    """Strings of few distinct values (currencies, promo codes) as an object array holding one
    object per value: one per order, kept until the ranges are joined, they would pin the memory of
    the other keys (at 1M, 21 ranges held 1,078 MB of the client's memory against 749 MB)."""
    encoded = pc.dictionary_encode(texts.fill_null(""))
    return np.array(encoded.dictionary.to_pylist(), dtype=object)[encoded.indices.to_numpy()]


def _order_part(columns: dict, id_set: pa.Array) -> dict:
    """One range of ``project_orders`` as arrays, accounts as indexes into ``id_set``: the sums per
    (buyer, seller, currency, code, status, identifiers), and the identifiers and codes used on
    the orders (``_coded``)."""
    keys = _unpacked(columns.get("sold") or [])
    buyer, seller = np.split(_index(id_set, pa.concat_arrays([keys["buyer"], keys["seller"]])), 2)
    known = (buyer >= 0) & (seller >= 0)
    orders = _numbers(columns.get("orders") or [], np.float64)
    sums = {"buyer": buyer[known].astype(np.int32), "seller": seller[known].astype(np.int32),
            "currency": _categories(keys["currency"])[known],
            "first": _numbers(columns.get("first") or [], np.int64)[known],
            "orders": orders[known], "amount": _numbers(columns.get("amount") or [], np.float64)[known],
            "amount_sq": _numbers(columns.get("amount_sq") or [], np.float64)[known]}
    for column, word in STATUSES.items():
        sums[column] = np.where(pc.equal(keys["status"], word).to_numpy(zero_copy_only=False), orders, 0.0)[known]
    with_code = known & _nonempty(keys["promo"])
    codes = {"account": buyer[with_code], "code": _categories(keys["promo"])[with_code],
             "first": sums["first"][with_code[known]], "uses": sums["orders"][with_code[known]]}
    uses = {kind: _uses(kind, buyer, keys[kind], False) for kind in ORDER_USES}
    uses["promo"] = _uses("promo", np.where(with_code, buyer, -1), keys["promo"], False)
    part = _coded(uses)
    part["uses"] = _distinct_uses(part["uses"])
    return {"sums": sums, "codes": codes, **part}


def _link_part(columns: dict, id_set: pa.Array) -> dict:
    """One range of ``project_links`` (per account, a list of keys per kind) as identifier uses
    (held: the account holds the identifier; ``_coded``); as of a date, only those first seen by
    then."""
    accounts = _index(id_set, pa.array(columns.get("account") or [], pa.string()))
    until = columns.get("until")
    uses = {}
    for kind, seen in LINK_SEEN.items():
        lists = pa.array(columns.get(kind) or [], pa.list_(pa.string()))
        holder = np.repeat(accounts, pc.list_value_length(lists).fill_null(0).to_numpy())
        if seen and until is not None:
            first_seen = pa.array(columns.get(seen) or [], pa.list_(pa.int64())).flatten().to_numpy()
            holder = np.where(first_seen <= until, holder, -1)
        uses[kind] = _uses(kind, holder, lists.flatten(), True)
    return _coded(uses)


def _grouped_sums(rows: dict, n: int) -> tuple[dict, list[str]]:
    """The ranges' sums per (buyer, seller, currency, code, …), joined, summed per (buyer, seller,
    currency), sorted that way, currencies as codes."""
    currency, currencies = _codes(list(rows["currency"]))
    width = np.int64(max(len(currencies), 1))
    pair_key = (rows["buyer"].astype(np.int64) * n + rows["seller"]) * width + currency
    keys, row_pair = np.unique(pair_key, return_inverse=True)
    out = {"buyer": (keys // width // n).astype(np.int32), "seller": (keys // width % n).astype(np.int32),
           "currency": (keys % width).astype(np.int32)}
    for column in PAIR_SUMS:
        total = np.bincount(row_pair, weights=rows[column], minlength=len(keys))
        # money to a millionth: the sum then does not depend on the order the server returned rows in
        out[column] = np.round(total, 6) if column.startswith("amount") else total.astype(np.int64)
    out["first"] = np.full(len(keys), np.iinfo(np.int64).max)
    np.minimum.at(out["first"], row_pair, rows["first"])
    return out, currencies


def _promo_uses(rows: dict) -> dict:
    """Promo code uses per (account, code), from the ranges' uses joined: first use and number of
    orders, sorted that way."""
    labels, code = np.unique(rows["code"].astype(str), return_inverse=True)
    width = np.int64(max(len(labels), 1))
    keys, row_use = np.unique(rows["account"].astype(np.int64) * width + code, return_inverse=True)
    first = np.full(len(keys), np.iinfo(np.int64).max)
    np.minimum.at(first, row_use, rows["first"])
    return {"account": (keys // width).astype(np.int32), "code": labels[keys % width].astype(object),
            "first": first, "uses": np.bincount(row_use, weights=rows["uses"], minlength=len(keys)).astype(np.int64)}


def chance_fingerprints(group_kind: np.ndarray, group_key: np.ndarray, uses: dict, labels: pa.ChunkedArray,
                        n_accounts: int) -> np.ndarray:
    """Per group: a card fingerprint in a BIN so common that a shared one is expected by chance.

    A fingerprint (BIN:last4) survives re-tokenisation, but in a BIN of N cards each card expects
    (N - 1) / ``LAST4_VALUES`` strangers with its last four digits. Cards are counted as the
    distinct (account, fingerprint) uses of each BIN. In the 1M-account bench, 60 % of cards
    share their fingerprint with another; no BIN of a 20,000-buyer marketplace reaches the bar.
    """
    silent = np.zeros(len(group_kind), dtype=bool)
    fingerprint = KIND_NAMES.index("fingerprint")
    in_groups = group_kind == fingerprint
    rows = uses["kind"] == fingerprint
    if not in_groups.any() or not rows.any():
        return silent
    holders = distinct(uses["key"][rows] * np.int64(n_accounts) + uses["account"][rows]) // np.int64(n_accounts)
    codes, cards = np.unique(holders, return_counts=True)
    bins, per_bin = np.unique(_bins(_texts(labels, codes)), return_inverse=True)
    cards_in_bin = np.bincount(per_bin, weights=cards)
    group_bins = _bins(group_key[in_groups])
    found = np.minimum(np.searchsorted(bins, group_bins), len(bins) - 1)
    cards_there = np.where(bins[found] == group_bins, cards_in_bin[found], 0)
    silent[in_groups] = (cards_there - 1) >= LAST4_VALUES
    return silent


def _bins(fingerprints) -> np.ndarray:
    """The BIN of each BIN:last4 fingerprint (a list comprehension: twice as fast as ``np.char``)."""
    return np.array([str(k).split(":")[0] for k in fingerprints], dtype=str)


def _identifier_groups(uses: dict, labels: pa.ChunkedArray) -> tuple[np.ndarray, ...]:
    """Identifier → accounts groups of two or more accounts from (kind, account, key code, held)
    uses, ``labels[code]`` being the key: sorted by kind then key, members by account index, an
    account held-flagged if any of its uses is held. Returns kind, key, ptr, members, held."""
    uses = _distinct_uses(uses)
    kind, key, account, held = uses["kind"], uses["key"], uses["account"], uses["held"]
    new_group = np.ones(len(key), dtype=bool)
    new_group[1:] = (kind[1:] != kind[:-1]) | (key[1:] != key[:-1])
    group = np.cumsum(new_group) - 1
    size = np.bincount(group, minlength=int(new_group.sum()))
    shared = np.flatnonzero(size >= 2)
    starts = np.flatnonzero(new_group)[shared]
    group_kind, group_key = kind[starts], _texts(labels, key[starts])
    by_key = np.lexsort((group_key.astype(str), group_kind))   # only shared groups' keys are compared as text
    starts, sizes = starts[by_key], size[shared][by_key]
    ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=ptr[1:])
    member = np.repeat(starts - ptr[:-1], sizes) + np.arange(ptr[-1])
    return group_kind[by_key], group_key[by_key], ptr, account[member].astype(np.int32), held[member]


def _accounts(parts: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """The ranges of ``project_accounts`` as arrays sorted by id: ids, role codes (``ROLES``),
    creation times, country codes and the countries they index."""
    acc = {column: list(chain.from_iterable(part.get(column) or [] for part in parts))
           for column in ("id", "role", "created", "country")}
    raw_ids = np.array(acc["id"], dtype=str)
    order = np.argsort(raw_ids, kind="stable")
    roles = np.array(acc["role"], dtype=object)[order]
    role = np.zeros(len(order), dtype=np.int8)
    for name, code in ROLES.items():
        role[roles == name] = code
    country, countries = _codes(acc["country"])
    return raw_ids[order], role, _numbers(acc["created"], np.int64)[order], country[order], countries


@contextmanager
def _cycle_collector_paused():
    """Python's cycle collector paused, as it was before afterwards. The reads decode millions of
    lists and strings that hold no cycles (reference counting frees them), and every full
    collection walks all that are alive: at 1M accounts, paused, the projection took 96-109 s
    against 119-141 s, alternating."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_cycle_collector_paused()
def project(store, as_of: str | None = None, cap: int = GROUP_CAP, progress=None) -> Projection:
    """Read accounts, identifier uses and order sums from ``store`` and build groups and pairs.

    ``as_of``: an ISO datetime; only accounts created, identifier uses first seen and
    orders placed on or before it count. ``progress(step)`` is called as each of ``STEPS`` ends.
    """
    store.require_current_schema()   # the reads rely on keys the migrations write
    timings: dict[str, float] = {}
    tick = progress or (lambda step: None)

    t0 = time.perf_counter()
    account_cuts = account_ranges(store)   # every id, as of any date: ids only cut the ranges
    with ThreadPoolExecutor(READERS) as pool:
        try:
            order_cuts = pool.submit(order_ranges, store)   # the order cuts are read beside the accounts
            parts = [pool.submit(_columns, store, "project_accounts", as_of, lo=lo, hi=hi)
                     for lo, hi in account_cuts]
            ids, role, created, country, countries = _accounts([f.result() for f in parts])
            id_set = pa.array(ids, pa.string())
            timings["accounts"] = time.perf_counter() - t0
            tick("accounts")
            # Every (statement, range) is a read of its own: READERS at a time keep the server's
            # cores busy to the end. The order walks (the longest) first.
            reads = {"orders": ("project_orders", lambda c: _order_part(c, id_set), order_cuts.result(),
                                {"sep": KEY_SEPARATOR}),
                     "links": ("project_links", lambda c: _link_part(c, id_set),
                               [{"lo": lo, "hi": hi} for lo, hi in account_cuts], {})}
            pending = {step: [pool.submit(_timed_read, store, name, as_of, bounds, convert, **params)
                              for bounds in step_ranges]
                       for step, (name, convert, step_ranges, params) in reads.items()}
            results = {}
            for step, futures in pending.items():
                done = [f.result() for f in futures]
                timings[step] = sum(seconds for _, seconds in done)   # reading time, summed over its ranges
                results[step] = [value for value, _ in done]
                tick(step)
        except BaseException:
            pool.shutdown(cancel_futures=True)   # a read failed (or Ctrl-C): the queued ones need not run
            raise

    t0 = time.perf_counter()
    # Each range's arrays are let go as soon as they are joined (popped): at 1M they would
    # otherwise stay beside the joined copies through the identifier groups, the client's peak.
    order_parts = results.pop("orders") or [_order_part({}, id_set)]
    orders, currencies = _grouped_sums(_concat([part.pop("sums") for part in order_parts]), len(ids))
    for column in STATUSES:   # per buyer, from the per-pair counts; chargebacks stay per pair too
        counts = orders[column] if column == "chargebacks" else orders.pop(column)
        orders[f"account_{column}"] = np.bincount(orders["buyer"], weights=counts, minlength=len(ids)).astype(np.int64)
    promo_uses = _promo_uses(_concat([part.pop("codes") for part in order_parts]))
    uses, labels = _in_one_code(order_parts + results.pop("links"))
    buildings, labels = _building_uses(uses, labels)
    uses = _concat([uses, buildings])
    group_kind, group_key, group_ptr, group_members, group_held = _identifier_groups(uses, labels)
    silent = chance_fingerprints(group_kind, group_key, uses, labels, len(ids))
    pair_a, pair_b, pair_w = pair_weights(group_ptr, group_members, group_kind, len(ids), cap, held=group_held,
                                          silent=silent)
    timings["pairs"] = time.perf_counter() - t0
    tick("pairs")
    return Projection(ids=ids, role=role, created=created, country=country, countries=countries,
                      group_kind=group_kind, group_key=group_key, group_ptr=group_ptr,
                      group_members=group_members, group_held=group_held, group_silent=silent,
                      pair_a=pair_a, pair_b=pair_b, pair_w=pair_w,
                      orders=orders, currencies=currencies, promo_uses=promo_uses,
                      as_of=as_of, cap=cap, timings=timings)
