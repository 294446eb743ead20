"""``weekly`` (the scheduled job) and ``rings history`` (a ring's lineage)."""

import json
import sys
from pathlib import Path

import typer

from . import FORMAT_HELP, Format, app, emit, err, failure, progress, say, ticker
from .rings import rings_app


def json_line(summary: dict) -> None:
    """``weekly --quiet``'s one line on stdout, for a scheduler's log: the run's summary, or its error."""
    sys.stdout.write(json.dumps(summary, default=str) + "\n")


def error_line(as_of: str | None, code: int, message: str) -> None:
    """The line of a run that failed or never started; a card number typed as the date is masked."""
    from ..normalise import mask_card_numbers

    json_line({"status": "error", "as_of": mask_card_numbers(as_of, checked=False) if as_of else as_of,
               "exit_code": code, "error": message})


def typed_as_of(args: list[str]) -> str | None:
    """The ``--as-of`` of a job line click refused, as typed; None when it has none.

    >>> typed_as_of(["weekly", "--as-of", "2026-03-01", "--bogus"]), typed_as_of(["weekly", "--as-of=x"])
    ('2026-03-01', 'x')
    """
    found = None
    for i, arg in enumerate(args):
        if arg.startswith("--as-of="):
            found = arg.split("=", 1)[1]
        elif arg == "--as-of" and i + 1 < len(args):
            found = args[i + 1]
    return found


@app.command()
def weekly(
    as_of: str = typer.Option(None, "--as-of", metavar="YYYY-MM-DD", show_default="today",
                              help="Detect over the data known on this date; past dates backfill."),
    load: str = typer.Option(None, "--load", help="A data drop (folder or file) to load first."),
    out: str = typer.Option(None, "--out", show_default="GRAPHFRAUD_HOME/reports/AS_OF",
                            help="Folder for report.html and report.md."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress; print exactly one JSON summary line (for logs)."),
) -> None:
    """Weekly job: load a drop, detect as of a date, keep ring ids, record lineage, write the report.

    Exit codes: 0 done; 1 failed; 2 bad arguments or input files; 75 another weekly run holds the lock (nothing written,
    try later); 130 interrupted; 143 (129) stopped by SIGTERM (SIGHUP).

    A killed run leaves earlier weeks intact: run it again.

    Example: graphfraud weekly --as-of 2026-03-02 --load drops/2026-03-02 --quiet
    """
    from ..errors import UsageError
    from ..home import home
    from ..store import Store
    from ..weekly import run_weekly, week_of

    day = None
    try:
        for option, value in (("--load", load), ("--out", out)):
            if value is not None and not value.strip():   # an unset variable in a cron line: not the current folder
                raise UsageError(f"{option} is empty: give a folder")
        day = week_of(as_of)
        out_dir = Path(out) if out is not None else home() / "reports" / day.isoformat()
        with Store.open() as store, progress(quiet) as bar:
            result = run_weekly(store, day, load and Path(load), out_dir, progress=None if quiet else ticker(bar))
    except (Exception, KeyboardInterrupt) as e:
        if not quiet:
            raise
        # a scheduler's log reads stdout: every failure, whatever its kind, is still one JSON line
        code, message = failure(e)
        error_line(day.isoformat() if day else as_of, code, message)
        raise typer.Exit(say(code, message))
    if quiet:
        json_line({**result.summary(), "notes": result.notes})
        return
    for note in result.notes:
        err.print(f"note: {note}", markup=False, highlight=False)
    m = result.metrics
    rows = [{"figure": "active rings", "value": m.active_rings}, {"figure": "rings on file", "value": result.rings},
            {"figure": "new rings", "value": "baseline" if m.baseline else m.new_rings},
            {"figure": "accounts involved", "value": m.accounts},
            {"figure": "lineage", "value": ", ".join(f"{n} {k}" for k, n in result.lineage.items()) or "-"},
            {"figure": f"GMV through ring orders ({m.currency})", "value": f"{m.gmv:,.0f}"},
            {"figure": "report", "value": str(result.report_html)}]
    emit(rows, Format.table, title=f"weekly run {result.weekly_run} as of {day} ({result.seconds:.1f} s)")


@rings_app.command("history")
def history(
    ring_id: str = typer.Argument(..., help="The ring's id."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """A ring's lineage week by week: new, grown, shrunk, unchanged, merged, split, dissolved.

    Example: graphfraud rings history R-1a2b3c4d5e --format json
    """
    from ..store import Store
    from ..weekly import ring_history

    with Store.open() as store:
        rows = ring_history(store, ring_id)
    if not rows:
        err.print(f"ring {ring_id} has no weekly lineage: it was found outside `graphfraud weekly`, or every week "
                  "that found it was run again since without it", markup=False, highlight=False)
    if fmt == Format.table:
        for r in rows:
            r["from"], r["into"] = ", ".join(r["from"]), ", ".join(r["into"])
    columns = ["as_of", "kind", "size", "previous_size", "added", "removed", "from", "into", "score", "typology"]
    if fmt != Format.table:
        columns += ["added_ids", "removed_ids", "weekly_run", "detection_run"]
    emit(rows, fmt, columns=columns, title=f"lineage of ring {ring_id}")
