"""Timestamps as graphfraud stores and compares them: UTC text ``YYYY-MM-DDTHH:MM:SSZ``.

The loader, detection's ``as_of`` and the load's run records all read ISO 8601 in any of
its spellings (``Z``, an offset, none: naive times are UTC) and write this one form, so
string comparison in Cypher is time comparison.
"""

import re
from datetime import datetime, timezone

__all__ = ["parse", "utc_text", "now_text", "short_iso"]

_ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(.*)$")


def parse(text: str) -> datetime:
    """An aware datetime from ISO 8601 text. A ``[Zone/Name]`` suffix (as servers write it) is
    the zone of a time without an offset; with an offset, the offset decides.

    Raises ``ValueError`` for text that is not ISO 8601, or names a zone that does not exist.

    >>> parse("2025-10-02T10:00:00+02:00").isoformat(), parse("2025-10-02 08:00:00").isoformat()
    ('2025-10-02T10:00:00+02:00', '2025-10-02T08:00:00+00:00')
    >>> parse("2025-10-02T10:00:00[Europe/Paris]").isoformat()
    '2025-10-02T10:00:00+02:00'
    """
    text, _, zone = text.strip().partition("[")
    parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    if parsed.tzinfo:
        return parsed
    return parsed.replace(tzinfo=_zone(zone.rstrip("]")) if zone else timezone.utc)


def _zone(name: str):
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):   # no such zone, a name that is no zone name, a folder ("Europe")
        raise ValueError(f"unknown time zone {name!r}") from None


def utc_text(moment: datetime) -> str:
    """The stored form of an aware datetime.

    >>> utc_text(parse("2025-10-02T10:00:00+02:00")), utc_text(parse("0202-05-01T10:00:00Z"))
    ('2025-10-02T08:00:00Z', '0202-05-01T10:00:00Z')
    """
    moment = moment.astimezone(timezone.utc)
    return f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%SZ")   # %Y gives "202" for 202 on Linux


def now_text() -> str:
    return utc_text(datetime.now(timezone.utc))


def now_precise() -> str:
    """Now, to the microsecond (``now_text`` stops at the second): runs are ordered by when they
    started or ended, and a small marketplace is detected, or a backfill ends several weekly runs,
    within one second."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def short_iso(text: str) -> str:
    """A server's ISO text made short: nanosecond zeros dropped, UTC as Z; other text as it is.

    >>> short_iso("2025-12-24T13:22:13.000000000+00:00"), short_iso("2026-11-25T00:36:20.051956000+01:00")
    ('2025-12-24T13:22:13Z', '2026-11-25T00:36:20.051956+01:00')
    """
    m = _ISO.match(text)
    if not m:
        return text
    frac = (m.group(2) or "").rstrip("0").rstrip(".")
    tz = m.group(3)
    return m.group(1) + frac + ("Z" if tz in ("+00:00", "Z") else tz)
