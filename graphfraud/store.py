"""The one place that talks to the graph database.

With ``NEO4J_URI`` set it connects to that server (Neo4j 5, Aura, clusters); otherwise
to the local ArcadeDB server, started on first use. Statements are named files in
``cypher/`` and always take parameters. Driver errors become ``StoreError`` naming the
statement, so no driver traceback reaches a user.
"""

import json
import os
import re
import time
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from .errors import ServerError, StoreError, UsageError
from .normalise import mask_card_numbers
from .times import now_text, short_iso

CYPHER_DIR = Path(__file__).resolve().parent.parent / "cypher"
BATCH_ROWS = 5000
SCHEMA_VERSION = 5
MESSAGE_BYTES = 4_000_000   # a statement's $rows/$ids stay under this (the local server refuses messages over 16 MB)


def pieces(params: dict) -> list[dict]:
    """``params`` with a long ``rows`` or ``ids`` list cut so each message stays under MESSAGE_BYTES.

    >>> [len(p["rows"]) for p in pieces({"rows": [{"x": "a" * 100}] * 10, "run": 1})]
    [10]
    """
    for key in ("rows", "ids"):
        items = params.get(key)
        if isinstance(items, list) and items:
            size = len(json.dumps(items, default=str))
            count = -(-size // MESSAGE_BYTES)
            step = -(-len(items) // count)
            return [{**params, key: items[i:i + step]} for i in range(0, len(items), step)]
    return [params]


@cache
def statement(name: str) -> str:
    """The text of ``cypher/<name>.cypher`` without its leading comment lines."""
    path = CYPHER_DIR / f"{name}.cypher"
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise StoreError(f"no Cypher statement named {name!r} in {CYPHER_DIR}") from None
    lines = text.strip().splitlines()
    while lines and lines[0].lstrip().startswith("//"):
        lines.pop(0)
    return "\n".join(lines).strip().rstrip(";")


def statements(name: str) -> list[str]:
    """A file holding several statements separated by ``;`` (the schema)."""
    return [s.strip() for s in statement(name).split(";") if s.strip()]


def plain(value):
    """Driver values as plain Python: temporal types to short ISO strings, a node to its property
    map with ``_labels``, a relationship to its with ``_type``, a path to the list of its nodes and
    relationships in order (as Neo4j's HTTP API writes one)."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return short_iso(value.iso_format())
    if hasattr(value, "labels") and hasattr(value, "items"):
        return {"_labels": sorted(value.labels), **{k: plain(v) for k, v in value.items()}}
    if hasattr(value, "type") and hasattr(value, "items") and hasattr(value, "start_node"):
        return {"_type": value.type, **{k: plain(v) for k, v in value.items()}}
    if hasattr(value, "relationships") and hasattr(value, "nodes"):
        steps = [x for pair in zip(value.nodes, value.relationships) for x in pair] + [value.end_node]
        return [plain(x) for x in steps]
    return value


def _plain_row(record) -> dict:
    """A record as a plain dict, each value converted from the driver's own (``Record.data()``
    would turn a node or relationship into a bare map or tuple first, losing labels, type and
    the relationship's properties)."""
    return {k: plain(v) for k, v in record.items()}


BOLT_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")


def without_userinfo(uri: str) -> str:
    """``uri`` as a message may show it: a ``user:password@`` part becomes ``***@``.

    Everything up to the last ``@`` counts as that part, so a password holding ``@``, ``/`` or
    ``://`` is hidden whole.

    >>> without_userinfo("bolt://neo4j:p@ss/w://rd@db.example:7687")
    'bolt://***@db.example:7687'
    >>> without_userinfo("neo4j:s3cret@db.example:7687")
    '***@db.example:7687'
    """
    before, at, after = uri.rpartition("@")
    if not at:
        return uri
    scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", before)
    return f"{scheme.group() if scheme else ''}***@{after}"


NEO4J_NEEDED = (5, 23)   # CALL (x) { … }: subqueries that name the variables they import


def too_old(agent: str) -> str | None:
    """Why a server announcing itself as ``agent`` cannot run graphfraud's Cypher, or None.

    >>> too_old("Neo4j/5.22.0"), too_old("Neo4j/5.26.12"), too_old("Neo4j/2025.01.0")
    ('runs Neo4j 5.22.0; graphfraud needs Neo4j 5.23 or later (5.26 LTS)', None, None)
    >>> too_old("Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)")   # the local server
    """
    found = re.match(r"Neo4j/(\d+)\.(\d+)", agent or "")
    if not found or (int(found[1]), int(found[2])) >= NEO4J_NEEDED:
        return None
    return (f"runs Neo4j {agent.split('/', 1)[1]}; graphfraud needs Neo4j {'.'.join(map(str, NEO4J_NEEDED))} "
            "or later (5.26 LTS)")


class Store:
    """A connection to one database. Use as a context manager, or call ``close()``."""

    def __init__(self, uri: str, auth: tuple[str, str], database: str, target: str):
        import logging

        import neo4j

        # The driver logs each retried transaction and each dropped connection on stderr; the error
        # it ends in is reported once, as one line, and the rest is noise for an investigator.
        logging.getLogger("neo4j").setLevel(logging.CRITICAL)
        self.database, self.target, self.uri = database, target, without_userinfo(uri)
        not_bolt = f"NEO4J_URI {self.uri!r} is not a Bolt URI (neo4j://, neo4j+s://, bolt://)"
        if "://" not in uri or uri.split("://")[0] not in BOLT_SCHEMES:   # the driver takes http:// too, warning
            raise UsageError(not_bolt)
        if self.uri != uri:   # the driver refuses it too, quoting the URI, password and all
            raise UsageError(f"NEO4J_URI {self.uri!r} holds a user name or password: give them in NEO4J_USER "
                             "and NEO4J_PASSWORD instead")
        try:
            self._driver = neo4j.GraphDatabase.driver(uri, auth=auth, max_connection_pool_size=8)
        except (neo4j.exceptions.DriverError, ValueError) as e:
            raise UsageError(f"{not_bolt}: {e}") from None

    @classmethod
    def open(cls) -> "Store":
        """Neo4j when NEO4J_URI is set, else the local server (started if needed)."""
        uri = os.environ.get("NEO4J_URI")
        if uri:
            auth = (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
            store = cls(uri, auth, os.environ.get("NEO4J_DATABASE", "neo4j"), target="neo4j")
        else:
            from . import localserver
            from .home import server_password

            state = localserver.start()
            store = cls(state["uri"], ("root", server_password()), state["database"], target="local")
        try:
            store.ping()
        except BaseException:
            store.close()
            raise
        return store

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._driver.close()

    def ping(self) -> None:
        """Reach the server, and refuse a Neo4j older than graphfraud's Cypher needs."""
        import neo4j.exceptions as ne

        try:
            agent = self._driver.get_server_info().agent
        except ne.AuthError:
            raise ServerError(f"the graph server at {self.uri} refused the credentials") from None
        except (ne.ServiceUnavailable, OSError) as e:
            raise ServerError(f"cannot reach the graph server at {self.uri}: {' '.join(str(e).split())}") from None
        if self.target == "neo4j" and (refusal := too_old(agent)):
            raise ServerError(f"the graph server at {self.uri} {refusal}")

    def _session(self, **config):
        """A session that shares its bookmarks with ``execute_query``'s: on a cluster a read that
        follows a write in the other kind of call sees it."""
        return self._driver.session(database=self.database,
                                    bookmark_manager=self._driver.execute_query_bookmark_manager, **config)

    @contextmanager
    def _errors(self, label: str):
        """Driver errors as one-line graphfraud errors naming the statement."""
        import neo4j.exceptions as ne

        try:
            yield
        except ne.Neo4jError as e:
            message = ' '.join(str(e.message or e).split())
            raise StoreError(f"{label}: {message}{self._local_hint(message)}") from None
        except (ne.DriverError, OSError) as e:
            message = ' '.join(str(e).split())
            raise ServerError(f"{label}: the graph server failed: {message}{self._local_hint(message)}") from None

    def _local_hint(self, message: str) -> str:
        """What to add to an error of the local server: the heap setting to raise, or that the server
        stopped under the command (whatever the driver made of that)."""
        if self.target != "local":
            return ""
        from .localserver import gone_hint, heap_hint

        return heap_hint(message) or gone_hint()

    def _run(self, label: str, text: str, params: dict, write: bool) -> tuple[list[str], list]:
        """(keys, records). ``CALL … IN TRANSACTIONS`` must run auto-committed on Neo4j, the rest managed."""
        import neo4j

        with self._errors(label):
            if "IN TRANSACTIONS" in text.upper():
                with self._session() as session:
                    result = session.run(text, params)
                    return list(result.keys()), list(result)
            routing = neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ
            result = self._driver.execute_query(text, params, database_=self.database, routing_=routing)
            return list(result.keys), result.records

    def write_together(self, parts: list[tuple[str, dict]]) -> None:
        """Several named write statements in one transaction: all of them happen, or none.

        A long ``$rows`` list is sent in pieces, still inside the one transaction.
        """
        parts = [(name, params) for name, params in parts if params.get("rows", True)]
        if not parts:
            return

        def work(tx):
            for name, params in parts:
                for piece in pieces(params):
                    tx.run(statement(name), piece).consume()

        with self._errors(" + ".join(name for name, _ in parts)):
            with self._session() as session:
                session.execute_write(work)

    def read(self, name: str, **params) -> list[dict]:
        """Run a named read statement; rows as plain dicts."""
        _, records = self._run(name, statement(name), params, write=False)
        return [_plain_row(r) for r in records]

    def read_columns(self, name: str, **params) -> dict:
        """A named read statement that returns one record of plain values (numbers, strings and
        lists of them), as the driver decoded it: no copy per value (the projection reads tens of
        millions of them). An empty result gives {}."""
        keys, records = self._run(name, statement(name), params, write=False)
        return dict(zip(keys, records[0].values())) if records else {}

    def write(self, name: str, **params) -> list[dict]:
        """Run a named write statement (one transaction); returns the rows it returns."""
        _, records = self._run(name, statement(name), params, write=True)
        return [_plain_row(r) for r in records]

    def write_rows(self, name: str, rows: list[dict], on_batch=None, batch_rows: int = BATCH_ROWS, **params) -> list[dict]:
        """Send ``rows`` as ``$rows`` in batches, one transaction each; collects returned rows."""
        out = []
        for start in range(0, len(rows), batch_rows):
            batch = rows[start:start + batch_rows]
            out.extend(self.write(name, rows=batch, **params))
            if on_batch:
                on_batch(len(batch))
        return out

    def ensure_schema(self, progress=None) -> list[str]:
        """Constraints and indexes before any load (MERGE without them is ~15x slower), and the
        migrations a graph written by an older graphfraud needs, in order (a million accounts
        take minutes: ``progress(description, total)`` returns an ``advance(n)``). Returns a note
        of the migrations run, for a log that shows no progress bars (cron, ``--quiet``)."""
        tick = progress or (lambda description, total: (lambda n: None))
        for i, text in enumerate(statements("schema")):
            self._run(f"schema statement {i + 1}", text, {}, write=True)
        found = self.read("schema_version")[0]
        version = self.schema_version(found)
        started = time.monotonic()
        for step in range(version + 1, SCHEMA_VERSION + 1):
            what, migrate = MIGRATIONS[step]
            migrate(self, lambda total: tick(f"migrating the graph to version {step}: {what}", total))
        if found["version"] != SCHEMA_VERSION:
            self.write("schema_version_set", version=SCHEMA_VERSION)
        if version == SCHEMA_VERSION:
            return []
        steps = "; ".join(MIGRATIONS[step][0] for step in range(version + 1, SCHEMA_VERSION + 1))
        return [f"the graph, written by an older graphfraud, was brought from schema version {version} to "
                f"{SCHEMA_VERSION} in {time.monotonic() - started:.0f} s ({steps})"]

    def require_current_schema(self) -> None:
        """Refuse to read a graph an older graphfraud wrote, for what relies on what the migrations
        write (the projection's keys; an evidence bundle's building ties): it would come out short."""
        version = self.schema_version()
        if version < SCHEMA_VERSION:
            raise UsageError(f"the graph was written by an older graphfraud (schema version {version} of "
                             f"{SCHEMA_VERSION}): `graphfraud load` or `graphfraud detect` migrates it first")

    def schema_version(self, found: dict | None = None) -> int:
        """The schema version the graph follows: an unversioned graph holding accounts was written
        before versions were kept (1); an empty one follows the current version."""
        found = found or self.read("schema_version")[0]
        return found["version"] or (1 if found["has_accounts"] else SCHEMA_VERSION)

    def run_cypher(self, text: str, params: dict, write: bool = False) -> tuple[list[str], list[dict]]:
        """An investigator's own statement; the caller decides whether it may write.

        Without ``write`` it runs in a read transaction that is rolled back, never committed:
        the local server executes writes even in a READ session, so a write that got past
        ``query.check_read_only`` still changes nothing, and one the server reports is refused.
        Not ``CALL { … } IN TRANSACTIONS``, which commits as it goes on the local server: for it
        the guard is the only defence.
        """
        if write:
            keys, records = self._run("query", text, params, write=True)
            return keys, [_plain_row(r) for r in records]
        import neo4j

        with self._errors("query"):
            with self._session(default_access_mode=neo4j.READ_ACCESS) as session:
                tx = session.begin_transaction()
                try:
                    result = tx.run(text, params)
                    keys, rows = list(result.keys()), [_plain_row(r) for r in result]
                    wrote = result.consume().counters.contains_updates
                finally:
                    tx.rollback()
        if wrote:
            raise UsageError("refused: the statement wrote to the graph (undone); queries are read-only unless "
                             "--write is given")
        return keys, rows


# --------------------------------------------------------------------------- migrations
# Each brings a graph from the version before; each is idempotent, so one killed half-way is
# simply run again.

def _per_account_range(statement: str):
    """A migration that runs ``statement`` once per account range, one transaction each (the
    projection's ranges: bounded server memory)."""
    def migrate(store: Store, tick) -> None:
        from .project import account_ranges

        ranges = account_ranges(store)
        advance = tick(len(ranges))
        for lo, hi in ranges:
            store.write(statement, lo=lo, hi=hi)
            advance(1)
    return migrate


def _migrate_buildings(store: Store, tick) -> None:
    """Version 3: flats keep the building they are in, cut from their key by
    ``normalise.building_key`` (the one place that rule lives)."""
    from .normalise import building_key
    from .project import all_keys

    rows = [{"id": key, "building": building_key(key)} for key in all_keys(store, "migrate_buildings_keys")]
    rows = [r for r in rows if r["building"]]
    store.write_rows("migrate_buildings", rows, on_batch=tick(len(rows)))


def _migrate_account_keys(store: Store, tick) -> None:
    """Version 5: accounts keep the keys of the identifiers they hold (``load_account_*_keys``, the
    statements the loader runs with each batch of links), in batches of account ids."""
    from .project import all_keys

    rows = [{"account_id": a} for a in all_keys(store, "project_keys")]
    kinds = ("devices", "ips", "addresses", "instruments")
    advance = tick(len(rows) * len(kinds))
    for kind in kinds:
        store.write_rows(f"load_account_{kind}_keys", rows, on_batch=advance)


MIGRATIONS = {   # version -> (what it does, the function that brings a graph to it from the version before)
    2: ("orders keep their identifier keys", _per_account_range("migrate_order_keys")),
    3: ("flats keep their building", _migrate_buildings),
    4: ("orders keep their buyer and seller ids", _per_account_range("migrate_order_parties")),
    5: ("accounts keep their identifier keys", _migrate_account_keys),
}


@contextmanager
def failure_recorded(store, statement: str, run_id: str, now=now_text):
    """Run the block; when it raises, mark run ``run_id`` failed with ``statement`` (given
    ``id``, ``ended_at`` and ``error``) and raise again, so a run that stopped on an error
    does not stay 'running'. Best effort: the database may be what failed.

    The error is kept with card numbers masked (it is shown and exported), masked before it is
    cut short so that a cut never leaves the start of a number unmasked."""
    try:
        yield
    except BaseException as e:
        try:
            error = mask_card_numbers(f"{type(e).__name__}: {e}")[:500]
            store.write(statement, id=run_id, ended_at=now(), error=error)
        except Exception:
            pass
        raise
