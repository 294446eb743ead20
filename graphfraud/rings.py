"""Stable ring ids and ring lineage between detection runs (pure; no database).

A ring keeps its id from one run to the next while it is recognisably the same group:
a previous ring and a current group are *linked* when most of the previous ring's
members are in the group, or most of the group's members come from that ring
(``2 * overlap > len(previous)`` or ``2 * overlap > len(current)``). Links are taken
greedily by overlap, largest first, each id going to at most one group:

- a group linked to one previous ring keeps its id: ``grown``, ``shrunk`` or
  ``unchanged`` by its member deltas;
- two previous rings linked to one group (a **merge**): the group keeps the id of the
  larger overlap (event ``merged`` with ``from`` = the absorbed ids); each absorbed
  ring gets a ``merged`` event with ``into`` = the surviving id;
- one previous ring linked to several groups (a **split**): the largest part keeps the
  id (event ``split`` with ``into`` = the new ids), every other part gets a new id with
  event ``split`` and ``from`` = the parent;
- a group linked to nothing is ``new``; a previous ring linked to nothing is
  ``dissolved``.

Ties are broken by size and then by member ids, never by input order, so the same
inputs always give the same ids and events.

Every event is a dict with the keys in ``EVENT_KEYS``: ``ring_id``, ``kind``, ``size``
(members now; 0 once merged away or dissolved), ``previous_size``, ``added`` and
``removed`` (counts against the ring's own previous members), ``added_ids`` and
``removed_ids`` (sorted), ``from`` and ``into`` (sorted ring ids).
"""

import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterable

__all__ = ["EVENT_KEYS", "change_kind", "count_kinds", "lineage_event", "match_rings", "member_id"]

EVENT_KEYS = ("ring_id", "kind", "size", "previous_size", "added", "removed", "added_ids", "removed_ids",
              "from", "into")


def member_id(members: Iterable[str], taken: Collection[str] = (), prefix: str = "R") -> str:
    """A content id for a new ring: the same members always give the same id.

    When that id is ``taken`` (a ring split back to the core it was first found as, and the
    ring lives on in its larger part), the next id of a fixed sequence that is free: a
    counter is hashed in, so the same members and taken ids still give the same id.

    >>> member_id({"b", "a"}) == member_id(["a", "b"])
    True
    >>> member_id({"a", "b"})
    'R-f04cdced97'
    >>> member_id({"a", "b"}, taken={"R-f04cdced97"})
    'R-5480a180c0'
    """
    import hashlib

    text = "\x1f".join(sorted(members))
    for salt in itertools.count():
        salted = text if salt == 0 else f"{text}\x1e{salt}"
        rid = f"{prefix}-{hashlib.sha256(salted.encode()).hexdigest()[:10]}"
        if rid not in taken:
            return rid


def _key(members: frozenset[str]) -> tuple:
    """Order for groups independent of input order: larger first, then by member ids."""
    return (-len(members), tuple(sorted(members)))


def match_rings(
    previous: dict[str, frozenset[str]],
    current: list[frozenset[str]],
    new_id: Callable[[frozenset[str], set[str]], str],
) -> tuple[list[str], list[dict]]:
    """Give each current group an id, kept from a previous ring where it is the same group.

    Parameters
    ----------
    previous : ring id -> members, from the run this one follows.
    current : the groups found now, in any order.
    new_id : called once per group that needs a fresh id (in the order of ``current``)
        with the group and the ids in use (the previous rings' and those given so far);
        it must return an id not among them (``member_id`` does).

    Returns
    -------
    (ids, events): ``ids[i]`` is the id of ``current[i]``; ``events`` has one event per
    current group (in the order of ``current``) and then one per previous ring that no
    longer exists (merged away or dissolved), sorted by id.

    Examples
    --------
    A ring gains a member and another appears:

    >>> prev = {"R1": frozenset({"a", "b", "c"})}
    >>> ids, events = match_rings(prev, [frozenset({"x", "y"}), frozenset({"a", "b", "c", "d"})],
    ...                           new_id=lambda m, taken: "N-" + min(m))
    >>> ids
    ['N-x', 'R1']
    >>> [(e["ring_id"], e["kind"], e["added_ids"]) for e in events]
    [('N-x', 'new', ['x', 'y']), ('R1', 'grown', ['d'])]

    Two rings merge; the larger overlap keeps its id:

    >>> prev = {"R1": frozenset("abcd"), "R2": frozenset("xyz")}
    >>> ids, events = match_rings(prev, [frozenset("abcdxyz")], new_id=lambda m, taken: "N")
    >>> ids
    ['R1']
    >>> [(e["ring_id"], e["kind"], e["from"], e["into"]) for e in events]
    [('R1', 'merged', ['R2'], []), ('R2', 'merged', [], ['R1'])]

    A ring splits; the largest part keeps the id:

    >>> prev = {"R1": frozenset("abcdefg")}
    >>> ids, events = match_rings(prev, [frozenset("efg"), frozenset("abcd")], new_id=lambda m, taken: "N-" + min(m))
    >>> ids
    ['N-e', 'R1']
    >>> [(e["ring_id"], e["kind"], e["from"], e["into"], e["removed"]) for e in events]
    [('N-e', 'split', ['R1'], [], 0), ('R1', 'split', [], ['N-e'], 3)]
    """
    current = [frozenset(c) for c in current]
    previous = {rid: frozenset(m) for rid, m in previous.items()}

    # Which previous ring each account was in (a ring's members are disjoint per run,
    # but tolerate overlap by keeping every ring an account was in).
    rings_of: dict[str, list[str]] = {}
    for rid, members in previous.items():
        for account in members:
            rings_of.setdefault(account, []).append(rid)

    overlaps: dict[tuple[str, int], int] = {}
    for i, group in enumerate(current):
        for account in group:
            for rid in rings_of.get(account, ()):
                overlaps[(rid, i)] = overlaps.get((rid, i), 0) + 1

    links = [(rid, i, n) for (rid, i), n in overlaps.items()
             if 2 * n > len(previous[rid]) or 2 * n > len(current[i])]
    links.sort(key=lambda link: (-link[2], _key(previous[link[0]]), link[0], _key(current[link[1]])))

    id_of_group: dict[int, str] = {}
    group_of_id: dict[str, int] = {}
    for rid, i, _ in links:
        if rid not in group_of_id and i not in id_of_group:
            id_of_group[i], group_of_id[rid] = rid, i

    used = set(previous)
    ids: list[str] = []
    for i, group in enumerate(current):
        rid = id_of_group.get(i)
        if rid is None:
            rid = new_id(group, used)
            if rid in used:
                raise ValueError(f"new_id returned {rid!r}, which is already in use")
        used.add(rid)
        ids.append(rid)

    # Lineage between ids: absorbed rings (merge) and parts (split).
    merged_into: dict[str, str] = {}
    split_from: dict[int, str] = {}
    for rid, i, _ in links:
        if group_of_id.get(rid) == i:
            continue
        if rid not in group_of_id and rid not in merged_into:
            merged_into[rid] = ids[i]  # the ring lost its id to a larger overlap
        elif i not in id_of_group and i not in split_from:
            split_from[i] = rid  # a part of a ring that lives on elsewhere
    absorbed: dict[str, list[str]] = {}
    for rid, survivor in merged_into.items():
        absorbed.setdefault(survivor, []).append(rid)
    parts: dict[str, list[str]] = {}
    for i, parent in split_from.items():
        parts.setdefault(parent, []).append(ids[i])

    events = []
    for i, group in enumerate(current):
        rid = ids[i]
        before = previous.get(rid) if i in id_of_group else None
        came_from = sorted(absorbed.get(rid, [])) or ([split_from[i]] if i in split_from else [])
        went_into = sorted(parts.get(rid, []))
        if before is None:
            kind = "split" if i in split_from else "new"
            before = frozenset()
        elif absorbed.get(rid):
            kind = "merged"
        elif went_into:
            kind = "split"
        else:
            kind = change_kind(before, group)
        events.append(lineage_event(rid, kind, group, before, came_from, went_into))

    for rid in sorted(set(previous) - set(group_of_id)):
        into = [merged_into[rid]] if rid in merged_into else []
        events.append(lineage_event(rid, "merged" if into else "dissolved", frozenset(), previous[rid], [], into))
    return ids, events


def change_kind(before: frozenset, now: frozenset) -> str:
    """unchanged, grown (gained at least as many members as it lost) or shrunk.

    >>> change_kind(frozenset("ab"), frozenset("bc")), change_kind(frozenset("abc"), frozenset("a"))
    ('grown', 'shrunk')
    """
    if now == before:
        return "unchanged"
    return "grown" if len(now - before) >= len(before - now) else "shrunk"


def count_kinds(events: list[dict]) -> dict[str, int]:
    """How many lineage events of each kind, by kind name."""
    return dict(sorted(Counter(e["kind"] for e in events).items()))


def lineage_event(rid: str, kind: str, now: frozenset, before: frozenset, came_from: list, went_into: list) -> dict:
    """One lineage event (the keys of ``EVENT_KEYS``) of ring ``rid`` from ``before`` to ``now``."""
    added, removed = sorted(now - before), sorted(before - now)
    return {"ring_id": rid, "kind": kind, "size": len(now), "previous_size": len(before),
            "added": len(added), "removed": len(removed), "added_ids": added, "removed_ids": removed,
            "from": came_from, "into": went_into}
