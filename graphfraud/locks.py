"""Locks between the graphfraud processes of one installation (one ``GRAPHFRAUD_HOME``).

Each is an ``fcntl.flock`` on a file in the home folder: the kernel releases it when its holder
exits for any reason (even ``kill -9``), so there is never a stale lock to remove by hand. The
holder writes who it is into the file, and a process refused names it.

- ``graph_writer``: one load or detection at a time. Two loads at once stored relationships
  twice, and a detection during a load read a half-loaded graph and published it as the latest.
- the weekly job's own lock (``weekly.weekly_lock``): one weekly run at a time.

These serialise the commands of one installation, not two machines writing into one Neo4j.
"""

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path

from .errors import LockedError
from .home import home
from .times import now_precise


class GraphBusyError(LockedError):
    """Another load or detection is writing to the graph; exit 75 (EX_TEMPFAIL): try again later."""

    exit_code = 75


@contextmanager
def held(path: Path, what: dict, busy):
    """Hold an exclusive lock on ``path`` for the block, with ``what`` (and the pid) written in it.
    When another process holds it, raise ``busy(holder)``, ``holder`` being what that process wrote
    (``{}`` when it cannot be read)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            holder = json.loads(os.pread(fd, 4096, 0).decode(errors="replace"))
        except ValueError:
            holder = {}
        os.close(fd)
        raise busy(holder if isinstance(holder, dict) else {}) from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), **what}).encode(), 0)
        yield path
    finally:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def graph_writer(command: str):
    """The lock a load or a detection holds while it runs (``command`` names it to a process refused)."""
    path = home() / "graph.lock"

    def busy(holder: dict) -> GraphBusyError:
        by = f"{holder.get('command', 'another command')}, pid {holder.get('pid', '?')}, " \
             f"started {holder.get('started_at', '?')}"
        return GraphBusyError(f"a load or detection is running ({by}); nothing was done. Try again when it has "
                              f"finished (lock: {path})")

    return held(path, {"command": command, "started_at": now_precise()}, busy)
