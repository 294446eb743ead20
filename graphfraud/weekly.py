"""The weekly batch job: load a drop, detect as of a date, link to last week, report.

``run_weekly`` is what a scheduler runs once a week (``graphfraud weekly``):

1. takes the weekly lock (``GRAPHFRAUD_HOME/weekly.lock``, an ``fcntl`` lock the kernel
   drops when the process dies, so a killed run never leaves a stale lock); a second run
   fails at once with ``WeeklyLockedError`` naming the holder; then the graph lock
   (``locks.graph_writer``), waiting for a load or detection running, held to the publish;
2. records a ``WeeklyRun`` with status ``running`` and abandons the leftovers of a run
   that was killed before it finished;
3. optionally loads a data drop (``graphfraud.load.load``; idempotent);
4. runs detection over the data visible as of the date
   (``graphfraud.detection.run_detection(store, as_of=..., publish=False)``), keeping its
   rings back until step 8;
5. links the rings to the previous weekly run, the latest *complete* one with an earlier
   as-of date (``graphfraud.rings.match_rings``), so a backfill links to the week before it
   and never to a later week already stored;
6. measures each ring over the week (orders, money, promo use, chargebacks, shared
   identifiers, main sellers and promo codes) into one ``RingSnapshot`` per ring (lineage
   event, members, deltas, money);
7. renders ``report.html`` and ``report.md`` (``graphfraud.report``) into temporary files;
8. publishes, in one transaction: detection's rings (what ``rings list`` and ``rings show``
   read), the snapshots linked to their ``Ring`` and the run, and the ``WeeklyRun`` marked
   complete; only then do the reports replace those in ``--out``. Reports, comparisons,
   ``rings history`` and ``rings list`` read complete runs only, so a run killed at any step
   leaves the previous weeks (and their reports) as they were and can simply be run again.

Graph written here::

    (:WeeklyRun {id, as_of, status, started_at, ended_at, detection_run, previous_run,
                 load_run, metrics (JSON), lineage (JSON), report_dir})
    (:WeeklyRun)-[:HAS_SNAPSHOT]->(:RingSnapshot {id, ring_id, as_of, kind, size, previous_size,
        added, removed, added_ids, removed_ids, from_rings, into_rings, members, score,
        typology, explanation, money})<-[:HAS_SNAPSHOT]-(:Ring)

Exit codes of ``graphfraud weekly``: 0 done; 1 failed (database, detection);
2 bad arguments or unusable input files; 75 another weekly run holds the lock (nothing
was written; try again later); 130 interrupted.
"""

import json
import os
import re
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from . import cases
from .errors import LockedError, UsageError
from .export import is_bundle
from .home import home
from .locks import graph_writer, held
from .report import (LAST_WEEK_DAYS, RATES_NOTE, RATES_TO_EUR, ReportData, WeekMetrics, convert, mask,
                     no_comparison, staged_report)
from .rings import change_kind, lineage_event, match_rings
from .signals import deferred
from .times import now_precise
from .wording import counted

__all__ = ["run_weekly", "WeeklyResult", "WeeklyLockedError", "weekly_lock", "ring_history", "LOOKBACK_DAYS",
           "TREND_WEEKS"]

LOOKBACK_DAYS = 90  # how far back a ring's main sellers, promo codes and first order are looked for
TREND_WEEKS = 12
TOP_RINGS = 5
MAX_HUBS = 3  # sellers (and promo codes) named as at the centre of several rings
HUB_SHARE = 0.3  # a seller or promo code is a ring's "main" one at this share of its orders
ACTIVITY_SHARE = 0.2  # orders with sellers at this share of a ring's orders mark its activity


class WeeklyLockedError(LockedError):
    """Another weekly run holds the lock; exit 75 (EX_TEMPFAIL) so a scheduler can retry."""

    exit_code = 75


@dataclass
class WeeklyResult:
    weekly_run: str
    as_of: date
    detection_run: str
    previous_run: str | None
    load_run: str | None
    rings: int  # on file: every ring detection flags, active this week or not
    lineage: dict  # the week's ring changes (``week_changes``)
    metrics: WeekMetrics
    report_html: Path
    report_md: Path
    seconds: float
    abandoned: list = field(default_factory=list)  # killed runs cleaned up by this one
    later_weeks: int = 0  # complete weekly runs with a later as-of date (this was a backfill)
    quarantined: int = 0
    notes: list = field(default_factory=list)

    def summary(self) -> dict:
        """The one-line JSON summary for logs (``graphfraud weekly --quiet``)."""
        m = self.metrics
        return {"status": "ok", "as_of": self.as_of.isoformat(), "weekly_run": self.weekly_run,
                "detection_run": self.detection_run, "previous_run": self.previous_run, "load_run": self.load_run,
                "quarantined": self.quarantined, "rings": self.rings, "active_rings": m.active_rings,
                "new_rings": m.new_rings, "accounts": m.accounts, "lineage": self.lineage, "gmv": m.gmv,
                "promo_spend": m.promo_spend, "chargeback": m.chargeback, "unconverted": m.unconverted,
                "actioned": m.actioned, "report": str(Path(self.report_html).resolve()),
                "later_weeks": self.later_weeks, "abandoned": self.abandoned, "seconds": round(self.seconds, 1)}


# --------------------------------------------------------------------------- lock

def lock_path() -> Path:
    return home() / "weekly.lock"


def weekly_lock(path: Path | None = None, what: dict | None = None):
    """Hold the weekly lock for the block, or raise ``WeeklyLockedError`` naming the holder
    (``locks.held``: the kernel drops it when its holder dies, so it is never stale)."""
    path = Path(path or lock_path())

    def busy(info: dict) -> WeeklyLockedError:
        by = f"pid {info.get('pid')}, as of {info.get('as_of')}, started {info.get('started_at')}" if info \
            else "another process"
        return WeeklyLockedError(f"another weekly run is in progress ({by}); nothing was done. "
                                 f"Try again when it has finished (lock: {path})")

    return held(path, what or {}, busy)


# --------------------------------------------------------------------------- settings

SETTINGS = ("currency", "rates", "rates_note", "promo_discount")
MAX_RATE = 1e9   # no currency is worth a billion of another; past it (or at JSON's 1e309, infinity) sums lose all digits


def settings() -> dict:
    """Currency, rates and the promo discount for money figures.

    Defaults: EUR, ``report.RATES_TO_EUR``, promo subsidy estimated at 15 % of the value of
    a promo order. A team overrides them in ``GRAPHFRAUD_HOME/report.json``:
    ``{"currency": "EUR", "rates": {"USD": 0.92, ...}, "rates_note": "...", "promo_discount": 0.15}``,
    rates in units of ``currency`` per unit of each currency. A currency without rates has
    the default rates restated in it. Read before the run does anything: a mistake in the
    file is a one-line ``UsageError``.
    """
    out = {"currency": "EUR", "rates": dict(RATES_TO_EUR), "rates_note": RATES_NOTE, "promo_discount": 0.15}
    path = home() / "report.json"
    if not path.exists():
        return out
    try:
        given = json.loads(path.read_text())
    except ValueError as e:
        raise UsageError(f"{path}: not valid JSON: {e}") from None
    problem = _settings_problem(given)
    if problem:
        raise UsageError(f"{path}: {problem}")
    currency = given.get("currency", "EUR").upper()
    if "rates" in given:
        rates, note = given["rates"], given.get("rates_note", f"the rates in {path}")
    else:   # the planning rates, restated in the chosen currency
        base = RATES_TO_EUR.get(currency)
        if base is None:
            raise UsageError(f"{path}: currency {currency} has no default rate: give \"rates\" in {currency}")
        rates, note = {c: r / base for c, r in RATES_TO_EUR.items()}, given.get("rates_note", RATES_NOTE)
    out.update(given, currency=currency, rates_note=note)
    out["rates"] = {k.upper(): float(v) for k, v in rates.items()} | {currency: 1.0}
    return out


def _settings_problem(given) -> str | None:
    """What is wrong with report.json's settings, in a phrase; None when nothing is."""
    if not isinstance(given, dict):
        return "expected an object such as {\"currency\": \"EUR\", \"rates\": {\"USD\": 0.92}}"
    unknown = sorted(set(given) - set(SETTINGS))
    if unknown:
        return f"unknown setting {', '.join(map(repr, unknown))} (expected {', '.join(SETTINGS)})"
    currency = given.get("currency", "EUR")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        return f"currency {currency!r} is not a three-letter code"
    rates = given.get("rates", {})
    if not isinstance(rates, dict):
        return "rates must map currency codes to numbers"
    bad = [k for k, v in rates.items()
           if isinstance(v, bool) or not isinstance(v, (int, float)) or not 1 / MAX_RATE <= v <= MAX_RATE]
    if bad:
        return f"rate of {bad[0]!r} is not a positive number between {1 / MAX_RATE:g} and {MAX_RATE:g}"
    if not isinstance(given.get("rates_note", ""), str):
        return "rates_note must be text"
    discount = given.get("promo_discount", 0.15)
    if isinstance(discount, bool) or not isinstance(discount, (int, float)) or not 0 <= discount <= 1:
        return f"promo_discount {discount!r} is not a share between 0 and 1"
    return None


# --------------------------------------------------------------------------- the job

def today_utc() -> date:
    """Today's date in UTC. Detection sees the data up to the end of the as-of day in UTC
    (``_day``), so that is the calendar the job's "today" must follow: with ``date.today()``,
    a machine east of UTC would call a week over hours before its last orders are in."""
    return datetime.now(timezone.utc).date()


def week_of(text: str | None) -> date:
    """The as-of date of ``--as-of YYYY-MM-DD``, today (UTC) when not given; a one-line ``UsageError`` otherwise.

    >>> week_of("2026-03-02")
    datetime.date(2026, 3, 2)
    """
    if text is None:
        return today_utc()
    try:
        day = date.fromisoformat(text) if len(text) == 10 and text[4] == text[7] == "-" else None
    except ValueError:
        day = None
    if day is None:
        raise UsageError(f"--as-of {text!r} is not a date (YYYY-MM-DD)")
    if day.year == date.max.year:   # a week needs the day after it
        raise UsageError(f"--as-of {text!r} is out of range: the last week the job can run is to 9998-12-31")
    return day


def _day(d: date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def _detect(store, as_of: date, progress, previous: dict[str, frozenset] | None = None):
    """Detection as of the end of ``as_of``, its ring ids matched against ``previous`` (ring
    id -> members of the week before), not yet stored: the run publishes it with the week."""
    from .detection import run_detection

    return run_detection(store, as_of=as_of, progress=progress, previous=previous, publish=False)


def run_weekly(store, as_of: date, load_dir: Path | None, out_dir: Path, progress=None, *,
               detect=None, lock: Path | None = None) -> WeeklyResult:
    """Run the weekly job for ``as_of`` and write its report into ``out_dir``.

    ``progress(description, total)`` returns an ``advance(n)`` (as for ``load``);
    ``detect(store, as_of, progress, previous) -> unpublished DetectionResult`` replaces
    detection (tests). Raises ``WeeklyLockedError`` when another weekly run holds the lock; any other
    error marks the run ``failed`` (best effort) and is raised again.
    """
    from .store import failure_recorded

    started = time.monotonic()
    tick = progress or (lambda description, total: (lambda n: None))
    if load_dir is not None:
        _check_drop(Path(load_dir))
    cfg = settings()   # what can be wrong in the arguments and settings is found before any work
    out_dir = Path(out_dir)
    with weekly_lock(lock, {"as_of": as_of.isoformat(), "started_at": now_precise()}), report_folder(out_dir), \
            graph_writer("weekly", wait=True):   # a load or detection running now is waited for, from the start
        weekly_id = f"weekly-{as_of.isoformat()}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
        migrated = store.ensure_schema(tick)
        abandoned = [r["id"] for r in store.write("weekly_abandon_stale", id=weekly_id, now=now_precise())]
        store.write("weekly_run_start", id=weekly_id, as_of=as_of.isoformat(), started_at=now_precise(), pid=os.getpid())
        # a run that cannot even be marked failed (the database went away) is abandoned by the next one
        with failure_recorded(store, "weekly_run_failed", weekly_id, now=now_precise):
            return _run(store, weekly_id, as_of, load_dir, out_dir, cfg, progress, tick, detect, abandoned, started,
                        migrated)


PLACEHOLDERS = (".keep", ".gitkeep", ".DS_Store")   # what an empty folder may hold all the same


PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".filepart", ".crdownload", ".download")   # transfers in progress


def _check_drop(path: Path) -> None:
    """Refuse a drop the job must not load yet: one that does not exist, one still arriving (a
    transfer's hidden or partial file beside the tables already there: loading it would publish half
    a week), or one holding a subfolder (the job pointed one level too high). ``graphfraud load``
    by hand skips such files with a note instead."""
    if not path.exists():
        raise UsageError(f"--load {path}: no such file or directory")
    if not path.is_dir():
        return
    for entry in sorted(path.iterdir()):
        if entry.is_dir():
            raise UsageError(f"--load {path} holds a folder, {entry.name}: give the folder of the week's files itself")
        if entry.name not in PLACEHOLDERS and (entry.name.startswith(".") or entry.name.lower().endswith(PARTIAL_SUFFIXES)):
            raise UsageError(f"--load {path} holds {entry.name}, a file still being transferred: the drop is not "
                             "complete; run the week again once it is")


def _empty_folder(path: Path) -> bool:
    """A folder holding nothing (or a placeholder): a drop for a week with no data, which is a quiet
    week, not a failed run. Anything else is loaded, or refused (``_check_drop``; ``load.discover``
    when none of its files is a table: a drop named wrongly)."""
    return path.is_dir() and all(p.name in PLACEHOLDERS for p in path.iterdir())


@contextmanager
def report_folder(out_dir: Path):
    """Check, before any work, that the report can be written into ``out_dir`` (created if need be):
    a folder that exists but refuses files would otherwise fail the run at its end, after the load
    and detection. When the run fails, the folders made here are removed again if still empty, so a
    refused run leaves no trace of itself."""
    made = [p for p in (out_dir, *out_dir.parents) if not p.exists()]   # deepest first
    try:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UsageError(f"--out {out_dir}: cannot be a folder for the report: {e.strerror or e}") from None
        if is_bundle(out_dir):   # its report.html is evidence: the week's report must not replace it
            raise UsageError(f"--out {out_dir} holds an evidence bundle: give the weekly report a folder of its own")
        try:
            with tempfile.TemporaryFile(dir=out_dir, prefix=".probe-"):
                pass
        except OSError as e:
            raise UsageError(f"--out {out_dir}: cannot write the report there: {e.strerror or e}") from None
        yield
    except BaseException:
        _remove_empty(made)
        raise


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders, deepest first, while they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except FileNotFoundError:
            continue
        except OSError:
            return


def _run(store, weekly_id, as_of, load_dir, out_dir, cfg, progress, tick, detect, abandoned,
         started, migrated) -> WeeklyResult:
    """The steps of one weekly run, under the lock; published by its last write."""
    load_run, quarantined, notes = None, 0, list(migrated)
    if load_dir is not None and _empty_folder(Path(load_dir)):
        notes.append(f"the drop {load_dir} holds no files: nothing was loaded this week")
    elif load_dir is not None:
        from .load import load, new_run_id

        load_run = new_run_id()   # recorded first: a run killed during its load leaves a load run the next one abandons
        store.write("weekly_run_load_started", id=weekly_id, load_run=load_run)
        loaded = load(store, [Path(load_dir)], progress=progress, run_id=load_run)
        load_run, quarantined, notes = loaded.run_id, loaded.quarantined, notes + loaded.notes
        if loaded.quarantined:
            notes.append(f"{counted(loaded.quarantined, 'row')} quarantined, see {loaded.quarantine_file}")
    unfinished = unfinished_week(as_of, today_utc())
    if unfinished:
        notes.append(unfinished)

    previous = store.read("weekly_previous_run", as_of=as_of.isoformat())
    previous_id = previous[0]["id"] if previous else None
    previous_day = date.fromisoformat(str(previous[0]["as_of"])[:10]) if previous else None
    before = {r["ring_id"]: frozenset(r["members"]) for r in store.read("lineage_of_run", id=previous_id)} \
        if previous_id else {}
    detection = (detect or _detect)(store, as_of, progress, before)
    detection_run = detection.run_id

    advance = tick("linking rings to last week", None)
    rings = sorted(({"ring_id": r["id"], "score": r["score"], "typology": r["typology"], "reasons": r["reasons"],
                     "members": r["members"], "countries": r["countries"]} for r in detection.rings),
                   key=lambda r: r["ring_id"])
    events, note = lineage(before, rings)
    if note:
        notes.append(note)
    week = _week_changes_since(store, as_of, previous_id, previous_day, events, rings)
    advance(1)

    advance = tick("measuring rings", None)
    measured = _measure(store, rings, as_of)
    metrics, data, snapshots = _summarise(weekly_id, as_of, rings, events, week, measured, store, cfg,
                                          baseline=previous_id is None)
    advance(1)

    advance = tick("writing the report", None)
    history = store.read("weekly_recent_runs", as_of=as_of.isoformat(), limit=4 * TREND_WEEKS)
    weeks, left_out = earlier_weeks(history, as_of, metrics.currency)
    caveats = left_out + ([baseline_note(metrics.rings_on_file)] if metrics.baseline else [])
    notes.extend(caveats)
    if metrics.unconverted:
        notes.append(unconverted_note(metrics.unconverted, metrics.currency))
    data.weeks = weeks + [metrics]
    data.previous_as_of = previous_day.isoformat() if previous_day else None
    data.caveats = (["This week is not over yet: its figures are partial."] if unfinished else []) + \
        [sentence(n) for n in caveats]
    if previous_day and (as_of - previous_day).days > LAST_WEEK_DAYS[1]:
        notes.append(f"{no_comparison(data.weeks, data.previous_as_of)}: the report does not compare with last "
                     f"week, and its trends show only the runs of the last {TREND_WEEKS} weeks")
    later = store.read("weekly_later_runs", as_of=as_of.isoformat())
    later_weeks = later[0]["weeks"] if later else 0
    if later_weeks:
        notes.append(backfill_note(later_weeks, later[0]["first"]))
    # A stopping signal (SIGTERM) waits for the publish and the report's swap into place: between
    # them the run would be published and its report not in place.
    with deferred(), staged_report(data, out_dir) as (html, md):   # in place only once the run is published
        advance(1)
        # Publish, the last thing the run does: detection's rings (what `rings list` shows), their
        # lineage snapshots and the week's result become visible in one transaction, or, if the run
        # dies first, none of them.
        store.write_together(detection.writes + [
            ("lineage_write", {"rows": snapshots, "weekly_id": weekly_id, "as_of": as_of.isoformat()}),
            ("weekly_run_end", {"id": weekly_id, "ended_at": now_precise(), "detection_run": detection_run,
                                "previous_run": previous_id, "load_run": load_run, "metrics": metrics.to_json(),
                                "lineage": json.dumps(data.lineage), "report_dir": str(out_dir.resolve())})])
    return WeeklyResult(weekly_run=weekly_id, as_of=as_of, detection_run=detection_run, previous_run=previous_id,
                        load_run=load_run, rings=len(rings), lineage=data.lineage, metrics=metrics,
                        report_html=html, report_md=md, seconds=time.monotonic() - started, abandoned=abandoned,
                        later_weeks=later_weeks, quarantined=quarantined, notes=notes)


class WeekEvents(NamedTuple):
    """The ring changes a report counts for its week, and the as-of date they are counted from."""
    events: list[dict]
    since: date | None


def _week_changes_since(store, as_of: date, previous_id, previous_day, events, rings) -> WeekEvents:
    """The week's ring changes, counted from the run the report compares with: the latest run
    ``LAST_WEEK_DAYS[0]`` (5) days or more earlier. A run since then, off the weekly cycle, is left
    out of the report's comparisons and trends (``earlier_weeks``), so what changed in it is this
    week's: a ring it flagged first is new this week, not unchanged. On the weekly cycle that run
    is the previous one, and the changes are the lineage ``events``."""
    if previous_id is None or (as_of - previous_day).days >= LAST_WEEK_DAYS[0]:
        return WeekEvents(events, previous_day)   # the previous run is the one compared with: no second read
    found = store.read("weekly_previous_run", as_of=(as_of - timedelta(days=LAST_WEEK_DAYS[0] - 1)).isoformat())
    if not found:
        return WeekEvents(events, previous_day)
    before = {r["ring_id"]: frozenset(r["members"]) for r in store.read("lineage_of_run", id=found[0]["id"])}
    return WeekEvents(lineage_by_id(before, rings), date.fromisoformat(str(found[0]["as_of"])[:10]))


def sentence(note: str) -> str:
    """A note as the report shows it: a sentence.

    >>> sentence("left out of the comparisons: 1 earlier run, 2026-01-04")
    'Left out of the comparisons: 1 earlier run, 2026-01-04.'
    """
    return f"{note[:1].upper()}{note[1:]}{'' if note.endswith('.') else '.'}"


def baseline_note(rings: int) -> str:
    """What the first weekly run's rings are: the baseline later weeks count new rings against.

    >>> baseline_note(1).split(";")[0]
    'first weekly run: its 1 ring is the baseline, not counted as a new ring and with no days to detection'
    """
    its = f"its {counted(rings, 'ring')} {'is' if rings == 1 else 'are'}"
    return (f"first weekly run: {its} the baseline, not counted as {'a new ring' if rings == 1 else 'new rings'} "
            "and with no days to detection; rings first flagged from the next run on are new")


def unconverted_note(amounts: dict, currency: str) -> str:
    """The note for amounts the money figures leave out, having no rate to ``currency``.

    >>> unconverted_note({"PLN": 788.0, "CAD": 12.5}, "EUR").split(";")[0]
    'not converted to EUR (no rate): 12.50 CAD, 788.00 PLN'
    """
    listed = ", ".join(f"{a:,.2f} {c}" for c, a in sorted(amounts.items()))
    return (f"not converted to {currency} (no rate): {listed}; the money figures leave these amounts out "
            "(give their rates in report.json)")


def backfill_note(weeks: int, first) -> str:
    """The note for a backfill: later weeks were linked to the week this run replaces.

    >>> backfill_note(1, "2026-03-08")
    'backfill: 1 later week (from 2026-03-08) was linked before this run; run it again to refresh its lineage'
    """
    were, again = ("was", "it again") if weeks == 1 else ("were", "them again in date order")
    return (f"backfill: {counted(weeks, 'later week')} (from {first}) {were} linked before this run; run {again} "
            f"to refresh {'its' if weeks == 1 else 'their'} lineage")


def unfinished_week(as_of: date, today: date) -> str | None:
    """The note for a run whose week is not over, None for one that is.

    The data cut-off is the end of the as-of day (UTC), so a week is over only from the day
    after it: a run as of today, the default, is as partial as one as of a later date.

    >>> unfinished_week(date(2026, 3, 1), date(2026, 3, 2)) is None
    True
    >>> unfinished_week(date(2026, 3, 2), date(2026, 3, 2))
    '--as-of 2026-03-02 is today (UTC): the week is not over and its figures are partial; run it again after 2026-03-02'
    """
    if as_of < today:
        return None
    when = "today (UTC)" if as_of == today else "in the future"
    return f"--as-of {as_of} is {when}: the week is not over and its figures are partial; run it again after {as_of}"


def earlier_weeks(history: list[dict], as_of: date, currency: str) -> tuple[list[WeekMetrics], list[str]]:
    """The weeks a report compares with, oldest first, and notes on the runs left out.

    ``history`` is the latest run of each date, newest first. Going back from ``as_of`` about a
    week at a time, one run per week: a run less than ``LAST_WEEK_DAYS[0]`` (5) days after
    another covers most of the same days and would count their orders twice (5 to 6 days apart
    is a scheduler's slip, and counts as consecutive weeks sharing a day or two of orders). Only the runs of the last
    ``TREND_WEEKS`` weeks of calendar time are kept, so after a gap the trend does not reach
    back months and present an old run as last week. Runs reported in another currency are
    left out too.

    A run that followed no earlier one is the baseline, also when its metrics were stored before
    baselines were kept.

    >>> runs = [{"as_of": d, "metrics": json.dumps({"as_of": d, "run_id": d}), "first_run": d == "2025-10-26"}
    ...         for d in ("2026-01-12", "2026-01-05", "2026-01-04", "2025-12-28", "2025-10-26")]
    >>> weeks, notes = earlier_weeks(runs, date(2026, 1, 19), "EUR")
    >>> [w.as_of for w in weeks], len(notes)
    (['2025-12-28', '2026-01-05', '2026-01-12'], 1)
    >>> [w.baseline for w in earlier_weeks(runs, date(2025, 11, 2), "EUR")[0]]
    [True]
    """
    kept, too_close, other = [], [], []
    last = as_of
    for h in history:
        day = date.fromisoformat(str(h["as_of"])[:10])
        if day >= as_of or not h["metrics"]:
            continue
        if (as_of - day).days >= TREND_WEEKS * 7:
            break   # newest first: every run from here is older than the trend
        if (last - day).days < LAST_WEEK_DAYS[0]:
            too_close.append(day.isoformat())
            continue
        stored = json.loads(h["metrics"])
        stored.setdefault("baseline", bool(h.get("first_run")))   # metrics stored before baselines were kept
        week = WeekMetrics.from_dict(stored)
        if week.currency != currency:
            other.append(week.as_of)
            continue
        kept.append(week)
        last = day
        if len(kept) == TREND_WEEKS - 1:
            break
    notes = []
    if too_close:
        notes.append(f"left out of the comparisons and trends, as less than {LAST_WEEK_DAYS[0]} days from the next "
                     f"(their orders would count twice): {counted(len(too_close), 'earlier run')}, "
                     f"{', '.join(sorted(too_close))}")
    if other:
        notes.append(f"left out of the comparisons and trends, as reported in another currency: "
                     f"{counted(len(other), 'earlier run')}, from {min(other)} to {max(other)}")
    return kept[::-1], notes


def lineage(before: dict[str, frozenset], rings: list[dict]) -> tuple[list[dict], str | None]:
    """Lineage events of this week's rings (their ids as detection stored them) against last week's.

    Detection matched its rings with the same rule, so the ids agree and the events are those
    of ``match_rings``. When detection matched against another run (a backfill with later
    weeks stored, and a detection that cannot be told which run to follow), the ids it stored
    are kept and each ring is compared with last week's ring of the same id.
    """
    groups = [frozenset(r["members"]) for r in rings]
    stored = [r["ring_id"] for r in rings]
    by_members = dict(zip(groups, stored))
    try:
        ids, events = match_rings(before, groups, new_id=lambda members, taken: by_members[members])
    except ValueError:
        ids = None
    if ids == stored:
        return events, None
    return lineage_by_id(before, rings), ("detection matched ring ids against another run than the previous week's "
                                          "(a backfill with later weeks stored): lineage compares rings by id only "
                                          "this week")


def lineage_by_id(before: dict[str, frozenset], rings: list[dict]) -> list[dict]:
    """Lineage events comparing each ring with the ring of the same id in ``before``: new, grown,
    shrunk or unchanged, and dissolved for ids gone (no merges or splits: those need the match).

    >>> [(e["ring_id"], e["kind"]) for e in lineage_by_id({"A": frozenset("ab"), "B": frozenset("cd")},
    ...                                                    [{"ring_id": "A", "members": ["a", "b", "e"]}])]
    [('A', 'grown'), ('B', 'dissolved')]
    """
    events = []
    for r in rings:
        rid, group = r["ring_id"], frozenset(r["members"])
        old = before.get(rid, frozenset())
        events.append(lineage_event(rid, change_kind(old, group) if old else "new", group, old, [], []))
    for rid in sorted(set(before) - {r["ring_id"] for r in rings}):
        events.append(lineage_event(rid, "dissolved", frozenset(), before[rid], [], []))
    return events


# --------------------------------------------------------------------------- measuring

KIND_NAMES = {"Device": "device", "Address": "address", "PaymentInstrument": "instrument", "PromoCode": "promo",
              "Subnet": "subnet", "CardFingerprint": "fingerprint", "IP": "ip", "Building": "building"}


class SellerUse(NamedTuple):
    """A ring's orders with one seller over the lookback (``cypher/weekly_ring_sellers.cypher``)."""
    seller: str
    orders: int
    first_order: str | None
    first_dispute: str | None   # the first that ended in a chargeback or a dispute
    disputing: int              # members who disputed there


class PromoUse(NamedTuple):
    """A ring's orders with one promo code over the lookback (``cypher/weekly_ring_promos.cypher``)."""
    code: str
    orders: int
    members: int                # members who used it
    first_order: str | None


def _measure(store, rings: list[dict], as_of: date) -> dict:
    """Per ring: money this week by currency, main sellers and promo codes, first order, identifier kinds.

    The four reads each walk every member's orders; two at a time keep both of the server's
    cores busy (at 1M accounts 92 s against 119 s one after another, with a hop per order)."""
    out = {r["ring_id"]: {"money": defaultdict(lambda: defaultdict(float)), "sellers": [], "promos": [],
                          "first_order": None, "kinds": {}} for r in rings}
    if not rings:
        return out
    params = {"rings": [{"id": r["ring_id"], "members": r["members"]} for r in rings],
              "until": _day(as_of + timedelta(days=1))}
    week = _day(as_of - timedelta(days=6))
    lookback = _day(as_of - timedelta(days=LOOKBACK_DAYS - 1))
    with ThreadPoolExecutor(2) as pool:
        reads = {name: pool.submit(store.read, name, **params, **since)
                 for name, since in (("weekly_ring_sellers", {"since": lookback}),
                                     ("weekly_ring_money", {"since": week}),
                                     ("weekly_ring_identifier_kinds", {}),
                                     ("weekly_ring_promos", {"since": lookback}))}
        rows = {name: read.result() for name, read in reads.items()}
    for row in rows["weekly_ring_money"]:
        m = out[row["ring_id"]]["money"][row["currency"] or "?"]
        for k in ("orders", "amount", "promo_orders", "promo_amount", "chargeback_amount"):
            m[k] += row[k] or 0
    for row in rows["weekly_ring_sellers"]:
        out[row["ring_id"]]["sellers"].append(SellerUse(row["seller"], row["orders"], row["first_order"],
                                                        row["first_dispute"], row["disputing"]))
    for row in rows["weekly_ring_promos"]:
        out[row["ring_id"]]["promos"].append(PromoUse(row["code"], row["orders"], row["members"], row["first_order"]))
    for r in rings:
        ring = out[r["ring_id"]]
        ring["first_order"] = _activity_start(r["typology"], set(r["members"]), ring["sellers"], ring["promos"])
    for row in rows["weekly_ring_identifier_kinds"]:
        kind = KIND_NAMES.get(row["kind"], (row["kind"] or "other").lower())
        out[row["ring_id"]]["kinds"][kind] = row["identifiers"]
    return out


def _activity_start(typology: str | None, members: set, sellers: list[SellerUse], promos: list[PromoUse]) -> str | None:
    """When a ring's activity began: its members' first order of the kind its typology makes
    fraud, after the idea of ``bench/weekly.py``'s first fraudulent order but from the graph alone
    (no answer key, no activity window). Chargeback rings: the first order that ended in a
    chargeback or dispute at the shops two or more members disputed at (any shop when none has
    two: one member's old dispute elsewhere is not the ring's start, nor are ordinary orders at the
    shop they later charge back at); brushing and collusion: the first order with a seller that is
    itself a ring member; promo abuse: the first order with a promo code two or more members used.
    Any other ring, or one with no such order, falls back to ``_focused_start``.

    >>> shops = [SellerUse("shop", 9, "2025-11-08", "2026-01-03", 2), SellerUse("s-7", 2, "2025-10-30", "2025-10-30", 1)]
    >>> _activity_start("chargeback", {"a", "b"}, shops, []), _activity_start("brushing", {"a", "s-7"}, shops, [])
    ('2026-01-03', '2025-10-30')
    >>> _activity_start("collusion", {"a", "b"}, shops, [])   # no member sells: the focused seller
    '2025-11-08'
    """
    if typology == "chargeback":   # at the shops two or more members disputed at, if any: not one member's old dispute
        shops = [s for s in sellers if s.disputing >= 2] or sellers
        fraud = [s.first_dispute for s in shops]
    elif typology in ("brushing", "collusion"):
        fraud = [s.first_order for s in sellers if s.seller in members]
    elif typology == "promo_abuse":
        fraud = [p.first_order for p in promos if p.members >= 2]
    else:
        fraud = []
    fraud = [f for f in fraud if f]
    return min(fraud) if fraud else _focused_start(sellers, promos)


def _focused_start(sellers: list[SellerUse], promos: list[PromoUse]) -> str | None:
    """A ring's first order with a seller that has at least ACTIVITY_SHARE of the ring's orders,
    or with a promo code two or more members used; the first order of all when there is neither.
    Orders with everyday shops (camouflage, a member's life before the ring) do not count, so
    aged accounts do not make a ring look old.
    """
    total = sum(s.orders for s in sellers)
    focused = [s.first_order for s in sellers if total and s.orders / total >= ACTIVITY_SHARE and s.first_order]
    focused += [p.first_order for p in promos if p.members >= 2 and p.first_order]
    anything = [s.first_order for s in sellers if s.first_order]
    return min(focused) if focused else (min(anything) if anything else None)


def _main(counts: list[tuple], total: int, min_count: int = 2) -> str | None:
    """The seller or code with the largest share of a ring's ``total`` orders, if that share is ≥ HUB_SHARE
    (of all its orders: a code on 2 of 32 is no ring's main code, however few other codes it used).

    >>> _main([("FREESHIP", 2)], total=32), _main([("s1", 20), ("s2", 12)], total=32)
    (None, 's1')
    """
    if not total or not counts:
        return None
    top = sorted(counts, key=lambda c: (-c[1], c[0]))[0]
    if top[1] / total >= HUB_SHARE and top[1] >= min_count:
        return top[0]
    return None


def explanation(reasons, hide: set[str] = frozenset(), limit: int = 160) -> str:
    """One line from detection's reasons: the strongest reason that holds, identifiers masked
    (those in ``hide`` and those the reason names, its ``names``), each only where it stands alone.

    >>> explanation('[{"text": "weak", "holds": false}, {"text": "83 % of orders to s-00017", "holds": true}]',
    ...             hide={"s-00017"})
    '83 % of orders to s-•••17'
    >>> explanation([{"text": "2 members first used code 12 within 1 day (2025-12-12 to 2025-12-12)", "names": ["12"]}])
    '2 members first used code ••• within 1 day (2025-12-12 to 2025-12-12)'
    >>> explanation([{"text": "chargeback rate 38 % (15 of 39 orders, by 5 members; marketplace 1.1 %; p < 1e-12)"}],
    ...             limit=80)
    'chargeback rate 38 % (15 of 39 orders, by 5 members; marketplace 1.1 %) …'
    """
    if isinstance(reasons, str):
        try:
            reasons = json.loads(reasons)
        except ValueError:
            reasons = [reasons]
    if isinstance(reasons, dict):
        reasons = reasons.get("reasons") or list(reasons.values())
    texts, held = [], []   # (text, the identifiers it names)
    for r in reasons or []:
        if isinstance(r, dict):
            text = (r.get("text") or r.get("summary") or r.get("reason") or "", r.get("names") or [])
            if text[0] and r.get("holds", True):
                held.append(text)
        else:
            text = (str(r), [])
        if text[0]:
            texts.append(text)
    line, names = (held or texts or [("flagged by detection", [])])[0]
    for token in sorted(set(hide) | set(names), key=len, reverse=True):
        if token:
            line = re.sub(rf"(?<![\w-]){re.escape(token)}(?![\w-])", mask(token), line)
    if len(line) > limit:   # whole clauses only: a figure cut in half ("p < …") reads as a different figure
        cut = max(line.rfind("; ", 0, limit), line.rfind(" (", 0, limit))
        line = line[:cut] if cut > limit // 2 else line[:limit].rsplit(" ", 1)[0].rstrip(",;:(")
        line += ")" * (line.count("(") - line.count(")")) + " …"
    return line


def net_growth(events: list[dict], sizes: dict[str, int]) -> dict[str, int]:
    """Rings that are bigger than last week (ring id -> members gained, net), for "fastest-growing".

    Net, not members added: a ring that took in two accounts and lost two is no bigger.

    >>> events = [{"ring_id": "A", "kind": "grown", "previous_size": 7},
    ...           {"ring_id": "B", "kind": "grown", "previous_size": 5},
    ...           {"ring_id": "C", "kind": "new", "previous_size": 0}]
    >>> net_growth(events, {"A": 7, "B": 8, "C": 4})
    {'B': 3}
    """
    return {e["ring_id"]: sizes[e["ring_id"]] - e["previous_size"] for e in events
            if e["ring_id"] in sizes and e["kind"] in ("grown", "merged", "split")
            and 0 < e["previous_size"] < sizes[e["ring_id"]]}


def _summarise(weekly_id, as_of, rings, events, week: WeekEvents, measured, store, cfg, baseline: bool):
    """The week's metrics, the report data and the snapshot rows. ``baseline``: the first weekly
    run (nothing earlier to link to), whose rings are the baseline, not new rings."""
    rates, currency = cfg["rates"], cfg["currency"]
    by_id = {r["ring_id"]: r for r in rings}
    event_of = {e["ring_id"]: e for e in week.events}   # what the report says of each ring: this week's change
    money, unconverted, used = {}, Counter(), set()
    for rid, m in measured.items():
        per_cur = m["money"]
        used.update(c.upper() for c in per_cur)
        gmv, miss = convert({c: v["amount"] for c, v in per_cur.items()}, rates)
        promo, _ = convert({c: v["promo_amount"] for c, v in per_cur.items()}, rates)
        cb, _ = convert({c: v["chargeback_amount"] for c, v in per_cur.items()}, rates)
        unconverted.update(miss)
        money[rid] = {"gmv": gmv, "promo": round(promo * cfg["promo_discount"], 2), "chargeback": cb,
                      "promo_orders": int(sum(v["promo_orders"] for v in per_cur.values()))}

    new, flagged_on = ([], {}) if baseline else _new_rings(store, as_of, week)
    ttd = []
    for e in new:
        first = measured[e["ring_id"]]["first_order"]
        if first:
            first_day = date.fromisoformat(first[:10])
            ttd.append(max(0, (flagged_on[e["ring_id"]] - first_day).days))
    active = [r for r in rings if any(v["orders"] for v in measured[r["ring_id"]]["money"].values())]
    accounts = {a for r in active for a in r["members"]}
    countries = Counter()   # of the week's active rings: all rings on file would announce one shift week after week
    for r in active:
        for c in r.get("countries") or []:
            countries[c or "?"] += 1
    new_by_typ, money_by_typ = Counter(), defaultdict(float)
    for r in rings:
        money_by_typ[r["typology"] or "unknown"] += money[r["ring_id"]]["gmv"]
    for e in new:
        new_by_typ[by_id[e["ring_id"]]["typology"] or "unknown"] += 1
    kinds, new_kinds = Counter(), Counter()
    new_ids = {e["ring_id"] for e in new}
    for rid, m in measured.items():
        for k in m["kinds"]:
            kinds[k] += 1
            if rid in new_ids:
                new_kinds[k] += 1
    week_start = datetime.combine(as_of - timedelta(days=6), datetime.min.time(), timezone.utc)
    decided = cases.events(store, week_start, week_start + timedelta(days=7))
    where_left = {e["ring_id"]: e["status"] for e in decided}          # oldest first: the last one stays
    actioned = {ring for ring, status in where_left.items() if status == "actioned"}   # as the decisions list them
    decisions = {status: sorted(r for r, s in where_left.items() if s == status)
                 for status in reversed(cases.STATUSES) if status in where_left.values()}   # actioned first
    metrics = WeekMetrics(
        as_of=as_of.isoformat(), run_id=weekly_id, currency=cfg["currency"], active_rings=len(active),
        rings_on_file=len(rings), baseline=baseline, new_rings=len(new),
        accounts=len(accounts), gmv=round(sum(v["gmv"] for v in money.values()), 2),
        promo_spend=round(sum(v["promo"] for v in money.values()), 2),
        chargeback=round(sum(v["chargeback"] for v in money.values()), 2),
        actioned=len(actioned),
        new_by_typology=dict(sorted(new_by_typ.items())),
        money_by_typology={k: round(v, 2) for k, v in sorted(money_by_typ.items())},
        ttd_days=sorted(ttd), countries=dict(sorted(countries.items())), identifier_kinds=dict(sorted(kinds.items())),
        new_identifier_kinds=dict(sorted(new_kinds.items())),
        unconverted={k: round(v, 2) for k, v in sorted(unconverted.items())},
        promo_orders=sum(v["promo_orders"] for v in money.values()), promo_discount=cfg["promo_discount"])

    # Sellers and promo codes at the centre of several rings.
    hubs = []
    for kind, key in (("seller", "sellers"), ("promo", "promos")):
        centre = defaultdict(list)
        for rid, m in measured.items():
            counts = [(s.seller, s.orders) for s in m["sellers"]] if kind == "seller" else \
                [(p.code, p.orders) for p in m["promos"] if p.members >= 2]
            main = _main(counts, total=sum(s.orders for s in m["sellers"]))
            if main:
                centre[main].append(rid)
        found = sorted(((k, sorted(v)) for k, v in centre.items() if len(v) >= 2), key=lambda kv: (-len(kv[1]), kv[0]))
        hubs += [{"kind": kind, "id": k, "rings": v} for k, v in found[:MAX_HUBS]]
    hide = {h["id"] for h in hubs}

    def described(rid):
        r = by_id[rid]
        m = measured[rid]
        hidden = hide | set(r["members"]) | {s.seller for s in m["sellers"]} | {p.code for p in m["promos"]}
        return {"ring_id": rid, "typology": r["typology"] or "unknown", "size": len(r["members"]),
                "score": r["score"] or 0, "money": money[rid]["gmv"], "added": event_of[rid]["added"],
                "explanation": explanation(r["reasons"], hidden)}

    top_new = sorted((described(e["ring_id"]) for e in new), key=lambda d: (-d["score"], -d["money"], d["ring_id"]))
    sizes = {rid: len(r["members"]) for rid, r in by_id.items()}
    growing = [{**described(rid), "added": growth} for rid, growth in net_growth(week.events, sizes).items()]
    growing.sort(key=lambda d: (-d["added"], -d["money"], d["ring_id"]))

    data = ReportData(weeks=[], top_new=top_new[:TOP_RINGS], fastest_growing=growing[:TOP_RINGS], hubs=hubs,
                      lineage=week_changes(week.events, len(new), baseline), decisions=decisions, currency=currency,
                      rates={c: r for c, r in rates.items() if c in used or c == currency},
                      rates_note=cfg["rates_note"],
                      promo_note=(f"Estimated at {cfg['promo_discount']:.0%} (the assumed average discount) of the "
                                  "value of the orders ring members placed with a promo code this week."))

    rows = []
    for e in events:
        r = by_id.get(e["ring_id"])
        rows.append({
            "id": f"{weekly_id}/{e['ring_id']}", "ring_id": e["ring_id"], "kind": e["kind"], "size": e["size"], "previous_size": e["previous_size"],
            "added": e["added"], "removed": e["removed"], "added_ids": e["added_ids"],
            "removed_ids": e["removed_ids"], "from_rings": e["from"], "into_rings": e["into"],
            "members": sorted(r["members"]) if r else [],
            "score": float(r["score"] or 0) if r else None, "typology": (r["typology"] if r else None),
            "explanation": described(e["ring_id"])["explanation"] if r else None,
            "money": money[e["ring_id"]]["gmv"] if r else 0.0,
        })
    return metrics, data, rows


def _new_rings(store, as_of: date, week: WeekEvents) -> tuple[list[dict], dict[str, date]]:
    """The events of the rings new this week, and the day each was first flagged: this run's, or
    that of a run since the week compared with, off the weekly cycle, that flagged it first.

    A "new" id made mostly of accounts already flagged by the week compared with is a ring coming
    back (after a week below the threshold, or regrouped): not new, and not detected now.
    """
    fresh = [e for e in week.events if e["kind"] == "new"]
    if not fresh:
        return [], {}
    first = {r["account_id"]: date.fromisoformat(str(r["first"])[:10])
             for r in store.read("lineage_flagged_before", as_of=as_of.isoformat(),
                                 accounts=sorted({a for e in fresh for a in e["added_ids"]}))}
    known = {a for a, day in first.items() if week.since is None or day <= week.since}
    new = [e for e in fresh if 2 * len(known.intersection(e["added_ids"])) < e["size"]]
    return new, {e["ring_id"]: min((first[a] for a in e["added_ids"] if a in first and a not in known), default=as_of)
                 for e in new}


def week_changes(events: list[dict], new: int, baseline: bool) -> dict[str, int]:
    """The week's ring changes as the report and the ``--quiet`` summary count them: the lineage
    kinds, with the "new" ids that are rings coming back counted as ``returning`` and, in the first
    weekly run, every "new" one as ``baseline`` (its lineage still says "new").

    >>> events = [{"kind": "new"}, {"kind": "new"}, {"kind": "grown"}]
    >>> week_changes(events, 1, False), week_changes(events, 0, True)
    ({'grown': 1, 'new': 1, 'returning': 1}, {'baseline': 2, 'grown': 1})
    """
    changes = Counter(e["kind"] for e in events)
    fresh = changes.pop("new", 0)
    if baseline:
        changes["baseline"] = fresh
    else:
        changes["new"], changes["returning"] = new, fresh - new
    return {k: n for k, n in sorted(changes.items()) if n}


# --------------------------------------------------------------------------- history

def ring_history(store, ring_id: str) -> list[dict]:
    """A ring's lineage week by week (complete weekly runs only), oldest first."""
    from .investigate import unknown_ring

    if not store.read("lineage_ring_exists", id=ring_id):
        raise unknown_ring(store, ring_id)
    rows = store.read("lineage_history", id=ring_id)
    out = []
    for r in rows:
        out.append({"as_of": r["as_of"], "kind": r["kind"], "size": r["size"], "previous_size": r["previous_size"],
                    "added": r["added"], "removed": r["removed"], "from": r["from_rings"] or [],
                    "into": r["into_rings"] or [], "score": r["score"], "typology": r["typology"],
                    "added_ids": r["added_ids"] or [], "removed_ids": r["removed_ids"] or [],
                    "weekly_run": r["weekly_run"], "detection_run": r["detection_run"]})
    return out
