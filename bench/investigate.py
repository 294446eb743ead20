"""Investigator latency on a generated marketplace: ours against the obvious per-node loop.

    .venv/bin/python bench/investigate.py [--buyers 100000] [--samples 300] [--seed 1]

Generates a marketplace, loads it into a fresh temporary GRAPHFRAUD_HOME, finds rings
(``graphfraud.detection.run_detection``), then times over the same random entities:

- ``expand --hops 2`` (``investigate.expand``) against a Python BFS that sends one query
  per node for its neighbours and keeps the top ``limit`` per link type itself;
- ``path`` (``investigate.paths``) against a Python BFS with one neighbour query per node
  (it gives up after ``--budget`` queries: those pairs count at the time spent);
- ``shared`` (``investigate.shared``) against per-account queries for identifiers, then
  one query per order;
- ``rings show`` (``detection.ring_detail`` and ``cases.history``) against one query
  per member, then per identifier and trading partner reached, one for the rings of those
  who share it (the rings tied to this one).

Prints p50/p95 per operation, both ways, and the ratio; then the CLI start time
(``graphfraud --help``, median of 10). The local server of the temporary home is stopped
at the end. ``--home DIR`` reuses an already loaded home instead (nothing is generated;
detection runs if it holds no rings yet).
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REL_TYPES = ("USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT|PLACED|SOLD_BY|FROM_DEVICE|SHIPPED_TO|PAID_WITH|"
             "USED_PROMO")
LABELS = {"account": "Account", "device": "Device", "ip": "IP", "address": "Address",
          "instrument": "PaymentInstrument", "order": "Order", "promo": "PromoCode"}
TYPES = {v: k for k, v in LABELS.items()}


def per_label_neighbours(label: str) -> str:
    """The obvious neighbour query, with the label written in so the id index is used."""
    return ("MATCH (n:" + label + " {id: $id})-[r:" + REL_TYPES + "]-(m) "
            "RETURN type(r) AS rel, startNode(r) = n AS outgoing, labels(m)[0] AS label, m.id AS id, "
            "properties(m) AS props, properties(r) AS link, "
            "[(m)-[mo:MEMBER_OF]->(g:Ring) | {id: g.id, score: g.score, role: mo.role}] AS rings")


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def timed(fn, *args):
    t = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t) * 1000


# --------------------------------------------------------------------------- the obvious way

def naive_expand(store, type_, id_, hops=2, limit=25):
    """BFS in Python: one neighbours query per node, top ``limit`` per (node, link type) kept here."""
    seen = {(type_, id_)}
    frontier = [(type_, id_)]
    nodes = 1
    for _ in range(hops):
        nxt = []
        for t, i in frontier:
            _, rows = store.run_cypher(per_label_neighbours(LABELS[t]), {"id": i})
            groups = {}
            for r in rows:
                groups.setdefault((r["rel"], r["outgoing"]), []).append(r)
            for group in groups.values():
                group.sort(key=lambda r: (-max([g["score"] or 0 for g in r["rings"]] or [-1]), r["id"]))
                for r in group[:limit]:
                    key = (TYPES.get(r["label"], r["label"]), r["id"])
                    if key not in seen:
                        seen.add(key)
                        nxt.append(key)
                        nodes += 1
        frontier = nxt
    return nodes


def naive_path(store, a, b, max_hops=6, budget=2000):
    """Breadth-first from ``a`` with one neighbours query per node until ``b`` is reached."""
    parent = {a: None}
    frontier = [a]
    queries = 0
    for _ in range(max_hops):
        nxt = []
        for node in frontier:
            queries += 1
            if queries > budget:
                return None, queries
            _, rows = store.run_cypher(per_label_neighbours(LABELS[node[0]]), {"id": node[1]})
            for r in rows:
                key = (TYPES.get(r["label"], r["label"]), r["id"])
                if key not in parent:
                    parent[key] = node
                    if key == b:
                        return key, queries
                    nxt.append(key)
        frontier = nxt
    return None, queries


def _naive_links(store, account):
    """What one account reaches, the obvious way: its identifiers, then one query per order."""
    keys = {}

    def add(kind, key, when=None):
        if key is None:
            return
        seen = keys.setdefault((kind, key), [when, when])
        if when is not None:
            seen[0] = min(seen[0] or when, when)
            seen[1] = max(seen[1] or when, when)

    _, direct = store.run_cypher(
        "MATCH (:Account {id: $id})-[r:USED_DEVICE|USED_IP|HAS_ADDRESS|HAS_INSTRUMENT]->(x) "
        "RETURN labels(x)[0] AS label, x.id AS id, x.subnet AS subnet, x.fingerprint AS fingerprint, "
        "r.first_seen AS first, r.last_seen AS last", {"id": account})
    for r in direct:
        add(r["label"], r["id"], r["first"])
        add("Subnet", r["subnet"], r["first"])
        add("CardFingerprint", r["fingerprint"])
    _, placed = store.run_cypher("MATCH (:Account {id: $id})-[:PLACED]->(o:Order) RETURN o.id AS id, "
                                 "o.created_at AS at", {"id": account})
    for o in placed:
        _, used = store.run_cypher(
            "MATCH (:Order {id: $id})-[:FROM_DEVICE|SHIPPED_TO|PAID_WITH|USED_PROMO|SOLD_BY]->(x) "
            "RETURN labels(x)[0] AS label, x.id AS id, x.fingerprint AS fingerprint", {"id": o["id"]})
        for r in used:
            add("Seller" if r["label"] == "Account" else r["label"], r["id"], o["at"])
            add("CardFingerprint", r["fingerprint"], o["at"])
    _, sold = store.run_cypher("MATCH (:Account {id: $id})<-[:SOLD_BY]-(o:Order) RETURN o.id AS id, "
                               "o.created_at AS at", {"id": account})
    for o in sold:
        _, buyer = store.run_cypher("MATCH (:Order {id: $id})<-[:PLACED]-(b:Account) RETURN b.id AS id",
                                    {"id": o["id"]})
        for r in buyer:
            add("Buyer", r["id"], o["at"])
    return keys


def naive_shared(store, a, b):
    """Both accounts' links the obvious way, intersected in Python."""
    la, lb = _naive_links(store, a), _naive_links(store, b)
    return {k: (la[k], lb[k]) for k in la.keys() & lb.keys()}


def naive_ring_show(store, ring_id):
    """The ring, its members, then per member its identifiers and orders, per order what it used,
    and per identifier and trading partner the rings of those who share it (the tied rings; with
    no cap and no run filter, so it fetches somewhat more than ``rings show`` keeps)."""
    store.run_cypher("MATCH (r:Ring {id: $id}) RETURN properties(r) AS ring", {"id": ring_id})
    _, members = store.run_cypher("MATCH (r:Ring {id: $id}) MATCH (r)<-[m:MEMBER_OF]-(a:Account) "
                                  "RETURN a.id AS id, m.role AS role", {"id": ring_id})
    reached = set()
    for m in members:
        reached |= _naive_links(store, m["id"]).keys()
    for kind, key in sorted(reached):
        if kind in ("Device", "Address", "PaymentInstrument"):
            store.run_cypher(f"MATCH (:{kind} {{id: $id}})<-[:USED_DEVICE|HAS_ADDRESS|HAS_INSTRUMENT]-(b:Account) "
                             "MATCH (b)-[:MEMBER_OF]->(r:Ring) RETURN b.id AS account, r.id AS ring", {"id": key})
        elif kind in ("Seller", "Buyer"):
            store.run_cypher("MATCH (:Account {id: $id})-[:MEMBER_OF]->(r:Ring) RETURN r.id AS ring", {"id": key})
    store.run_cypher("MATCH (r:Ring {id: $id})-[:HAS_EVENT]->(e:CaseEvent) RETURN e.at AS at, e.note AS note",
                     {"id": ring_id})
    return len(members)


# --------------------------------------------------------------------------- ours

def ring_show(store, ring_id):
    """What ``rings show`` reads: ``detection.ring_detail`` and the case history."""
    from graphfraud import cases
    from graphfraud.detection import ring_detail

    detail = ring_detail(store, ring_id, order_limit=50)
    detail["case"] = cases.history(store, ring_id)
    return detail


# --------------------------------------------------------------------------- set-up

def build(home: Path, buyers: int, seed: int) -> None:
    from graphfraud.generate import write_marketplace
    from graphfraud.load import load
    from graphfraud.store import Store

    data = home.parent / "data"
    t = time.perf_counter()
    counts = write_marketplace(data, buyers=buyers, seed=seed)
    print(f"generated {sum(counts.values()):,} rows for {buyers:,} buyers in {time.perf_counter() - t:.0f} s",
          file=sys.stderr)
    with Store.open() as store:
        store.ensure_schema()
        t = time.perf_counter()
        load(store, [data])
        print(f"loaded in {time.perf_counter() - t:.0f} s", file=sys.stderr)


def find_rings(store) -> str:
    _, have = store.run_cypher("MATCH (r:Ring) RETURN count(r) AS n", {})
    if have[0]["n"]:
        return "existing"
    from graphfraud.detection import run_detection

    t = time.perf_counter()
    result = run_detection(store)
    how = f"detection found {len(result.rings)} rings"
    print(f"rings: {how} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return how


def samples(store, n: int, rng: random.Random) -> dict:
    """Random entities to start from, and account pairs (ring partners and strangers)."""
    _, accounts = store.run_cypher("MATCH (a:Account) RETURN a.id AS id", {})
    _, members = store.run_cypher("MATCH (a:Account)-[:MEMBER_OF]->(r:Ring) RETURN a.id AS id, r.id AS ring", {})
    _, devices = store.run_cypher("MATCH (d:Device) RETURN d.id AS id LIMIT 200000", {})
    _, addresses = store.run_cypher("MATCH (d:Address) RETURN d.id AS id LIMIT 200000", {})
    accounts = [r["id"] for r in accounts]
    rings: dict[str, list[str]] = {}
    for m in members:
        rings.setdefault(m["ring"], []).append(m["id"])
    ring_ids = sorted(rings)
    starts = []
    for i in range(n):
        kind = i % 10
        if kind < 5:
            starts.append(("account", rng.choice(accounts)))
        elif kind < 7 and members:
            starts.append(("account", rng.choice(members)["id"]))
        elif kind < 9:
            starts.append(("device", rng.choice(devices)["id"]))
        else:
            starts.append(("address", rng.choice(addresses)["id"]))
    pairs = []
    for i in range(n):
        if i % 2 == 0 and ring_ids:
            ring = rings[rng.choice(ring_ids)]
            if len(ring) >= 2:
                pairs.append(tuple(rng.sample(ring, 2)))
                continue
        pairs.append(tuple(rng.sample(accounts, 2)))
    return {"starts": starts, "pairs": pairs, "rings": [rng.choice(ring_ids) for _ in range(min(n, 200))]
            if ring_ids else []}


def cli_start_ms(runs: int = 10) -> float:
    exe = Path(sys.executable).with_name("graphfraud")
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=int, default=1000, help="Queries the naive path may send per pair.")
    parser.add_argument("--home", type=Path, help="Reuse this loaded GRAPHFRAUD_HOME (not stopped at the end).")
    args = parser.parse_args()

    tmp = None
    if args.home:
        home = args.home
    else:
        tmp = Path(tempfile.mkdtemp(prefix="graphfraud-bench-"))
        home = tmp / "home"
    os.environ["GRAPHFRAUD_HOME"] = str(home)
    os.environ.pop("NEO4J_URI", None)
    from graphfraud import investigate, localserver
    from graphfraud.store import Store

    try:
        if tmp is not None:
            build(home, args.buyers, args.seed)
        rng = random.Random(args.seed)
        with Store.open() as store:
            find_rings(store)
            s = samples(store, args.samples, rng)
            results = {}
            # warm both ways up on a few entities first (plan caches, JIT)
            for t, i in s["starts"][:10]:
                investigate.expand(store, i, hops=2, type_=t)
                naive_expand(store, t, i)

            def paired(our_call, their_call, items):
                """Both ways on each item in turn, alternating which goes first, so load hits both alike."""
                ours, theirs = [], []
                for k, item in enumerate(items):
                    calls = [(ours, our_call), (theirs, their_call)]
                    for out, call in (calls if k % 2 == 0 else calls[::-1]):
                        t0 = time.perf_counter()
                        call(*item)
                        out.append((time.perf_counter() - t0) * 1000)
                return ours, theirs

            ours, theirs = paired(lambda t, i: investigate.expand(store, i, 2, 25, t),
                                  lambda t, i: naive_expand(store, t, i), s["starts"])
            results["expand --hops 2"] = (ours, theirs, "")

            gave_up = []
            ours, theirs = paired(lambda a, b: investigate.paths(store, a, b, 6, 10, "account", "account"),
                                  lambda a, b: gave_up.append(naive_path(store, ("account", a), ("account", b),
                                                                         budget=args.budget)[0] is None),
                                  s["pairs"])
            results["path"] = (ours, theirs, f"naive gave up on {sum(gave_up)} of {len(s['pairs'])} pairs "
                                             f"(no path, or more than {args.budget} queries)")

            ours, theirs = paired(lambda a, b: investigate.shared(store, a, b),
                                  lambda a, b: naive_shared(store, a, b), s["pairs"])
            results["shared"] = (ours, theirs, "")

            if s["rings"]:
                ours, theirs = paired(lambda r: ring_show(store, r), lambda r: naive_ring_show(store, r),
                                      [(r,) for r in s["rings"]])
                results["rings show"] = (ours, theirs, "")

        print(f"\n{'operation':<16} {'n':>4} {'ours p50':>9} {'ours p95':>9} {'naive p50':>10} {'naive p95':>10} "
              f"{'p50 ratio':>10} {'p95 ratio':>10}")
        for name, (ours, theirs, note) in results.items():
            o50, o95 = percentile(ours, 0.5), percentile(ours, 0.95)
            n50, n95 = percentile(theirs, 0.5), percentile(theirs, 0.95)
            print(f"{name:<16} {len(ours):>4} {o50:>7.0f}ms {o95:>7.0f}ms {n50:>8.0f}ms {n95:>8.0f}ms "
                  f"{n50 / o50:>9.1f}x {n95 / o95:>9.1f}x" + (f"   {note}" if note else ""))
        expand_p95 = percentile(results["expand --hops 2"][0], 0.95)
        print(f"\nexpand p95 {expand_p95:.0f} ms: goal < 300 ms {'met' if expand_p95 < 300 else 'NOT met'}")
        print(f"CLI start (graphfraud --help, median of 10): {cli_start_ms():.0f} ms")
    finally:
        if tmp is not None:
            localserver.stop(home)
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
