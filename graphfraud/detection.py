"""Detection end to end: projection → candidates → evidence → write-back, each stage timed.

``run_detection`` is the one entry point (the ``detect`` command and the weekly job call
it). It records a ``DetectionRun`` node {id, started_at, ended_at, as_of, params, timings,
counts, lineage, status} and, for each candidate at or above ``min_score``, a ``Ring``
node linked to the run (FOUND_BY) and to its members (MEMBER_OF {role, run_id}). Ring
ids stay stable across runs while a ring is recognisably the same group
(``graphfraud.rings.match_rings`` against the rings of the last completed run); a new
ring's id is derived from its members. A ring's case ``status`` is set to ``open`` when
the ring is first written and never touched by detection again. A run that stops on an
error after it started is marked ``failed`` with the error.
"""

from __future__ import annotations

import json
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import numpy as np

from .errors import NotFoundError, UsageError
from .home import installation
from .locks import GraphBusyError, graph_writer
from .store import failure_recorded
from .times import now_precise, now_text, parse, utc_text

__all__ = ["MIN_SCORE", "SEED", "DetectionResult", "run_detection", "latest_run", "list_rings", "ring_detail",
           "tied_rings", "predicted_rings", "as_of_text"]

MIN_SCORE = 50.0
SEED = 42
MERGE_DIV = 2             # the second CPM pass joins suspect groups at half the first resolution
SUSPECT_SCORE = 40.0      # one strong signal, or two weak ones: may be joined with its neighbours
TIED_BY_ORDERS = 2        # orders between two rings that tie them in `rings show` (one is a purchase)


@dataclass
class DetectionResult:
    run_id: str
    as_of: str | None
    rings: list[dict]                 # reported rings, best first
    dismissed: dict[str, int]         # candidates below the minimum, by dismissal kind
    counts: dict
    timings: dict
    params: dict
    lineage: list[dict] = field(default_factory=list)
    examples: list[dict] = field(default_factory=list)   # a few dismissed groups with their reason
    writes: list[tuple[str, dict]] = field(default_factory=list)   # what stores the run, when not yet published


def as_of_text(as_of) -> str | None:
    """An ``as_of`` value as the UTC ISO timestamp the Cypher compares with.

    A date (or a date-only string) means the end of that day.

    >>> as_of_text("2026-03-02")
    '2026-03-02T23:59:59Z'
    >>> as_of_text("2026-03-02T10:00:00+01:00")
    '2026-03-02T09:00:00Z'
    >>> as_of_text(None) is None
    True
    """
    if as_of is None:
        return None
    if isinstance(as_of, str) and not as_of.strip():   # an unset variable in a job's line: not "today"
        raise UsageError("--as-of is empty: give a date (YYYY-MM-DD) or leave the option out for today")
    if isinstance(as_of, datetime):
        value = as_of
    elif isinstance(as_of, date):
        return f"{as_of.isoformat()}T23:59:59Z"
    else:
        text = str(as_of).strip()
        if len(text) == 10:
            try:
                return f"{date.fromisoformat(text).isoformat()}T23:59:59Z"
            except ValueError:
                raise UsageError(f"--as-of {text!r} is not a date (YYYY-MM-DD) or an ISO datetime") from None
        try:
            value = parse(text)
        except ValueError:
            raise UsageError(f"--as-of {text!r} is not a date (YYYY-MM-DD) or an ISO datetime") from None
    return utc_text(value if value.tzinfo else value.replace(tzinfo=timezone.utc))


def run_detection(store, as_of=None, min_score: float = MIN_SCORE, seed: int = SEED, progress=None,
                  resolution: float | None = None, previous: dict[str, frozenset] | None = None,
                  publish: bool = True) -> DetectionResult:
    """Find, score and store rings. ``progress(description, total)`` returns an ``advance(n)``.

    Ring ids are matched against ``previous`` (ring id -> members) when given (the weekly
    job passes last week's rings), else against the rings of the latest completed run.
    With ``publish=False`` nothing is written: the result's ``writes`` store the run, for a
    caller that commits them in its own last transaction (the weekly job: a run that fails
    before it publishes must leave last week's rings as investigators saw them).
    Raises ``UsageError`` when the graph (as of ``as_of``) holds no accounts, and
    ``GraphBusyError`` when a load or another detection of this installation is running (it would
    read a half-loaded graph: ``locks.graph_writer``).
    """
    with graph_writer("detection"):
        return _detection(store, as_of, min_score, seed, progress, resolution, previous, publish)


def _detection(store, as_of, min_score, seed, progress, resolution, previous, publish) -> DetectionResult:
    from . import detect, rings, score
    from .project import KINDS, STEPS, project

    tick = progress or (lambda description, total: (lambda n: None))
    as_of = as_of_text(as_of)
    resolution = detect.RESOLUTION if resolution is None else resolution
    timings: dict[str, float] = {}
    started_at = now_precise()
    t_start = time.perf_counter()

    store.ensure_schema(tick)   # a graph an older graphfraud loaded is migrated before it is read
    advance = tick("projection", len(STEPS))
    projection = project(store, as_of=as_of, progress=lambda step: advance(1))
    timings["projection"] = time.perf_counter() - t_start
    timings.update({f"projection.{k}": v for k, v in projection.timings.items()})
    if projection.n == 0:
        if as_of:
            raise UsageError(f"the graph holds no accounts as of {as_of}: none was created by then")
        raise UsageError("the graph holds no accounts: load a marketplace first (graphfraud load DIR)")

    run_id = "det-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    params = {"min_score": min_score, "seed": seed, "resolution": resolution, "group_cap": projection.cap,
              "alpha": score.ALPHA, "min_lift": score.MIN_LIFT, "weights": score.WEIGHTS,
              "kinds": {k: {"weight": w, "family": f} for k, (f, w) in KINDS.items()},
              "order_edges": detect.ORDER_EDGES, "order_link_min_orders": detect.REPEAT_ORDERS,
              "order_link_min_lift": detect.MIN_ORDER_LIFT, "devoted_share": detect.DEVOTED_SHARE,
              "seller_star_min_buyers": detect.MIN_STAR_BUYERS,
              "parts_of_one_ring": {"shop_share": detect.PART_SHOP_SHARE, "min_ties": detect.PART_TIES,
                                    "min_tie_weight_per_pair": detect.PART_TIE_WEIGHT},
              "decisive": {"chargebacks_by_members": score.DISPUTING_MEMBERS, "weight": score.DECISIVE}}
    start = {"id": run_id, "started_at": started_at, "as_of": as_of, "params": json.dumps(params),
             "installation": installation()}
    if publish:   # under the writer lock: a run of this installation still 'running' was killed
        store.write("rings_abandon_stale", id=run_id, now=now_text(), installation=start["installation"])
        store.write("rings_run_start", **start)   # so that a killed run leaves a trace
    with failure_recorded(store, "rings_run_failed", run_id) if publish else nullcontext():
        membership, scored, (a, _, _), stage_times = find_rings(projection, min_score=min_score, seed=seed,
                                                                 resolution=resolution, tick=tick)
        timings.update(stage_times)
        t0 = time.perf_counter()
        order = scored.order()
        found = [scored.candidate(c, min_score) for c in order[scored.scores[order] >= min_score]]
        examples = []
        for c in order[(scored.scores[order] < min_score)]:
            if len(examples) >= 20:
                break
            if scored.ctx.size[c] >= 3:
                cand = scored.candidate(c, min_score)
                examples.append({"score": cand.score, "size": cand.facts["size"], "reason": cand.dismissal})
        dismissed = scored.dismissed_counts(min_score)
        timings["evidence"] += time.perf_counter() - t0

        t0 = time.perf_counter()
        groups = [frozenset(projection.ids[c.members].tolist()) for c in found]
        if previous is None:
            from .investigate import current_run

            latest = current_run(store)
            previous = {r["id"]: frozenset(r["members"])
                        for r in store.read("rings_of_run", run_id=latest)} if latest else {}
        ids, lineage = rings.match_rings(previous, groups, new_id=rings.member_id)

        now = now_text()
        ring_rows, member_rows, out = [], [], []
        for rid, cand, members in zip(ids, found, groups):
            roles = dict(zip(projection.ids[cand.members].tolist(), cand.roles))
            sellers = sum(1 for r in cand.roles if r in ("seller", "both"))
            buyers = sum(1 for r in cand.roles if r in ("buyer", "both"))
            row = {"id": rid, "score": cand.score, "typology": cand.typology, "typology_basis": cand.typology_basis,
                   "reasons": json.dumps(cand.reasons, ensure_ascii=False), "size": len(members),
                   "seller_count": sellers, "buyer_count": buyers}
            ring_rows.append(row)
            member_rows.extend({"ring_id": rid, "account_id": a, "role": roles[a]} for a in sorted(members))
            out.append({**row, "reasons": cand.reasons, "members": sorted(members), "roles": roles,
                        "countries": [projection.countries[c] for c in projection.country[np.sort(cand.members)]],
                        "facts": cand.facts})
        by_typology: dict[str, int] = {}
        for r in out:
            by_typology[r["typology"] or "unclassified"] = by_typology.get(r["typology"] or "unclassified", 0) + 1
        counts = {"accounts": int(projection.n), "identifier_groups": int(len(projection.group_kind)),
                  "groups_over_cap": int((projection.group_sizes() > projection.cap).sum()),
                  "account_pairs": int(len(projection.pair_a)), "linkage_edges": int(len(a)),
                  "order_pairs": int(len(projection.orders["buyer"])), "candidates": len(scored),
                  "accounts_in_candidates": int((membership >= 0).sum()), "rings": len(out),
                  "ring_accounts": int(sum(r["size"] for r in out)), "rings_by_typology": by_typology,
                  "dismissed": int(len(scored) - len(out)), "dismissed_by_kind": dict(sorted(dismissed.items())),
                  "dismissed_examples": examples[:10],
                  "lineage": rings.count_kinds(lineage)}

        # One transaction: the rings, their members and the run's completion become visible together,
        # so a run killed during write-back leaves the previous run's rings exactly as they were.
        end = {"id": run_id, "ended_at": now_text(), "timings": json.dumps(timings), "counts": json.dumps(counts),
               "lineage": json.dumps(lineage, ensure_ascii=False), "status": "complete"}
        writes = [
            ("rings_upsert", {"rows": ring_rows, "run_id": run_id, "now": now}),
            ("rings_clear_members", {"ids": ids}),
            ("rings_members", {"rows": member_rows, "run_id": run_id}),
            ("rings_run_end", end),
        ]
        if publish:
            advance = tick("write-back", 1)
            store.write_together(writes)
            advance(1)
            timings["write-back"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_start
    timings = {k: round(v, 3) for k, v in timings.items()}
    if publish:
        store.write("rings_run_timings", id=run_id, timings=json.dumps(timings))
    else:   # stored later, by the caller: with the run's final timings
        end["timings"] = json.dumps(timings)
    out.sort(key=lambda r: (-r["score"], r["id"]))   # as `rings list` ranks them: score, then id
    return DetectionResult(run_id=run_id, as_of=as_of, rings=out, dismissed=dismissed, counts=counts,
                           timings=timings, params=params, lineage=lineage, examples=examples,
                           writes=[] if publish else [("rings_run_start", start)] + writes)


def find_rings(projection, min_score: float = MIN_SCORE, seed: int = SEED, resolution: float | None = None,
               tick=None):
    """Candidates and their evidence from a projection, without touching the store.

    Leiden/CPM cuts the linkage into candidate groups; every group is scored; groups with
    some evidence (``SUSPECT_SCORE``: one strong signal, or two weak ones) that CPM cut
    apart are joined by a second CPM pass at half the resolution over those groups only,
    and the joined groups are scored again. Then groups with evidence drop their bystanders
    (``_Context.bystanders`` in score: members on the group's network or code only, taking
    no part in what it does, and the shops it buys from with no other tie) and are scored
    once more. Last, each seller with buyers devoted to it, none of them in a ring yet, is
    scored as a group of its own (``detect.seller_stars``: CPM cuts such stars) and becomes
    one when it scores ``min_score``; and a buyer in no ring, with an order link to a ring's
    seller and linked to one of its members by an identifier pair, joins that ring (``detect.ring_joiners``)
    unless that would take the ring below ``min_score``. Last, rings that are parts of one ring
    (``detect.parts_of_one_ring``: a shared target shop, overlapping time, two ties or more) are
    joined, each joined group kept only when it still scores ``min_score``.
    Returns (membership, ``score.Scores`` of every group, the linkage (a, b, w), stage
    timings); ``scores.candidate(i)`` explains group i.
    """
    from . import detect, score

    tick = tick or (lambda description, total: (lambda n: None))
    resolution = detect.RESOLUTION if resolution is None else resolution
    timings = {}
    t0 = time.perf_counter()
    advance = tick("candidates", 3)
    order_links = detect.order_links_in(projection)
    devoted = detect.devoted(*order_links)   # for the seller stars, last
    a, b, w = detect.linkage(projection, order_links=order_links)
    membership = detect.leiden_cpm(projection.n, a, b, w, resolution=resolution, seed=seed)
    advance(1)
    timings["candidates"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    advance_e = tick("evidence", 3)
    scored = score.score_groups(projection, membership)
    advance_e(1)
    timings["evidence"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    merged = detect.merge_groups(a, b, w, membership, scored.scores >= SUSPECT_SCORE, resolution=resolution / MERGE_DIV,
                                 seed=seed)
    advance(1)
    timings["candidates"] += time.perf_counter() - t0
    if not np.array_equal(merged, membership):
        t0 = time.perf_counter()
        membership = merged
        scored = score.score_groups(projection, membership)
        timings["evidence"] += time.perf_counter() - t0

    t0 = time.perf_counter()
    trimmed = np.where(scored.ctx.bystanders() & (scored.scores >= SUSPECT_SCORE)[np.maximum(membership, 0)], -1,
                       membership) if len(scored) else membership
    if not np.array_equal(trimmed, membership):
        membership = detect.relabel(trimmed)
        scored = score.score_groups(projection, membership)
    timings["evidence"] += time.perf_counter() - t0
    advance_e(1)

    t0 = time.perf_counter()
    starred = _with_seller_stars(projection, membership, scored, min_score, devoted)
    if not np.array_equal(starred, membership):
        membership = starred
        scored = score.score_groups(projection, membership)
    membership, scored = _with_ring_joiners(projection, membership, scored, min_score, order_links)
    membership, scored = _with_parts_joined(projection, membership, scored, min_score)
    advance(1)
    timings["candidates"] += time.perf_counter() - t0
    advance_e(1)
    return membership, scored, (a, b, w), timings


def _with_seller_stars(projection, membership: np.ndarray, scored, min_score: float, devoted) -> np.ndarray:
    """``membership`` with the seller stars that score ``min_score`` as groups of their own.

    Only accounts outside every ring so far take part, so a star never splits a ring.
    """
    from . import detect, score

    buyer, seller, share = devoted
    in_ring = _ring_of(membership, scored, min_score) >= 0
    stars = detect.seller_stars(projection.n, buyer, seller, share, ~in_ring, projection.cap)
    if not (stars >= 0).any():
        return membership
    held = score.score_groups(projection, stars).scores >= min_score
    star_of = np.where(stars >= 0, held[np.maximum(stars, 0)], False)
    if not star_of.any():
        return membership
    out = membership.copy()
    out[star_of] = membership.max() + 1 + stars[star_of]
    return detect.relabel(out)


def _with_ring_joiners(projection, membership: np.ndarray, scored, min_score: float, order_links):
    """``membership`` and its scores with the buyers ``detect.ring_joiners`` finds moved into
    their rings. Joining never costs a ring its place: a ring the joiners would take below
    ``min_score`` (a chargeback ring whose disputing buyers would no longer be most of its buyers)
    keeps its members as they were, and the rest are scored again without those joiners."""
    from . import detect, score

    ring = _ring_of(membership, scored, min_score)
    members = ring >= 0
    joins = detect.ring_joiners(ring, *order_links, projection.pair_a, projection.pair_b, projection.cap)
    while (joins >= 0).any():
        joined = detect.relabel(np.where(joins >= 0, joins, membership))
        rescored = score.score_groups(projection, joined)
        lost = np.unique(ring[members][rescored.scores[joined[members]] < min_score])
        if not len(lost):
            return joined, rescored
        joins[np.isin(joins, lost)] = -1
    return membership, scored


def _with_parts_joined(projection, membership: np.ndarray, scored, min_score: float):
    """``membership`` and its scores with the rings ``detect.parts_of_one_ring`` finds to be parts
    of one ring joined. A joined group that does not reach ``min_score`` (one part's evidence
    drowned in the other's ordinary buying) goes back to its parts."""
    from . import detect, score

    ring = _ring_of(membership, scored, min_score)
    o = projection.orders
    whole = detect.parts_of_one_ring(ring, o["buyer"], o["seller"], o["orders"], o["first"],
                                     projection.pair_a, projection.pair_b, projection.pair_w)
    if len(np.unique(whole)) == len(whole):
        return membership, scored
    joined = detect.relabel(np.where(ring >= 0, membership.max() + 1 + whole[np.maximum(ring, 0)], membership))
    rescored = score.score_groups(projection, joined)
    parts = np.bincount(whole)[whole[np.maximum(ring, 0)]]
    failed = (ring >= 0) & (parts > 1) & (rescored.scores[np.maximum(joined, 0)] < min_score)
    if not failed.any():
        return joined, rescored
    joined = detect.relabel(np.where(failed, joined.max() + 1 + membership, joined))
    return joined, score.score_groups(projection, joined)


def _ring_of(membership: np.ndarray, scored, min_score: float) -> np.ndarray:
    """Per account, its group when that group scores ``min_score`` (a ring), else -1."""
    if not len(scored):
        return np.full(len(membership), -1, dtype=np.int64)
    return np.where((membership >= 0) & (scored.scores >= min_score)[np.maximum(membership, 0)], membership, -1)


# --------------------------------------------------------------------------- reading rings back

def latest_run(store) -> dict:
    """The last completed detection run; ``NotFoundError`` when there is none."""
    rows = store.read("rings_latest_run")
    if not rows:
        raise NotFoundError("no detection run yet: run `graphfraud detect` first")
    run = rows[0]
    for k in ("params", "timings", "counts"):
        run[k] = json.loads(run[k]) if run.get(k) else {}
    return run


def list_rings(store, min_score: float = 0.0, typology: str | None = None, members: bool = False) -> tuple[dict, list[dict]]:
    """(run, rows): the rings of the latest run ranked by score, or one row per (ring, member)."""
    run = latest_run(store)
    if members:
        rows = store.read("rings_list_members", run_id=run["id"], min_score=float(min_score), typology=typology)
    else:
        rows = store.read("rings_list", run_id=run["id"], min_score=float(min_score), typology=typology)
        for r in rows:
            reasons = json.loads(r.pop("reasons") or "[]")
            held = [x for x in reasons if x.get("holds")]
            r["evidence"] = ", ".join(x.get("label") or x.get("signal", "") for x in held)
            r["reason"] = "; ".join(x["text"] for x in held)
    return run, rows


def predicted_rings(store) -> list[tuple[str, frozenset, float]]:
    """(ring id, members, score) of every ring the latest run found, for evaluation."""
    run = latest_run(store)
    return [(r["ring_id"], frozenset(r["members"]), float(r["score"] or 0))
            for r in store.read("rings_all_members", run_id=run["id"])]


def tied_rings(store, ring_id: str) -> tuple[list[dict], dict]:
    """The rings of the latest run a ring's members are tied to, and the parameters they were read with
    (none, and run id None, before any run has completed).

    A tie is a device, IP, address or instrument reached by at most the projection's group cap,
    flats of one building, or ``TIED_BY_ORDERS`` orders between the two rings
    (``cypher/rings_show_linked.cypher``): a ring found in pieces shows its other pieces.
    """
    from .project import GROUP_CAP

    try:
        run_id = latest_run(store)["id"]
    except NotFoundError:
        run_id = None
    params = {"id": ring_id, "cap": GROUP_CAP, "min_orders": TIED_BY_ORDERS, "run_id": run_id}
    rows = [{**r, "identifiers": sorted(r["identifiers"], key=lambda i: (i["kind"], i["id"]))}
            for r in store.read("rings_show_linked", **params)] if run_id else []
    return rows, params


READ_ATTEMPTS = 3


def read_consistently(store, ring_id: str, read_once):
    """``read_once()``, a view of the ring read in several statements, read again when the ring
    changed meanwhile (a detection published, a case status was changed): its reasons, members and
    history then come from one state of it. ``GraphBusyError`` (exit 75) after three changes."""
    for _ in range(READ_ATTEMPTS):
        before = store.read("rings_stamp", id=ring_id)
        data = read_once()
        if store.read("rings_stamp", id=ring_id) == before:
            return data
    raise GraphBusyError(f"ring {ring_id} changed each of the {READ_ATTEMPTS} times it was read (detection runs "
                         "publishing, case status changes); try again")


def ring_detail(store, ring_id: str, order_limit: int = 200) -> dict:
    """Everything an analyst needs about one ring (``linked``: ``tied_rings``), from one state of it
    (``read_consistently``); ``NotFoundError`` for an unknown id."""
    return read_consistently(store, ring_id, lambda: _ring_detail(store, ring_id, order_limit))


def _ring_detail(store, ring_id: str, order_limit: int) -> dict:
    from .investigate import current_run, unknown_ring

    rows = store.read("rings_get", id=ring_id)
    if not rows or rows[0]["ring"] is None:
        raise unknown_ring(store, ring_id)
    ring = dict(rows[0]["ring"])
    ring.pop("_labels", None)
    reasons = json.loads(ring.pop("reasons", None) or "[]")
    latest_run = current_run(store)
    return {"ring": ring, "runs": rows[0]["runs"], "reasons": reasons, "latest_run": latest_run,
            "current": ring.get("last_run") == latest_run,   # found by the latest run, or an earlier ring
            "members": store.read("rings_show_members", id=ring_id),
            "identifiers": [{**i, "members": sorted(i["members"])}   # Neo4j promises no order within a collect
                            for i in store.read("rings_show_identifiers", id=ring_id)],
            "linked": tied_rings(store, ring_id)[0],
            "orders": store.read("rings_show_orders", id=ring_id, limit=order_limit)}
