"""Early detection and ring-id stability of the weekly job, week by week over 26 weeks.

    .venv/bin/python bench/weekly.py [--buyers 3000] [--seeds 1 2 3] [--weeks 26] [--all-at-once] [--verbose]
                                     [--generator ours|independent|second]

Generates a marketplace (``graphfraud.generate.write_marketplace``, or with ``--generator
independent`` or ``second`` ``bench/independent_market.py`` or ``bench/second_market.py``,
written apart from graphfraud: all plant rings with activity windows spread over a 26-week
span), cuts it into weekly drops by date, and runs the weekly job
(``graphfraud.weekly.run_weekly``) once a week, each run loading that week's drop and
detecting as of its last day, on a fresh local server in a throw-away home.
``--all-at-once`` loads everything first and relies on detection's as-of filter alone.

Measured against ``labels.csv``:

- **time to detection**: days from a ring's first fraudulent order to the first weekly run
  that flags it. A run *flags* a true ring when one of its rings matches the ring's
  members visible by then (accounts created on or before the run's date) at Jaccard ≥ 0.5,
  the rule of ``graphfraud evaluate``. The first fraudulent order is read from
  ``orders.csv`` per typology, inside the ring's activity window (``ring_windows.csv``, the
  generator's answer key: an ordinary order a member placed months before is not the fraud),
  leaving out camouflage: the first order a member placed with a seller of the ring
  (brushing, collusion), with a promo code (promo abuse), or with a shop where members'
  orders ended in chargebacks (chargeback). Rings never flagged count as not detected within
  7 or 14 days, and as infinitely late in the median.
- **id stability**: over consecutive runs that both flag a ring, the share in which the
  matching ring kept its id.

The figures are broken down by typology and, where the answer key says how each ring hides
(the ``evasion`` column the outside generators write), by evasion level.

Goals (issue 6): median ≤ 7 days, ≥ 90 % within 14 days, id stability ≥ 0.95.
"""

import argparse
import csv
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta, timezone
from pathlib import Path

from common import OUTSIDE_GENERATORS, evasion_levels, write_outside

START = {"ours": date(2025, 9, 1)} | {name: start for name, (_, start) in OUTSIDE_GENERATORS.items()}
DROP_TABLES = ("accounts", "account_devices", "account_addresses", "account_payment_instruments", "orders")


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def day_of(ts: str) -> date:
    """The UTC day of a timestamp: the weekly job cuts its data at the end of the as-of day in UTC."""
    from graphfraud.times import parse

    return parse(ts).astimezone(timezone.utc).date()


def week_index(d: date, as_of_days: list[date]) -> int:
    """The first weekly run whose date is on or after ``d`` (everything before the first goes to it)."""
    for i, a in enumerate(as_of_days):
        if d <= a:
            return i
    return len(as_of_days)  # after the last run: never loaded


def cut_drops(src: Path, dest: Path, as_of_days: list[date]) -> dict[str, date]:
    """Write one folder of the five tables per week; returns account id -> creation day."""
    accounts = read(src / "accounts.csv")
    created = {a["account_id"]: day_of(a["created_at"]) for a in accounts}
    week_of_account = {a: week_index(d, as_of_days) for a, d in created.items()}
    for table in DROP_TABLES:
        rows = read(src / f"{table}.csv")
        if not rows:
            continue
        by_week = defaultdict(list)
        for row in rows:
            if table == "orders":
                k = week_index(day_of(row["created_at"]), as_of_days)
            else:
                k = week_of_account[row["account_id"]]
            by_week[k].append(row)
        for k, week_rows in by_week.items():
            if k >= len(as_of_days):
                continue
            folder = dest / f"{k:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            with open(folder / f"{table}.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(week_rows)
    return created


def first_fraud_orders(src: Path, truth: dict, typology: dict) -> dict[str, date]:
    """Ring id -> the day of its first fraudulent order (see the module docstring)."""
    member_of = {a: r for r, members in truth.items() for a in members}
    from graphfraud.times import parse

    windows = {w["ring_id"]: (parse(w["active_from"]), parse(w["active_to"])) for w in read(src / "ring_windows.csv")}
    orders = defaultdict(list)
    for o in read(src / "orders.csv"):
        ring = member_of.get(o["buyer_id"])
        if ring and windows[ring][0] <= parse(o["created_at"]) < windows[ring][1]:
            orders[ring].append(o)
    out = {}
    for ring, rows in orders.items():
        typ = typology[ring]
        if typ in ("brushing", "collusion"):
            fraud = [o for o in rows if o["seller_id"] in truth[ring]]
        elif typ == "promo_abuse":
            fraud = [o for o in rows if o.get("promo_code")]
        elif typ == "chargeback":
            charged = defaultdict(set)
            for o in rows:
                if o["status"] == "chargeback":
                    charged[o["seller_id"]].add(o["buyer_id"])
            shops = {s for s, who in charged.items() if len(who) >= 2} or set(charged)
            fraud = [o for o in rows if o["seller_id"] in shops]
        else:
            fraud = rows
        fraud = fraud or rows
        out[ring] = min(day_of(o["created_at"]) for o in fraud)
    return out


def best_match(members: frozenset, predicted: dict[str, frozenset]) -> str | None:
    """The predicted ring that matches ``members`` (Jaccard ≥ ``evaluate.MATCH_JACCARD``), best first."""
    from graphfraud.evaluate import MATCH_JACCARD, jaccard

    best, score = None, 0.0
    for rid, p in predicted.items():
        if p & members:
            j = jaccard(p, members)
            if j > score or (j == score and best is not None and rid < best):
                best, score = rid, j
    return best if score >= MATCH_JACCARD else None


def bench_seed(store, seed: int, args, work: Path) -> dict:
    """Generate, cut and run the weekly job every week for one seed; measure against the labels."""
    from graphfraud.evaluate import jaccard, read_labels
    from graphfraud.generate import write_marketplace
    from graphfraud.weekly import run_weekly

    src = work / f"marketplace-{seed}"
    t = time.monotonic()
    start = START[args.generator]
    if args.generator == "ours":
        write_marketplace(src, buyers=args.buyers, seed=seed, start=start, weeks=args.weeks, fmt="csv")
    else:
        write_outside(args.generator, src, args.buyers, seed)
    as_of_days = [start + timedelta(days=7 * k + 6) for k in range(args.weeks)]
    created = cut_drops(src, work / f"drops-{seed}", as_of_days)
    labels = read_labels(src / "labels.csv")
    truth = labels.rings
    typology = {r: labels.typologies.get(r, "unknown") for r in truth}
    first_fraud = first_fraud_orders(src, truth, typology)
    evasion = evasion_levels(src)
    print(f"seed {seed}: {args.buyers} buyers, {len(truth)} rings, {args.weeks} weekly runs from {as_of_days[0]} "
          f"({time.monotonic() - t:.1f} s to generate and cut)", flush=True)

    store.write("clear_graph")
    if args.all_at_once:
        from graphfraud.load import load

        load(store, [src / f"{t}.csv" for t in DROP_TABLES if (src / f"{t}.csv").exists()])
    runs, seconds = [], []
    for k, as_of in enumerate(as_of_days):
        drop = work / f"drops-{seed}" / f"{k:02d}"
        t = time.monotonic()
        result = run_weekly(store, as_of, None if args.all_at_once or not drop.exists() else drop,
                            work / f"reports-{seed}" / as_of.isoformat())
        seconds.append(time.monotonic() - t)
        rows = store.read("lineage_of_run", id=result.weekly_run)   # the rings the week published
        runs.append({r["ring_id"]: frozenset(r["members"]) for r in rows})
        if args.verbose:
            print(f"  {as_of}: {result.rings:3d} rings, {result.metrics.new_rings:3d} new, lineage {result.lineage}, "
                  f"{seconds[-1]:.1f} s", flush=True)

    out = {"ttd": [], "kept": 0, "pairs": 0, "seconds": seconds}
    for ring, members in sorted(truth.items()):
        if ring not in first_fraud or first_fraud[ring] > as_of_days[-1]:
            continue  # no fraud order inside the span
        matched = []
        for k, as_of in enumerate(as_of_days):
            visible = frozenset(a for a in members if created.get(a, as_of) <= as_of)
            matched.append(best_match(visible, runs[k]) if len(visible) >= 2 else None)
        flagged = [k for k, m in enumerate(matched) if m]
        days = max(0, (as_of_days[flagged[0]] - first_fraud[ring]).days) if flagged else math.inf
        out["ttd"].append((typology[ring], days, evasion.get(ring, "")))
        if args.verbose and days > 7:
            touched = [k for k in range(len(as_of_days)) if any(
                len(p & members) >= 2 and 2 * len(p & members) > len(p) for p in runs[k].values())]
            best = max((jaccard(p, members) for run in runs for p in run.values() if p & members), default=0.0)
            print(f"    late: {ring} {typology[ring]:11s} {len(members):2d} accounts, first fraud order "
                  f"{first_fraud[ring]}, flagged {as_of_days[flagged[0]] if flagged else 'never'}, first partly "
                  f"found {as_of_days[touched[0]] if touched else 'never'}, best Jaccard {best:.2f}")
        for k in range(len(matched) - 1):
            if matched[k] and matched[k + 1]:
                out["pairs"] += 1
                out["kept"] += matched[k] == matched[k + 1]
    print(f"  {summary(out)}", flush=True)
    return out


def summary(out: dict) -> str:
    days = [d for _, d, _ in out["ttd"]]
    if not days:
        return "no ring with fraud orders in the span"
    med = statistics.median(days)
    w7 = sum(d <= 7 for d in days) / len(days)
    w14 = sum(d <= 14 for d in days) / len(days)
    never = sum(math.isinf(d) for d in days)
    stab = out["kept"] / out["pairs"] if out["pairs"] else math.nan
    return (f"{len(days)} rings, never flagged {never}; time to detection median {med} days, within 7 days {w7:.0%}, "
            f"within 14 days {w14:.0%}; id stability {out['kept']}/{out['pairs']} = {stab:.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--buyers", type=int, default=3000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--weeks", type=int, default=26, help="weekly runs (the outside generators span 26 weeks)")
    ap.add_argument("--generator", choices=("ours", *OUTSIDE_GENERATORS), default="ours",
                    help="graphfraud's generator, bench/independent_market.py or bench/second_market.py")
    ap.add_argument("--all-at-once", action="store_true", help="load everything first; as-of filtering only")
    ap.add_argument("--keep", type=Path, help="keep the generated data and reports in this folder")
    ap.add_argument("--verbose", action="store_true", help="a line per weekly run")
    args = ap.parse_args()

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-weekly-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["GRAPHFRAUD_HOME"] = str(work / "home")
    from graphfraud import localserver
    from graphfraud.store import Store

    results = []
    try:
        with Store.open() as store:
            store.ensure_schema()
            for seed in args.seeds:
                results.append(bench_seed(store, seed, args, work))
    finally:
        localserver.stop(work / "home")

    total = {"ttd": [x for r in results for x in r["ttd"]], "kept": sum(r["kept"] for r in results),
             "pairs": sum(r["pairs"] for r in results), "seconds": [x for r in results for x in r["seconds"]]}
    print()
    print(f"all seeds ({', '.join(map(str, args.seeds))}; {args.buyers} buyers each, {args.generator} generator): "
          f"{summary(total)}")
    print("goals: median <= 7 days, >= 90 % within 14 days, id stability >= 0.95")
    for position, title in ((0, "by typology"), (2, "by evasion (answer key)")):
        groups = defaultdict(list)
        for entry in total["ttd"]:
            if entry[position]:
                groups[entry[position]].append(entry[1])
        if groups:
            print(f"{title}:")
        for key, ds in sorted(groups.items()):
            print(f"  {key:12s} {len(ds):3d} rings  median {statistics.median(ds)} days  within 7 days "
                  f"{sum(d <= 7 for d in ds) / len(ds):.0%}  within 14 days {sum(d <= 14 for d in ds) / len(ds):.0%}")
    secs = total["seconds"]
    print(f"weekly run time: median {statistics.median(secs):.1f} s, max {max(secs):.1f} s ({len(secs)} runs)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
