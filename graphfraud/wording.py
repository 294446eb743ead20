"""Small pieces of text shared by everything graphfraud writes for people: English counts, and CSV
cells a spreadsheet shows as written."""


def counted(n: float, noun: str) -> str:
    """A count with its noun, plural unless the count is one.

    >>> counted(1, "ring"), counted(3, "day"), counted(0.0, "seller")
    ('1 ring', '3 days', '0 sellers')
    """
    return f"{n:.0f} {noun}{'' if round(n) == 1 else 's'}"


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
