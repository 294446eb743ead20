"""``graphfraud db start|stop|status``: the local server's lifecycle."""

import os

import typer

from . import Format, FORMAT_HELP, app, emit, err

db_app = typer.Typer(help="Start, stop and inspect the local graph server (with NEO4J_URI set, status reports on Neo4j).")
app.add_typer(db_app, name="db")


@db_app.command()
def start() -> None:
    """Start the local server in the background (harmless if it already runs)."""
    from .. import localserver

    if os.environ.get("NEO4J_URI"):   # every command talks to that server: a local one would serve nothing
        err.print("NEO4J_URI is set: graphfraud uses that server, so no local server is started")
        raise typer.Exit(2)
    state = localserver.start()
    if state.get("stale"):
        err.print(f"removed a stale server.json ({state['stale']})")
    verb = "already running" if state["already"] else "started"
    err.print(f"local server {verb}: {state['uri']} (pid {state['pid']}, data in {state['home']})", markup=False)


@db_app.command()
def stop() -> None:
    """Stop the local server."""
    from .. import localserver

    state = localserver.stop()   # with NEO4J_URI set too: a local server left from before still holds memory
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
