"""``generate``, ``load`` and ``stats``: getting a marketplace into the graph."""

from pathlib import Path

import typer

from . import FORMAT_HELP, Format, app, emit, err, progress


def _ticker(bar):
    """Adapts a rich Progress to the library's ``tick(description, total) -> advance(n)``."""
    def tick(description, total):
        task = bar.add_task(description, total=total)
        return lambda n: bar.advance(task, n)
    return tick


@app.command()
def generate(
    out_dir: Path = typer.Argument(..., help="Folder to write the marketplace tables into."),
    buyers: int = typer.Option(2000, "--buyers", min=10, help="Number of buyer accounts."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed gives the same files."),
    fmt: str = typer.Option("csv", "--format", help="csv, csv.gz, parquet or jsonl."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress output."),
) -> None:
    """Write a synthetic marketplace with planted rings, benign look-alikes and a labels file."""
    from ..generate import write_marketplace

    if fmt not in ("csv", "csv.gz", "parquet", "jsonl"):
        raise typer.BadParameter("must be csv, csv.gz, parquet or jsonl", param_hint="--format")
    with progress(quiet) as bar:
        task = bar.add_task("generating", total=None)
        counts = write_marketplace(out_dir, buyers=buyers, seed=seed, fmt=fmt,
                                   on_progress=lambda table, n: bar.update(task, description=table, completed=n))
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
        result = load_files(store, paths, progress=_ticker(bar))
    for note in result.notes:
        err.print(f"note: {note}")
    if not quiet:
        rows = [{"table": t, **c} for t, c in result.counts.items()]
        emit(rows, Format.table, title=f"load {result.run_id}: {result.rows_read:,} rows in {result.seconds:.1f} s "
                                       f"({result.rows_read / max(result.seconds, 1e-9):,.0f} rows/s)")
    if result.quarantined:
        err.print(f"[yellow]warning:[/yellow] {result.quarantined} rows quarantined, see {result.quarantine_file}")
        if strict:
            raise typer.Exit(1)


@app.command()
def stats(
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
    runs: int = typer.Option(5, "--runs", help="How many recent load runs to show."),
) -> None:
    """Counts per label and relationship type, and the last load runs."""
    from ..store import Store

    with Store.open() as store:
        labels = store.read("stats_labels")
        relationships = store.read("stats_relationships")
        load_runs = store.read("load_runs", limit=runs)
    if fmt == Format.table:
        emit(labels, fmt, title="nodes")
        emit(relationships, fmt, title="relationships")
        emit(load_runs, fmt, columns=["id", "started_at", "status", "quarantined", "files"], title="recent loads")
    elif fmt == Format.json:
        import json
        import sys

        sys.stdout.write(json.dumps({"nodes": labels, "relationships": relationships, "load_runs": load_runs},
                                    indent=2, default=str) + "\n")
    else:
        emit([{"kind": "node", "name": r["label"], "count": r["count"]} for r in labels]
             + [{"kind": "relationship", "name": r["type"], "count": r["count"]} for r in relationships], fmt)
