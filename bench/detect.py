"""Detection speed and memory: each stage timed at 100k and 1M accounts, against networkx Louvain.

For each size: generate a marketplace, load it into a fresh local server
(``graphfraud.load.load``, GRAPHFRAUD_HOME in a temporary folder), restart the server so
its peak memory counts detection only, then run ``run_detection`` ``--repeat`` times, each
in a fresh Python process, and print the median time of every stage (projection,
candidates, evidence, write-back, total) and the peak memory of the client (VmHWM of the
detection process) and of the server (VmHWM of the local server's pid). At the
Louvain size, networkx's Louvain runs on the very same linkage graph in the same run, and
the ratio is printed twice: from the same edge arrays to groups (each library builds its
graph), and the algorithm alone on prebuilt graphs (medians of five, the two run by turns so
that a busy spell on the shared machine slows both). The server is stopped at the end.

    .venv/bin/python bench/detect.py                       # 100k and 1M
    .venv/bin/python bench/detect.py --sizes 100000 --repeat 3
    .venv/bin/python bench/detect.py --sizes 1000000 --repeat 1 --reuse /tmp/gf-bench-detect-1000000-…

The folder (marketplace and server data) is kept, so ``--reuse`` can measure detection again
without the load, which takes about an hour at 1M on two cores.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import server_peak_mb

CHILD = r"""
import json, os, sys, time
from graphfraud.store import Store
from graphfraud.detection import run_detection
with Store.open() as store:
    t = time.perf_counter()
    result = run_detection(store, seed=int(sys.argv[1]))
    total = time.perf_counter() - t
# VmHWM, not ru_maxrss: after fork+exec, ru_maxrss still carries the parent's peak
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"timings": result.timings, "wall": total, "rings": len(result.rings),
                  "counts": {k: v for k, v in result.counts.items() if isinstance(v, int)},
                  "client_mb": hwm / 1024}))
"""

LOUVAIN = r"""
import json, statistics, sys, time
import networkx as nx
from graphfraud.store import Store
from graphfraud.project import project
from graphfraud import detect
with Store.open() as store:
    p = project(store)
a, b, w = detect.linkage(p)

def by_turns(fast, slow, repeat=5):   # median seconds of each, run one after the other
    times = ([], [])
    for _ in range(repeat):
        for fn, spent in zip((fast, slow), times):
            t = time.perf_counter(); fn(); spent.append(time.perf_counter() - t)
    return statistics.median(times[0]), statistics.median(times[1])

def nx_graph():
    g = nx.Graph()
    g.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist()))
    return g

g, ig = nx_graph(), detect.weighted_graph(p.n, a, b, w)
leiden_only = lambda: ig.community_leiden(objective_function="CPM", weights="weight", resolution=detect.RESOLUTION,
                                          n_iterations=detect.ITERATIONS)

leiden, louvain = by_turns(lambda: detect.leiden_cpm(p.n, a, b, w, resolution=detect.RESOLUTION, seed=1),
                           lambda: nx.community.louvain_communities(nx_graph(), weight="weight", seed=1))
leiden_only, louvain_only = by_turns(leiden_only, lambda: nx.community.louvain_communities(g, weight="weight", seed=1))
print(json.dumps({"leiden": leiden, "louvain": louvain, "leiden_only": leiden_only, "louvain_only": louvain_only,
                  "vertices": g.number_of_nodes(), "edges": g.number_of_edges()}))
"""


def child(code: str, *args) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=os.environ)
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"a benchmark step failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_size(buyers: int, repeat: int, louvain: bool, seed: int, reuse: Path | None = None) -> dict:
    from graphfraud import localserver
    from graphfraud.generate import write_marketplace
    from graphfraud.load import load
    from graphfraud.store import Store

    work = reuse or Path(tempfile.mkdtemp(prefix=f"gf-bench-detect-{buyers}-"))
    home = work / "home"
    os.environ["GRAPHFRAUD_HOME"] = str(home)
    try:
        load_s = None
        if reuse:
            print(f"  reusing the marketplace loaded in {home}", flush=True)
        else:
            t = time.perf_counter()
            write_marketplace(work / "data", buyers=buyers, seed=seed)
            generated = time.perf_counter() - t
            t = time.perf_counter()
            with Store.open() as store:
                rows = load(store, [work / "data"]).rows_read
            load_s = time.perf_counter() - t
            print(f"  {buyers:,} buyers: generated in {generated:.0f} s, loaded {rows:,} rows in {load_s:.0f} s "
                  f"(kept in {work}: --reuse {work} measures detection again without loading)", flush=True)
        runs = []
        for i in range(repeat):
            localserver.stop(home)           # a fresh server: its peak memory is detection's alone
            localserver.start(home)
            r = child(CHILD, seed)
            r["server_mb"] = server_peak_mb()
            runs.append(r)
            print(f"  run {i + 1}: {r['wall']:.1f} s, {r['rings']} rings, client {r['client_mb']:.0f} MB, "
                  f"server {r['server_mb']:.0f} MB", flush=True)
        out = {"buyers": buyers, "accounts": runs[0]["counts"]["accounts"], "runs": runs, "load_s": load_s}
        if louvain:
            out["louvain"] = child(LOUVAIN)
            lv = out["louvain"]
            print(f"  from the same edge arrays: networkx Louvain {lv['louvain']:.1f} s vs Leiden/CPM {lv['leiden']:.2f} s "
                  f"({lv['louvain'] / lv['leiden']:.1f}x); algorithm alone, graphs prebuilt: {lv['louvain_only']:.1f} s vs "
                  f"{lv['leiden_only']:.2f} s ({lv['louvain_only'] / lv['leiden_only']:.1f}x); "
                  f"{lv['vertices']:,} vertices, {lv['edges']:,} edges", flush=True)
        return out
    finally:
        localserver.stop(home)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="buyer counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="detection runs per size (medians are printed)")
    parser.add_argument("--louvain-at", type=int, default=100_000, help="size at which networkx Louvain also runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", type=Path, help="a folder an earlier run kept: measure detection on its loaded "
                        "marketplace (one size)")
    args = parser.parse_args()
    if args.reuse and "," in args.sizes:
        parser.error("--reuse measures one size: give --sizes with the size that folder holds")

    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        print(f"size {size:,}", flush=True)
        results.append(run_size(size, args.repeat, size == args.louvain_at, args.seed, args.reuse))

    stages = ["projection", "candidates", "evidence", "write-back", "total"]
    print()
    print("| accounts | " + " | ".join(stages) + " | client peak | server peak | networkx Louvain | Leiden/CPM | ratio |")
    print("|---" * (len(stages) + 6) + "|")
    for r in results:
        med = {s: statistics.median(run["timings"].get(s, float("nan")) for run in r["runs"]) for s in stages}
        client = max(run["client_mb"] for run in r["runs"])
        server = max(run["server_mb"] for run in r["runs"])
        lv = r.get("louvain")
        tail = (f"{lv['louvain']:.1f} s | {lv['leiden']:.2f} s | {lv['louvain'] / lv['leiden']:.0f}x "
                f"(algorithm alone {lv['louvain_only'] / lv['leiden_only']:.0f}x)") if lv else "– | – | –"
        print(f"| {r['accounts']:,} | " + " | ".join(f"{med[s]:.1f} s" for s in stages)
              + f" | {client:,.0f} MB | {server:,.0f} MB | {tail} |")
    print(f"\nmedians of {args.repeat} runs; 2-core machine shared with other work, so times are noisy")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
