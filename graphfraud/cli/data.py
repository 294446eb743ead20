"""``generate``, ``load``, ``stats`` and ``demo``: getting a marketplace into the graph (and the quickstart)."""

from pathlib import Path

import typer
from rich.markup import escape

from ..wording import counted, visible
from . import FORMAT_HELP, Format, app, emit, err, out, progress, ticker, write_json

MAX_BUYERS = 2_000_000   # twice the largest marketplace measured (bench/detect.py, 1M); memory grows with it


@app.command()
def generate(
    out_dir: Path = typer.Argument(..., help="Folder to write the marketplace tables into."),
    buyers: int = typer.Option(2000, "--buyers", min=10, max=MAX_BUYERS, help="Number of buyer accounts."),
    seed: int = typer.Option(1, "--seed", min=0, max=2**63 - 1, help="Random seed: the same seed gives the same files."),
    fmt: str = typer.Option("csv", "--format", help="csv, csv.gz, parquet or jsonl."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that is not empty, replacing the "
                                                      "tables and answer keys of an earlier marketplace there."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress output."),
) -> None:
    """Write a synthetic marketplace with planted rings, benign look-alikes and a labels file."""
    from ..generate import write_marketplace

    if fmt not in ("csv", "csv.gz", "parquet", "jsonl"):
        raise typer.BadParameter("must be csv, csv.gz, parquet or jsonl", param_hint="--format")
    with progress(quiet) as bar:
        tasks = []   # shown from the first table written: a refused folder shows no bar before its error

        def advance(table, n):
            tasks or tasks.append(bar.add_task(table, total=None))
            bar.update(tasks[0], description=table, completed=n)

        counts = write_marketplace(out_dir, buyers=buyers, seed=seed, fmt=fmt, replace=force, on_progress=advance)
    if not quiet:
        emit([{"table": t, "rows": n} for t, n in counts.items()], Format.table, title=f"written to {out_dir}")


@app.command()
def load(
    paths: list[Path] = typer.Argument(..., help="Folders or files (CSV, CSV.gz, Parquet, JSONL) named after their table."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any row was quarantined."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bars; only warnings and errors."),
) -> None:
    """Load accounts, identifiers and orders into the graph (idempotent; bad rows are quarantined)."""
    from ..load import load as load_files
    from ..store import Store

    with Store.open() as store, progress(quiet) as bar:
        result = load_files(store, paths, progress=ticker(bar))
    for note in result.notes:
        err.print(f"note: {visible(note)}", markup=False, highlight=False)
    if not quiet:
        rows = [{"table": t, **c} for t, c in result.counts.items()]
        rows_read = f"{result.rows_read:,} row{'' if result.rows_read == 1 else 's'}"
        emit(rows, Format.table, title=f"load {result.run_id}: {rows_read} in {result.seconds:.1f} s "
                                       f"({result.rows_read / max(result.seconds, 1e-9):,.0f} rows/s)")
    if result.quarantined:
        err.print(f"[yellow]warning:[/yellow] {counted(result.quarantined, 'row')} quarantined, "
                  f"see {escape(str(result.quarantine_file))}", highlight=False)
        if strict:
            raise typer.Exit(1)


@app.command()
def stats(
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
    runs: int = typer.Option(5, "--runs", min=0, max=1_000_000, help="How many recent load runs to show."),
) -> None:
    """Counts per label and relationship type, and the last load runs."""
    from ..store import Store

    with Store.open() as store:
        labels = store.read("stats_labels")
        relationships = store.read("stats_relationships")
        load_runs = store.read("load_runs", limit=runs)
    if fmt == Format.table:
        emit(labels, fmt, columns=["label", "count"], title="nodes")
        emit(relationships, fmt, columns=["type", "count"], title="relationships")
        emit(load_runs, fmt, columns=["id", "started_at", "status", "quarantined", "files"], title="recent loads")
    elif fmt == Format.json:
        import json

        for run in load_runs:   # stored as JSON text (a property holds no map): handed on as an object
            run["counts"] = json.loads(run["counts"]) if run.get("counts") else None
        write_json({"nodes": labels, "relationships": relationships, "load_runs": load_runs})
    else:   # one kind of row: the counts (load runs are in the table and json)
        emit([{"kind": "node", "name": r["label"], "count": r["count"]} for r in labels]
             + [{"kind": "relationship", "name": r["type"], "count": r["count"]} for r in relationships], fmt,
             columns=["kind", "name", "count"])


SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


@app.command()
def demo(
    top: int = typer.Option(5, "--top", min=1, help="How many rings to print."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bars."),
) -> None:
    """The whole path on the committed sample: load it, detect rings, print the top ones with their reasons."""
    from rich.panel import Panel

    from ..detection import predicted_rings, run_detection
    from ..evaluate import evaluate_rings, read_labels
    from ..load import load as load_files
    from ..store import Store

    with Store.open() as store, progress(quiet) as bar:
        loaded = load_files(store, [SAMPLE], progress=ticker(bar))
        result = run_detection(store, progress=ticker(bar))
        truth = read_labels(SAMPLE / "labels.csv")
        scores = evaluate_rings(truth.rings, predicted_rings(store), truth.typologies)
    if loaded.quarantined:
        err.print(f"[yellow]warning:[/yellow] {counted(loaded.quarantined, 'sample row')} quarantined, "
                  f"see {escape(str(loaded.quarantine_file))}", highlight=False)
    sample_accounts = loaded.counts["accounts"]["loaded"]   # a row refused (an id another load holds) is not the sample's
    if result.counts["accounts"] > sample_accounts:
        err.print(f"note: the graph holds other loads too (accounts beyond the sample: "
                  f"{result.counts['accounts'] - sample_accounts:,}): the rings and the figures against the answer "
                  "key include them (run the demo in a fresh GRAPHFRAUD_HOME to see the sample alone)",
                  markup=False, highlight=False)
    out.print(f"loaded {loaded.rows_loaded:,} of {loaded.rows_read:,} rows from {escape(str(SAMPLE))} "
              f"in {loaded.seconds:.1f} s; "
              f"{len(result.rings)} rings found among {result.counts['accounts']:,} accounts "
              f"in {result.timings['total']:.1f} s", highlight=False)
    for ring in result.rings[:top]:
        reasons = "\n".join(f"• {escape(r['text'])}" for r in ring["reasons"] if r["holds"])
        out.print(Panel(reasons, title=f"{ring['id']}  score {ring['score']:.0f}  {ring['typology']}  "
                                       f"{ring['size']} accounts", title_align="left"), soft_wrap=False)
    out.print(f"against the planted answer key: ring precision {scores['ring_precision']:.2f}, "
              f"recall {scores['ring_recall']:.2f}, F1 {scores['ring_f1']:.2f}. "
              f"Next: graphfraud rings show {result.rings[0]['id'] if result.rings else 'RING_ID'}", highlight=False)
