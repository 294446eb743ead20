"""Measurements and marketplaces shared by the bench scripts."""

import subprocess
import sys
from pathlib import Path

INDEPENDENT_START = "2025-01-06"   # the first day of bench/independent_market.py's 26 weeks (its T0)


def write_independent(folder: Path, buyers: int, seed: int) -> None:
    """A marketplace from bench/independent_market.py, the generator written apart from graphfraud's."""
    subprocess.run([sys.executable, str(Path(__file__).with_name("independent_market.py")), str(folder),
                    "--buyers", str(buyers), "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)


def server_peak_mb() -> float:
    from graphfraud import localserver

    state = localserver.status()
    if not state:
        return float("nan")
    for line in open(f"/proc/{state['pid']}/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")
