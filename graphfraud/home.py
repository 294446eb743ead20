"""The installation folder (GRAPHFRAUD_HOME) and the secrets kept in it.

The folder and the folders graphfraud keeps in it are its owner's alone (0700). Secrets are
files readable by the owner only (0600), created once and reused, so that nothing secret ever
has to travel in an argument or an environment variable.
"""

import os
import secrets
import stat
import tempfile
from pathlib import Path

from .errors import UsageError


def home() -> Path:
    path = Path(os.environ.get("GRAPHFRAUD_HOME") or Path.home() / ".graphfraud").expanduser()
    try:   # one folder, one name: the server is recognised by it (localserver._ours)
        return private_folder(path).resolve()
    except (FileExistsError, NotADirectoryError):   # a file where the folder or one above it should be
        where = "is a file" if path.is_file() else "is below a file"
        raise UsageError(f"GRAPHFRAUD_HOME {path} {where}, not a folder") from None
    except OSError as e:   # a read-only or virtual file system (/proc), no permission
        raise UsageError(f"GRAPHFRAUD_HOME {path} cannot be made a folder: {e.strerror or e}") from None


def installation() -> str:
    """This installation as the graph records it (host and home folder): several may share one Neo4j."""
    import socket

    return f"{socket.gethostname()}:{home()}"


def private_folder(path: Path) -> Path:
    """``path`` as a folder only its owner can enter (0700), created if missing.

    One that exists already is tightened too: a home made beforehand with 0755 would show the
    database and the quarantined rows to every local user. A folder another user owns is theirs
    to set, and is left as it is.
    """
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    found = path.stat()
    if found.st_uid == os.getuid() and stat.S_IMODE(found.st_mode) != 0o700:
        path.chmod(0o700)
    return path


def private_opener(path, flags: int) -> int:
    """An ``opener`` for ``open`` that makes the file its owner's alone (0600), an older one
    tightened too: a log or quarantined rows are not for every local user either."""
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
    except OSError:   # a file another user owns is theirs to set
        pass
    return fd


def _private_temp(path: Path, text: str) -> str:
    """A new file beside ``path``, under a name no other process uses, readable by its owner only
    and holding ``text`` on disk; returns its name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")   # O_EXCL, 0600
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner can read, atomically."""
    tmp = _private_temp(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def create_private_once(path: Path, text: str) -> None:
    """Create ``path`` holding ``text``, readable by its owner only, unless it exists.

    The complete file is linked into place, which never replaces one: of processes racing to
    create it the first wins, and every one of them then reads what the first wrote.
    """
    tmp = _private_temp(path, text)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:   # a file system without hard links: create it in place, still only if missing
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "w") as f:
            f.write(text)
    finally:
        os.unlink(tmp)


SECRET_CHARS = 16   # graphfraud writes 43; anything much shorter was not written by it


def secret(name: str, made_with: Path | None = None) -> str:
    """A random secret stored under ``home()/name``, created on first use, and 0600.

    Not made anew when ``made_with`` exists: what was made with the lost secret (the database, for
    its password) would stay locked, and a fresh secret would only hide why.
    """
    path = home() / name
    if not path.exists():
        if made_with is not None and made_with.exists():
            raise UsageError(f"{path} is missing, but {made_with} was made with it: restore the file from a backup")
        create_private_once(path, secrets.token_urlsafe(32))
    found = path.stat()
    if found.st_uid == os.getuid() and stat.S_IMODE(found.st_mode) != 0o600:
        path.chmod(0o600)   # copied in with a looser mode: tightened, as the folders are
    value = path.read_text().strip()
    if len(value) < SECRET_CHARS:
        raise UsageError(f"{path} holds {'nothing' if not value else 'too short a secret'}, not what graphfraud "
                         "wrote there: restore the file from a backup")
    return value


def server_password() -> str:
    """The local server's password; the server keeps its root user from the first start on."""
    return secret("server.secret", made_with=home() / "server" / "config" / "server-users.jsonl")


def card_hash_key(create: bool = True) -> bytes | None:
    """Per-installation key for the keyed hash of card numbers; with ``create`` false, None when there
    is none yet (a reader must not make one: no card has been hashed)."""
    if not create and not (home() / "card.key").exists():
        return None
    return secret("card.key").encode()
