"""Small pieces of English shared by every message graphfraud writes for people."""


def counted(n: float, noun: str) -> str:
    """A count with its noun, plural unless the count is one.

    >>> counted(1, "ring"), counted(3, "day"), counted(0.0, "seller")
    ('1 ring', '3 days', '0 sellers')
    """
    return f"{n:.0f} {noun}{'' if round(n) == 1 else 's'}"
