"""Detection on a generated marketplace on the real server: planted rings found, look-alikes left
alone, the same rings twice; and the pure parts (pairs, Leiden, joining) on small arrays."""

import csv
import io
import json
import re

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from graphfraud.cli import app
from graphfraud.detect import (devoted, leiden_cpm, leiden_modularity, linkage, merge_groups, parts_of_one_ring, relabel,
                               repeat_buyers, ring_joiners, seller_stars)
from graphfraud.detection import find_rings, run_detection
from graphfraud.errors import UsageError
from graphfraud.evaluate import evaluate_rings, flagged_share, read_labels
from graphfraud.generate import write_marketplace
from graphfraud.load import load
from graphfraud.project import KIND_NAMES, chance_fingerprints, expand_groups, pair_weights, project
from graphfraud.times import parse

BUYERS, SEED = 2000, 11


@pytest.fixture(scope="module")
def marketplace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("market")
    write_marketplace(folder, buyers=BUYERS, seed=SEED)
    return folder


@pytest.fixture(scope="module")
def loaded(session_store, marketplace):
    """The generated marketplace in the store and one detection run over it."""
    session_store.write("clear_graph")
    load(session_store, [marketplace])
    result = run_detection(session_store)
    return session_store, result


def _labels(marketplace):
    return read_labels(marketplace / "labels.csv")


def test_planted_rings_are_found(loaded, marketplace):
    store, result = loaded
    truth = _labels(marketplace)
    predicted = [(r["id"], frozenset(r["members"]), r["score"]) for r in result.rings]
    m = evaluate_rings(truth.rings, predicted, truth.typologies)
    assert m["ring_recall"] >= 0.8, m
    assert m["ring_precision"] >= 0.8, m
    assert m["top50_precision"] >= 0.8, m


def test_benign_look_alikes_are_not_flagged(loaded, marketplace):
    _, result = loaded
    with open(marketplace / "lookalikes.csv", newline="") as f:
        lookalikes = [r["account_id"] for r in csv.DictReader(f)]
    assert lookalikes
    assert flagged_share(lookalikes, [frozenset(r["members"]) for r in result.rings]) <= 0.02
    assert sum(result.dismissed.values()) > 10 * len(result.rings), "most candidates are honest and dismissed"


def test_rings_carry_typology_reasons_and_roles(loaded):
    _, result = loaded
    for ring in result.rings:
        assert ring["typology"] in ("brushing", "promo_abuse", "chargeback", "collusion")
        assert ring["typology_basis"]
        held = [r for r in ring["reasons"] if r["holds"]]
        assert len({r["family"] for r in held}) >= 2, "no ring rests on one family of evidence"
        assert set(ring["roles"].values()) <= {"buyer", "seller", "both", "linked"}


def test_two_runs_give_the_same_rings_and_ids(loaded):
    store, first = loaded
    second = run_detection(store)
    assert [(r["id"], r["members"], r["score"]) for r in second.rings] == \
           [(r["id"], r["members"], r["score"]) for r in first.rings]
    assert all(e["kind"] == "unchanged" for e in second.lineage)
    p1, p2 = project(store), project(store)
    m1 = find_rings(p1, seed=7)[0]
    m2 = find_rings(p2, seed=7)[0]
    assert np.array_equal(m1, m2)


def test_a_projection_cannot_be_changed_once_built_so_its_kept_baselines_hold(loaded):
    import dataclasses

    store, _ = loaded
    p = project(store)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.pair_w = p.pair_w * 2
    for array in (p.pair_w, p.group_members, p.orders["orders"], p.promo_uses["uses"]):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = array[0]
    find_rings(p, seed=7)   # scoring reads the projection and keeps its baselines without writing to it
    assert p.derived


def test_run_is_recorded_and_listed(loaded):
    store, result = loaded
    run = store.read("rings_latest_run")[0]
    counts = json.loads(run["counts"])
    assert counts["rings"] == len(result.rings) and counts["accounts"] >= BUYERS
    params = json.loads(run["params"])
    assert params["min_score"] == 50.0
    assert (params["order_link_min_orders"], params["order_link_min_lift"], params["devoted_share"]) == (2, 10.0, 0.5), \
        "the order links' rule is recorded with the run"
    listed = CliRunner().invoke(app, ["rings", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["ring_id"] for r in rows] == [r["id"] for r in result.rings], "detect reports them as `rings list` ranks them"
    typ = result.rings[0]["typology"]
    only = json.loads(CliRunner().invoke(app, ["rings", "list", "--typology", typ, "--format", "json"]).stdout)
    assert only and all(r["typology"] == typ for r in only)
    members = CliRunner().invoke(app, ["rings", "list", "--members", "--format", "csv"])
    assert members.stdout.splitlines()[0].startswith("ring_id,account_id,score")
    created = [r["created_at"] for r in csv.DictReader(io.StringIO(members.stdout))]
    assert created and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t) for t in created), created[:3]
    as_json = json.loads(CliRunner().invoke(app, ["rings", "list", "--members", "--format", "json"]).stdout)
    assert all(parse(r["created_at"]).tzinfo for r in as_json), "ISO 8601 with its offset"


def test_evaluate_command_scores_the_latest_run(loaded, marketplace):
    result = CliRunner().invoke(app, ["evaluate", str(marketplace / "labels.csv"), "--format", "json"])
    assert result.exit_code == 0, result.output
    m = json.loads(result.stdout)
    assert m["ring_f1"] >= 0.8 and set(m["recall_by_typology"]) <= {"brushing", "promo_abuse", "chargeback",
                                                                      "collusion"}


# --------------------------------------------------------------------------- pure parts

def test_groups_expand_to_pairs_without_super_nodes():
    ptr = np.array([0, 3, 3 + 60])
    members = np.concatenate([[5, 1, 3], np.arange(100, 160)])
    a, b, g = expand_groups(ptr, members, cap=50)
    assert sorted(zip(a.tolist(), b.tolist())) == [(1, 3), (1, 5), (3, 5)], "the 60-account group gives no pairs"


def test_weights_fall_with_group_size_and_a_parcel_to_someone_elses_home_links_nothing():
    dev, addr = KIND_NAMES.index("device"), KIND_NAMES.index("address")
    ptr = np.array([0, 2, 6, 9])
    members = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8])
    held = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0], dtype=bool)
    a, b, w = pair_weights(ptr, members, np.array([dev, dev, addr]), 9, held=held)
    weight = {(int(x), int(y)): float(v) for x, y, v in zip(a, b, w)}
    assert weight[(0, 1)] == 1.0
    assert weight[(2, 3)] == pytest.approx(0.5), "four on one device: 1 / log2(4)"
    assert weight[(6, 7)] == pytest.approx(1 / np.log2(3))
    assert (6, 8) not in weight, "one holds the address, the other only shipped a parcel there"


def test_flats_of_one_building_meet_at_half_weight_and_flatmates_count_once():
    """Accounts 0 and 1 hold flats 5 and 17 of one building, 2 and 3 share flat 2 of it; 4 lives
    in a house (no unit, no building)."""
    from graphfraud.normalise import address_key
    from graphfraud.project import KIND_NAMES, _building_uses, _identifier_groups

    spellings = ["18 Martin Luther King Jr Blvd Apt 5, Seattle, WA 98136",
                 "18 Martin Luther King Jr Blvd. Unit 17, Seattle, WA 98136",
                 "18 Martin Luther King Jr Blvd #2, Seattle, WA 98136",
                 "18 Martin Luther King Jr Blvd, Apt. 2, Seattle, WA 98136",
                 "22 Pine St, Seattle, WA 98101"]
    labels = pa.chunked_array([sorted({address_key(s, "US") for s in spellings})])
    uses = {"kind": np.full(5, KIND_NAMES.index("address"), dtype=np.int8), "account": np.arange(5, dtype=np.int32),
            "key": np.array([labels.index(address_key(s, "US")).as_py() for s in spellings]),
            "held": np.ones(5, dtype=bool)}
    buildings, labels = _building_uses(uses, labels)
    assert buildings["account"].tolist() == [0, 1, 2, 3]
    assert set(labels.take(buildings["key"]).to_pylist()) == {"18 martin luther king jr bd seattle wa 98136"}
    all_uses = {k: np.concatenate([uses[k], buildings[k]]) for k in uses}
    kind, _, ptr, members, held = _identifier_groups(all_uses, labels)
    assert [KIND_NAMES[k] for k in kind] == ["address", "building"]
    a, b, w = pair_weights(ptr, members, kind, 5, held=held)
    weight = {(int(x), int(y)): round(float(v), 3) for x, y, v in zip(a, b, w)}
    assert weight == {(0, 1): 0.25, (0, 2): 0.25, (0, 3): 0.25, (1, 2): 0.25, (1, 3): 0.25, (2, 3): 1.0}, \
        "neighbours 0.5 / log2(4); flatmates 1 (flat and building are one family: the larger counts)"


def test_order_links_need_repeat_unlikely_buying_and_devotion_half_the_orders():
    buyer = np.array([0, 0, 1, 2, 3, 3, 4, 4])
    seller = np.array([9, 8, 9, 7, 7, 8, 6, 7])
    orders = np.array([4, 1, 1, 50, 50, 50, 3, 9])
    links = repeat_buyers(buyer, seller, orders, np.zeros(10, int), 10)
    assert [(int(x), int(y)) for x, y in zip(*links[:2])] == [(0, 9), (4, 6)], \
        "1 bought once; 2 and 3 are loyal to big shops; 4 hides 3 orders at a small shop behind 9 elsewhere"
    assert links[2].tolist() == [0.8, 0.25]
    assert [x.tolist() for x in devoted(*links)] == [[0], [9], [0.8]], "4's link holds a quarter of its orders"
    in_two_currencies = repeat_buyers(np.array([0, 0, 1, 2]), np.array([9, 9, 9, 7]), np.array([1, 1, 1, 50]),
                                      np.zeros(10, int), 10)
    assert [x.tolist() for x in in_two_currencies] == [[0], [9], [1.0]], \
        "a buyer's orders to one seller count together whatever their currencies (a row per currency)"


def test_seller_stars_take_free_devoted_buyers_under_the_cap():
    n = 100
    free = np.ones(n, bool)
    free[3] = False                                   # already in a ring
    buyer = np.array([0, 1, 2, 3, 4, 4] + list(range(20, 70)))
    seller = np.array([90, 90, 91, 90, 91, 92] + [95] * 50)
    share = np.array([1.0, 0.8, 1.0, 1.0, 0.5, 0.5] + [1.0] * 50)
    stars = seller_stars(n, buyer, seller, share, free, cap=50)
    groups = {int(g): sorted(np.flatnonzero(stars == g).tolist()) for g in np.unique(stars[stars >= 0])}
    assert list(groups.values()) == [[0, 1, 90], [2, 4, 91]], \
        "3 is taken; 4 splits its orders evenly and joins its first seller; 95 has 50 buyers: a popular shop"
    chained = seller_stars(8, np.array([0, 1, 5, 6]), np.array([5, 5, 7, 7]), np.ones(4), np.ones(8, bool), cap=50)
    assert chained.tolist() == [0, 0, -1, -1, -1, 0, -1, -1], "seller 5 heads its own star, leaving 7 one buyer short"
    half_taken = np.array([1, 1, 0, 0, 1, 1, 1, 1], bool)
    assert (seller_stars(8, np.array([0, 1, 2, 3]), np.full(4, 5), np.ones(4), half_taken, cap=3) == -1).all(), \
        "the cap counts every devoted buyer, free or not"


def test_linked_buyers_join_a_ring_only_when_also_tied_to_one_of_its_members():
    # rings: 0 = {0, 1 (its seller), 9 (a popular seller)}, 1 = {2, 3 (its seller)}
    ring = np.full(70, -1)
    ring[[0, 1, 9]], ring[[2, 3]] = 0, 1
    #                  4    5    6    7    7    8    8    0    20..69
    buyer = np.array([4, 5, 6, 7, 7, 8, 8, 0] + list(range(20, 70)))
    seller = np.array([1, 1, 3, 1, 3, 1, 3, 3] + [9] * 50)
    share = np.array([1.0, 1.0, 1.0, 0.5, 0.5, 0.4, 0.6, 1.0] + [1.0] * 50)
    ties = [(0, 4), (2, 6), (2, 5), (0, 7), (2, 7), (0, 8), (2, 8), (2, 0), (0, 20)]
    pair_a, pair_b = (np.array(side) for side in zip(*ties))
    joins = ring_joiners(ring, buyer, seller, share, pair_a, pair_b, cap=50)
    assert {i: int(r) for i, r in enumerate(joins) if r >= 0} == {4: 0, 6: 1, 7: 0, 8: 1}, \
        "5 is tied to the other ring only; 7 splits evenly and joins its first seller's ring, 8 the ring of " \
        "its larger share; 0 is in a ring already; 20 buys from a popular shop"
    assert (ring_joiners(ring, buyer, seller, share, pair_a[:0], pair_b[:0], cap=50) == -1).all(), \
        "an order link alone (an honest regular) joins nothing"
    assert (ring_joiners(np.full(70, -1), buyer, seller, share, pair_a, pair_b, cap=50) == -1).all(), \
        "no ring, nothing to join"


def test_rings_are_parts_of_one_ring_only_with_a_shared_shop_overlapping_time_and_two_ties():
    # rings 0..4 of two buyers each (accounts 0..9); shops 20, 21; account 10 is in no ring
    n = 22
    ring = np.full(n, -1)
    for r in range(5):
        ring[[2 * r, 2 * r + 1]] = r
    buyer = np.arange(10)
    seller = np.array([20, 20, 20, 20, 21, 21, 20, 20, 20, 20])
    orders = np.ones(10)
    first = np.array([10, 20, 15, 25, 12, 18, 14, 16, 900, 950])   # ring 4 buys months later

    def parts(a, b, w):
        return parts_of_one_ring(ring, buyer, seller, orders, first, np.array(a), np.array(b), np.array(w)).tolist()

    two_ties = ([0, 1], [2, 3], [1.0, 1.0])
    assert parts(*two_ties) == [0, 0, 1, 2, 3], "a shared shop, overlapping time, two ties: one ring"
    assert parts([0], [2], [1.0]) == [0, 1, 2, 3, 4], "one tie is a coincidence"
    assert parts([0, 1], [2, 3], [0.01, 0.01]) == [0, 1, 2, 3, 4], "ties lighter than a tenth of the resolution"
    assert parts([0, 1], [4, 5], [1.0, 1.0]) == [0, 1, 2, 3, 4], "no shop in common"
    assert parts([6, 7], [8, 9], [1.0, 1.0]) == [0, 1, 2, 3, 4], "the same shop months apart"
    assert parts([0, 1, 10], [2, 3, 0], [1.0, 1.0, 1.0]) == [0, 0, 1, 2, 3], "ties to accounts in no ring do not count"
    assert parts_of_one_ring(np.full(n, -1), buyer, seller, orders, first, *map(np.array, two_ties)).tolist() == []


def test_rings_joined_as_parts_are_kept_only_when_the_whole_still_scores(loaded, monkeypatch):
    """Whatever parts_of_one_ring joins, every ring found before ends up inside exactly one ring:
    joined when the whole scores (here every whole does), back as it was when it does not (which
    no marketplace of the benches has shown, so a whole is made to score nothing)."""
    import graphfraud.detect as detect_module
    import graphfraud.score as score_module
    from graphfraud.detection import _ring_of, _with_parts_joined

    store, _ = loaded
    p = project(store)
    membership, scored = find_rings(p)[:2]
    ring = _ring_of(membership, scored, 50)   # per account, its ring's candidate index
    ids = np.unique(ring[ring >= 0])
    assert len(ids) >= 4
    by_score = ids[np.argsort(-scored.scores[ids], kind="stable")]
    half = len(ids) // 2
    forced = np.arange(int(ring.max()) + 1)   # the rings in twos, the best with the worst
    forced[by_score[::-1][:half]] = by_score[:half]
    monkeypatch.setattr(detect_module, "parts_of_one_ring", lambda *args: forced)

    def rings_after(joined, rescored):
        after = _ring_of(joined, rescored, 50)
        for r in ids:
            holders = np.unique(after[ring == r])
            assert len(holders) == 1 and holders[0] >= 0, f"ring {r} kept whole, in a ring"
        assert (after >= 0).sum() == (ring >= 0).sum(), "no account joins or leaves"
        return {frozenset(np.flatnonzero(after == r).tolist()) for r in np.unique(after[after >= 0])}

    assert len(rings_after(*_with_parts_joined(p, membership, scored, 50))) == len(ids) - half, "every pair held"

    real = score_module.score_groups

    def wholes_score_nothing(proj, groups, *args, **kwargs):
        out = real(proj, groups, *args, **kwargs)
        for c in range(len(out)):
            if len(np.unique(ring[groups == c])) > 1:
                out.scores[c] = 0.0
        return out

    monkeypatch.setattr(score_module, "score_groups", wholes_score_nothing)
    before = {frozenset(np.flatnonzero(ring == r).tolist()) for r in ids}
    assert rings_after(*_with_parts_joined(p, membership, scored, 50)) == before, "every ring back as it was"


def test_cpm_keeps_small_dense_groups_apart_where_modularity_merges_them():
    # 40 triangles in a ring of weak links: CPM keeps every triangle, modularity merges neighbours
    k = 40
    tri = np.arange(3 * k).reshape(k, 3)
    a = np.concatenate([tri[:, 0], tri[:, 0], tri[:, 1], tri[:, 2]])
    b = np.concatenate([tri[:, 1], tri[:, 2], tri[:, 2], np.roll(tri[:, 0], -1)])
    w = np.concatenate([np.ones(3 * k), np.full(k, 0.9)])
    cpm = leiden_cpm(3 * k, a, b, w, resolution=0.5, seed=1)
    assert len(set(cpm.tolist())) == k
    assert len(set(leiden_modularity(3 * k, a, b, w, seed=1).tolist())) < k


def test_leiden_is_deterministic_for_a_seed():
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 300, 900), rng.integers(0, 300, 900)
    keep = a != b
    a, b, w = np.minimum(a, b)[keep], np.maximum(a, b)[keep], rng.random(keep.sum())
    assert np.array_equal(leiden_cpm(300, a, b, w, 0.3, seed=5), leiden_cpm(300, a, b, w, 0.3, seed=5))


def test_joining_only_touches_suspect_groups():
    a, b, w = np.array([0, 1, 2, 3]), np.array([1, 2, 3, 4]), np.ones(4)
    membership = np.array([0, 0, 1, 1, 2])
    assert merge_groups(a, b, w, membership, np.array([True, False, True])).tolist() == [0, 0, 1, 1, 2]
    assert merge_groups(a, b, w, membership, np.array([True, True, False])).tolist() == [0, 0, 0, 0, 1]
    assert relabel(np.array([3, 3, -1, 7])).tolist() == [0, 0, -1, -1]


def test_linkage_is_identifier_pairs_plus_order_links(loaded):
    store, _ = loaded
    p = project(store)
    a, b, w = linkage(p)
    assert len(a) >= len(p.pair_a) and (a < b).all() and (w > 0).all()
    assert len(np.unique(a.astype(np.int64) * p.n + b)) == len(a), "one edge per pair"


def test_a_linked_buyer_tied_to_a_ring_joins_it_and_the_rings_keep_their_members(loaded):
    """The last step of find_rings on a real projection: an account outside every ring, linked to a
    ring's member by an identifier pair and (as given here) with an order link to that member's shop, joins
    that ring; every ring keeps all its members, and no ring is lost."""
    from graphfraud.detection import _ring_of, _with_ring_joiners

    store, _ = loaded
    p = project(store)
    membership, scored = find_rings(p)[:2]
    ring = _ring_of(membership, scored, 50)
    a, b = np.concatenate([p.pair_a, p.pair_b]), np.concatenate([p.pair_b, p.pair_a])
    tie = np.flatnonzero((ring[a] < 0) & (ring[b] >= 0))[0]
    outsider, member = int(a[tie]), int(b[tie])
    link = (np.array([outsider]), np.array([member]), np.array([1.0]))
    joined, rescored = _with_ring_joiners(p, membership, scored, 50, link)

    def rings(m, sc):
        return [frozenset(np.flatnonzero(m == c).tolist()) for c in np.flatnonzero(sc.scores >= 50)]

    before, after = rings(membership, scored), rings(joined, rescored)
    assert len(after) == len(before) and all(any(r <= grown for grown in after) for r in before)
    grown = next(r for r in after if member in r)
    assert outsider in grown and len(grown) == int((membership == membership[member]).sum()) + 1
    assert len(set().union(*after)) == len(set().union(*before)) + 1, "one account joined, none left"


def test_a_projection_read_in_key_ranges_is_the_one_read_whole(loaded, monkeypatch):
    """A big marketplace is read in slices (bounded server memory): the arrays must not change."""
    import graphfraud.project as projection

    store, _ = loaded
    as_of = "2026-06-01T00:00:00"
    whole = project(store, as_of=as_of)
    monkeypatch.setattr(projection, "SLICE_ACCOUNTS", 300)
    monkeypatch.setattr(projection, "SLICE_ORDERS", 700)
    sliced = project(store, as_of=as_of)
    assert whole.n > 3 * 300 and len(whole.group_key) > 100
    assert len(projection.order_ranges(store)) > 3, "a buyer's orders fall in several ranges"
    _assert_same_projection(whole, sliced)


def test_ids_read_in_pages_cut_the_same_ranges(loaded, monkeypatch):
    """The local server caps a collect() at about 2.1M elements: bigger marketplaces read their ids
    in pages, and the ranges cut from the pages are the ones cut from one read."""
    import graphfraud.project as projection

    store, _ = loaded
    monkeypatch.setattr(projection, "SLICE_ACCOUNTS", 300)
    whole = projection.account_ranges(store)
    monkeypatch.setattr(projection, "KEY_PAGE", 7)
    assert projection.account_ranges(store) == whole
    assert len(whole) > 3


@pytest.mark.parametrize("sample", [10**6, 1], ids=["every-id", "sampled"])
def test_order_ranges_cut_at_a_sample_read_every_order_once(loaded, monkeypatch, sample):
    """Order ranges are cut at a random sample of the ids (every id when the store holds few):
    wherever the cuts fall, each order lies in exactly one range, and the sizes stay near the
    slice."""
    import graphfraud.project as projection

    store, _ = loaded
    monkeypatch.setattr(projection, "SLICE_ORDERS", 700)
    monkeypatch.setattr(projection, "CUT_SAMPLE", sample)
    ids = sorted(r["id"] for r in store.run_cypher("MATCH (o:Order) RETURN o.id AS id", {})[1])
    ranges = projection.order_ranges(store)
    assert ranges[0]["after"] == "" and ranges[-1]["hi"] == ids[-1]
    assert all(r["after"] < r["hi"] for r in ranges) and all(a["hi"] == b["after"] for a, b in zip(ranges, ranges[1:]))
    sizes = [sum(1 for i in ids if r["after"] < i <= r["hi"]) for r in ranges]
    assert sum(sizes) == len(ids) and min(sizes) > 0
    if sample == 10**6:   # every id: equal cuts, the same on every read
        assert len(ranges) == -(-len(ids) // 700) and max(sizes) - min(sizes) <= 1
        assert projection.order_ranges(store) == ranges


def test_keys_coded_range_by_range_get_one_code_per_kind_for_the_whole_marketplace():
    """Each range codes its keys in dictionaries of its own; joined, a key has one code in every
    range, and the same text as another kind is another identifier. Empty keys and unknown
    accounts are no uses."""
    from graphfraud.project import _coded, _in_one_code, _uses

    def read_range(kinds: dict) -> dict:
        return _coded({kind: _uses(kind, np.array(accounts), pa.array(keys), True)
                       for kind, (accounts, keys) in kinds.items()})

    first = read_range({"device": ([0, 1, 2], ["d1", "d2", ""]), "promo": ([0, -1], ["WELCOME", "WELCOME"])})
    second = read_range({"device": ([3, 4], ["d2", "d1"]), "promo": ([4], ["d1"])})
    uses, labels = _in_one_code([first, second])
    texts = labels.take(uses["key"]).to_pylist()
    kinds = [KIND_NAMES[k] for k in uses["kind"]]
    assert list(zip(kinds, uses["account"].tolist(), texts)) == [
        ("device", 0, "d1"), ("device", 1, "d2"), ("promo", 0, "WELCOME"),
        ("device", 3, "d2"), ("device", 4, "d1"), ("promo", 4, "d1")]
    code = {(kind, text): set() for kind, text in zip(kinds, texts)}
    for kind, text, c in zip(kinds, texts, uses["key"].tolist()):
        code[(kind, text)].add(c)
    assert all(len(codes) == 1 for codes in code.values()), "one code per key across the ranges"
    assert len(set.union(*code.values())) == len(code), "the device d1 and the promo code d1 differ"


def test_distinct_uses_packed_in_one_integer_match_the_four_key_sort():
    """Uses are packed into one integer to be sorted once; codes too large to pack take the
    four-key lexsort. Both give one use per (kind, key, account), held if any of them is."""
    from graphfraud.project import _distinct_uses

    rng = np.random.default_rng(7)
    uses = {"kind": rng.integers(0, 7, 5000).astype(np.int8), "key": rng.integers(0, 300, 5000),
            "account": rng.integers(0, 200, 5000).astype(np.int32), "held": rng.random(5000) < 0.3}
    packed = _distinct_uses(uses)
    huge = dict(uses, key=uses["key"] + (1 << 61))   # 62 bits of key: no room to pack
    unpacked = _distinct_uses(huge)
    assert np.array_equal(unpacked["key"] - (1 << 61), packed["key"])
    for column in ("kind", "account", "held"):
        assert np.array_equal(unpacked[column], packed[column]) and unpacked[column].dtype == packed[column].dtype
    rows = set(zip(uses["kind"].tolist(), uses["key"].tolist(), uses["account"].tolist()))
    assert len(packed["key"]) == len(rows)
    held = {(k, c, a) for k, c, a, h in zip(uses["kind"].tolist(), uses["key"].tolist(), uses["account"].tolist(),
                                            uses["held"].tolist()) if h}
    assert {r for r, h in zip(zip(packed["kind"].tolist(), packed["key"].tolist(), packed["account"].tolist()),
                              packed["held"].tolist()) if h} == held


def _assert_same_projection(one, other):
    for name in ("ids", "role", "created", "country", "group_kind", "group_key", "group_ptr", "group_members",
                 "group_held", "pair_a", "pair_b", "pair_w"):
        assert np.array_equal(getattr(one, name), getattr(other, name)), name
    assert one.countries == other.countries and one.currencies == other.currencies
    assert one.orders.keys() == other.orders.keys() and one.promo_uses.keys() == other.promo_uses.keys()
    for name, column in one.orders.items():
        assert np.array_equal(column, other.orders[name]), name
    for name, column in one.promo_uses.items():
        assert np.array_equal(column, other.promo_uses[name]), name


def test_a_graph_loaded_before_orders_kept_their_identifier_keys_is_migrated(loaded):
    """Schema version 1 graphs had the order's device, address and card as relationships only: the
    next detection migrates them and reads the very projection a fresh load gives."""
    from graphfraud.store import SCHEMA_VERSION

    store, _ = loaded
    fresh = project(store)
    assert fresh.orders["account_chargebacks"].sum() > 0
    store.run_cypher("MATCH (o:Order) REMOVE o.device_id, o.address_id, o.instrument_id, o.fingerprint, "
                     "o.buyer_id, o.seller_id", {}, write=True)
    store.run_cypher("MATCH (v:SchemaVersion) DELETE v", {}, write=True)
    with pytest.raises(UsageError, match="schema version 1 of"):
        project(store)   # without the keys it would lose the orders
    shown = {}

    def progress(description, total):
        shown[description] = [total, 0]
        return lambda n: shown[description].__setitem__(1, shown[description][1] + n)

    store.ensure_schema(progress)
    assert list(shown) == ["migrating the graph to version 2: orders keep their identifier keys",
                           "migrating the graph to version 3: flats keep their building",
                           "migrating the graph to version 4: orders keep their buyer and seller ids",
                           "migrating the graph to version 5: accounts keep their identifier keys"]
    assert all(total > 0 and done == total for total, done in shown.values()), shown
    assert store.read("schema_version") == [{"version": SCHEMA_VERSION, "has_accounts": True}]
    _assert_same_projection(fresh, project(store))


def test_a_graph_loaded_before_orders_kept_their_buyer_and_seller_is_migrated(loaded):
    """Schema version 3 graphs had the order's buyer and seller as relationships only."""
    store, _ = loaded
    fresh = project(store)
    store.run_cypher("MATCH (o:Order) REMOVE o.buyer_id, o.seller_id", {}, write=True)
    store.write("schema_version_set", version=3)
    with pytest.raises(UsageError, match="schema version 3 of"):
        project(store)
    [note] = store.ensure_schema()   # said in words too: a log off a terminal shows no progress bar
    assert note.startswith("the graph, written by an older graphfraud, was brought from schema version 3 to 5 in ")
    assert note.endswith("(orders keep their buyer and seller ids; accounts keep their identifier keys)")
    assert store.ensure_schema() == []
    _assert_same_projection(fresh, project(store))


def test_a_graph_loaded_before_accounts_kept_their_identifier_keys_is_migrated(loaded):
    """Schema version 4 graphs had an account's identifiers as relationships only."""
    store, _ = loaded
    fresh = project(store)
    store.run_cypher("MATCH (a:Account) REMOVE a.device_keys, a.device_seen, a.address_keys, a.instrument_keys, "
                     "a.instrument_fingerprints, a.subnet_keys, a.subnet_seen", {}, write=True)
    store.write("schema_version_set", version=4)
    with pytest.raises(UsageError, match="`graphfraud load` or `graphfraud detect` migrates it first"):
        project(store)   # without the keys it would see only the identifiers used on orders
    store.ensure_schema()
    _assert_same_projection(fresh, project(store))


def test_a_failed_range_read_stops_the_projection_and_the_queued_reads(loaded, monkeypatch):
    import time

    import graphfraud.project as projection
    from graphfraud.errors import StoreError

    store, _ = loaded
    monkeypatch.setattr(projection, "SLICE_ORDERS", 300)
    real, reads = projection._columns, []

    def failing(store, name, as_of, **params):
        reads.append(name)
        if name == "project_orders":
            time.sleep(0.3)   # a read that runs the server out of memory takes a while to fail
            raise StoreError("project_orders: the server ran out of memory")
        return real(store, name, as_of, **params)

    ranges = len(projection.order_ranges(store))
    monkeypatch.setattr(projection, "_columns", failing)
    with pytest.raises(StoreError, match="out of memory"):
        project(store)
    # each reader may start one more before the failure is seen; the rest were cancelled
    assert reads.count("project_orders") <= 2 * projection.READERS < ranges, "queued reads were cancelled"


def test_the_projection_leaves_the_cycle_collector_as_it_found_it(loaded, monkeypatch):
    import gc

    import graphfraud.project as projection
    from graphfraud.errors import StoreError

    store, _ = loaded
    paused_during = []
    real = projection._columns

    def watched(store, name, as_of, **params):
        paused_during.append(not gc.isenabled())
        return real(store, name, as_of, **params)

    monkeypatch.setattr(projection, "_columns", watched)
    assert gc.isenabled()
    project(store)
    assert paused_during and all(paused_during) and gc.isenabled()

    def failing(store, name, as_of, **params):
        raise StoreError(f"{name}: the server went away")

    monkeypatch.setattr(projection, "_columns", failing)
    with pytest.raises(StoreError):
        project(store)
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(projection, "_columns", watched)
        project(store)
        assert not gc.isenabled(), "a caller that paused it keeps it paused"
    finally:
        gc.enable()


def test_a_graph_without_links_gives_no_candidates_not_an_error():
    from graphfraud.project import Projection

    n = 4
    z = np.zeros(0, np.int64)
    orders = {"buyer": z.astype(np.int32), "seller": z.astype(np.int32), "currency": z.astype(np.int32), "orders": z,
              "amount": z.astype(float), "amount_sq": z.astype(float), "first": z,
              "account_chargebacks": np.zeros(n, np.int64), "account_refunds": np.zeros(n, np.int64),
              "account_cancels": np.zeros(n, np.int64)}
    p = Projection(ids=np.array(["a", "b", "c", "d"]), role=np.zeros(n, np.int8), created=np.zeros(n, np.int64),
                   country=np.zeros(n, np.int32), countries=["DE"], group_kind=np.zeros(0, np.int8),
                   group_key=np.zeros(0, object), group_ptr=np.zeros(1, np.int64),
                   group_members=np.zeros(0, np.int32), group_held=np.zeros(0, bool), group_silent=np.zeros(0, bool),
                   pair_a=z.astype(np.int32), pair_b=z.astype(np.int32), pair_w=z.astype(float), orders=orders,
                   currencies=[], promo_uses={})
    membership, scored, _, _ = find_rings(p)
    assert (membership == -1).all() and len(scored) == 0 and scored.dismissed_counts(50) == {}


def test_a_run_killed_during_write_back_leaves_the_previous_rings_as_they_were(loaded, monkeypatch):
    store, _ = loaded

    def listing():
        return json.loads(CliRunner().invoke(app, ["rings", "list", "--members", "--format", "json"]).stdout)

    before = listing()

    def killed(parts):
        raise KeyboardInterrupt  # the process dies before the write-back transaction commits

    monkeypatch.setattr(store, "write_together", killed)
    with pytest.raises(KeyboardInterrupt):
        run_detection(store, min_score=0.0)  # would store many more rings than the run before
    monkeypatch.undo()
    assert listing() == before


def test_a_detection_killed_outright_is_marked_abandoned_by_the_next_one(loaded):
    """A `detect` killed with -9 (or cut off by `db stop`) left its run 'running' for good; loads and
    weekly runs were marked abandoned by the next one, detection runs never."""
    store, _ = loaded
    store.run_cypher("CREATE (:DetectionRun {id: 'det-killed', started_at: datetime(), status: 'running'})", {},
                     write=True)
    result = run_detection(store)
    runs = store.run_cypher("MATCH (d:DetectionRun) WHERE d.id IN ['det-killed', $id] "
                            "RETURN d.id AS id, d.status AS status ORDER BY d.status", {"id": result.run_id})[1]
    assert runs == [{"id": "det-killed", "status": "abandoned"}, {"id": result.run_id, "status": "complete"}]


def test_a_fingerprint_shared_in_a_bin_where_everyone_expects_a_chance_partner_gives_no_pairs():
    # BIN 411111 holds 10,002 cards: each expects (10,002 - 1) / 10,000 > 1 stranger with its last four
    # digits; BIN 522222 holds 3, where a shared fingerprint is no accident
    fp = KIND_NAMES.index("fingerprint")
    labels = pa.chunked_array([[f"411111:{i:05d}" for i in range(10_002)] + ["522222:0001", "522222:0002"]])
    uses = {"kind": np.full(10_006, fp, np.int8),
            "key": np.array(list(range(10_002)) + [0, 10_002, 10_002, 10_003], np.int64),
            "account": np.array(list(range(10_002)) + [20_000, 20_001, 20_002, 20_003], np.int32)}
    group_kind = np.array([fp, fp, KIND_NAMES.index("device")], np.int8)
    group_key = np.array(["411111:00000", "522222:0001", "411111:00000"], dtype=object)
    assert chance_fingerprints(group_kind, group_key, uses, labels, 30_000).tolist() == [True, False, False]
    ptr, members = np.array([0, 2, 4, 6]), np.array([0, 20_000, 20_001, 20_002, 5, 6])
    a, b, _ = pair_weights(ptr, members, group_kind, 30_000, silent=np.array([True, False, False]))
    assert sorted(zip(a.tolist(), b.tolist())) == [(5, 6), (20_001, 20_002)]
