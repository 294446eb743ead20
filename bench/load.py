"""Load throughput: graphfraud's batched loader vs the tutorial way (one statement per row).

Generates a marketplace, loads it into a fresh local server with ``graphfraud.load``,
then, in a second fresh database, replays a sample of the same rows one statement per
row (the same Cypher with a batch of one, auto-commit each), and prints rows/s for
both, the ratio, and peak memory of the client and the server.

    .venv/bin/python bench/load.py --buyers 100000
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from common import server_peak_mb


def naive_replay(store, folder: Path, sample: int, seconds: float) -> tuple[int, float]:
    """Replays up to ``sample`` parsed rows per table, one auto-committed MERGE statement per row."""
    from graphfraud import load as L

    loader = L._Loader(store)
    tables, _ = L.discover([folder])
    rows_done, spent = 0, 0.0
    for table, path in tables:
        rows = next(loader.chunks(table, path), [])[:sample]
        started = time.perf_counter()
        for row in rows:
            store.write(f"naive_{table}", **{k: v for k, v in row.items() if k != "line"})
            rows_done += 1
            if time.perf_counter() - started > seconds:
                break
        spent += time.perf_counter() - started
    return rows_done, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--naive-sample", type=int, default=2000, help="rows per table for the naive loader")
    parser.add_argument("--naive-seconds", type=float, default=30, help="time cap per table for the naive loader")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gf-bench-load-"))
    os.environ["GRAPHFRAUD_HOME"] = str(work / "home")
    os.environ.pop("NEO4J_URI", None)
    from graphfraud import localserver
    from graphfraud.generate import write_marketplace
    from graphfraud.load import load
    from graphfraud.store import Store

    data = work / "data"
    t = time.perf_counter()
    counts = write_marketplace(data, buyers=args.buyers, seed=args.seed)
    print(f"generated {args.buyers:,} buyers in {time.perf_counter() - t:.1f} s: {counts}", flush=True)
    try:
        with Store.open() as store:
            result = load(store, [data])
            ours = result.rows_read / result.seconds
            print(f"graphfraud load: {result.rows_read:,} rows in {result.seconds:.1f} s = {ours:,.0f} rows/s "
                  f"(quarantined {result.quarantined})", flush=True)
            for table, c in result.counts.items():
                print(f"  {table:<30} {c['read']:>10,} rows")
            client_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            server_mb = server_peak_mb()
            store.write("clear_graph")
            store.ensure_schema()
            done, spent = naive_replay(store, data, args.naive_sample, args.naive_seconds)
            naive = done / spent
            print(f"naive one-statement-per-row: {done:,} rows in {spent:.1f} s = {naive:,.0f} rows/s", flush=True)
        print(f"\nRESULT buyers={args.buyers:,} rows={result.rows_read:,} ours={ours:,.0f} rows/s naive={naive:,.0f} rows/s "
              f"ratio={ours / naive:.1f}x peak_client={client_mb:,.0f} MB peak_server={server_mb:,.0f} MB")
    finally:
        localserver.stop(work / "home")


if __name__ == "__main__":
    sys.exit(main())
