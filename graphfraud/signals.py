"""SIGTERM and SIGHUP end a command as Ctrl-C does: runs and loads marked failed, locks let go, one
line said. Python's default for them is to die on the spot, with nothing cleaned up.

A block that must not stop half-way (a weekly run publishing its week and putting its report in
place) runs under ``deferred()``: a signal that comes meanwhile waits for the block to end, then acts.
"""

import signal
from contextlib import contextmanager

__all__ = ["Terminated", "install", "deferred"]

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_state = {"deferring": 0, "pending": None}


class Terminated(KeyboardInterrupt):
    """SIGTERM (``systemctl stop``, a scheduler's timeout) or SIGHUP, raised where the command is;
    its exit code is the one a shell gives a process the signal ended (143, 129)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum, self.name = signum, signal.Signals(signum).name


def install() -> None:
    """Handle the stopping signals from now on, but for one the process was told to ignore (``nohup``)."""
    for signum in STOPPING:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stop)


def _stop(signum, frame):
    if _state["deferring"]:
        _state["pending"] = _state["pending"] or signum
        return
    _raise(signum)


def _raise(signum: int):
    raise KeyboardInterrupt if signum == signal.SIGINT else Terminated(signum)


@contextmanager
def deferred():
    """Stopping signals wait while the block runs, then act (where ``install`` handles them)."""
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1
        if not _state["deferring"] and _state["pending"]:
            signum, _state["pending"] = _state["pending"], None
            _raise(signum)
