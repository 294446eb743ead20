"""Evidence bundles on the real local server: exported, verified, tampered and caught, read back, rendered."""

import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import unicodedata
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from graphfraud import cases, export
from graphfraud.cli import app
from graphfraud.hashing import sha256_file
from graphfraud.load import load
from graphfraud.locks import GraphBusyError
from investigate_data import PAN, RING_ID, load_marketplace

ALL_FILES = ["members.csv", "identifiers.csv", "orders.csv", "graph.graphml", "report.html", "summary.json",
             "queries.cypher", "manifest.json"]
CARD_HASH_PREFIX = "card:"


@pytest.fixture(scope="module")
def market(session_store, tmp_path_factory):
    session_store.write("clear_graph")
    load_marketplace(session_store, tmp_path_factory.mktemp("export") / "drop")
    cases.mark(session_store, RING_ID, "under_review", "four buyers on one device", by="alice")
    return session_store


@pytest.fixture(scope="module")
def bundle(market, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundles") / "ring"
    export.export_ring(market, RING_ID, out, by="alice")
    return out


@pytest.fixture
def copy(bundle, tmp_path) -> Path:
    """A copy of the bundle to tamper with."""
    target = tmp_path / "copy"
    shutil.copytree(bundle, target)
    return target


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    # CliRunner catches a crash into result.exception: its output never shows a traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    return result


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------- writing and verifying

def test_bundle_holds_every_file_and_verifies(bundle):
    assert sorted(p.name for p in bundle.iterdir()) == sorted(ALL_FILES)
    assert all((bundle / f).stat().st_size > 0 for f in ALL_FILES)
    result = export.verify(bundle)
    assert result.ok and {r["status"] for r in result.rows} == {"ok"}
    cli = run("verify", bundle)
    assert cli.exit_code == 0 and "all 7 files match" in cli.stderr
    rows = list(csv.DictReader(io.StringIO(run("verify", bundle, "--format", "csv").stdout)))
    assert len(rows) == 8 and all(r["status"] == "ok" and len(r["actual_sha256"]) == 64 for r in rows)


def test_export_command_writes_a_bundle_and_prints_its_hashes(market, tmp_path):
    result = run("export", RING_ID, "--out", tmp_path / "b", "--by", "erin")
    assert result.exit_code == 0, result.output
    assert "5 members" in result.stderr and "manifest.json" in result.stdout
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["created_by"] == "erin" and manifest["masked"] is True


def test_a_card_number_in_the_exporters_name_is_masked_in_the_bundle(market, tmp_path):
    assert run("export", RING_ID, "--out", tmp_path / "b", "--by", "erin 4111 1111 1111 1111").exit_code == 0
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["created_by"] == "erin 411111******1111"


def test_a_bundle_rewritten_with_every_hash_recomputed_fails_against_the_hash_export_printed(market, tmp_path):
    """Tamper-evident against itself is not enough: the hash kept in the case file pins the bundle."""
    result = run("export", RING_ID, "--out", tmp_path / "b")
    recorded = re.search(r"manifest hash ([0-9a-f]{64})", result.stderr).group(1)
    assert f"│ manifest.json: manifest hash (canonical JSON) │ {recorded[:16]}…" in result.stdout, \
        "one manifest hash, printed the same both times, and said to be the canonical JSON's"
    assert run("verify", tmp_path / "b", "--expect", recorded.upper()).exit_code == 0

    with open(tmp_path / "b" / "members.csv", "a") as f:
        f.write("ghost,buyer\n")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    manifest["files"]["members.csv"]["sha256"] = sha256_file(tmp_path / "b" / "members.csv")
    manifest["manifest_sha256"] = export.manifest_hash(manifest)
    (tmp_path / "b" / "manifest.json").write_text(export._manifest_text(manifest), encoding="utf-8")
    assert run("verify", tmp_path / "b").exit_code == 0, "a forger who recomputes every hash fools verify alone"
    caught = run("verify", tmp_path / "b", "--expect", recorded)
    assert caught.exit_code == 1
    assert "manifest.json changed (not the manifest recorded at export)" in caught.stderr
    assert run("verify", tmp_path / "b", "--expect", "abc").exit_code == 2


def test_manifest_names_versions_and_the_runs_the_data_came_from(bundle):
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["ring_id"] == RING_ID and manifest["graphfraud_version"]
    assert manifest["created_by"] == "alice" and re.match(r"\d{4}-\d\d-\d\dT", manifest["created_at"])
    assert [d["id"] for d in manifest["detection_runs"]] == ["det-test-1"]
    assert len(manifest["load_runs"]) == 1 and manifest["load_runs"][0]["id"].startswith("load-")
    assert manifest["load_runs"][0]["files"] and manifest["load_runs"][0]["sha256"]
    assert sorted(manifest["files"]) == sorted(f for f in ALL_FILES if f != "manifest.json")
    assert manifest["manifest_sha256"] == export.manifest_hash(manifest)


def test_verify_names_each_changed_missing_and_extra_file(copy):
    with open(copy / "members.csv", "a") as f:
        f.write("x\n")
    (copy / "orders.csv").unlink()
    (copy / "notes.txt").write_text("mine")
    result = run("verify", copy)
    assert result.exit_code == 1
    assert "members.csv changed" in result.stderr
    assert "orders.csv missing" in result.stderr
    assert "notes.txt extra" in result.stderr
    assert "identifiers.csv" not in result.stderr
    rows = {r["file"]: r["status"] for r in export.verify(copy).rows}
    assert rows["summary.json"] == "ok" and rows["manifest.json"] == "ok"


def test_a_tampered_manifest_is_caught(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    # whoever edits members.csv and puts its new hash into the manifest still breaks the manifest's own hash
    with open(copy / "members.csv", "a") as f:
        f.write("ghost,buyer\n")
    manifest["files"]["members.csv"]["sha256"] = sha256_file(copy / "members.csv")
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=2))
    result = run("verify", copy, "--format", "json")
    assert result.exit_code == 1
    assert "manifest.json changed (its own hash does not match)" in result.stderr
    statuses = {r["file"]: r["status"] for r in json.loads(result.stdout)}
    assert statuses["members.csv"] == "ok", "the file matches the edited manifest; the manifest gives it away"


@pytest.mark.parametrize("edit", ["a key written twice", "reindented"])
def test_a_manifest_whose_text_was_edited_is_caught_even_when_its_hash_still_matches(copy, edit):
    text = (copy / "manifest.json").read_text()
    manifest = json.loads(text)
    if edit == "a key written twice":   # a reader sees the first value, a JSON parser keeps the last
        text = text.replace("{", '{\n  "case_status": "dismissed",', 1)
    else:
        text = json.dumps(manifest, indent=4, ensure_ascii=False) + "\n"
    (copy / "manifest.json").write_text(text)
    result = run("verify", copy)
    assert result.exit_code == 1
    assert "manifest.json changed (its text is not the manifest it holds)" in result.stderr


@pytest.mark.parametrize("reordered", ["its top-level keys", "the keys of a file's entry"])
def test_a_manifest_with_its_keys_reordered_is_caught_even_with_the_recorded_hash(bundle, copy, reordered):
    """Same content, so the same manifest hash: only its text says it is not what export wrote."""
    manifest = json.loads((copy / "manifest.json").read_text())
    if reordered == "its top-level keys":
        manifest = dict(reversed(manifest.items()))
    else:
        manifest["files"]["members.csv"] = dict(reversed(manifest["files"]["members.csv"].items()))
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    for expect in ([], ["--expect", recorded_hash(bundle)]):
        result = run("verify", copy, *expect)
        assert result.exit_code == 1
        assert "manifest.json changed (its text is not the manifest it holds)" in result.stderr


def test_a_bundle_of_the_first_format_still_verifies_in_the_key_order_it_was_written_in(copy):
    """Format 1 kept the manifest's keys as the database returned them, which Neo4j does not fix:
    such a bundle, written before the order was pinned, must still verify; its hash is unchanged."""
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["format"] = "graphfraud-evidence-bundle/1"
    manifest["manifest_sha256"] = export.manifest_hash(manifest)
    older = dict(reversed(manifest.items()))   # as another database may have ordered it
    older["files"] = {name: dict(reversed(entry.items())) for name, entry in manifest["files"].items()}
    (copy / "manifest.json").write_text(json.dumps(older, indent=2, ensure_ascii=False) + "\n")
    assert run("verify", copy).exit_code == 0
    assert run("verify", copy, "--expect", export.manifest_hash(manifest)).exit_code == 0


@pytest.mark.parametrize("damage", ["garble", "nested too deep", "a folder"])
def test_an_unreadable_manifest_is_caught(copy, damage):
    if damage == "garble":
        (copy / "manifest.json").write_text("{not json")
    elif damage == "nested too deep":
        (copy / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    else:
        (copy / "manifest.json").unlink()
        (copy / "manifest.json").mkdir()
    result = run("verify", copy)
    assert result.exit_code == 1 and "manifest.json" in result.stderr


def test_a_folder_without_a_manifest_is_no_bundle_and_an_empty_path_no_folder(copy, tmp_path):
    (copy / "manifest.json").unlink()
    result = run("verify", copy)
    assert result.exit_code == 1 and "manifest.json missing" in result.stderr, "a bundle whose manifest was deleted fails"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.csv").write_text("order_id\n1\n")
    result = run("verify", tmp_path / "data")
    assert result.exit_code == 2 and result.stderr == f"error: {tmp_path / 'data'} is not an evidence bundle (no manifest.json)\n"
    assert run("verify", tmp_path / "data", "--expect", "0" * 64).exit_code == 1, "the case file says it was a bundle"
    result = run("verify", "")
    assert result.exit_code == 2 and "DIR" in result.stderr and result.stderr.count("\n") == 1


def test_verify_table_says_the_manifest_hash_is_its_canonical_jsons(bundle):
    result = run("verify", bundle)
    assert result.exit_code == 0
    assert "│ manifest.json: manifest hash (canonical JSON) │ ok" in result.stdout
    rows = list(csv.DictReader(io.StringIO(run("verify", bundle, "--format", "csv").stdout)))
    assert rows[0]["file"] == "manifest.json", "machine formats keep the file's name"


def test_a_file_that_cannot_be_read_is_named_not_a_crash(copy, monkeypatch):
    real = export.sha256_file

    def failing(path):
        if Path(path).name == "members.csv":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(export, "sha256_file", failing)
    rows = {r["file"]: r["status"] for r in export.verify(copy).rows}
    assert rows["members.csv"] == "changed (unreadable)" and rows["orders.csv"] == "ok"


def recorded_hash(bundle: Path) -> str:
    """The manifest hash export printed, as kept in the case file."""
    return json.loads((bundle / "manifest.json").read_text())["manifest_sha256"]


@pytest.mark.parametrize("name", ALL_FILES)
def test_line_endings_rewritten_in_any_file_are_caught_even_with_expect(bundle, copy, name):
    data = (copy / name).read_bytes()
    # CRLF to LF where the file has CRLF (the CSVs), else LF to CRLF as `sed -i 's/$/\r/'` does
    flipped = data.replace(b"\r\n", b"\n") if b"\r\n" in data else data.replace(b"\n", b"\r\n")
    assert flipped != data
    (copy / name).write_bytes(flipped)
    for expect in ([], ["--expect", recorded_hash(bundle)]):
        result = run("verify", copy, *expect)
        assert result.exit_code == 1
        assert f"{name} changed" in result.stderr


def test_a_manifest_with_crlf_line_endings_is_named_as_edited_text(copy):
    path = copy / "manifest.json"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    rows = {r["file"]: r["status"] for r in export.verify(copy).rows}
    assert rows.pop("manifest.json") == "changed (its text is not the manifest it holds)"
    assert set(rows.values()) == {"ok"}


@pytest.mark.parametrize("name", ["members.csv", "manifest.json"])
def test_a_file_replaced_by_a_link_to_an_identical_copy_fails(bundle, copy, tmp_path, name):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.move(copy / name, outside / name)
    (copy / name).symlink_to(outside / name)
    assert (copy / name).read_bytes() == (bundle / name).read_bytes(), "through the link, the same bytes"
    result = run("verify", copy, "--expect", recorded_hash(bundle))
    assert result.exit_code == 1
    assert f"fails verification: {name} replaced by a symbolic link" in result.stderr
    rows = {r["file"]: r["status"] for r in export.verify(copy).rows}
    assert [f for f, status in rows.items() if status != "ok"] == [name], "only the link is named"


def test_a_linked_folder_in_a_bundle_fails(copy, tmp_path):
    (tmp_path / "notes").mkdir()
    (copy / "notes").symlink_to(tmp_path / "notes", target_is_directory=True)
    result = run("verify", copy)
    assert result.exit_code == 1
    assert "fails verification: notes extra (a symbolic link)" in result.stderr


def acting(text: str) -> list[str]:
    """The characters in ``text`` a terminal would act on or hide rather than show, but the line feed."""
    return [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")]


SPOOFING_NAMES = {  # a file name -> how verify and export show it
    "\x1b[1G\x1b[2KB: all 7 files match the manifest\x1b[8m":
        "\\x1b[1G\\x1b[2KB: all 7 files match the manifest\\x1b[8m",
    "x\rmembers.csv ok": "x\\x0dmembers.csv ok",
    "x\nerror: nothing": "x\\x0aerror: nothing",
    "\x9b2J": "\\x9b2J",
    "invoice\u202etxt.exe": "invoice\\u202etxt.exe",
    "members.csv\u200b": "members.csv\\u200b",
    os.fsdecode(b"not utf-8 \xff"): "not utf-8 \\udcff",
}


@pytest.mark.parametrize("name", SPOOFING_NAMES)
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_file_name_in_a_bundle_can_neither_forge_nor_cut_a_line_verify_prints(copy, name, fmt):
    with open(copy / "members.csv", "a") as f:
        f.write("x\n")
    (copy / name).write_text("")
    result = run("verify", copy, "--format", fmt)
    assert result.exit_code == 1
    assert not acting(result.stdout) and not acting(result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert f"members.csv changed, {SPOOFING_NAMES[name]} extra" in result.stderr or \
        f"{SPOOFING_NAMES[name]} extra, members.csv changed" in result.stderr
    if fmt == "table":
        assert SPOOFING_NAMES[name] in result.stdout
    else:
        rows = json.loads(result.stdout) if fmt == "json" else list(csv.DictReader(io.StringIO(result.stdout)))
        assert SPOOFING_NAMES[name] in [r["file"] for r in rows]


def test_names_and_hashes_a_forged_manifest_lists_are_shown_escaped_as_is_the_folders_name(bundle, tmp_path):
    folder = tmp_path / "case\x1b[2K"
    shutil.copytree(bundle, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["\x1b[2Kall ok\x1b[8m"] = {"sha256": "\x1b[2Jok", "bytes": 1}
    manifest["manifest_sha256"] = export.manifest_hash(manifest)
    (folder / "manifest.json").write_text(export._manifest_text(manifest), encoding="utf-8")
    result = run("verify", folder)
    assert result.exit_code == 1 and not acting(result.stdout) and not acting(result.stderr)
    assert result.stderr == f"error: {tmp_path}/case\\x1b[2K fails verification: \\x1b[2Kall ok\\x1b[8m missing\n"
    assert "│ \\x1b[2Jok " in result.stdout, "a short forged hash, escaped, and not cut"
    (folder / "manifest.json").write_bytes((bundle / "manifest.json").read_bytes())
    result = run("verify", folder)
    assert result.exit_code == 0 and result.stderr.startswith(f"{tmp_path}/case\\x1b[2K: all 7 files match")


def test_a_name_force_would_delete_is_shown_escaped(market, tmp_path):
    out = tmp_path / "case"
    export.export_ring(market, RING_ID, out)
    (out / "notes\nerror: none").write_text("mine")
    result = run("export", RING_ID, "--out", out, "--force")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.endswith("which --force would delete: notes\\x0aerror: none\n")


def test_export_into_a_non_empty_folder_is_refused_and_force_replaces_only_a_bundle(market, tmp_path):
    out = tmp_path / "case"
    out.mkdir()
    (out / "old.txt").write_text("keep me")
    result = run("export", RING_ID, "--out", out)
    assert result.exit_code == 2 and "not empty" in result.stderr and "--force" in result.stderr
    result = run("export", RING_ID, "--out", out, "--force")
    assert result.exit_code == 2 and "is not an evidence bundle" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["old.txt"], "a folder that is no bundle is never replaced"
    (out / "old.txt").unlink()
    assert run("export", RING_ID, "--out", out).exit_code == 0
    result = run("export", RING_ID, "--out", out, "--force")   # an earlier bundle: replaced
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(ALL_FILES)
    assert export.verify(out).ok
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary folder is left behind"


def test_an_out_path_through_a_file_is_a_usage_error(market, tmp_path):
    (tmp_path / "afile").write_text("")
    result = run("export", RING_ID, "--out", tmp_path / "afile" / "sub")
    assert result.exit_code == 2 and "is not a folder this user can write in" in result.stderr
    assert result.stderr.startswith(f"error: --out {tmp_path / 'afile' / 'sub'}: cannot write there (")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_out_where_nothing_can_be_written_names_the_out_not_a_temporary_folder(market):
    result = run("export", RING_ID, "--out", "/proc/graphfraud-bundle")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --out /proc/graphfraud-bundle: cannot write there (")
    assert "partial" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_force_refuses_a_bundle_folder_holding_the_investigators_own_files(market, tmp_path):
    out = tmp_path / "case"
    assert run("export", RING_ID, "--out", out).exit_code == 0
    (out / "NOTES.txt").write_text("notes")
    (out / "attachments").mkdir()
    (out / "attachments" / "photo.jpg").write_text("scan")
    result = run("export", RING_ID, "--out", out, "--force")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "which --force would delete: NOTES.txt, attachments/" in result.stderr
    assert (out / "NOTES.txt").exists() and (out / "attachments" / "photo.jpg").exists()


@pytest.mark.parametrize("kind", ["a folder", "a symbolic link"])
def test_force_refuses_a_bundle_whose_file_is_not_a_file_export_wrote(market, tmp_path, kind):
    out = tmp_path / "case"
    export.export_ring(market, RING_ID, out)
    (out / "report.html").unlink()
    if kind == "a folder":
        (out / "report.html").mkdir()
        (out / "report.html" / "notes.txt").write_text("mine")
    else:
        (tmp_path / "mine.html").write_text("mine")
        (out / "report.html").symlink_to(tmp_path / "mine.html")
    result = run("export", RING_ID, "--out", out, "--force")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.endswith("which --force would delete: " + ("report.html/\n" if kind == "a folder"
                                                                     else "report.html@\n"))
    assert (out / "report.html").is_dir() if kind == "a folder" else (out / "report.html").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"] + (["mine.html"] if kind != "a folder" else [])


@pytest.mark.parametrize("out_was", ["absent", "an empty folder"])
def test_two_exports_into_one_folder_never_both_succeed(market, tmp_path, monkeypatch, out_was):
    """The other export finishes while this one is still writing: this one is refused, the other's bundle kept."""
    out = tmp_path / "case"
    if out_was == "an empty folder":
        out.mkdir()
    real = export._report_html

    def meanwhile(*args):
        monkeypatch.setattr(export, "_report_html", real)
        export.export_ring(market, RING_ID, out, by="first")
        return real(*args)

    monkeypatch.setattr(export, "_report_html", meanwhile)
    result = run("export", RING_ID, "--out", out, "--by", "second")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {out} is not empty any more: ") and "nothing was replaced" in result.stderr
    assert json.loads((out / "manifest.json").read_text())["created_by"] == "first"
    assert export.verify(out).ok
    assert [p.name for p in tmp_path.iterdir()] == ["case"], "no temporary folder is left behind"


def test_force_keeps_files_added_to_the_earlier_bundle_during_the_export(market, tmp_path, monkeypatch):
    out = tmp_path / "case"
    export.export_ring(market, RING_ID, out, by="first")
    real = export._report_html

    def meanwhile(*args):
        (out / "NOTES.txt").write_text("written while the export ran")
        return real(*args)

    monkeypatch.setattr(export, "_report_html", meanwhile)
    result = run("export", RING_ID, "--out", out, "--force")
    assert result.exit_code == 2 and result.stderr.endswith("which --force would delete: NOTES.txt\n")
    assert (out / "NOTES.txt").read_text() == "written while the export ran"
    assert json.loads((out / "manifest.json").read_text())["created_by"] == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["case"], "no temporary folder is left behind"


def test_force_interrupted_as_it_swaps_puts_the_earlier_bundle_back(market, tmp_path, monkeypatch):
    """Ctrl-C between moving the earlier bundle aside and renaming the new one into place left the
    earlier one hidden in a .replaced folder and nothing at --out."""
    out = tmp_path / "case"
    export.export_ring(market, RING_ID, out, by="first")
    real_rename = os.rename

    def interrupted(src, dst):   # Ctrl-C as the new bundle is renamed into place
        if ".partial-" in Path(src).name:
            raise KeyboardInterrupt
        return real_rename(src, dst)

    monkeypatch.setattr(export.os, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export.export_ring(market, RING_ID, out, force=True, by="second")
    monkeypatch.undo()
    assert json.loads((out / "manifest.json").read_text())["created_by"] == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["case"], "nothing hidden or temporary left behind"


@pytest.mark.parametrize("out", ["", "  "])
def test_an_empty_out_is_a_usage_error(market, out):
    result = run("export", RING_ID, "--out", out)
    assert result.exit_code == 2 and "--out" in result.stderr and "is empty" in result.stderr
    assert result.stderr.count("\n") == 1


def test_the_current_folder_or_one_above_it_as_out_is_refused_in_one_line(market, tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    for out in (".", "./", str(here), "..", "/"):
        result = run("export", RING_ID, "--out", out)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, out
        assert result.stderr == f"error: --out {Path(out)}: give the bundle a folder of its own (such as --out " \
                                f"{RING_ID}), not '.', '..', '/' or the current folder\n"
    assert [p.name for p in tmp_path.iterdir()] == ["here"] and not list(here.iterdir())


@pytest.mark.parametrize("link_to", ["nothing", "an empty folder", "a bundle"])
def test_a_symbolic_link_as_out_is_refused_not_followed(market, tmp_path, link_to):
    target, link = tmp_path / "target", tmp_path / "link"
    if link_to == "an empty folder":
        target.mkdir()
    elif link_to == "a bundle":
        export.export_ring(market, RING_ID, target)
    before = sorted(p.name for p in target.iterdir()) if target.exists() else None
    link.symlink_to(target, target_is_directory=True)
    for force in ([], ["--force"]):
        result = run("export", RING_ID, "--out", link, *force)
        assert result.exit_code == 2
        assert result.stderr == f"error: --out {link} is a symbolic link: give the folder itself\n"
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert (sorted(p.name for p in target.iterdir()) if target.exists() else None) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link"] + (["target"] if link_to != "nothing" else [])


def test_force_refuses_another_rings_bundle(market, tmp_path):
    out = tmp_path / "case"
    assert run("export", RING_ID, "--out", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["ring_id"] = "R-other0001"
    (out / "manifest.json").write_text(export._manifest_text(manifest))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = run("export", RING_ID, "--out", out, "--force")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"holds the bundle of ring R-other0001: --force replaces only a bundle of ring {RING_ID}" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_an_unmasked_bundle_is_its_owners_alone(market, tmp_path):
    old = os.umask(0o022)
    try:
        assert run("export", RING_ID, "--out", tmp_path / "open", "--unmask").exit_code == 0
        assert run("export", RING_ID, "--out", tmp_path / "masked").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "open").stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "open").iterdir()} == {0o600}
    assert sorted(p.name for p in (tmp_path / "open").iterdir()) == sorted(ALL_FILES)
    assert stat.S_IMODE((tmp_path / "masked").stat().st_mode) == 0o755, "a masked bundle is made to be handed on"
    assert export.verify(tmp_path / "open").ok


def test_a_failed_export_leaves_nothing_half_written(market, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "_report_html", broken)
    result = run("export", RING_ID, "--out", tmp_path / "case")
    assert result.exit_code == 1 and "disk full" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_unknown_ring_is_one_line_exit_1(market, tmp_path):
    result = run("export", "R-test0000x", "--out", tmp_path / "x")
    assert result.exit_code == 1 and f"did you mean ring '{RING_ID}'" in result.stderr
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- contents

def test_members_identifiers_and_orders(bundle):
    members = read_csv(bundle / "members.csv")
    assert [(m["account_id"], m["ring_role"]) for m in members] == [
        ("r1", "buyer"), ("r2", "buyer"), ("r3", "buyer"), ("r4", "buyer"), ("rs", "seller")]
    assert members[0]["orders_placed"] == "3" and members[0]["chargebacks"] == "1"
    identifiers = read_csv(bundle / "identifiers.csv")
    device = [r for r in identifiers if r["type"] == "Device"]
    assert {r["account_id"] for r in device} == {"r1", "r2", "r3", "r4"}
    assert {r["spellings"] for r in device} == {"DEV-AB12-CD34", "dev_ab12cd34", "{DEV-AB12-CD34}", "dev_AB12CD34"}
    address = [r for r in identifiers if r["type"] == "Address" and r["account_id"] == "r1"][0]
    assert "Hauptstraße 5, 10115 Berlin" in address["spellings"] and address["links_in_graph"] == "11"
    orders = read_csv(bundle / "orders.csv")
    assert len(orders) == 9 and orders[0]["order_id"] == "o-r1-s1"
    assert sum(o["buyer_in_ring"] == "true" and o["seller_in_ring"] == "true" for o in orders) == 8


def test_instrument_ids_and_cards_are_masked_unless_unmasked(market, bundle, tmp_path):
    texts = {f: (bundle / f).read_text(encoding="utf-8") for f in ALL_FILES if f != "queries.cypher"}
    digits = PAN.replace(" ", "")
    for name, text in texts.items():
        assert "pi_777" not in text, name
        assert not re.search(r"card:[0-9a-f]{32}", text), name
        assert digits not in text and PAN not in text, name
    assert "453914******6467" in texts["orders.csv"] and "pi_7…" in texts["orders.csv"]
    run("export", RING_ID, "--out", tmp_path / "open", "--unmask")
    unmasked = (tmp_path / "open" / "orders.csv").read_text()
    assert "pi_777" in unmasked and digits not in unmasked
    assert json.loads((tmp_path / "open" / "manifest.json").read_text())["masked"] is False


def test_graphml_reads_back_with_networkx(bundle):
    g = nx.read_graphml(bundle / "graph.graphml")
    members = [n for n, d in g.nodes(data=True) if d["kind"] == "member"]
    assert sorted(members) == ["account:r1", "account:r2", "account:r3", "account:r4", "account:rs"]
    assert g.nodes["account:rs"]["ring_role"] == "seller"
    assert g.has_edge("account:r1", "Device:dev_ab12cd34")
    assert g.nodes["Device:dev_ab12cd34"]["ring_members"] == 4
    assert g.edges["account:r2", "account:rs"]["type"] == "BOUGHT_FROM"
    assert g.edges["account:r2", "account:rs"]["orders"] == 2


def test_graphml_is_well_formed_xml_whatever_the_ids_hold():
    """XML 1.0 cannot hold U+FFFE, U+FFFF, most C0 controls or a lone surrogate: they are written as escapes."""
    odd = "acct\ufffe\uffff\x01\x1b\udcff\\end"
    as_written = "acct\\ufffe\\uffff\\x01\\x1b\\udcff\\\\end"   # the backslash doubled: no two ids meet
    g = nx.MultiDiGraph(root="root\uffff")
    g.add_node(odd, label=odd, orders=3)
    g.add_node("acct\\ufffe\\uffff\\x01\\x1b\\udcff\\end")
    g.add_edge(odd, "plain", key="BOUGHT\x00", type="BOUGHT\ufffe")
    back = nx.read_graphml(io.BytesIO(export.graphml_bytes(g)))
    assert sorted(back.nodes) == sorted([as_written, "acct\\\\ufffe\\\\uffff\\\\x01\\\\x1b\\\\udcff\\\\end", "plain"])
    assert back.nodes[as_written] == {"label": as_written, "orders": 3}
    assert back.edges[as_written, "plain"] == {"id": "BOUGHT\\x00", "type": "BOUGHT\\ufffe"}
    assert back.graph["root"] == "root\\uffff"


def test_summary_carries_reasons_counts_and_case_history(bundle):
    summary = json.loads((bundle / "summary.json").read_text())
    assert summary["ring"]["id"] == RING_ID and summary["ring"]["score"] == 0.87
    assert [r["signal"] for r in summary["reasons"]] == ["shared_devices", "chargeback_rate"]
    assert summary["counts"]["members"] == 5 and summary["counts"]["orders"] == 9
    assert summary["counts"]["orders_by_status"] == {"chargeback": 4, "completed": 5}
    assert summary["case"]["status"] == "under_review"
    assert summary["case"]["history"][0]["note"] == "four buyers on one device"


def _blocks(text: str) -> list[tuple[list[str], str, str]]:
    """(files, ':param {...}' map literal, statement) per block of queries.cypher."""
    blocks = []
    for chunk in text.split("\n// ---- ")[1:]:
        header, param, statement = chunk.split("\n", 2)
        files = header.split(": cypher/")[0].split(", ")
        assert param.startswith(":param ")
        blocks.append((files, param[len(":param "):], statement.strip().rstrip(";")))
    return blocks


def test_queries_reproduce_the_files_from_the_database(market, bundle):
    blocks = _blocks((bundle / "queries.cypher").read_text())
    covered = {f for files, _, _ in blocks for f in files}
    assert covered == set(ALL_FILES) - {"queries.cypher", "manifest.json"}
    for files, literal, statement in blocks:
        _, [row] = market.run_cypher(f"RETURN {literal} AS p", {})
        columns, rows = market.run_cypher(statement, row["p"])
        for name in files:
            if name in ("members.csv", "identifiers.csv", "orders.csv"):
                on_disk = read_csv(bundle / name)
                assert len(rows) == len(on_disk), name
                key = columns[0] if name != "identifiers.csv" else "account_id"
                assert [r[key] for r in rows] == [r[key] for r in on_disk], name


def test_queries_header_says_how_the_csv_columns_differ_from_the_statements(market, bundle):
    text = (bundle / "queries.cypher").read_text()
    assert "card_bin and card_last4 are one card column" in text
    for files, literal, statement in _blocks(text):
        _, [row] = market.run_cypher(f"RETURN {literal} AS p", {})
        columns, _ = market.run_cypher(statement, row["p"])
        for name in set(files) & {"members.csv", "identifiers.csv", "orders.csv"}:
            with open(bundle / name, newline="", encoding="utf-8") as f:
                header = next(csv.reader(f))
            if name == "orders.csv":
                at = columns.index("card_bin")
                columns = columns[:at] + ["card"] + columns[at + 2:]
            assert header == columns, name


def test_a_name_with_a_line_break_cannot_add_a_statement_to_queries_cypher(market, tmp_path, monkeypatch):
    """--by refuses such a name; queries.cypher does not rely on it."""
    monkeypatch.setattr(cases, "author", lambda by: by)
    by = "alice\nMATCH (n) DETACH DELETE n;\r//\u2028x\x85y"
    export.export_ring(market, RING_ID, tmp_path / "b", by=by)
    lines = (tmp_path / "b" / "queries.cypher").read_text(encoding="utf-8").split("\n")
    assert lines[0].endswith(" by alice\\x0aMATCH (n) DETACH DELETE n;\\x0d//\\u2028x\\x85y")
    assert not any(line.startswith("MATCH (n) DETACH") for line in lines)


def test_a_parameter_value_keeps_its_line_in_queries_cypher_and_its_exact_text(market):
    value = "a\nb\r\x1b[2K\u202e'q'\\\u2028\U000e0001"
    literal = export._cypher_literal({"ring_id": value})
    assert not acting(literal) and "\n" not in literal
    _, [row] = market.run_cypher(f"RETURN {literal} AS p", {})
    assert row["p"] == {"ring_id": value}


def test_report_is_one_self_contained_file(bundle):
    html = (bundle / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I), "no network references"
    assert "<script" not in html.lower() and "@import" not in html and "<link" not in html.lower()
    assert '<svg id="ring-drawing"' in html and html.count('class="member"') == 5
    assert "4 members share 1 device" in html and "four buyers on one device" in html
    assert "orders per day" in html or "<path" in html, "the order timeline chart"
    assert '<th class="n">log10 bar</th>' in html, "each reason's bar"


# --------------------------------------------------------------------------- the report in a browser

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI installs Debian's chromium package)")
        pytest.skip("chromium is not installed")
    return exe


def test_report_renders_the_ring_in_headless_chromium(bundle, tmp_path):
    import numpy as np
    from matplotlib import image

    exe = _chromium()
    url = (bundle / "report.html").resolve().as_uri()
    dom = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    drawing = re.search(r'<svg id="ring-drawing".*?</svg>', dom.stdout, re.S)
    assert drawing and drawing.group().count("<circle") == 5 and drawing.group().count("<polygon") >= 5
    shot = tmp_path / "report.png"
    done = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile-shot'}",
                           f"--screenshot={shot}", "--window-size=1200,1600", url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    pixels = image.imread(shot)[:, :, :3]
    buyer_blue = np.array([0x24, 0x71, 0xa3]) / 255
    blue = np.all(np.abs(pixels - buyer_blue) < 0.04, axis=2)
    ys, xs = np.nonzero(blue)
    assert blue.sum() > 600, "the four buyer circles are drawn"
    top, bottom, left, right = ys.min(), ys.max(), xs.min(), xs.max()
    assert bottom - top > 100 and right - left > 100, "spread out as a drawing, not a legend line"
    area = pixels[top:bottom + 1, left:right + 1]
    ink = np.any(area < 0.9, axis=2).sum()
    assert ink > 3000, "members, hubs and links fill the drawing's area"


# --------------------------------------------------------------------------- end to end with real detection

def test_bundle_of_a_detected_ring_on_a_generated_marketplace(store, tmp_path):
    from graphfraud import detection
    from graphfraud.generate import write_marketplace
    from graphfraud.load import load

    write_marketplace(tmp_path / "drop", buyers=400, seed=3)
    load(store, [tmp_path / "drop"])
    detection.run_detection(store)
    _, rows = store.run_cypher("MATCH (r:Ring) RETURN r.id AS id ORDER BY r.score DESC, r.id LIMIT 1", {})
    assert rows, "detection found a ring in the generated marketplace"
    ring_id = rows[0]["id"]
    cases.mark(store, ring_id, "confirmed", "end to end", by="ci")
    result = run("export", ring_id, "--out", tmp_path / "bundle")
    assert result.exit_code == 0, result.output
    assert run("verify", tmp_path / "bundle").exit_code == 0
    members = read_csv(tmp_path / "bundle" / "members.csv")
    _, expected = store.run_cypher("MATCH (a:Account)-[:MEMBER_OF]->(:Ring {id: $id}) RETURN count(a) AS n",
                                   {"id": ring_id})
    assert len(members) == expected[0]["n"] >= 2
    g = nx.read_graphml(tmp_path / "bundle" / "graph.graphml")
    assert sum(d["kind"] == "member" for _, d in g.nodes(data=True)) == len(members)
    (tmp_path / "bundle" / "graph.graphml").write_text("<graphml/>")
    result = run("verify", tmp_path / "bundle")
    assert result.exit_code == 1 and "graph.graphml changed" in result.stderr


def test_text_cells_that_start_like_a_formula_are_neutralised_and_the_bundle_still_verifies(store, tmp_path):
    """What a fraudster typed (an address, a promo code, a buyer id) is no live formula in a spreadsheet."""
    from graphfraud.load import load

    load_marketplace(store, tmp_path / "drop")
    link = '=HYPERLINK("http://evil.example/","click")'
    (tmp_path / "more").mkdir()
    with open(tmp_path / "more" / "accounts.csv", "w", newline="") as f:
        csv.writer(f).writerows([["account_id", "role", "created_at", "country", "status"],
                                 ["@evil", "buyer", "2025-09-01T00:00:00Z", "DE", "active"]])
    with open(tmp_path / "more" / "orders.csv", "w", newline="") as f:
        csv.writer(f).writerows([["order_id", "buyer_id", "seller_id", "amount", "currency", "created_at", "status",
                                  "device_id", "address", "instrument_id", "promo_code"],
                                 ["-ord_x1", "@evil", "rs", "12.50", "EUR", "2025-11-01T10:00:00Z", "completed",
                                  "dev_x1", link, "", ""]])
    load(store, [tmp_path / "more"])
    assert run("export", RING_ID, "--out", tmp_path / "b").exit_code == 0
    [order] = [o for o in read_csv(tmp_path / "b" / "orders.csv") if "ord_x1" in o["order_id"]]
    assert order["order_id"] == "'-ord_x1" and order["buyer_id"] == "'@evil" and order["address_raw"] == "'" + link
    assert order["amount"] == "12.5", "a number stays a number"
    for name in ("members.csv", "identifiers.csv", "orders.csv"):
        with open(tmp_path / "b" / name, newline="", encoding="utf-8") as f:
            cells = [c for row in csv.reader(f) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")], name
    assert run("verify", tmp_path / "b").exit_code == 0, "the hashes are of what was written"


def test_an_id_xml_cannot_hold_leaves_the_bundles_graph_readable(store, tmp_path):
    load_marketplace(store, tmp_path / "drop")
    store.run_cypher("MATCH (a:Account {id: 'r1'}) SET a.id = $id", {"id": "r1\ufffe\x01"}, write=True)
    export.export_ring(store, RING_ID, tmp_path / "b")
    g = nx.read_graphml(tmp_path / "b" / "graph.graphml")
    assert g.nodes["account:r1\\ufffe\\x01"]["label"] == "r1\\ufffe\\x01"
    assert export.verify(tmp_path / "b").ok


def test_a_status_or_identifier_a_later_load_gave_cites_that_load_in_the_bundle(store, tmp_path):
    """A late chargeback, or a code an order was first stored without, is evidence: the bundle names
    the load, and the file, that brought it."""
    load_marketplace(store, tmp_path / "drop")
    order = store.run_cypher("MATCH (:Account {id: 'r1'})-[:PLACED]->(o:Order) "
                             "WHERE o.status <> 'chargeback' AND o.promo_code IS NULL "
                             "RETURN o.id AS order_id, o.buyer_id AS buyer_id, o.seller_id AS seller_id, "
                             "toString(o.amount) AS amount, o.currency AS currency, "
                             "toString(o.created_at) AS created_at ORDER BY o.id LIMIT 1", {})[1][0]
    late = tmp_path / "late"
    late.mkdir()
    with open(late / "orders.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[*order, "status", "promo_code"])
        writer.writeheader()
        writer.writerow({**order, "status": "chargeback", "promo_code": "LATECODE"})
    later = load(store, [late]).run_id
    export.export_ring(store, RING_ID, tmp_path / "b")
    with open(tmp_path / "b" / "orders.csv", newline="", encoding="utf-8") as f:
        rows = {r["order_id"]: r for r in csv.DictReader(f)}
    late_row = rows[order["order_id"]]
    assert (late_row["status"], late_row["status_load_run"]) == ("chargeback", later)
    assert (late_row["promo_code"], late_row["links_load_run"]) == ("LATECODE", later), "a code given later cites its load"
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert later in [run["id"] for run in manifest["load_runs"]]


def test_a_ring_changed_while_it_is_exported_is_read_again_whole(store, tmp_path):
    """A detection publishing, or a case mark, between the export's reads gave a bundle whose
    summary held one state of the ring and its members or history another, and it verified."""
    load_marketplace(store, tmp_path / "drop")
    real_read, marks = store.read, []

    def read_while_marking(name, **params):
        if name == "export_members" and len(marks) < 1:   # between the ring's reading and its members'
            marks.append(cases.mark(store, RING_ID, "confirmed", "marked during the export", by="bob"))
        return real_read(name, **params)

    store.read = read_while_marking
    try:
        export.export_ring(store, RING_ID, tmp_path / "b", by="alice")
    finally:
        del store.read
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert marks and summary["case"]["status"] == "confirmed"
    assert [e["status"] for e in summary["case"]["history"]] == ["confirmed"]

    def read_always_marking(name, **params):
        if name == "export_members":
            cases.mark(store, RING_ID, "under_review", "marked again", by="bob")
        return real_read(name, **params)

    store.read = read_always_marking
    try:
        with pytest.raises(GraphBusyError, match="changed each of the 3 times it was read"):
            export.export_ring(store, RING_ID, tmp_path / "c", by="alice")
    finally:
        del store.read
    assert not (tmp_path / "c").exists()


def test_a_graph_an_older_graphfraud_wrote_is_not_exported_until_migrated(store, tmp_path):
    """Right after an upgrade, before any load or detection migrated the graph, a bundle silently
    lacked the building ties (36 lines of identifiers.csv): evidence must not come out short."""
    from graphfraud.errors import UsageError

    load_marketplace(store, tmp_path / "drop")
    store.write("schema_version_set", version=2)
    with pytest.raises(UsageError, match=r"schema version 2 of 5\): `graphfraud load` or `graphfraud detect` "
                                         "migrates it first"):
        export.export_ring(store, RING_ID, tmp_path / "b", by="alice")
    assert not (tmp_path / "b").exists()
    store.ensure_schema()
    assert export.export_ring(store, RING_ID, tmp_path / "b", by="alice")
