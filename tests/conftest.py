"""Fixtures: every test that needs a database runs against a real server.

By default that is the local ArcadeDB Bolt server, started once per session in a
throw-away GRAPHFRAUD_HOME; with NEO4J_URI set, the same tests run against Neo4j.
"""

import os

import pytest


@pytest.fixture(scope="session")
def graphfraud_home(tmp_path_factory):
    path = tmp_path_factory.mktemp("graphfraud_home")
    old = os.environ.get("GRAPHFRAUD_HOME")
    os.environ["GRAPHFRAUD_HOME"] = str(path)
    yield path
    if not os.environ.get("NEO4J_URI"):
        from graphfraud import localserver

        localserver.stop(path)
    if old is None:
        os.environ.pop("GRAPHFRAUD_HOME", None)
    else:
        os.environ["GRAPHFRAUD_HOME"] = old


@pytest.fixture(scope="session")
def session_store(graphfraud_home):
    from graphfraud.store import Store

    with Store.open() as store:
        store.ensure_schema()
        yield store


@pytest.fixture
def store(session_store):
    """A store with an empty graph (schema kept)."""
    session_store.write("clear_graph")
    return session_store


@pytest.fixture(autouse=True)
def bugs_surface_in_tests(request, monkeypatch):
    """The CLI turns a bug into one line for its user; a test must see the bug itself, as a crash.

    Tests of that one line are marked ``shows_bugs_as_users_see_them``.
    """
    if request.node.get_closest_marker("shows_bugs_as_users_see_them"):
        return
    import graphfraud.cli

    def crash(e):
        raise e

    monkeypatch.setattr(graphfraud.cli, "_internal_error", crash)
