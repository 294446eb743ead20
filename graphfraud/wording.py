"""Small pieces of text shared by everything graphfraud writes for people: English counts, CSV
cells a spreadsheet shows as written, and text a terminal shows as written."""

import re


def counted(n: float, noun: str, plural: str | None = None) -> str:
    """A count with its noun, plural unless the count is one (``plural`` when it is not noun + s).

    >>> counted(1, "ring"), counted(3, "day"), counted(0.0, "seller"), counted(1200, "entity", "entities")
    ('1 ring', '3 days', '0 sellers', '1,200 entities')
    """
    return f"{n:,.0f} {noun if round(n) == 1 else plural or noun + 's'}"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value, text: str) -> str:
    """``text``, the CSV cell written for ``value``, safe to open in a spreadsheet: text that starts
    like a formula gets a leading ' and stays text (OWASP CSV injection: an address typed as
    ``=HYPERLINK(…)`` by a fraudster is not a live link in enforcement's sheet). A number stays a
    number, a negative one too.

    >>> spreadsheet_safe("=1+2", "=1+2"), spreadsheet_safe(-5.5, "-5.5"), spreadsheet_safe(["@x"], "@x")
    ("'=1+2", '-5.5', "'@x")
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return text
    return "'" + text if text.startswith(FORMULA_STARTS) else text



# What a terminal acts on rather than shows: C0 controls but tab and line feed, DEL, C1 controls
# (U+009B starts an escape sequence too), and Unicode's direction controls, which make text read
# in another order than it is stored ("Trojan Source", CVE-2021-42574)
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    r"""``text`` with what a terminal would act on written out as escapes, so data (an id, a file
    name, a note) can neither move the cursor, clear the screen nor reorder a line an
    investigator reads.

    >>> print(visible("ok\x1b[2J \u202etxt.exe \x9b"))
    ok\x1b[2J \u202etxt.exe \x9b
    """
    return HIDDEN.sub(_escape, text)


def _escape(found: re.Match) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
