"""Stable ring ids and lineage on hand-built cases (pure; no server)."""

import random

import pytest

from graphfraud.rings import EVENT_KEYS, match_rings, member_id


def fs(text: str) -> frozenset[str]:
    return frozenset(text.split())


def counter():
    n = iter(range(1, 1000))
    return lambda members, taken: f"N{next(n)}"


def by_id(events):
    return {e["ring_id"]: e for e in events}


def test_same_members_keep_the_id_and_are_unchanged():
    ids, events = match_rings({"R1": fs("a b c")}, [fs("a b c")], counter())
    assert ids == ["R1"]
    assert events == [{"ring_id": "R1", "kind": "unchanged", "size": 3, "previous_size": 3, "added": 0, "removed": 0,
                       "added_ids": [], "removed_ids": [], "from": [], "into": []}]


def test_ring_that_gains_members_keeps_its_id_even_when_it_more_than_doubles():
    ids, events = match_rings({"R1": fs("a b c")}, [fs("a b c d e f g h")], counter())
    assert ids == ["R1"]
    assert events[0]["kind"] == "grown"
    assert (events[0]["added"], events[0]["removed"], events[0]["added_ids"]) == (5, 0, list("defgh"))


def test_ring_that_loses_members_keeps_its_id_and_is_shrunk():
    ids, events = match_rings({"R1": fs("a b c d e")}, [fs("a b c")], counter())
    assert ids == ["R1"]
    assert (events[0]["kind"], events[0]["removed_ids"], events[0]["size"], events[0]["previous_size"]) == \
        ("shrunk", ["d", "e"], 3, 5)


def test_churn_is_grown_when_more_joined_than_left():
    ids, events = match_rings({"R1": fs("a b c d")}, [fs("a b c x y")], counter())
    assert ids == ["R1"] and events[0]["kind"] == "grown"
    assert (events[0]["added_ids"], events[0]["removed_ids"]) == (["x", "y"], ["d"])


def test_group_with_a_minority_of_an_old_ring_is_new_and_the_old_ring_dissolves():
    # 2 of R1's 5 members sit in a group of 6 mostly new accounts: not the same group.
    ids, events = match_rings({"R1": fs("a b c d e")}, [fs("a b u v w x")], counter())
    assert ids == ["N1"]
    ev = by_id(events)
    assert ev["N1"]["kind"] == "new" and ev["N1"]["added"] == 6
    assert ev["R1"]["kind"] == "dissolved"
    assert (ev["R1"]["size"], ev["R1"]["removed"]) == (0, 5)


def test_merge_keeps_the_id_of_the_larger_overlap_and_names_where_the_other_went():
    prev = {"R1": fs("a b c d"), "R2": fs("x y z")}
    ids, events = match_rings(prev, [fs("a b c d x y z q")], counter())
    assert ids == ["R1"]
    ev = by_id(events)
    assert (ev["R1"]["kind"], ev["R1"]["from"], ev["R1"]["added_ids"]) == ("merged", ["R2"], ["q", "x", "y", "z"])
    assert (ev["R2"]["kind"], ev["R2"]["into"], ev["R2"]["size"]) == ("merged", ["R1"], 0)


def test_split_keeps_the_id_on_the_largest_part_and_gives_the_others_new_ids():
    prev = {"R1": fs("a b c d e f g h i")}
    ids, events = match_rings(prev, [fs("g h"), fs("a b c d e"), fs("f i")], counter())
    assert ids == ["N1", "R1", "N2"]
    ev = by_id(events)
    assert (ev["R1"]["kind"], ev["R1"]["into"], ev["R1"]["removed_ids"]) == ("split", ["N1", "N2"], list("fghi"))
    assert (ev["N1"]["kind"], ev["N1"]["from"], ev["N1"]["added_ids"]) == ("split", ["R1"], ["g", "h"])
    assert (ev["N2"]["kind"], ev["N2"]["from"]) == ("split", ["R1"])


def test_every_event_has_the_same_keys_and_one_event_per_ring():
    prev = {"R1": fs("a b c d"), "R2": fs("x y z"), "R3": fs("m n"), "R4": fs("p q r s t u")}
    current = [fs("a b c d x y z"), fs("p q r"), fs("s t u"), fs("new1 new2")]
    ids, events = match_rings(prev, current, counter())
    assert all(tuple(e) == EVENT_KEYS for e in events)
    assert sorted(e["ring_id"] for e in events) == sorted(set(ids) | set(prev))
    assert by_id(events)["R3"]["kind"] == "dissolved"


def test_result_does_not_depend_on_input_order():
    prev = {"R1": fs("a b c d"), "R2": fs("x y z w"), "R3": fs("p q r s t u")}
    current = [fs("a b c d x y z w"), fs("p q r"), fs("s t u"), fs("k l")]
    ids, events = match_rings(prev, current, member_id)
    mapping = dict(zip(current, ids))
    rng = random.Random(7)
    for _ in range(20):
        shuffled = current[:]
        rng.shuffle(shuffled)
        prev_shuffled = dict(rng.sample(list(prev.items()), len(prev)))
        ids2, events2 = match_rings(prev_shuffled, shuffled, member_id)
        assert dict(zip(shuffled, ids2)) == mapping
        assert sorted(events2, key=lambda e: e["ring_id"]) == sorted(events, key=lambda e: e["ring_id"])


def test_equal_halves_tie_is_broken_by_members_not_by_order():
    # R1 and R2 both give 3 members to the merged group: the id goes by member order.
    prev = {"R2": fs("a b c"), "R1": fs("x y z")}
    ids, _ = match_rings(prev, [fs("x y z a b c")], counter())
    assert ids == ["R2"]  # ("a","b","c") sorts before ("x","y","z")


def test_first_run_makes_every_group_new():
    ids, events = match_rings({}, [fs("a b"), fs("c d e")], member_id)
    assert ids == [member_id(fs("a b")), member_id(fs("c d e"))]
    assert [e["kind"] for e in events] == ["new", "new"]


def test_everything_dissolves_when_nothing_is_found():
    ids, events = match_rings({"R1": fs("a b")}, [], counter())
    assert ids == [] and [e["kind"] for e in events] == ["dissolved"]


def test_a_new_id_that_collides_with_a_previous_ring_is_refused():
    with pytest.raises(ValueError, match="already in use"):
        match_rings({"R1": fs("a b c")}, [fs("x y")], lambda m, taken: "R1")


def test_a_ring_that_splits_back_to_the_core_it_was_found_as_gets_a_fresh_id():
    # R was first found as {a, b, c} (so its id is theirs), grew, then split: it lives on in the
    # larger part, and the core's own id is taken.
    core, rest = fs("a b c"), fs("d e f g")
    ring = member_id(core)
    ids, events = match_rings({ring: core | rest}, [core, rest], member_id)
    assert ids[1] == ring and ids[0] not in (ring, member_id(rest))
    assert ids[0] == member_id(core, taken={ring}), "the next id of the core's fixed sequence"
    assert match_rings({ring: core | rest}, [rest, core], member_id)[0] == ids[::-1]
    ev = by_id(events)
    assert (ev[ring]["kind"], ev[ring]["into"]) == ("split", [ids[0]])
    assert (ev[ids[0]]["kind"], ev[ids[0]]["from"]) == ("split", [ring])
