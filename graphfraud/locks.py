"""Locks between the graphfraud processes of one installation (one ``GRAPHFRAUD_HOME``).

Each is an ``fcntl.flock`` on a file in the home folder: the kernel releases it when its holder
exits for any reason (even ``kill -9``), so there is never a stale lock to remove by hand. The
holder writes who it is into the file, and a process refused names it.

- ``graph_writer``: one load, detection or weekly run at a time. Two loads at once stored
  relationships twice, and a detection during a load read a half-loaded graph and published it
  as the latest. The weekly job holds it from its start to its publish, waiting for a load or
  detection running when it starts; the load and detection it runs inside hold it already.
- the weekly job's own lock (``weekly.weekly_lock``): one weekly run at a time.
- ``case_marker``: one case status change at a time, each waiting for the one before. Two marks
  at once both read the same previous status and were stored out of order.

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
def held(path: Path, what: dict, busy, wait: bool = False):
    """Hold an exclusive lock on ``path`` for the block, with ``what`` (and the pid) written in it.
    When another process holds it, wait for it with ``wait``, else raise ``busy(holder)``,
    ``holder`` being what that process wrote (``{}`` when it cannot be read)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            try:
                holder = json.loads(os.pread(fd, 4096, 0).decode(errors="replace"))
            except ValueError:
                holder = {}
            raise busy(holder if isinstance(holder, dict) else {}) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({"pid": os.getpid(), **what}).encode(), 0)
            yield path
        finally:
            try:
                os.ftruncate(fd, 0)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


_graph_writers_here = 0   # graph_writer blocks open in this process: a nested one (the weekly job's load) holds it


@contextmanager
def graph_writer(command: str, wait: bool = False):
    """The lock a load, a detection or a weekly run holds while it runs (``command`` names it to a
    process refused). Within a block of it, a nested one holds it already."""
    global _graph_writers_here
    if _graph_writers_here:
        _graph_writers_here += 1
        try:
            yield
        finally:
            _graph_writers_here -= 1
        return
    path = home() / "graph.lock"

    def busy(holder: dict) -> GraphBusyError:
        by = f"{holder.get('command', 'another command')}, pid {holder.get('pid', '?')}, " \
             f"started {holder.get('started_at', '?')}"
        return GraphBusyError(f"a load, detection or weekly run is writing ({by}); nothing was done. Try again "
                              f"when it has finished (lock: {path})")

    with held(path, {"command": command, "started_at": now_precise()}, busy, wait=wait):
        _graph_writers_here = 1
        try:
            yield
        finally:
            _graph_writers_here = 0


@contextmanager
def case_marker():
    """The lock a case status change holds while it reads the ring's status and writes its own: a
    second change waits for it (a moment), then reads what it wrote."""
    with held(home() / "cases.lock", {"command": "rings mark", "started_at": now_precise()}, LockedError, wait=True):
        yield
