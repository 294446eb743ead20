"""Ring-detection quality: graphfraud against textbook baselines, side by side, on several seeds.

For each seed: generate a 20,000-buyer marketplace, load it into a fresh local server
(``graphfraud.load.load``; GRAPHFRAUD_HOME in a temporary folder), run ``run_detection``
and, on the very same projection, the baselines:

- shared device: rings = accounts sharing a device (connected components);
- components: connected components over every shared identifier (no cap);
- networkx Louvain on graphfraud's linkage graph (every community of 2+ is a ring);
- Leiden with modularity on the same graph (it merges small rings into their neighbours);
- Leiden/CPM candidates alone, without the evidence and score (what the tests add).

Baselines have no score, so their top-50 ranks groups by size. Each line prints ring
precision/recall/F1 (a predicted ring matches a true ring at Jaccard >= 0.5), top-50
precision, account-level precision and recall (an account is flagged when it is in any
flagged ring), the share of benign look-alike accounts (lookalikes.csv) that end up in a
flagged ring, and recall per typology. The server is stopped at the end.

Two more lines read graphfraud's result closer. Its flagged rings that match no planted ring
are sorted into parts of one planted ring (at least half their accounts from it: real fraud,
found in pieces), honest groups (no ring account) and mixed. And where the generator's answer
key says how each ring hides (the ``evasion`` column of ``ring_windows.csv``, written by both
outside generators), recall is broken down by it.

    .venv/bin/python bench/quality.py                      # 20,000 buyers, seeds 101 102 103
    .venv/bin/python bench/quality.py --buyers 5000 --seeds 7
    .venv/bin/python bench/quality.py --generator independent --seeds 4,5

``--generator independent`` builds the marketplaces with ``bench/independent_market.py`` and
``--generator second`` with ``bench/second_market.py``, two generators written apart from
graphfraud and from each other (see their docstrings): the check that detection was not shaped
to its own generator.
"""

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from common import OUTSIDE_GENERATORS, evasion_levels, write_outside

TYPOLOGIES = ("brushing", "chargeback", "collusion", "promo_abuse")


def groups_of(ids: np.ndarray, membership: np.ndarray) -> list[frozenset]:
    order = np.argsort(membership, kind="stable")
    lab = membership[order]
    keep = lab >= 0
    order, lab = order[keep], lab[keep]
    cuts = np.flatnonzero(np.diff(lab)) + 1
    return [frozenset(ids[part].tolist()) for part in np.split(order, cuts) if len(part) >= 2]


def components_of(n: int, ptr: np.ndarray, members: np.ndarray, kinds: np.ndarray, wanted: set[int]) -> np.ndarray:
    """Connected components over all groups of the wanted kinds, however large (no cap)."""
    from graphfraud.detect import components

    sizes = np.diff(ptr)
    rows = np.repeat(np.arange(len(sizes)), sizes)
    keep = np.isin(kinds[rows], list(wanted))
    first = members[ptr[:-1]][rows[keep]]            # star each group on its first member
    comp = components(n, first, members[keep])
    counts = np.bincount(comp, minlength=n)
    return np.where(counts[comp] >= 2, comp, -1)


def score(truth, typologies, groups, scores, lookalikes) -> dict:
    from graphfraud.evaluate import evaluate_rings, flagged_share

    predicted = [(f"P{i}", g, s) for i, (g, s) in enumerate(zip(groups, scores))]
    m = evaluate_rings(truth, predicted, typologies)
    m["lookalikes_flagged"] = flagged_share(lookalikes, groups)
    m["unmatched"] = unmatched_kinds(truth, predicted, m["matches"])
    return m


def unmatched_kinds(truth: dict, predicted: list, matches: dict) -> dict[str, int]:
    """The flagged groups that match no planted ring: part of one ring (at least half of the
    group's accounts from it), honest (no ring account) or mixed (ring accounts, none of the
    rings holding half)."""
    ring_of = {a: ring for ring, members in truth.items() for a in members}
    kinds = {"part of a ring": 0, "honest": 0, "mixed": 0}
    for pid, members, _ in predicted:
        if pid in matches:
            continue
        rings = Counter(ring_of.get(a) for a in members)
        n = max((k for ring, k in rings.items() if ring is not None), default=0)
        kinds["part of a ring" if 2 * n >= len(members) else "honest" if n == 0 else "mixed"] += 1
    return kinds


def recall_by_evasion(evasion: dict[str, str], matches: dict) -> dict[str, tuple[int, int]]:
    """(found, planted) rings per evasion level of the answer key."""
    found = set(matches.values())
    out: dict[str, list[int]] = {}
    for ring, level in evasion.items():
        c = out.setdefault(level, [0, 0])
        c[0] += ring in found
        c[1] += 1
    return {level: (c[0], c[1]) for level, c in sorted(out.items())}


def generate(folder: Path, buyers: int, seed: int, generator: str) -> None:
    if generator == "ours":
        from graphfraud.generate import write_marketplace

        write_marketplace(folder, buyers=buyers, seed=seed)
    else:
        write_outside(generator, folder, buyers, seed)


def run_seed(buyers: int, seed: int, generator: str = "ours") -> dict:
    from graphfraud import detect, localserver
    from graphfraud.detection import run_detection
    from graphfraud.evaluate import read_labels
    from graphfraud.load import load
    from graphfraud.project import KIND_NAMES, project
    from graphfraud.store import Store

    work = Path(tempfile.mkdtemp(prefix=f"gf-bench-quality-{seed}-"))
    home = work / "home"
    os.environ["GRAPHFRAUD_HOME"] = str(home)
    try:
        generate(work / "data", buyers, seed, generator)
        labels = read_labels(work / "data" / "labels.csv")
        with open(work / "data" / "lookalikes.csv", newline="") as f:
            lookalikes = [r["account_id"] for r in csv.DictReader(f)]
        with Store.open() as store:
            t = time.perf_counter()
            load(store, [work / "data"])
            load_s = time.perf_counter() - t
            t = time.perf_counter()
            result = run_detection(store, seed=1)
            detect_s = time.perf_counter() - t
            p = project(store)
        a, b, w = detect.linkage(p)
        out = {}
        out["graphfraud"] = score(labels.rings, labels.typologies, [frozenset(r["members"]) for r in result.rings],
                                  [r["score"] for r in result.rings], lookalikes)

        def by_size(groups):
            return groups, [len(g) for g in groups]

        device = components_of(p.n, p.group_ptr, p.group_members, p.group_kind, {KIND_NAMES.index("device")})
        out["shared device"] = score(labels.rings, labels.typologies, *by_size(groups_of(p.ids, device)), lookalikes)
        every = components_of(p.n, p.group_ptr, p.group_members, p.group_kind, set(range(len(KIND_NAMES))))
        out["components, all identifiers"] = score(labels.rings, labels.typologies,
                                                   *by_size(groups_of(p.ids, every)), lookalikes)
        import networkx as nx

        g = nx.Graph()
        g.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist()))
        t = time.perf_counter()
        louvain = nx.community.louvain_communities(g, weight="weight", seed=1)
        louvain_s = time.perf_counter() - t
        membership = np.full(p.n, -1)
        for i, c in enumerate(louvain):
            membership[list(c)] = i
        out["networkx Louvain"] = score(labels.rings, labels.typologies, *by_size(groups_of(p.ids, membership)),
                                        lookalikes)
        modularity = detect.leiden_modularity(p.n, a, b, w, seed=1)
        out["Leiden, modularity"] = score(labels.rings, labels.typologies, *by_size(groups_of(p.ids, modularity)),
                                          lookalikes)
        cpm = detect.leiden_cpm(p.n, a, b, w, resolution=detect.RESOLUTION, seed=1)
        out["Leiden/CPM candidates, no score"] = score(labels.rings, labels.typologies,
                                                       *by_size(groups_of(p.ids, cpm)), lookalikes)
        sizes = {name: (len(groups_of(p.ids, m)), float(np.median([len(x) for x in groups_of(p.ids, m)] or [0])))
                 for name, m in (("modularity", modularity), ("cpm", cpm))}
        evasion = recall_by_evasion(evasion_levels(work / "data"), out["graphfraud"]["matches"])
        return {"seed": seed, "methods": out, "load_s": load_s, "detect_s": detect_s, "louvain_s": louvain_s,
                "true_rings": len(labels.rings), "group_sizes": sizes, "accounts": p.n, "evasion": evasion}
    finally:
        localserver.stop(home)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=20_000)
    parser.add_argument("--seeds", default="101,102,103", help="generator seeds, comma-separated")
    parser.add_argument("--generator", choices=("ours", *OUTSIDE_GENERATORS), default="ours",
                        help="graphfraud's generator, bench/independent_market.py or bench/second_market.py")
    args = parser.parse_args()

    runs = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        print(f"seed {seed}: generating, loading, detecting …", flush=True)
        r = run_seed(args.buyers, seed, args.generator)
        runs.append(r)
        print(f"  {r['accounts']:,} accounts, {r['true_rings']} planted rings; load {r['load_s']:.0f} s, "
              f"detection {r['detect_s']:.1f} s, networkx Louvain {r['louvain_s']:.1f} s; "
              f"modularity made {r['group_sizes']['modularity'][0]:,} groups (median size "
              f"{r['group_sizes']['modularity'][1]:.0f}), CPM {r['group_sizes']['cpm'][0]:,} "
              f"(median {r['group_sizes']['cpm'][1]:.0f})", flush=True)
        print(table([r]), flush=True)
        print(closer([r]), flush=True)
    if len(runs) > 1:
        print(f"\nall seeds ({', '.join(str(r['seed']) for r in runs)}): worst seed for graphfraud")
        g = [r["methods"]["graphfraud"] for r in runs]
        print(f"  ring F1 min {min(m['ring_f1'] for m in g):.3f} (median {statistics.median(m['ring_f1'] for m in g):.3f}), "
              f"top-50 precision min {min(m['top50_precision'] for m in g):.3f}, look-alikes flagged max "
              f"{max(m['lookalikes_flagged'] for m in g):.2%}, lowest typology recall "
              f"{min(min(m['recall_by_typology'].values()) for m in g):.2f}")
        print(closer(runs))


def closer(runs: list[dict]) -> str:
    """graphfraud's unmatched rings by kind and its recall by evasion level, summed over ``runs``."""
    kinds = Counter()
    evasion: dict[str, list[int]] = {}
    for r in runs:
        kinds.update(r["methods"]["graphfraud"]["unmatched"])
        for level, (found, planted) in r["evasion"].items():
            c = evasion.setdefault(level, [0, 0])
            c[0] += found
            c[1] += planted
    line = "  graphfraud's rings matching no planted ring: " + ", ".join(f"{n} {k}" for k, n in kinds.items())
    if evasion:
        line += "\n  graphfraud's recall by evasion (answer key): " + ", ".join(
            f"{level} {found}/{planted}" for level, (found, planted) in sorted(evasion.items()))
    return line


def table(runs: list[dict]) -> str:
    head = ("| seed | method | ring P | ring R | ring F1 | top-50 P | account P | account R | look-alikes flagged | "
            + " | ".join(f"recall {t}" for t in TYPOLOGIES) + " |")
    lines = [head, "|" + "---|" * (9 + len(TYPOLOGIES))]
    for r in runs:
        for name, m in r["methods"].items():
            rec = m["recall_by_typology"]
            lines.append(f"| {r['seed']} | {name} | {m['ring_precision']:.3f} | {m['ring_recall']:.3f} | "
                         f"{m['ring_f1']:.3f} | {m['top50_precision']:.3f} | {m['account_precision']:.3f} | "
                         f"{m['account_recall']:.3f} | {m['lookalikes_flagged']:.2%} | "
                         + " | ".join(f"{rec.get(t, float('nan')):.2f}" for t in TYPOLOGIES) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
