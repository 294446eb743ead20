"""``detect``, ``evaluate`` and the ``rings`` group: ``list``, ``show`` (``mark`` and ``history`` live with
their topics in investigate and weekly)."""

from enum import Enum
from pathlib import Path

import typer

from ..wording import counted
from . import FORMAT_HELP, Format, app, emit, err, out, progress, ticker, write_json

DISMISSED_SHOWN = 3     # the dismissed groups scoring highest, with the reason they are no ring
TIED_RINGS_SHOWN = 10   # the strongest ties; on a big marketplace many rings are tied by one order or address

rings_app = typer.Typer(help="Rings found by the latest detection run: list, show, mark a case, history.",
                        no_args_is_help=True)
app.add_typer(rings_app, name="rings")


class Typology(str, Enum):
    """The typologies detection assigns (``generate.TYPOLOGIES``, not imported: it loads numpy and pyarrow)."""

    brushing = "brushing"
    promo_abuse = "promo_abuse"
    chargeback = "chargeback"
    collusion = "collusion"


def _score_bar(value: float) -> float:
    """A score bar is a number from 0 to 100 (typer's range check calls NaN "more than 100")."""
    if not 0 <= value <= 100:
        raise typer.BadParameter(f"{value} is not a score from 0 to 100")
    return value


@app.command()
def detect(
    min_score: float = typer.Option(50.0, "--min-score", callback=_score_bar,
                                    help="Store candidates scoring at least this (0-100) as rings."),
    seed: int = typer.Option(42, "--seed", help="Seed for Leiden: the same graph and seed give the same rings."),
    as_of: str = typer.Option(None, "--as-of", metavar="DATE",
                              help="Detect on the data as of this date (YYYY-MM-DD, end of day) or ISO datetime."),
    top: int = typer.Option(15, "--top", min=0, help="How many rings the summary shows."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bars or summary; only the run id."),
) -> None:
    """Find rings: projection, Leiden candidates, tested evidence and a 0-100 score, written to the graph.

    Example: graphfraud detect --min-score 60 --as-of 2026-03-02
    """
    from ..detection import run_detection
    from ..store import Store

    with Store.open() as store, progress(quiet) as bar:
        result = run_detection(store, as_of=as_of, min_score=min_score, seed=seed, progress=ticker(bar))
    if quiet:
        out.print(result.run_id, highlight=False)
        return
    c = result.counts
    rows = [{"ring_id": r["id"], "score": r["score"], "typology": r["typology"], "size": r["size"],
             "sellers": r["seller_count"], "evidence": ", ".join(x["label"] for x in r["reasons"] if x["holds"])}
            for r in result.rings[:top]]
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items() if "." not in k and k != "total")
    title = (f"{result.run_id}: {c['rings']} rings ({c['ring_accounts']} accounts) from {c['candidates']:,} "
             f"candidates among {c['accounts']:,} accounts in {result.timings['total']:.1f} s")
    emit(rows, Format.table, columns=["ring_id", "score", "typology", "size", "sellers", "evidence"], title=title)
    if c["rings"] > top:
        err.print(f"the top {top} of {counted(c['rings'], 'ring')} shown: graphfraud rings list for all of them "
                  "(--top N here)")
    if result.rings:
        err.print(f"next: graphfraud rings show {result.rings[0]['id']}")
    err.print(f"stages: {stages}")
    if result.dismissed:
        kinds = ", ".join(f"{k} {n:,}" for k, n in sorted(result.dismissed.items(), key=lambda kv: -kv[1]))
        err.print(f"dismissed: {kinds}")
    for example in result.examples[:DISMISSED_SHOWN]:   # the groups closest to the bar, and why they are no ring
        err.print(f"  dismissed at {example['score']:g}: {example['reason']}", markup=False, highlight=False)


@rings_app.command("list")
def list_(
    members: bool = typer.Option(False, "--members", help="One row per (ring, account): ring_id,account_id,score,…"),
    min_score: float = typer.Option(0.0, "--min-score", callback=_score_bar, help="Only rings scoring at least this (0-100)."),
    typology: Typology = typer.Option(None, "--typology", help="Only rings of this typology."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Rings of the latest detection run, ranked by score.

    Example: graphfraud rings list --members --format csv > members.csv
    """
    from ..detection import list_rings
    from ..store import Store

    with Store.open() as store:
        run, rows = list_rings(store, min_score=min_score, typology=typology and typology.value, members=members)
    if members:
        columns = ["ring_id", "account_id", "score", "role", "typology", "status", "country", "created_at"]
    else:
        columns = ["ring_id", "score", "typology", "size", "buyers", "sellers", "status", "evidence"]
        if fmt != Format.table:
            columns += ["reason", "typology_basis", "first_run", "last_run"]
    emit(rows, fmt, columns=columns, title=f"rings of {run['id']}" + (f" (as of {run['as_of']})" if run["as_of"] else ""))


@rings_app.command("show")
def show(
    ring_id: str = typer.Argument(..., metavar="RING_ID", help="The ring's id (R-…)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
    orders: int = typer.Option(50, "--orders", min=0, max=10_000, help="How many orders of the timeline to show."),
) -> None:
    """A ring: members and roles, reasons with evidence and baselines, shared identifiers, rings tied to it, orders, case.

    Example: graphfraud rings show R-1a2b3c4d5e --format json
    """
    from ..cases import history
    from ..detection import ring_detail
    from ..store import Store

    with Store.open() as store:
        detail = ring_detail(store, ring_id, order_limit=orders)
        detail["case"] = history(store, ring_id)
    if fmt == Format.json:
        write_json(detail)
        return
    if fmt == Format.csv:
        emit(detail["members"], fmt, columns=["account_id", "role", "account_role", "country", "created_at",
                                              "orders_placed", "orders_sold"])
        return
    from rich.text import Text

    ring = detail["ring"]
    # members by their roles inside the group (the reasons' "buyers" are the members who placed any order)
    buyers, sellers = ring.get("buyer_count") or 0, ring.get("seller_count") or 0
    out.print(Text.assemble((ring["id"], "bold"), f"  score {ring.get('score')}  typology {ring.get('typology')}  "
                            f"case status {ring.get('status')}  size {ring.get('size')} ({buyers} buying and "
                            f"{sellers} selling inside the group)"))
    out.print(f"typology basis: {ring.get('typology_basis') or ''}", markup=False, highlight=False)
    out.print(f"first found by {ring.get('first_run')}, last by {ring.get('last_run')}", markup=False, highlight=False)
    if not detail["current"]:
        out.print(f"not found by the latest run ({detail['latest_run']}): this is the ring as it was last found",
                  style="bold", markup=False, highlight=False)
    # rings stored before reasons named their bar have none; an untested signal's bar is empty too
    reasons = [{"holds": "yes" if r["holds"] else "no", "signal": r["signal"], "value": r["value"],
                "baseline": r["baseline"], "lift": r["lift"], "log10 p": r["log10_p"], "log10 bar": r.get("bar"),
                "evidence": r["text"]}
               for r in detail["reasons"]]
    emit(reasons, Format.table, title="evidence (each signal tested against the marketplace)")
    emit(detail["members"], Format.table, columns=["account_id", "role", "account_role", "country", "created_at",
                                                   "orders_placed", "orders_sold"], title="members")
    emit([{**i, "members": ", ".join(i["members"][:8]) + (" …" if len(i["members"]) > 8 else "")}
          for i in detail["identifiers"]], Format.table, columns=["kind", "identifier", "ring_members", "members"],
         title="identifiers shared by two or more members")
    linked = detail["linked"]
    if linked:
        emit([{"ring_id": r["ring_id"], "score": r["score"], "typology": r["typology"], "size": r["size"],
               "members tied": f"{r['our_members']} here, {r['their_members']} there",
               "orders between": r["orders"],
               "shared": "; ".join(f"{i['kind']} {i['id']}" for i in r["identifiers"][:3])
               + (f"; … ({len(r['identifiers'])})" if len(r["identifiers"]) > 3 else "")}
              for r in linked[:TIED_RINGS_SHOWN]],
             Format.table, title="rings of the latest run tied to its members (a ring can be found in pieces)")
        if len(linked) > TIED_RINGS_SHOWN:
            out.print(f"… and {counted(len(linked) - TIED_RINGS_SHOWN, 'more tied ring')} "
                      "(--format json lists them all)", highlight=False)
    else:
        out.print("no other ring of the latest run is tied to its members", highlight=False)
    placed, shown = sum(m["orders_placed"] for m in detail["members"]), len(detail["orders"])
    if orders == 0:
        out.print(f"order timeline: {counted(placed, 'order')} (--orders N to list them)", highlight=False)
    else:
        emit([{**o, "seller_in_ring": "yes" if o["seller_in_ring"] else "no"} for o in detail["orders"]], Format.table,
             columns=["created_at", "order_id", "buyer", "seller", "seller_in_ring", "amount", "currency", "status",
                      "promo"],
             title=f"order timeline: the first {shown} of {placed} orders (--orders N for more)" if shown < placed
             else f"order timeline: {counted(placed, 'order')}")
    if detail["case"]["events"]:
        emit(detail["case"]["events"], Format.table, title="case history")


@app.command()
def evaluate(
    labels: Path = typer.Argument(..., metavar="LABELS.csv",
                                  help="CSV with account_id, ring_id[, typology] (delimiter , ; tab or |); "
                                       "an empty ring_id, none or benign marks a benign account."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Score the latest detection run against labels: ring P/R/F1 (Jaccard >= 0.5), top-50, accounts, typologies.

    Ring members missing from the graph count as missed; a warning on stderr says how many labelled
    accounts are missing.

    Example: graphfraud evaluate data/labels.csv --format json
    """
    from ..detection import predicted_rings
    from ..evaluate import evaluate_rings, flat_metrics, read_labels, unknown_accounts
    from ..normalise import mask_card_numbers
    from ..store import Store

    truth = read_labels(labels)
    with Store.open() as store:
        predicted = predicted_rings(store)
        unknown = unknown_accounts(store, truth.accounts)
    if unknown:   # the id as the file wrote it, a card number in it masked
        example = mask_card_numbers(truth.written.get(unknown[0], unknown[0]))
        err.print(f"warning: {len(unknown):,} of {len(truth.accounts):,} labelled accounts are not in the graph "
                  f"(e.g. {example!r}); those in rings count as missed", highlight=False, markup=False)
    m = evaluate_rings(truth.rings, predicted, truth.typologies)
    figures = {k: v for k, v in m.items() if k != "matches"}
    if fmt == Format.json:
        write_json(figures)
        return
    if fmt == Format.csv:   # machine keys and every digit, for pipes
        emit([{"metric": k, "value": str(v)} for k, v in flat_metrics(figures).items()], fmt,
             columns=["metric", "value"])
        return
    names = {"predicted_rings": "predicted rings", "true_rings": "true rings", "matched_rings": "matched rings",
             "ring_precision": "ring precision", "ring_recall": "ring recall", "ring_f1": "ring F1",
             "top50_precision": f"top-{m['top_k']} precision", "account_precision": "account precision",
             "account_recall": "account recall", "account_f1": "account F1"}
    rows = [{"metric": name, "value": m[k]} for k, name in names.items()]
    rows += [{"metric": f"recall {t} ({counted(m['rings_by_typology'][t], 'ring')})", "value": v}
             for t, v in m["recall_by_typology"].items()]
    emit(rows, fmt, columns=["metric", "value"], title=f"detection vs {mask_card_numbers(labels.name)}")
