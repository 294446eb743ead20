"""The ``graphfraud`` command: parse, call one library function, render.

Only this package prints or exits. Heavy modules (the driver, igraph, numpy) are
imported inside the commands so ``--help`` and every start stay instant. Each
command group lives in its own module and registers itself on ``app``.
"""

import csv
import json
import os
import sys
from contextlib import contextmanager, suppress
from enum import Enum

import typer
import typer.core
from rich.console import Console
from rich.text import Text

from ..errors import GraphfraudError
from ..signals import Terminated, install
from ..wording import spreadsheet_safe, visible

_COLUMNS = os.environ.get("COLUMNS", "").strip()
if _COLUMNS and not (_COLUMNS.isdigit() and 20 <= int(_COLUMNS) <= 10_000):
    del os.environ["COLUMNS"]   # 'abc' or 0: rich (typer's help too) would fail, or print nothing at all


def _width(stream) -> int | None:
    """Terminals report their own width; piped output gets a roomy one so tables are not folded.
    Decided at import, before any error can be reported: a closed stream must not end every
    command in a traceback."""
    if stream is not None and stream.isatty():
        return None
    return int(os.environ.get("COLUMNS") or 160)


class _Stream(Console):
    def on_broken_pipe(self) -> None:
        raise BrokenPipeError   # the reader went away: ended with 141 like any write (``_Group.invoke``)


out = _Stream(soft_wrap=True, width=_width(sys.stdout))
err = _Stream(stderr=True, soft_wrap=True, width=_width(sys.stderr))   # `… 2>&1 | head` closes it too


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


FORMAT_HELP = "Output format: a table for people, json or csv for pipes (to stdout)."


# failures with a message meant for the user; anything else is a bug (``_internal_error``)
EXPECTED = (GraphfraudError, OSError, ValueError, OverflowError, MemoryError)


def failure(e: BaseException) -> tuple[int, str]:
    """The exit code and one-line message a failure is reported with (on stderr, and by ``weekly --quiet``).

    A card number in any message is masked; a bug is reported as one, its traceback kept in a crash log.
    """
    stop = _interruption(e)
    if isinstance(stop, Terminated):
        return 128 + stop.signum, f"terminated ({stop.name})"
    if stop is not None:
        return 130, "interrupted"
    from ..normalise import mask_card_numbers

    if not isinstance(e, EXPECTED):
        return 1, str(_internal_error(e))   # masked already: masking again could mangle the crash log's path
    message = mask_card_numbers(_first_line(e))
    if isinstance(e, GraphfraudError):
        return e.exit_code, message
    return 1, f"{type(e).__name__}: {message}"


def _first_line(e: BaseException) -> str:
    """The first line of an error's message that says something (a message may start with a newline)."""
    return next((line for line in str(e).splitlines() if line.strip()), "")


def _interruption(e: BaseException | None) -> KeyboardInterrupt | None:
    """The Ctrl-C (or ``Terminated``) behind an error: itself, or one being handled when the error
    was raised (the driver cleaning up its buffers, say); None when there is none."""
    while e is not None:
        if isinstance(e, KeyboardInterrupt):
            return e
        e = e.__context__
    return None


def report(e: BaseException) -> int:
    """Print a failure as one line on stderr; returns its exit code."""
    return say(*failure(e))


def say(code: int, message: str) -> int:
    """Print a failure's message (from ``failure``) verbatim: a path or id is not markup, and what a
    terminal would act on in it (a file name's escape sequence) is shown, not obeyed."""
    stopped = code > 128   # interrupted or terminated by a signal: said as it is, not as an error
    err.print(message if stopped else Text.assemble(("error:", "red"), " ", visible(message)))
    return code


# click's exception base, found through typer's public API (typer vendors click in recent releases)
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class _Group(typer.core.TyperGroup):
    """Turns every graphfraud error, and every usage error, into one line on stderr and its exit code."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if sys.stdout is None:   # started with stdout closed (`>&-`): said once, as `ls >&-` does
            err.print("error: standard output is closed: nothing could be written")
            sys.exit(2)
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except _CLICK_ERROR as e:
            if type(e).__name__ == "NoArgsIsHelpError":   # `graphfraud` alone: the help, as asked for
                if help_text := e.format_message().strip():   # rich has printed it already, to stdout
                    out.print(Text(help_text))
            else:          # a bad option or argument: one line, not a framed box
                from ..normalise import mask_card_numbers

                ctx = getattr(e, "ctx", None)
                message = mask_card_numbers(e.format_message(), checked=False)   # a card number typed as an argument
                where = f" (see {ctx.command_path} --help)" if ctx else ""
                err.print(Text.assemble(("error:", "red"), " ", visible(message), where))
                given = list(kwargs.get("args") or (args[0] if args else None) or sys.argv[1:])
                if "--quiet" in given and (ctx.command.name if ctx else given[0]) == "weekly":
                    from .weekly import error_line, typed_as_of   # a scheduler's log gets its line for a typo too

                    error_line(typed_as_of(given), e.exit_code, message)
            sys.exit(e.exit_code)
        except typer.Abort:
            err.print("interrupted")
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx):
        try:
            try:
                return super().invoke(ctx)
            except (typer.Exit, typer.Abort, _CLICK_ERROR, BrokenPipeError):
                raise   # click's own ways out, already reported; a closed pipe, below
            except (Exception, KeyboardInterrupt) as e:   # expected or a bug, each one line (``failure``)
                ctx.exit(report(e))
        except BrokenPipeError:
            # the reader went away (`… | head`, `… 2>&1 | head`), maybe as the error line was said:
            # stop quietly, as Unix tools do on SIGPIPE
            for stream in (sys.stdout, sys.stderr):   # either may be the closed pipe
                with suppress(OSError, ValueError):   # no file behind it (a test runner's): nothing to silence
                    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
            ctx.exit(141)


class _InternalError(GraphfraudError):
    """A bug: the user reads one line, the traceback goes to a file under the home folder."""


def _internal_error(e: BaseException) -> _InternalError:
    """A bug as one line for the user, its traceback in a private crash log (card numbers masked)."""
    import time
    import traceback

    from ..home import home, private_folder, write_private
    from ..normalise import mask_card_numbers

    where = "it could not be written down"
    try:
        path = private_folder(home() / "logs") / f"crash-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
        write_private(path, mask_card_numbers("".join(traceback.format_exception(e))))
        where = f"its traceback is in {path}"
    except (OSError, GraphfraudError):   # no home folder to write it in either
        pass
    message = mask_card_numbers(_first_line(e))[:200]
    return _InternalError(f"internal error {type(e).__name__}: {message} (a bug in graphfraud: {where}; "
                          "please report it)")


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="Find and investigate collusive fraud rings in a marketplace graph.",
)


def emit(rows: list[dict], fmt: Format, columns: list[str] | None = None, title: str | None = None) -> None:
    """The one renderer for listing commands: rich table, JSON array or CSV on stdout."""
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == Format.json:
        write_json(rows)
    elif fmt == Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writerow({c: spreadsheet_safe(c, c) for c in columns})   # a column named "=cmd" (query) too
        for row in rows:
            writer.writerow({k: spreadsheet_safe(row.get(k), _cell(row.get(k))) for k in columns})
    else:  # as Text: data shows verbatim, never read as markup ("Flat [b]3[/b]" is an address, not bold)
        from rich.table import Table   # nor obeyed as a terminal's escape sequence (``visible``)

        table = Table(title=title and Text(visible(title), style="table.title"), header_style="bold")
        for c in columns:
            table.add_column(Text(visible(c)), overflow="fold")
        for row in rows:
            table.add_row(*(Text(visible(_cell(row.get(c)), lines=True)) for c in columns))
        out.print(table)


JSON_PIECE = 1 << 16   # characters of JSON written at a time


def write_json(obj) -> None:
    """JSON on stdout, as every command writes it: indented, UTF-8, non-finite numbers as null.
    Written a piece at a time, as CSV is a row at a time: a reader that goes away (``| head``) is
    noticed on the next write, where one write of it all could report success regardless."""
    pieces, size = [], 0
    for chunk in json.JSONEncoder(indent=2, default=str, ensure_ascii=False).iterencode(_finite(obj)):
        pieces.append(chunk)
        size += len(chunk)
        if size >= JSON_PIECE:
            sys.stdout.write("".join(pieces))
            pieces, size = [], 0
    sys.stdout.write("".join(pieces) + "\n")


def _finite(value):
    """``value`` with NaN and infinities as null: JSON has no such numbers (Python writes them, Node refuses them)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _cell(value) -> str:
    """A value as a table or CSV cell: a float with every digit, as JSON has it (an amount rounded
    to a few digits would be a wrong amount), a list or map (a node, a path) as JSON text."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


RATE_AFTER_ROWS = 100


@contextmanager
def progress(quiet: bool = False):
    """A rich progress display on stderr with rows/s, or nothing with --quiet or when stderr is no
    terminal (a log file or a pipe would get the bars' last frame, not progress).

    It appears with its first task: a command refused before any work shows its one-line error
    and nothing else (a display stopped with no task still writes an empty line).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn

    class RateColumn(ProgressColumn):
        """Rows per second, once a task has counted enough rows to measure: tasks that count
        stages (projection, candidates …) never do, and show no rate."""

        def render(self, task):
            shown = task.speed and task.completed >= RATE_AFTER_ROWS
            return Text(f"{task.speed:,.0f} rows/s" if shown else "", style="cyan")

    class ShownWhenUsed(Progress):
        def add_task(self, *args, **kwargs):
            if not self.live.is_started:
                self.start()
            return super().add_task(*args, **kwargs)

    bar = ShownWhenUsed(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                        RateColumn(), TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal)
    try:
        yield bar
    finally:
        if bar.live.is_started:
            bar.stop()


def ticker(bar):
    """Adapts a rich Progress to the library's ``tick(description, total) -> advance(n)``."""
    def tick(description, total):
        task = bar.add_task(description, total=total)
        return lambda n: bar.advance(task, n)
    return tick


def main() -> None:
    install()   # SIGTERM and SIGHUP end a command as Ctrl-C does
    app()


from . import data, db, investigate, rings, weekly  # noqa: E402,F401  (command groups register themselves on app)
