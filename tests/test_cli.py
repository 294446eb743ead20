"""The command line as a whole: every command documented, help everywhere, the quickstart's demo."""

import stat
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.core
from typer.testing import CliRunner

from graphfraud.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def all_commands() -> list:
    root = typer.main.get_command(app)
    found = []

    def walk(prefix, command):
        if isinstance(command, typer.core.TyperGroup):
            for name, sub in command.commands.items():
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found.append((prefix, command))

    walk("", root)
    return found


def test_every_command_has_help_and_is_in_the_readme():
    commands = all_commands()
    assert len(commands) >= 15
    for name, command in commands:
        assert (command.help or "").strip(), f"graphfraud {name} has no help text"
        assert f"graphfraud {name}" in README, f"graphfraud {name} is not documented in README.md"
        for param in command.params:
            if isinstance(param, typer.core.TyperOption):
                assert param.help, f"graphfraud {name} {param.opts[0]} has no help text"


def test_help_starts_without_importing_heavy_modules():
    code = ("import sys; from graphfraud.cli import app; "
            "heavy = [m for m in ('neo4j', 'numpy', 'igraph', 'networkx', 'matplotlib', 'pyarrow') if m in sys.modules]; "
            "print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"imported at start: {result.stdout.strip()}"


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(app, ["frobnicate"])
    assert result.exit_code == 2


def test_a_command_group_alone_shows_its_help_on_stdout_and_nothing_on_stderr():
    done = subprocess.run([sys.executable, "-m", "graphfraud", "rings"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "graphfraud rings [OPTIONS] COMMAND" in done.stdout and "history" in done.stdout, done.stdout
    assert done.stderr == ""


def test_what_a_terminal_acts_on_is_shown_not_obeyed_in_tables_and_errors(store):
    """Data and ids reach the screen as text: an escape sequence must not clear it or move the cursor."""
    table = CliRunner().invoke(app, ["query", "RETURN $v AS `x\x1b[1G`", "--param", "v=a\x1b[2J\u202eb"])
    assert table.exit_code == 0, table.output
    assert "\x1b" not in table.stdout and "\u202e" not in table.stdout
    assert "a\\x1b[2J\\u202eb" in table.stdout and "x\\x1b[1G" in table.stdout
    missing = CliRunner().invoke(app, ["rings", "show", "R-\x1b[2Jx"])
    assert missing.exit_code == 1 and "\x1b" not in missing.stderr and "R-\\x1b[2Jx" in missing.stderr, missing.stderr


def test_a_value_of_two_lines_reads_as_two_lines_in_a_table(store):
    """A case note may hold a line break: a table lays it out, where an error line escapes it."""
    table = CliRunner().invoke(app, ["query", "RETURN $v AS note", "--param", "v=same card\nsame device"])
    assert table.exit_code == 0 and "\\x0a" not in table.stdout, table.output
    lines = table.stdout.splitlines()
    assert any("same card" in line for line in lines) and any("same device" in line for line in lines)
    assert not any("same card" in line and "same device" in line for line in lines)


def test_a_csv_column_named_like_a_formula_stays_text(store):
    result = CliRunner().invoke(app, ["query", "RETURN 1 AS `=cmd`", "--format", "csv"])
    assert result.exit_code == 0 and result.stdout.splitlines() == ["'=cmd", "1"], result.output


def test_a_stopping_signal_the_process_was_told_to_ignore_stays_ignored():
    """``nohup graphfraud weekly … &`` ignores SIGHUP: logging out must not stop the run."""
    code = ("import signal; signal.signal(signal.SIGHUP, signal.SIG_IGN); from graphfraud.signals import install; "
            "install(); print(signal.getsignal(signal.SIGHUP) is signal.SIG_IGN, "
            "signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True"]


def test_a_bad_option_is_one_line_naming_it_not_a_framed_usage_box():
    for args, says in [(["expand", "x", "--hops", "0"], "error: Invalid value for '--hops'"),
                       (["weekly", "--bogus"], "error: No such option: --bogus"),
                       (["rings", "show", "R-1", "--orders", "100000000000000000000"], "error: Invalid value for '--orders'")]:
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith(says) and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.rstrip().endswith(" --help)") and f" {args[0]} " in result.stderr


def test_demo_loads_the_sample_detects_and_explains_the_top_rings(store):
    result = CliRunner().invoke(app, ["demo", "--quiet", "--top", "2"])
    assert result.exit_code == 0, result.output
    assert "rings found among" in result.output
    assert "score" in result.output and "R-" in result.output
    assert "against the planted answer key" in result.output


def test_demo_on_a_graph_holding_other_data_says_its_figures_include_them(store, tmp_path):
    from graphfraud.load import load

    (tmp_path / "accounts.csv").write_text("account_id,role,created_at,country,status\n"
                                           "other_1,buyer,2025-01-01T00:00:00Z,DE,active\n")
    load(store, [tmp_path])
    result = CliRunner().invoke(app, ["demo", "--quiet", "--top", "1"])
    assert result.exit_code == 0, result.output
    assert "note: the graph holds other loads too (accounts beyond the sample: 1)" in result.stderr


@pytest.mark.parametrize("fmt, first_line", [("csv", b"i"), ("json", b"[")])
def test_a_reader_that_stops_early_ends_the_command_quietly(store, fmt, first_line):
    """`graphfraud query … | head -1`: no traceback and no error line when head closes the pipe."""
    command = [sys.executable, "-m", "graphfraud", "query", "UNWIND range(1, 200000) AS i RETURN i", "--format", fmt]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        first = proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read().decode()
        code = proc.wait(timeout=120)
    assert first.strip() == first_line
    assert code == 141
    assert stderr == ""


def test_ctrl_c_while_the_command_is_still_starting_ends_it_without_a_traceback():
    """An interruption while typer and rich are imported, before any command runs."""
    interrupt_typer = (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'typer':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from graphfraud.__main__ import main\n"
        "main()\n")
    done = subprocess.run([sys.executable, "-c", interrupt_typer, "stats"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130
    assert done.stderr == "interrupted\n" and done.stdout == ""


def test_a_refused_load_prints_its_error_line_and_nothing_else(store, tmp_path):
    """No empty progress display before the error: the one line is the whole of stderr."""
    (tmp_path / "accounts.csv").write_text("account_id,role,country\na1,buyer,DE\n")
    done = subprocess.run([sys.executable, "-m", "graphfraud", "load", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert done.stderr == f"error: {tmp_path / 'accounts.csv'}: missing required column created_at\n"


@pytest.mark.shows_bugs_as_users_see_them
def test_a_crash_log_goes_to_a_private_folder_even_in_a_home_made_beforehand(tmp_path, monkeypatch):
    import graphfraud.query

    def bug(items):
        raise RuntimeError("boom")

    (tmp_path / "logs").mkdir()
    for folder in (tmp_path, tmp_path / "logs"):
        folder.chmod(0o755)
    monkeypatch.setenv("GRAPHFRAUD_HOME", str(tmp_path))
    monkeypatch.setattr(graphfraud.query, "parse_params", bug)
    result = CliRunner().invoke(app, ["query", "RETURN 1"])
    assert result.exit_code == 1 and "internal error RuntimeError: boom" in result.stderr
    assert [log.name for log in (tmp_path / "logs").glob("crash-*.log")]
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700 and stat.S_IMODE((tmp_path / "logs").stat().st_mode) == 0o700
