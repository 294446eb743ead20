"""Every statement in cypher/ takes $parameters only, needs no plugin, and the server parses it.

The server check prefixes each statement with EXPLAIN, which plans without running on
Neo4j and on the local ArcadeDB server alike: ArcadeDB's EXPLAIN rejects syntax errors,
undefined variables and unknown functions, and does not run a write (the canary tests
below hold it to that). It does *run* schema commands, so the statements of
cypher/schema.cypher are not EXPLAINed: they are run again for real, which also shows
that they are idempotent. Neo4j's own checker (tools/cypher-check, run by .ci/run) checks
the same files as Neo4j 5 Cypher without a server.
"""

import re

import pytest

from graphfraud.errors import StoreError
from graphfraud.store import CYPHER_DIR, statement, statements

SCHEMA = "schema"
CYPHER_FILES = sorted(CYPHER_DIR.glob("*.cypher"))
STATEMENT_FILES = [p for p in CYPHER_FILES if p.stem != SCHEMA]
by_name = {"ids": lambda p: p.name}

_TOKEN = re.compile(
    r"""(?P<comment>//[^\n]*|/\*.*?\*/)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<name>`[^`]*`)""",
    re.S | re.X,
)
_PARAMETER = re.compile(r"\$(\w+|`[^`]+`)")
_FORMAT_BRACES = re.compile(r"\{\s*\w+\s*\}")
_PERCENT_FORMAT = re.compile(r"%\(\w+\)[sd]|%[sd](?!\w)")
_PLUGIN = re.compile(r"\b(apoc|gds)\.", re.I)
_DDL = re.compile(r"\s*(CREATE|DROP)\s+(\w+\s+)?(CONSTRAINT|INDEX)\b", re.I)


def _split(text: str) -> tuple[str, list[str]]:
    """The text with comments and string literals blanked out, and the string literals."""
    literals = []

    def blank(match):
        if match.group("string"):
            literals.append(match.group("string"))
            return "''"
        return " " if match.group("comment") else match.group("name")

    return _TOKEN.sub(blank, text), literals


def _parameters(text: str) -> list[str]:
    code, _ = _split(text)
    return sorted({name.strip("`") for name in _PARAMETER.findall(code)})


def _placeholders(text: str) -> list[str]:
    """Python formatting (``{name}``, ``%s``, ``%(name)s``) where a $parameter belongs."""
    code, literals = _split(text)
    found = []
    for match in _FORMAT_BRACES.finditer(code):
        before = code[: match.start()].rstrip()
        if not before or not (before[-1].isalnum() or before[-1] in "_`"):  # not `n {prop}`
            found.append(match.group())
    found += _PERCENT_FORMAT.findall(code)
    for literal in literals:
        found += [m.group() for m in _FORMAT_BRACES.finditer(literal)]
        found += _PERCENT_FORMAT.findall(literal)
    return found


def _plugin_mentions(text: str) -> list[str]:
    return [m.group() for m in _PLUGIN.finditer(text)]


def test_cypher_directory_holds_statements():
    assert CYPHER_FILES, f"no .cypher files in {CYPHER_DIR}"
    assert (CYPHER_DIR / f"{SCHEMA}.cypher").exists()


@pytest.mark.parametrize("path", CYPHER_FILES, **by_name)
def test_cypher_file_holds_a_statement(path):
    code, _ = _split(path.read_text())
    assert code.strip(" \n;"), f"{path.name} holds no statement"


@pytest.mark.parametrize("path", CYPHER_FILES, **by_name)
def test_cypher_file_takes_only_dollar_parameters(path):
    assert _placeholders(path.read_text()) == []


@pytest.mark.parametrize("path", CYPHER_FILES, **by_name)
def test_cypher_file_needs_no_apoc_or_gds(path):
    assert _plugin_mentions(path.read_text()) == []


@pytest.mark.parametrize("path", STATEMENT_FILES, **by_name)
def test_statement_file_holds_one_statement(path):
    code, _ = _split(statement(path.stem))
    assert ";" not in code, f"{path.name}: one statement per file (Store sends the file whole)"


@pytest.mark.parametrize("path", STATEMENT_FILES, **by_name)
def test_schema_changes_live_only_in_the_schema_file(path):
    assert not _DDL.match(_split(statement(path.stem))[0])


@pytest.mark.parametrize("path", STATEMENT_FILES, **by_name)
def test_statement_parses_on_the_server(store, path):
    text = statement(path.stem)
    if _DDL.match(_split(text)[0]):
        pytest.skip("ArcadeDB runs an EXPLAINed schema change; it fails the test above")
    store.run_cypher("EXPLAIN " + text, dict.fromkeys(_parameters(text)), write=True)


def test_schema_statements_are_schema_changes_that_can_run_again(store):
    texts = statements(SCHEMA)
    assert texts
    for text in texts:
        assert _DDL.match(text), f"not a schema change: {text[:60]}"
        store.run_cypher(text, {}, write=True)  # the fixture ran them once already


@pytest.mark.parametrize(
    "broken",
    [
        "MATCH (a:Account {id: $id} RETURN a.id AS id",
        "MATCH (a:Account) RETURN b.id AS id",
        "MATCH (a:Account) RETURN lenght(a.id) AS n",
        "MATCH (a:Account) RETURN a.id AS x, a.role AS x",
    ],
    ids=["syntax", "undefined-variable", "unknown-function", "duplicate-column"],
)
def test_server_explain_rejects_a_broken_statement(store, broken):
    with pytest.raises(StoreError):
        store.run_cypher("EXPLAIN " + broken, dict.fromkeys(_parameters(broken)), write=True)


def test_server_explain_does_not_run_a_write(store):
    store.run_cypher("EXPLAIN CREATE (:Account {id: $id})", {"id": "explained"}, write=True)
    _, rows = store.run_cypher("MATCH (a:Account) RETURN count(a) AS n", {})
    assert rows == [{"n": 0}]


@pytest.mark.parametrize(
    "text",
    [
        "MATCH (a:Account {id: {id}}) RETURN a",
        "MATCH (a:Account {id: '{id}'}) RETURN a",
        "MATCH (a:Account {id: %s}) RETURN a",
        "MATCH (a:Account) WHERE a.id = '%(id)s' RETURN a",
    ],
)
def test_placeholder_check_catches_python_formatting(text):
    assert _placeholders(text)


@pytest.mark.parametrize(
    "text",
    [
        "MATCH (a:Account {id: $id}) RETURN a {.id, role} AS a",
        "RETURN '50% off' AS s, {} AS m // {name} in a comment",
        "MATCH (a) CALL (a) { DETACH DELETE a } IN TRANSACTIONS OF 10 ROWS",
    ],
)
def test_placeholder_check_passes_plain_cypher(text):
    assert _placeholders(text) == []


def test_plugin_check_sees_apoc_and_gds_in_any_case():
    assert _plugin_mentions("CALL apoc.periodic.iterate('a', 'b', {}) // GDS.pageRank") == ["apoc.", "GDS."]
    assert _plugin_mentions("MATCH (a:Account {apocalypse: $gds}) RETURN a") == []


def test_parameters_are_read_outside_strings_and_comments():
    text = "// $nope\nMATCH (a {id: $id, x: '$not'}) WHERE a.y = $`odd name` RETURN $id"
    assert _parameters(text) == ["id", "odd name"]
