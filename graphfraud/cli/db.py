"""``graphfraud db start|stop|status``: the local server's lifecycle."""

import os

import typer

from . import Format, FORMAT_HELP, app, emit, err

db_app = typer.Typer(help="Start, stop and inspect the local graph server (ignored when NEO4J_URI is set).")
app.add_typer(db_app, name="db")


def _refuse_with_neo4j(verb: str) -> None:
    """With NEO4J_URI set every command talks to Neo4j: starting or stopping a local server would do nothing useful."""
    if os.environ.get("NEO4J_URI"):
        err.print(f"NEO4J_URI is set: graphfraud uses that server, and there is no local server to {verb}")
        raise typer.Exit(2)


@db_app.command()
def start() -> None:
    """Start the local server in the background (harmless if it already runs)."""
    from .. import localserver

    _refuse_with_neo4j("start")
    state = localserver.start()
    stale = state.get("stale_pid")
    if stale == "damaged":
        err.print("removed a damaged server.json (it named no process)")
    elif stale:
        err.print(f"removed a stale pid file (process {stale} was gone)")
    verb = "already running" if state["already"] else "started"
    err.print(f"local server {verb}: {state['uri']} (pid {state['pid']}, data in {state['home']})", markup=False)


@db_app.command()
def stop() -> None:
    """Stop the local server."""
    from .. import localserver

    _refuse_with_neo4j("stop")
    state = localserver.stop()
    err.print(f"local server stopped (pid {state['pid']})" if state else "local server was not running")


@db_app.command()
def status(fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP)) -> None:
    """Where graphfraud stores data, and whether the server answers. Exit 1 if it does not."""
    from .. import localserver

    if os.environ.get("NEO4J_URI"):
        from ..store import Store

        with Store.open() as store:
            emit([{"target": "neo4j", "uri": store.uri, "database": store.database, "running": True}], fmt)
        return
    state = localserver.status()
    row = {"target": "local", "running": bool(state)}
    if state:
        row.update({k: state[k] for k in ("uri", "pid", "database", "started_at", "home", "log")})
    if fmt == Format.table:  # one record reads better as field/value pairs
        emit([{"field": k, "value": v} for k, v in row.items()], fmt, title="local graph server")
    else:
        emit([row], fmt)
    if not state:
        raise typer.Exit(1)
