"""The installation folder (GRAPHFRAUD_HOME) and the secrets kept in it.

Secrets are files readable by the owner only (0600), created once and reused, so
that nothing secret ever has to travel in an argument or an environment variable.
"""

import os
import secrets
from pathlib import Path


def home() -> Path:
    path = Path(os.environ.get("GRAPHFRAUD_HOME") or Path.home() / ".graphfraud").expanduser()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path.resolve()   # one folder, one name: the server is recognised by it (localserver._ours)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner can read, atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def secret(name: str) -> str:
    """A random secret stored under ``home()/name``, created on first use."""
    path = home() / name
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32))
    return path.read_text().strip()


def server_password() -> str:
    return secret("server.secret")


def card_hash_key() -> bytes:
    """Per-installation key for the keyed hash of card numbers."""
    return secret("card.key").encode()
