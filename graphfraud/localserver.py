"""The zero-setup local Bolt server: ArcadeDB from the arcadedb-embedded wheel.

It runs as its own background process (``python -m graphfraud.localserver HOME``) so
that the ~5 s JVM start is paid once, not by every command. The process binds
127.0.0.1 only, authenticates with a random password kept in a 0600 file, sends its
log to ``HOME/logs/server.log`` and announces itself in ``HOME/server.json`` once it
accepts connections. Every later command reads that file and reuses the server until
``graphfraud db stop``.
"""

import fcntl
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import ServerError, UsageError
from .home import home, private_folder, private_opener, server_password, write_private

DATABASE = "graphfraud"
HOST = "127.0.0.1"
START_TIMEOUT_S = 120
# The server's Java heap unless GRAPHFRAUD_SERVER_HEAP says otherwise. The server fills the heap it
# is given; 2.5 GB loads and detects a 1M-account marketplace (README › Speed), and caps a
# collect() at 1,310,720 elements (heap / 2048), which the projection's pages stay under.
DEFAULT_HEAP = "2500m"
# What the server says when its heap is too small: a collect() over its cap, or the JVM out of memory.
OUT_OF_HEAP = re.compile(r"Limit of allowed elements|Java heap space|OutOfMemoryError")


def heap_hint(message: str) -> str:
    """What to add to a server error that says the heap was too small: which setting to raise."""
    if not OUT_OF_HEAP.search(message):
        return ""
    return (f" (the local server's Java heap, GRAPHFRAUD_SERVER_HEAP ({DEFAULT_HEAP} by default), is too small "
            "for this graph: set it higher, e.g. 4g, run `graphfraud db stop`, then run again)")


def gone_hint() -> str:
    """What to add to a server error when the local server is no longer running: it was stopped
    (`graphfraud db stop`) or killed during the command, whatever the driver made of that."""
    if status():
        return ""
    return " (the local server stopped during this command: `graphfraud db stop`, or it was killed; run it again)"


NO_JVM = re.compile(r"Unable to start JVM|initialization of VM|Could not reserve enough space|Invalid maximum heap size|"
                    r"Too small maximum heap|Cannot allocate memory")


def jvm_hint(message: str) -> str:
    """What to add when the JVM itself did not start: the heap setting, which is the usual cause."""
    if not NO_JVM.search(message):
        return ""
    return (f" (the Java heap asked for, GRAPHFRAUD_SERVER_HEAP={server_heap()}, may be more than this machine "
            f"can give: set it lower, or unset it for {DEFAULT_HEAP})")


HEAP_SIZE = re.compile(r"([1-9][0-9]*)([kmg]?)", re.IGNORECASE)   # as java's -Xmx takes it: 2500m, 4g
MIN_HEAP_MB = 256


def server_heap() -> str:
    """GRAPHFRAUD_SERVER_HEAP, checked before a server is launched with it (the JVM's own refusal
    reached the user as 'Unable to start JVM'); unset or empty, ``DEFAULT_HEAP``."""
    value = os.environ.get("GRAPHFRAUD_SERVER_HEAP", "").strip() or DEFAULT_HEAP
    found = HEAP_SIZE.fullmatch(value)
    megabytes = int(found[1]) * {"": 2**-20, "k": 2**-10, "m": 1, "g": 2**10}[found[2].lower()] if found else 0
    if megabytes < MIN_HEAP_MB:
        raise UsageError(f"GRAPHFRAUD_SERVER_HEAP {value!r} is not a Java heap size of {MIN_HEAP_MB}m or more, "
                         f"such as {DEFAULT_HEAP} or 4g")
    return value


def _state_file(root: Path) -> Path:
    return root / "server.json"


def _log_file(root: Path) -> Path:
    return private_folder(root / "logs") / "server.log"


def _alive(pid: int) -> bool:
    try:  # reap it first if it is our own exited child, else it lingers as a zombie
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wanted_bolt_port() -> int:
    """GRAPHFRAUD_BOLT_PORT pins the port; by default any free loopback port is taken."""
    wanted = os.environ.get("GRAPHFRAUD_BOLT_PORT")
    if not wanted:
        return _free_port()
    if not wanted.isdigit() or not 0 < int(wanted) < 65536:
        raise UsageError(f"GRAPHFRAUD_BOLT_PORT must be a port number from 1 to 65535, not {wanted!r}")
    port = int(wanted)
    if _port_open(port):
        raise ServerError(f"port {port} (GRAPHFRAUD_BOLT_PORT) is already in use by another program")
    return port


@contextmanager
def _start_lock(root: Path):
    """Serialises concurrent starts so two commands never launch two servers."""
    with open(root / "server.lock", "w", opener=private_opener) as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _recorded(root: Path) -> dict | None:
    """What ``server.json`` says, when it names a process id and a port; None when it is absent or damaged."""
    try:
        state = json.loads(_state_file(root).read_text())
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    pid, port = state.get("pid"), state.get("bolt_port")
    numbers = type(pid) is int and type(port) is int
    return state if numbers and 0 < pid < 2**31 and 0 < port < 65536 else None


def _ours(pid: int, root: Path) -> bool:
    """Whether process ``pid`` is the server of ``root`` (a pid of a server that died may be reused)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        folder = Path(os.readlink(f"/proc/{pid}/cwd"))   # the server runs in its home (_serve)
    except FileNotFoundError:   # gone, or no /proc on this system: trust the pid and the port
        return _alive(pid)
    except OSError:
        return False
    return b"graphfraud.localserver" in command and folder == Path(root).resolve()


def _unrecorded(root: Path) -> dict | None:
    """The state of a server of ``root`` running without a ``server.json`` (deleted or damaged),
    found among the processes by its command line, which names its home and port. Without it the
    next command launched a second server, which died on the first one's database lock."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"graphfraud.localserver" in command and command[-2:-1] and command[-2].isdigit() \
                and _ours(int(entry.name), root):
            started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(entry.stat().st_mtime))
            return {"pid": int(entry.name), "bolt_port": int(command[-2]), "database": DATABASE, "started_at": started}
    return None


def status(root: Path | None = None, found_lost: bool = True) -> dict | None:
    """The running server's state (pid, uri, started_at, log), or None when none answers. A server
    whose ``server.json`` was lost is found all the same (``found_lost``); not by the start that
    waits for its own server to announce itself ready."""
    root = root or home()
    state = _recorded(root) or (_unrecorded(root) if found_lost else None)
    if not (state and _alive(state["pid"]) and _ours(state["pid"], root) and _port_open(state["bolt_port"])):
        return None
    return {**state, "uri": f"bolt://{HOST}:{state['bolt_port']}", "home": str(root), "log": str(_log_file(root))}


def _clear_stale(root: Path) -> str | None:
    """Remove a state file no running server of this home answers to; returns why it was stale."""
    if not _state_file(root).exists():
        return None
    state = _recorded(root)
    if state and _alive(state["pid"]) and _ours(state["pid"], root):
        return None
    _state_file(root).unlink(missing_ok=True)
    if not state:
        return "it named no process"
    return f"process {state['pid']} " + ("is another program now" if _alive(state["pid"]) else "was gone")


def start(root: Path | None = None) -> dict:
    """Start the server unless it already runs; returns its state with ``already`` set."""
    root = root or home()
    with _start_lock(root):
        state = status(root)
        if state:
            return {**state, "already": True}
        server_heap()   # a heap the JVM would refuse is named now, not as the server's failure to start
        stale = _clear_stale(root)
        server_password()  # create the secret before the child reads it
        port = _wanted_bolt_port()
        with open(_log_file(root), "ab", opener=private_opener) as log:   # the child keeps its own copy of the handle
            child = subprocess.Popen(
                [sys.executable, "-m", "graphfraud.localserver", str(root), str(port)],
                cwd=root, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline:
                state = status(root, found_lost=False)
                if state and state.get("pid") == child.pid:
                    return {**state, "already": False, "stale": stale}
                if child.poll() is not None:
                    error = _last_error(root)
                    raise ServerError(f"the local server exited during start: {error} (log: {_log_file(root)})"
                                      + jvm_hint(error))
                time.sleep(0.2)
            raise ServerError(f"the local server did not start within {START_TIMEOUT_S} s (log: {_log_file(root)})")
        except BaseException:   # timed out or interrupted: no half-started server is left behind
            child.terminate()
            raise


def stop(root: Path | None = None) -> dict | None:
    """Stop the running server; returns the state it had, or None if none ran.

    Under the start lock: a command starting a server meanwhile waits for the stop, then starts
    its own, whose state file the stop can no longer remove (it left a server no command saw).
    """
    root = root or home()
    with _start_lock(root):
        state = status(root)
        if not state:
            _clear_stale(root)
            return None
        os.kill(state["pid"], signal.SIGTERM)
        deadline = time.monotonic() + 60
        while _alive(state["pid"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(state["pid"]):
            os.kill(state["pid"], signal.SIGKILL)
        _state_file(root).unlink(missing_ok=True)
        return state


def _last_error(root: Path) -> str:
    lines = _log_file(root).read_text(errors="replace").splitlines()[-200:]
    errors = [line for line in lines if "SEVERE" in line or "Error" in line or "Exception" in line]
    return (errors or lines or ["no log output"])[-1].strip()[:300]


def _serve(root: Path, bolt_port: int) -> None:
    """Run the server in this process until SIGTERM."""
    os.chdir(root)  # ArcadeDB writes ./log relative to the working directory
    os.umask(0o077)  # what the server writes (the database, its logs) is its owner's alone
    for folder in ("server", "log"):
        private_folder(root / folder)   # the database and its log; made 0755 by an older graphfraud
    from arcadedb_embedded.server import ArcadeDBServer

    server = ArcadeDBServer(
        root_path=str(root / "server"),
        root_password=server_password(),
        config={
            "host": HOST,
            "http_port": _free_port(),
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": bolt_port,
            "bolt_host": HOST,
        },
        jvm_kwargs={"heap_size": server_heap()},
    )
    server.start()
    try:
        server.get_database(DATABASE)
    except Exception:
        server.create_database(DATABASE)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    write_private(_state_file(root), json.dumps({
        "pid": os.getpid(), "bolt_port": bolt_port, "database": DATABASE,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }))
    while not stopping.wait(1):
        pass
    server.stop()
    _state_file(root).unlink(missing_ok=True)


if __name__ == "__main__":
    _serve(Path(sys.argv[1]), int(sys.argv[2]))
