"""graphfraud query: the read-only guard, --param parsing, and the command on the real local server."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from graphfraud.cli import app
from graphfraud.errors import UsageError
from graphfraud.query import WriteRefused, check_read_only, parse_params, parse_value, write_clauses


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    # CliRunner catches a crash into result.exception: its output never shows a traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    return result


@pytest.mark.parametrize("text,clause", [
    ("CREATE (:Scratch {x: 1})", "CREATE"),
    ("create (n)", "CREATE"),
    ("MERGE (a:Account {id: 'x'})", "MERGE"),
    ("MATCH (n) SET n.flag = true", "SET"),
    ("MATCH (n) DELETE n", "DELETE"),
    ("MATCH (n)\n  DETACH\n  DELETE n", "DETACH DELETE"),
    ("MATCH (n) REMOVE n.flag", "REMOVE"),
    ("DROP INDEX order_created_at", "DROP"),
    ("LOAD CSV FROM 'file:///x.csv' AS row RETURN row", "LOAD CSV"),
    ("MATCH (n) WITH collect(n) AS ns FOREACH (x IN ns | SET x.y = 1)", "FOREACH"),
    ("MATCH (n) CALL (n) { WITH n RETURN n.id AS i } IN TRANSACTIONS OF 10 ROWS RETURN i", "IN TRANSACTIONS"),
    ("CALL db.createLabel('X')", "CALL db.createLabel"),
    ("CALL dbms.security.createUser('eve', 'pw', false)", "CALL dbms.security.createUser"),
    ("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})", "CALL apoc.periodic.iterate"),
    ("CALL `apoc.create.node`(['X'], {})", "CALL apoc.create.node"),
    ("CALL `apoc`.`create`.node(['X'], {})", "CALL apoc.create.node"),
    ("ALTER USER eve SET PASSWORD 'x'", "ALTER"),
    ("GRANT ROLE admin TO eve", "GRANT"),
    ("MATCH (n) /* harmless */ WITH n // comment\nSET n.x = 1", "SET"),
    ("MATCH (n) WHERE n.note = 'it''s' SET n.x = 1", "SET"),
    ("MATCH (n:Account) ON CREATE SET n.x = 1", "CREATE"),
    ("MATCH (as:Account) WITH as SET as.x = 2", "SET"),                       # a variable named as
    ("RETURN 1 AS x //c\rCREATE (n:X)", "CREATE"),                            # a comment ended by \r
    ("CALL merge.node(['X'], {id: 'x'}) YIELD node RETURN node", "CALL merge.node"),   # APOC without apoc.
    ("CALL do.when(true, 'CREATE (:X)', '') YIELD value RETURN value", "CALL do.when"),
    ("CALL db.migrateLegacyTemporals()", "CALL db.migrateLegacyTemporals"),
])
def test_write_clauses_are_refused_wherever_they_are(text, clause):
    found = write_clauses(text)
    assert found and found[0].clause.upper() == clause.upper()
    with pytest.raises(WriteRefused) as e:
        check_read_only(text)
    assert "--write" in str(e.value)


@pytest.mark.parametrize("text", [
    "MATCH (a:Account) RETURN count(a) AS n",
    "MATCH (n) WHERE n.note = 'CREATE a DELETE b' RETURN n",
    'MATCH (n) WHERE n.note = "SET me" RETURN n',
    "MATCH (n) // DELETE everything\nRETURN n",
    "MATCH (n) /* MERGE\n SET */ RETURN n",
    "MATCH (n) RETURN n.set AS x, n.delete, n.create",
    "MATCH (n:Create)-[:SET]->(m:Merge) RETURN n",
    "RETURN {set: 1, delete: 2, create: 3} AS m",
    "MATCH (n) RETURN n.id AS set",
    "MATCH (`DELETE`) RETURN `DELETE`",
    "UNWIND $transactions AS t WITH t WHERE t IN transactions RETURN t",
    "CALL db.labels() YIELD label RETURN label",
    "CALL `db`.`labels`() YIELD label RETURN label",
    "MATCH (n) WHERE n.id STARTS WITH $set RETURN n",
    "MATCH p = shortestPath((a)-[*..4]-(b)) RETURN p",
    "EXPLAIN MATCH (n) RETURN n",
])
def test_reads_pass_even_when_they_mention_write_words(text):
    assert write_clauses(text) == []


def test_the_refusal_says_where_the_clause_is():
    [clause] = write_clauses("MATCH (n)\nWITH n\n   SET n.x = 1")
    assert (clause.line, clause.column) == (3, 4)


@pytest.mark.parametrize("raw,value", [
    ("3", 3), ("-7", -7), ("2.5", 2.5), ("1e3", 1000.0), ("true", True), ("FALSE", False), ("null", None),
    ('["a", "b"]', ["a", "b"]), ("[1, 2]", [1, 2]), ('{"k": 1}', {"k": 1}), ('"42"', "42"),
    ("alice", "alice"), ("dev_ab12cd34", "dev_ab12cd34"), ("", ""), ("a=b", "a=b"), ("2025-10-01", "2025-10-01"),
    ("0x1F", "0x1F"),
])
def test_param_values_are_typed_like_json_else_strings(raw, value):
    assert parse_value(raw) == value


def test_params_parse_name_value_pairs():
    assert parse_params(["n=3", "who=alice", "$ids=[1,2]", "expr=a=b"]) == {
        "n": 3, "who": "alice", "ids": [1, 2], "expr": "a=b"}


@pytest.mark.parametrize("items", [["novalue"], ["1x=2"], ["a=1", "a=2"], ["l=[1, 2"], ["=3"]])
def test_bad_params_are_usage_errors(items):
    with pytest.raises(UsageError):
        parse_params(items)


# --------------------------------------------------------------------------- on the server

@pytest.fixture
def accounts(store):
    store.run_cypher("UNWIND $ids AS id CREATE (:Account {id: id, role: 'buyer', country: 'DE'})",
                     {"ids": ["a1", "a2", "a3"]}, write=True)
    return store


def test_query_prints_json_csv_and_a_table(accounts):
    text = "MATCH (a:Account) WHERE a.id IN $ids RETURN a.id AS id, a.country AS country ORDER BY id"
    result = run("query", text, "--param", 'ids=["a1","a3"]', "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{"id": "a1", "country": "DE"}, {"id": "a3", "country": "DE"}]
    result = run("query", text, "-p", 'ids=["a2"]', "--format", "csv")
    assert list(csv.DictReader(io.StringIO(result.stdout))) == [{"id": "a2", "country": "DE"}]
    result = run("query", text, "-p", 'ids=["a1"]')
    assert "a1" in result.stdout and result.stderr.strip() == "1 row"


def test_query_without_write_refuses_and_writes_nothing(accounts):
    result = run("query", "CREATE (:Scratch {x: 1})")
    assert result.exit_code == 2
    assert "refused" in result.stderr and result.stderr.count("\n") == 1
    result = run("query", "MATCH (a:Account {id: 'a1'}) DETACH DELETE a")
    assert result.exit_code == 2
    _, rows = accounts.run_cypher("MATCH (n) WHERE n:Scratch OR n:Account RETURN count(n) AS n", {})
    assert rows == [{"n": 3}]


def test_query_with_write_changes_the_graph(accounts):
    result = run("query", "CREATE (s:Scratch {x: $x}) RETURN s.x AS x", "--write", "-p", "x=7", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == [{"x": 7}]
    _, rows = accounts.run_cypher("MATCH (s:Scratch) RETURN s.x AS x", {})
    assert rows == [{"x": 7}]


def test_invalid_cypher_is_the_servers_message_in_one_line(accounts):
    result = run("query", "MATCH (a:Account RETURN a")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: query:") and result.stderr.count("\n") == 1


def test_nodes_come_back_as_property_maps(accounts):
    result = run("query", "MATCH (a:Account {id: 'a1'}) RETURN a", "--format", "json")
    [row] = json.loads(result.stdout)
    assert row["a"]["id"] == "a1" and row["a"]["country"] == "DE"


def test_bad_param_and_empty_query_are_usage_errors(accounts):
    assert run("query", "RETURN 1", "-p", "oops").exit_code == 2
    assert run("query", "   ").exit_code == 2


def test_a_write_past_the_guard_is_undone_and_refused(accounts):
    """The guard is the first line: a read-only statement runs in a transaction that is rolled back."""
    with pytest.raises(UsageError, match="wrote to the graph"):
        accounts.run_cypher("CREATE (:Pwn)", {})
    _, rows = accounts.run_cypher("CALL merge.node(['Pwn'], {id: 'x'}) YIELD node RETURN node.id AS id", {})
    assert rows == [{"id": "x"}]   # the procedure ran and reported nothing, but was rolled back
    assert accounts.run_cypher("MATCH (n:Pwn) RETURN count(n) AS n", {})[1] == [{"n": 0}]


def test_an_integer_parameter_beyond_64_bits_is_a_usage_error():
    with pytest.raises(UsageError, match="out of range for a Cypher integer"):
        parse_params(["n=100000000000000000000"])
    assert parse_params(["n=9223372036854775807"]) == {"n": 2**63 - 1}


def test_an_alias_after_a_string_is_an_alias():
    assert write_clauses("RETURN 'x' AS delete, \"y\" AS set") == []
