"""CLI review: data is never markup, the query guard reads quoted names, failures stay one line."""

import json
import os

import pytest
from typer.testing import CliRunner

import test_query
from graphfraud.cli import Format, app, emit
from graphfraud.cli.rings import Typology, rings_app


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    # CliRunner catches a crash into result.exception: its output never shows a traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    return result


# --------------------------------------------------------------------------- data is not markup

def test_table_cells_headers_and_titles_print_verbatim(capsys):
    emit([{"address": "Flat [b]3[/b]", "[i]code": "[/x]"}], Format.table, title="[bold]ring")
    shown = capsys.readouterr().out
    assert "Flat [b]3[/b]" in shown and "[/x]" in shown and "[i]code" in shown and "[bold]ring" in shown


@pytest.mark.parametrize("name", ["[/x].csv", "[bold]x.csv"])
def test_an_error_names_the_path_as_typed(tmp_path, name):
    path = f"{tmp_path}/{name}"
    result = run("evaluate", path)
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: no such file\n"


def test_query_shows_typed_data_as_it_was_typed(store):
    result = run("query", "RETURN 'Flat [b]3[/b]' AS `[i]address`, '[/x]' AS promo")
    assert result.exit_code == 0
    assert "Flat [b]3[/b]" in result.stdout and "[/x]" in result.stdout and "[i]address" in result.stdout


def test_load_notes_and_ring_messages_show_data_verbatim(store, tmp_path):
    (tmp_path / "accounts.csv").write_text("account_id,role,created_at,country,[/promo]\n"
                                           "a1,buyer,2025-01-01T00:00:00Z,DE,x\n")
    result = run("load", tmp_path, "--quiet")
    assert result.exit_code == 0 and "extra columns ignored: [/promo]" in result.stderr
    store.run_cypher("CREATE (:Ring {id: '[b]R[/b]'})", {}, write=True)
    result = run("rings", "history", "[b]R[/b]")
    assert result.exit_code == 0 and "ring [b]R[/b] has no weekly lineage" in result.stderr
    result = run("rings", "history", "[/x]")
    assert result.exit_code == 1 and "[/x]" in result.stderr and result.stderr.count("\n") == 1


# --------------------------------------------------------------------------- the read-only guard

@pytest.mark.parametrize("text", ["CALL `apoc.create.node`(['X'], {})", "CALL `apoc`.`create`.node(['X'], {})"])
def test_backquoted_write_procedures_are_refused(text):
    result = run("query", text)
    assert result.exit_code == 2 and "refused" in result.stderr and "CALL apoc.create.node" in result.stderr


# --------------------------------------------------------------------------- test helpers see crashes

def test_a_crash_fails_the_cli_helper(monkeypatch):
    import graphfraud.query

    monkeypatch.setattr(graphfraud.query, "parse_params", lambda items: {}["boom"])
    with pytest.raises(AssertionError, match="crashed: KeyError"):
        test_query.run("query", "RETURN 1")


# --------------------------------------------------------------------------- commands register directly

def test_rings_subcommands_are_the_modules_own_functions():
    from graphfraud.cli import investigate, rings, weekly

    callbacks = {c.name: c.callback for c in rings_app.registered_commands}
    assert callbacks == {"list": rings.list_, "show": rings.show, "mark": investigate.mark, "history": weekly.history}


# --------------------------------------------------------------------------- weekly --quiet and bad options

@pytest.mark.shows_bugs_as_users_see_them
@pytest.mark.parametrize("error,code", [(PermissionError(13, "Permission denied", "/reports/report.html"), 1),
                                        (KeyboardInterrupt(), 130), (RuntimeError("boom"), 1)],
                         ids=["oserror", "interrupt", "bug"])
def test_weekly_quiet_reports_any_failure_as_one_json_line(store, tmp_path, monkeypatch, error, code):
    import graphfraud.weekly

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(graphfraud.weekly, "run_weekly", fail)
    result = run("weekly", "--as-of", "2025-09-08", "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == code
    [line] = result.stdout.splitlines()
    summary = json.loads(line)
    assert summary["status"] == "error" and summary["exit_code"] == code and summary["as_of"] == "2025-09-08"
    assert summary["error"] and "\n" not in summary["error"]
    assert result.stderr.count("\n") == 1


def test_typology_must_be_a_known_one(store, monkeypatch):
    from graphfraud import detection
    from graphfraud.generate import TYPOLOGIES

    assert [t.value for t in Typology] == list(TYPOLOGIES)
    assert run("rings", "list", "--typology", "brushin").exit_code == 2
    asked = []
    monkeypatch.setattr(detection, "list_rings", lambda store, **kw: asked.append(kw) or ({"id": "run", "as_of": None}, []))
    assert run("rings", "list", "--typology", "promo_abuse", "--format", "json").exit_code == 0
    assert asked[0]["typology"] == "promo_abuse" and type(asked[0]["typology"]) is str


def test_stats_runs_must_not_be_negative(store):
    assert run("stats", "--runs", "-1").exit_code == 2
    result = run("stats", "--runs", "0", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["load_runs"] == []


def test_an_error_raised_while_a_ctrl_c_was_handled_is_reported_as_the_interruption(store, monkeypatch):
    """The driver, interrupted mid-read, can fail again as it cleans up (BufferError): still exit 130, one line."""
    import graphfraud.store

    def interrupted_then_broken(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise BufferError("Existing exports of data: object cannot be re-sized")

    monkeypatch.setattr(graphfraud.store.Store, "read", interrupted_then_broken)
    result = run("stats")
    assert result.exit_code == 130
    assert result.stderr == "interrupted\n"


# --------------------------------------------------------------------------- generate into a folder in use

def test_generate_refuses_a_folder_that_holds_anything_unless_forced(tmp_path):
    """An analyst's own labels file is not overwritten, and two marketplaces never end up side by side."""
    out = tmp_path / "data"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    (out / "labels.csv").write_text("account_id,ring_id\nkeep,me\n")
    refused = run("generate", out, "--buyers", 30, "--seed", 2, "--quiet")
    assert refused.exit_code == 2
    assert refused.stderr == f"error: {out} is not empty: generate into a new or empty folder (--force replaces " \
                             "the marketplace tables in it)\n"
    assert (out / "labels.csv").read_text() == "account_id,ring_id\nkeep,me\n"

    assert run("generate", out, "--buyers", 30, "--seed", 2, "--format", "parquet", "--quiet", "--force").exit_code == 0
    assert run("generate", out, "--buyers", 30, "--seed", 3, "--quiet", "--force").exit_code == 0
    assert not list(out.glob("*.parquet")), "the earlier marketplace's tables are gone"
    assert (out / "accounts.csv").exists() and (out / "notes.txt").read_text() == "my notes"


@pytest.mark.parametrize("args,says", [(["--buyers", 10**12], "--buyers"), (["--buyers", 10**30], "--buyers"),
                                       (["--seed", -1], "--seed")])
def test_generate_bounds_its_numbers(tmp_path, args, says):
    result = run("generate", tmp_path / "out", *args, "--quiet")
    assert result.exit_code == 2 and says in result.stderr and len(result.stderr.splitlines()) == 1


def test_generate_names_a_folder_it_cannot_write(tmp_path):
    (tmp_path / "accounts.csv").write_text("")
    result = run("generate", tmp_path / "accounts.csv", "--buyers", 10, "--quiet")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot write to {tmp_path / 'accounts.csv'}: ") and result.stdout == ""


@pytest.mark.shows_bugs_as_users_see_them
def test_a_bug_reaches_the_user_as_one_line_and_its_traceback_goes_to_a_crash_log(store, monkeypatch, graphfraud_home):
    import graphfraud.store

    def broken(*args, **kwargs):
        raise IndexError("index 1 is out of bounds for axis 0 with size 1; row 4539 1488 0343 6467")

    monkeypatch.setattr(graphfraud.store.Store, "read", broken)
    result = run("stats")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: internal error IndexError: index 1 is out of bounds") and "please report it" in line
    logs = [log for log in (graphfraud_home / "logs").glob("crash-*.log") if str(log) in line]
    assert len(logs) == 1 and "Traceback" in logs[0].read_text()
    assert "0343" not in logs[0].read_text() and "0343" not in line, "a card number is masked in both"


@pytest.mark.shows_bugs_as_users_see_them
def test_weekly_quiet_reports_a_bug_as_one_masked_json_line_with_a_crash_log(store, tmp_path, monkeypatch,
                                                                            graphfraud_home):
    """The scheduler's log gets what an investigator's terminal gets: one line, no card number, a traceback kept."""
    import graphfraud.weekly

    def bug(*args, **kwargs):
        raise IndexError("index 1 is out of bounds; row 4539 1488 0343 6467\nsecond line")

    monkeypatch.setattr(graphfraud.weekly, "run_weekly", bug)
    result = run("weekly", "--as-of", "2025-09-08", "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    error = json.loads(line)["error"]
    assert error.startswith("internal error IndexError: index 1 is out of bounds") and "0343" not in error
    assert result.stderr.count("\n") == 1 and "0343" not in result.stderr
    logs = [log for log in (graphfraud_home / "logs").glob("crash-*.log") if str(log) in error]
    assert len(logs) == 1 and "0343" not in logs[0].read_text()
    assert oct(logs[0].stat().st_mode & 0o777) == "0o600"


@pytest.mark.shows_bugs_as_users_see_them
def test_the_crash_log_named_to_the_user_is_the_file_written_even_when_its_name_looks_like_a_card(
        store, monkeypatch, graphfraud_home):
    """A time and a six-digit process id can form a Luhn-valid run of digits: the path must not be masked."""
    import time

    import graphfraud.store

    monkeypatch.setattr(graphfraud.store.Store, "read", lambda *a, **k: {}["boom"])
    monkeypatch.setattr(time, "strftime", lambda fmt, *a: "20261204T214411")
    monkeypatch.setattr("os.getpid", lambda: 100008)
    result = run("stats")
    assert result.exit_code == 1
    assert str(graphfraud_home / "logs" / "crash-20261204T214411-100008.log") in result.stderr


def test_a_table_whose_reader_went_away_ends_with_141_like_csv(store, monkeypatch):
    """rich's own answer to a closed pipe is exit 1; the README promises 141 for every format."""
    from graphfraud.cli import out

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError

        def flush(self):
            pass

    monkeypatch.setattr(out, "_file", ClosedPipe())   # rich keeps the stream it was given there
    result = run("stats")
    assert result.exit_code == 141 and "error" not in result.stderr


def test_a_closed_stderr_ends_with_141_too(store, monkeypatch):
    """`graphfraud detect 2>&1 | head`: rich answered a closed stderr with exit 1, and an error line
    said into it escaped as a traceback."""
    from graphfraud.cli import err

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError

        def flush(self):
            pass

    monkeypatch.setattr(err, "_file", ClosedPipe())
    assert run("rings", "show", "R-0000000000").exit_code == 141   # its error line goes to stderr


@pytest.mark.parametrize("shell, env, code, says", [
    ("{python} -m graphfraud --help >&-", {}, 2, "error: standard output is closed: nothing could be written\n"),
    ("{python} -m graphfraud --help", {"COLUMNS": "abc"}, 0, ""),
    ("{python} -m graphfraud --help", {"COLUMNS": "0"}, 0, ""),
], ids=["stdout-closed", "columns-not-a-number", "columns-zero"])
def test_how_the_command_is_started_never_ends_it_in_a_traceback(shell, env, code, says):
    """The output width was read at import, before any error handling: a closed stdout or a COLUMNS of
    'abc' ended every command in a traceback, and COLUMNS=0 printed empty tables."""
    import subprocess
    import sys

    result = subprocess.run(["sh", "-c", shell.format(python=sys.executable)], capture_output=True, text=True,
                            env={**os.environ, **env}, timeout=60)
    assert (result.returncode, result.stderr) == (code, says)
    assert code or "Usage: " in result.stdout, "the help is shown"
