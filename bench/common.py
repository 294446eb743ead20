"""Measurements and marketplaces shared by the bench scripts."""

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

# Generators written apart from graphfraud's, each by someone who saw only the input format and
# the typologies: script, and the first day of its 26 weeks.
OUTSIDE_GENERATORS = {
    "independent": ("independent_market.py", date(2025, 1, 6)),
    "second": ("second_market.py", date(2025, 3, 3)),
}


def write_outside(generator: str, folder: Path, buyers: int, seed: int) -> None:
    """A marketplace from one of ``OUTSIDE_GENERATORS``."""
    script = Path(__file__).with_name(OUTSIDE_GENERATORS[generator][0])
    subprocess.run([sys.executable, str(script), str(folder), "--buyers", str(buyers), "--seed", str(seed)],
                   check=True, stdout=subprocess.DEVNULL)


def server_peak_mb() -> float:
    from graphfraud import localserver

    state = localserver.status()
    if not state:
        return float("nan")
    for line in open(f"/proc/{state['pid']}/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def evasion_levels(folder: Path) -> dict[str, str]:
    """Ring id -> how the ring hides, from the answer key (the ``evasion`` column of
    ``ring_windows.csv``, which the outside generators write); {} when it has none."""
    path = folder / "ring_windows.csv"
    if not path.exists():
        return {}
    with open(path, newline="") as f:
        return {r["ring_id"]: r["evasion"] for r in csv.DictReader(f) if r.get("evasion")}
