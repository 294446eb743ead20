"""The local server's lifecycle, each test in its own GRAPHFRAUD_HOME so the session server is untouched."""

import json
import os
import re
import socket
import stat
import warnings

import pytest
from typer.testing import CliRunner

from graphfraud import localserver
from graphfraud.cli import app
from graphfraud.errors import StoreError

pytestmark = pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="the local server is not used with NEO4J_URI")


@pytest.fixture
def own_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHFRAUD_HOME", str(tmp_path))
    yield tmp_path
    localserver.stop(tmp_path)


def cli(*args):
    result = CliRunner().invoke(app, list(args))
    # CliRunner catches a crash into result.exception: its output never shows a traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    return result


def test_start_status_second_start_and_stop(own_home):
    first = cli("db", "start")
    assert first.exit_code == 0 and "started" in first.output
    again = cli("db", "start")
    assert again.exit_code == 0 and "already running" in again.output
    status = cli("db", "status", "--format", "json")
    assert status.exit_code == 0
    row = json.loads(status.stdout)[0]
    assert row["running"] is True and row["uri"].startswith("bolt://127.0.0.1:")
    stopped = cli("db", "stop")
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    assert cli("db", "status").exit_code == 1


def test_server_binds_loopback_only_with_a_private_password_file(own_home):
    state = localserver.start(own_home)
    secret = own_home / "server.secret"
    for private in (secret, own_home / "server.json", own_home / "server.lock", own_home / "logs" / "server.log"):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private
    with open("/proc/net/tcp") as f:  # the bolt port listens on 127.0.0.1 (0100007F), never 0.0.0.0
        listening = [line.split() for line in f.readlines()[1:] if line.split()[3] == "0A"]
    ours = [cols[1] for cols in listening if int(cols[1].split(":")[1], 16) == state["bolt_port"]]
    ours += [cols[1] for cols in (line.split() for line in open("/proc/net/tcp6").readlines()[1:])
             if cols[3] == "0A" and int(cols[1].split(":")[1], 16) == state["bolt_port"]]
    assert ours, "the bolt port is listening"
    assert all(addr.split(":")[0] in ("0100007F", "0000000000000000FFFF00000100007F") for addr in ours), ours
    assert secret.read_text().strip() not in open(own_home / "logs" / "server.log").read()


def test_stale_pid_file_is_cleared_with_a_message(own_home):
    (own_home / "server.json").write_text(json.dumps({"pid": 2 ** 22 + 12345, "bolt_port": 1, "database": "graphfraud"}))
    result = cli("db", "start")
    assert result.exit_code == 0
    assert "stale" in result.output


def test_port_in_use_gets_a_clear_message(own_home, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        monkeypatch.setenv("GRAPHFRAUD_BOLT_PORT", str(s.getsockname()[1]))
        result = cli("db", "start")
    assert result.exit_code == 1
    assert "already in use" in result.output


def test_stop_when_nothing_runs_is_harmless(own_home):
    result = cli("db", "stop")
    assert result.exit_code == 0 and "not running" in result.output


def test_a_long_row_list_is_sent_in_pieces_inside_one_transaction(store, monkeypatch):
    """The local server refuses a Bolt message over 16 MB: a 1M-account write-back was one."""
    import graphfraud.store as st

    monkeypatch.setattr(st, "MESSAGE_BYTES", 2000)
    rows = [{"id": f"dev-{i:04d}"} for i in range(300)]
    parts = st.pieces({"rows": rows})
    assert len(parts) > 1 and [r for p in parts for r in p["rows"]] == rows
    assert all(len(str(p["rows"])) < 4000 for p in parts)
    store.write_together([("load_devices", {"rows": rows})])
    assert store.run_cypher("MATCH (d:Device) RETURN count(d) AS n", {})[1][0]["n"] == 300


@pytest.mark.parametrize("uri", ["localhost:7687", "http://localhost:7474"])
def test_a_neo4j_uri_that_is_no_bolt_uri_is_a_usage_error(uri, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", uri)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # nothing but the one line: no driver warning on stderr
        result = cli("stats")
    assert result.exit_code == 2
    assert f"NEO4J_URI {uri!r} is not a Bolt URI" in result.output and len(result.output.strip().splitlines()) == 1


def test_an_unreachable_server_is_one_line_exit_1(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]   # nothing listens there once the socket closes
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{port}")
    result = cli("stats")
    assert result.exit_code == 1
    assert result.output.startswith(f"error: cannot reach the graph server at bolt://127.0.0.1:{port}: ")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("content", ["{}", "[]", '{"pid": "abc", "bolt_port": 7687}',
                                     '{"pid": 99999999999999999999, "bolt_port": 1}', '{"pid": 12, "bolt_port": 70000}'])
def test_a_damaged_state_file_is_removed_with_a_message_not_a_traceback(own_home, content):
    (own_home / "server.json").write_text(content)
    assert cli("db", "status").exit_code == 1
    assert cli("db", "stop").exit_code == 0
    (own_home / "server.json").write_text(content)
    started = cli("db", "start")
    assert started.exit_code == 0
    assert "removed a stale server.json (it named no process)" in started.output and "started" in started.output


def test_stop_never_signals_a_process_that_is_not_this_homes_server(own_home):
    """After a crash the recorded pid may belong to another program, even one listening on the recorded port."""
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            (own_home / "server.json").write_text(json.dumps({"pid": stranger.pid, "bolt_port": s.getsockname()[1]}))
            assert cli("db", "status").exit_code == 1
            assert "not running" in cli("db", "stop").output
            assert stranger.poll() is None, "the stranger is alive"
        finally:
            stranger.kill()
            stranger.wait()


def test_with_neo4j_no_local_server_starts_but_one_left_from_before_can_be_stopped(own_home, monkeypatch):
    assert cli("db", "start").exit_code == 0
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    refused = cli("db", "start")
    assert refused.exit_code == 2 and "NEO4J_URI is set" in refused.output
    stopped = cli("db", "stop")
    assert stopped.exit_code == 0 and "local server stopped" in stopped.output
    assert not (own_home / "server.json").exists()


def test_a_recorded_pid_now_used_by_another_program_is_named_so(own_home):
    import subprocess
    import sys

    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (own_home / "server.json").write_text(json.dumps({"pid": stranger.pid, "bolt_port": 1}))
        started = cli("db", "start")
        assert f"removed a stale server.json (process {stranger.pid} is another program now)" in started.output
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()


def test_a_stop_waits_for_a_start_in_progress_and_stops_the_server_it_finds(own_home, monkeypatch):
    """A stop racing a command that starts a server used to delete the new server's state file,
    leaving a server no command saw; it now waits on the start lock."""
    import threading
    import time

    first = localserver.start(own_home)
    signalled = []
    kill = os.kill
    monkeypatch.setattr(localserver.os, "kill", lambda pid, sig: (signalled.append((pid, sig)), kill(pid, sig))[1])
    with localserver._start_lock(own_home):   # as a command starting a server holds it
        stopping = threading.Thread(target=localserver.stop, args=(own_home,))
        stopping.start()
        time.sleep(0.5)
        assert not [s for s in signalled if s[1] != 0], "no signal sent while a start holds the lock"
    stopping.join(90)
    assert (first["pid"], localserver.signal.SIGTERM) in signalled and localserver.status(own_home) is None


def test_a_bolt_port_out_of_range_is_named(own_home, monkeypatch):
    monkeypatch.setenv("GRAPHFRAUD_BOLT_PORT", "99999")
    result = cli("db", "start")
    assert result.exit_code == 2 and "GRAPHFRAUD_BOLT_PORT must be a port number from 1 to 65535" in result.output


@pytest.mark.parametrize("heap", ["abc", "0", "-1", "1k", "100 m"])
def test_a_heap_the_jvm_would_refuse_is_named_before_a_server_is_launched(own_home, monkeypatch, heap):
    monkeypatch.setenv("GRAPHFRAUD_SERVER_HEAP", heap)
    result = cli("db", "start")
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: GRAPHFRAUD_SERVER_HEAP {heap!r} is not a Java heap size of 256m or more, " \
                            "such as 2500m or 4g\n"
    assert not (own_home / "server.json").exists()


def test_an_empty_heap_setting_is_the_default():
    from graphfraud.localserver import DEFAULT_HEAP, server_heap

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRAPHFRAUD_SERVER_HEAP", " ")
        assert server_heap() == DEFAULT_HEAP
        patch.setenv("GRAPHFRAUD_SERVER_HEAP", "4G")
        assert server_heap() == "4G"


@pytest.mark.parametrize("uri", ["bolt://neo4j:Sup3rSecret@127.0.0.1:1", "neo4j+s://neo4j:Sup3rSecret@127.0.0.1:1/?x=1",
                                 "http://neo4j:Sup3rSecret@127.0.0.1:1", "neo4j:Sup3rSecret@127.0.0.1:1",
                                 "bolt://neo4j:Sup3r@Sec/ret@127.0.0.1:1", "bolt://neo4j:Sup3rSecret@[::1"])
@pytest.mark.parametrize("command", [["stats"], ["db", "status"]])
def test_a_password_in_neo4j_uri_is_never_shown(uri, command, monkeypatch):
    """The driver refuses such a URI quoting it whole; the one line shows it without its user and password."""
    monkeypatch.setenv("NEO4J_URI", uri)
    result = cli(*command)
    assert result.exit_code == 2
    assert "***@" in result.output and "Sup3r" not in result.output and "neo4j:S" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_failed_runs_error_is_kept_with_card_numbers_masked_even_where_it_is_cut(store):
    """The error is shown by `rings history` and exported: a card number in it is masked, before the cut at 500."""
    from graphfraud.store import failure_recorded

    store.run_cypher("CREATE (:LoadRun {id: 'load-cards', status: 'running'})", {}, write=True)
    shown_before_the_cut = len("ValueError: row 7 paid with 453914******6467; ") + len(" then 4539148803")
    message = "row 7 paid with 4539 1488 0343 6467; " + "x" * (500 - shown_before_the_cut) + " then 4539148803436467"
    with pytest.raises(ValueError):
        with failure_recorded(store, "load_run_failed", "load-cards"):
            raise ValueError(message)
    [run] = store.run_cypher("MATCH (l:LoadRun {id: 'load-cards'}) RETURN l.status AS status, l.error AS error", {})[1]
    assert run["status"] == "failed" and len(run["error"]) == 500
    assert run["error"].startswith("ValueError: row 7 paid with 453914******6467; ")
    assert run["error"].endswith(" then 453914****"), "the start of the cut number is masked too"
    assert "0343" not in run["error"] and "4539148" not in run["error"]


def test_a_home_made_beforehand_is_made_private_with_the_folders_in_it(own_home):
    """A home (and the folders of an older graphfraud) created 0755 would show the database to every local user."""
    own_home.chmod(0o755)
    for folder in ("logs", "server", "log"):
        (own_home / folder).mkdir()
        (own_home / folder).chmod(0o755)
    (own_home / "logs" / "server.log").write_text("an older log\n")
    (own_home / "logs" / "server.log").chmod(0o644)
    assert cli("db", "start").exit_code == 0
    for folder in (own_home, own_home / "logs", own_home / "server", own_home / "log"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((own_home / "logs" / "server.log").stat().st_mode) == 0o600, "an older log is tightened"
    opened = [p for p in (own_home / "server").rglob("*") if p.stat().st_mode & 0o077]
    assert list((own_home / "server").rglob("*")) and not opened, f"the server's own files are private too: {opened}"


def test_a_home_another_user_owns_is_used_as_it_is(own_home, monkeypatch):
    from graphfraud.home import home

    own_home.chmod(0o755)
    monkeypatch.setattr(os, "getuid", lambda: own_home.stat().st_uid + 1)
    assert home() == own_home.resolve()
    assert stat.S_IMODE(own_home.stat().st_mode) == 0o755


def test_loads_racing_to_make_the_card_key_all_get_the_same_one(own_home, monkeypatch):
    """Two first-ever loads at once must hash cards alike: every racer has found no key before any writes one."""
    import secrets
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from graphfraud.home import card_hash_key

    racers = 8
    all_found_none = threading.Barrier(racers)
    make_token = secrets.token_urlsafe

    def token_once_all_found_none(nbytes):
        all_found_none.wait(timeout=30)
        return make_token(nbytes)

    monkeypatch.setattr(secrets, "token_urlsafe", token_once_all_found_none)
    with ThreadPoolExecutor(racers) as pool:
        keys = list(pool.map(lambda _: card_hash_key(), range(racers)))
    assert len(set(keys)) == 1 and keys[0] == (own_home / "card.key").read_bytes()
    assert stat.S_IMODE((own_home / "card.key").stat().st_mode) == 0o600
    assert [p.name for p in own_home.iterdir()] == ["card.key"], "no temporary file is left behind"


def test_the_card_key_is_made_on_a_file_system_without_hard_links(own_home, monkeypatch):
    from graphfraud.home import card_hash_key

    def no_links(*_):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    key = card_hash_key()
    assert key == (own_home / "card.key").read_bytes() and card_hash_key() == key
    assert stat.S_IMODE((own_home / "card.key").stat().st_mode) == 0o600
    assert [p.name for p in own_home.iterdir()] == ["card.key"], "no temporary file is left behind"


@pytest.mark.parametrize("below", [False, True])
def test_a_home_that_is_a_file_is_named_in_one_line(tmp_path, monkeypatch, below):
    (tmp_path / "afile").write_text("")
    home = tmp_path / "afile" / "sub" if below else tmp_path / "afile"
    monkeypatch.setenv("GRAPHFRAUD_HOME", str(home))
    result = cli("expand", "x")
    assert result.exit_code == 2
    where = "is below a file" if below else "is a file"
    assert result.stderr == f"error: GRAPHFRAUD_HOME {home} {where}, not a folder\n"


def test_a_home_that_cannot_be_made_is_named_in_one_line(monkeypatch):
    monkeypatch.setenv("GRAPHFRAUD_HOME", "/proc/graphfraud-home")   # refused even to root
    result = cli("expand", "x")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: GRAPHFRAUD_HOME /proc/graphfraud-home cannot be made a folder: ")
    assert len(result.stderr.splitlines()) == 1


def test_a_read_past_the_local_servers_heap_says_which_setting_to_raise(store):
    # The server caps a collect() at its heap / 2048 elements: 8M passes that for any heap under 16 GB.
    with pytest.raises(StoreError) as failed:
        store.run_cypher("UNWIND range(1, 8000000) AS x RETURN size(collect(x)) AS n", {})
    message = str(failed.value)
    assert "Limit of allowed elements" in message, message
    assert f"GRAPHFRAUD_SERVER_HEAP ({localserver.DEFAULT_HEAP} by default)" in message
    assert "graphfraud db stop" in message and "\n" not in message


def test_a_lost_server_password_is_not_made_anew_over_a_database_made_with_it(own_home):
    """A new password hid why every command was refused afterwards: the database keeps its root user
    from the first start. A missing, emptied or cut secret is named, with what to do."""
    from graphfraud.errors import UsageError
    from graphfraud.home import server_password

    users = own_home / "server" / "config" / "server-users.jsonl"
    users.parent.mkdir(parents=True)
    users.write_text("{}\n")
    with pytest.raises(UsageError, match=r"server.secret is missing, but .*server-users.jsonl was made with it: "
                                         "restore the file from a backup"):
        server_password()
    assert not (own_home / "server.secret").exists()
    for content, says in [("", "holds nothing"), ("short", "holds too short a secret")]:
        (own_home / "server.secret").write_text(content)   # an empty one sent the server into a password prompt
        with pytest.raises(UsageError, match=says):
            server_password()
    (own_home / "server.secret").write_text("x" * 43)
    (own_home / "server.secret").chmod(0o644)
    assert server_password() == "x" * 43
    assert stat.S_IMODE((own_home / "server.secret").stat().st_mode) == 0o600, "copied in loose: tightened"


def test_a_server_whose_state_file_was_lost_is_still_found_and_stopped(own_home):
    """Without server.json, `db status` said not running, `db stop` stopped nothing, and every other
    command launched a second server that died on the first one's database lock."""
    started = localserver.start()
    (own_home / "server.json").unlink()
    found = localserver.status()
    assert found and (found["pid"], found["bolt_port"]) == (started["pid"], started["bolt_port"])
    assert localserver.start()["already"], "no second server"
    (own_home / "server.json").write_text("[1, 2]")   # damaged, not only gone
    assert cli("db", "stop").exit_code == 0
    assert localserver.status() is None and not localserver._alive(started["pid"])


def test_an_interrupted_start_leaves_no_server_running(own_home, monkeypatch):
    """Ctrl-C while the server started left it running with no server.json: `db stop` could not reach it."""
    launched, real_popen, real_status = [], localserver.subprocess.Popen, localserver.status

    def popen(*args, **kwargs):
        launched.append(real_popen(*args, **kwargs))
        return launched[-1]

    def interrupted(root=None, found_lost=True):
        if not found_lost:   # the start's own wait for its server
            raise KeyboardInterrupt
        return real_status(root, found_lost)

    monkeypatch.setattr(localserver.subprocess, "Popen", popen)
    monkeypatch.setattr(localserver, "status", interrupted)
    with pytest.raises(KeyboardInterrupt):
        localserver.start()
    [child] = launched
    assert child.wait(timeout=30) is not None and real_status(own_home) is None


def test_a_command_whose_server_was_stopped_under_it_says_so(own_home):
    """A command cut off by `db stop` said "The credentials of this connection are no longer valid"."""
    import neo4j.exceptions as ne

    from graphfraud.errors import ServerError, StoreError
    from graphfraud.store import Store

    store = Store.open()
    store.close()
    with pytest.raises(StoreError) as running:   # the server still runs: an error says what it said, no more
        with store._errors("stats_labels"):
            raise ne.ClientError("The credentials of this connection are no longer valid")
    assert "stopped" not in str(running.value)
    localserver.stop()
    said = "the local server stopped during this command: `graphfraud db stop`, or it was killed; run it again"
    for error, kind in [(ne.ClientError("The credentials of this connection are no longer valid"), StoreError),
                        (ne.ServiceUnavailable("Couldn't connect"), ServerError)]:
        with pytest.raises(kind, match=re.escape(said)):
            with store._errors("stats_labels"):
                raise error
