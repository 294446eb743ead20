"""Small pieces of text shared by everything graphfraud writes for people: English counts, CSV
cells a spreadsheet shows as written, and text a terminal shows as written."""

import unicodedata


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


# Character classes (for a regex's [...]) the rules about untrusted text are made of:
# C0 controls but tab, line feed and carriage return (a quoted field may span lines), DEL, and C1
# controls (a terminal acts on them: U+009B starts an escape sequence) ...
CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# ... and Unicode's direction controls, which make text read in another order than it is stored
DIRECTION_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"

# What a terminal acts on, or shows as nothing, rather than shows: controls (C0, DEL, C1: an
# escape sequence), format characters (direction controls such as U+202E, which make text read in
# another order than it is stored, "Trojan Source", CVE-2021-42574; zero-width ones), line and
# paragraph separators, and the unpaired surrogates of a file name that is not UTF-8
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def visible(text, exact: bool = False, lines: bool = False) -> str:
    r"""``text`` with each character a terminal would act on or hide written as Python writes it in
    a string, so data (an id, a file name, a note) can neither move the cursor, clear the screen,
    break the line nor reorder it. ``exact`` doubles the backslash too, so two different texts never
    show the same (a file name in an evidence bundle); ``lines`` keeps line breaks (a table cell,
    where a note's second line is laid out under its first).

    >>> print(visible("ok\x1b[2J\r\u202etxt.exe \x9b"), visible("a\\b", exact=True), visible("1\n2", lines=True))
    ok\x1b[2J\x0d\u202etxt.exe \x9b a\\b 1
    2
    """
    text = str(text)
    if text.isprintable() and not (exact and "\\" in text):   # the usual case, at C speed
        return text
    return "".join(escaped(c) if _acts(c, exact, lines) else c for c in text)


JOINERS = ("\u200c", "\u200d")   # zero-width (non-)joiners: how Persian and Indic names, and emoji, are written


def _acts(c: str, exact: bool, lines: bool) -> bool:
    if c == "\\":
        return exact
    if c == "\n":
        return not lines
    return c not in JOINERS and unicodedata.category(c) in HIDDEN_CATEGORIES


def escaped(c: str) -> str:
    """One character as a Python escape (the backslash doubled)."""
    code = ord(c)
    if c == "\\":
        return "\\\\"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
