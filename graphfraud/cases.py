"""Case status of a ring, with its history kept in the graph.

Every change is a ``(Ring)-[:HAS_EVENT]->(CaseEvent {at, by, status, previous, note})``
and ``Ring.status`` holds the current status, so ``rings show``, the evidence bundle
and the weekly report read one history. Detection never touches ``Ring.status``.
"""

import getpass
import re
import uuid
from datetime import datetime, timezone

from .errors import UsageError
from .investigate import unknown_ring
from .locks import case_marker
from .normalise import mask_stored_text
from .wording import CONTROLS, DIRECTION_CONTROLS

__all__ = ["STATUSES", "mark", "history", "events", "author"]

STATUSES = ("open", "under_review", "confirmed", "dismissed", "actioned")
MAX_NOTE = 4000
# refused in a note or a name: controls (a carriage return too: a Windows line break is made a line
# feed first) and direction controls, which make a note read in another order than it is stored
REFUSED = re.compile(f"[{CONTROLS}\r{DIRECTION_CONTROLS}]")


def _os_user() -> str:
    """The OS user, the default author of a case event."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def author(by: str | None) -> str:
    """Who made a change, as stored and exported: the name given (card numbers masked) or the OS user."""
    return mask_stored_text(_as_written(by or "", "--by", one_line=True).strip()) or _os_user()


def _as_written(text: str, option: str, one_line: bool = False) -> str:
    """``text``, refused (naming ``option``) when it holds what a terminal acts on rather than
    shows (``REFUSED``), or, with ``one_line`` (a name), a line break: evidence reads as it is
    stored, and a name written into the bundle's scripts cannot start a line of its own."""
    found = REFUSED.search(text) or (one_line and re.search(r"[\t\n]", text))
    if not found:
        return text
    code = ord(found.group())
    if 0x200e <= code or code == 0x61c:
        raise UsageError(f"{option} holds the direction control U+{code:04X}, which makes text read in another "
                         "order than it is stored; write it without")
    raise UsageError(f"{option} holds the control character U+{code:04X}; write it without")


def mark(store, ring_id: str, status: str, note: str, by: str | None = None, at: datetime | None = None) -> dict:
    """Set a ring's case status; returns the event (with ``previous``, the status it replaced)."""
    if status not in STATUSES:
        raise UsageError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    note = (note or "").replace("\r\n", "\n")   # a note pasted from Windows: its line breaks, not a control character
    note = mask_stored_text(_as_written(note, "--note").strip())   # kept and exported: no card number in it
    if not note:
        raise UsageError("a case status change needs a --note saying why")
    if len(note) > MAX_NOTE:
        raise UsageError(f"the note is {len(note):,} characters; at most {MAX_NOTE:,}")
    by = author(by)
    with case_marker():   # the time is taken, and the previous status read, after the change before this one
        when = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="microseconds")
        rows = store.write("cases_mark", ring_id=ring_id, status=status, note=note, by=by, at=when,
                           event_id=f"case-{uuid.uuid4().hex}")
    if not rows:
        raise unknown_ring(store, ring_id)
    return rows[0]


def history(store, ring_id: str) -> dict:
    """``{"ring_id", "status", "events": [{at, by, status, previous, note}, …]}``, oldest event first."""
    rows = store.read("cases_history", ring_id=ring_id)
    if not rows:
        raise unknown_ring(store, ring_id)
    row = rows[0]
    # in the statement's order, by the stored time: the times as text are shortened (``.5Z`` is
    # later than ``.52Z`` as text) and cannot be sorted
    events = [e for e in row["events"] if e.get("at") is not None]
    return {"ring_id": row["ring_id"], "status": row["status"], "events": events}


def events(store, since: datetime, until: datetime) -> list[dict]:
    """Every ring's status changes in ``[since, until)``, oldest first (for the weekly report).

    Each is ``{ring_id, at, by, status, previous, note}``; naive datetimes are taken as UTC.
    """
    def iso(t: datetime) -> str:
        t = t if t.tzinfo else t.replace(tzinfo=timezone.utc)
        return t.astimezone(timezone.utc).isoformat(timespec="microseconds")

    if until <= since:
        raise UsageError("the end of the period must come after its start")
    return store.read("cases_events", since=iso(since), until=iso(until))
