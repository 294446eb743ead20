"""graphfraud query: the read-only guard, --param parsing, and the command on the real local server."""

import csv
import io
import json
import os

import pytest
from typer.testing import CliRunner

from graphfraud.cli import app
from graphfraud.errors import UsageError
from graphfraud.query import (FileReadRefused, WriteRefused, check_no_file_reads, check_read_only, file_reads,
                              parse_params, parse_value, write_clauses)


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
    ("INSERT (:X)", "INSERT"),                                                # GQL's CREATE
    ("MATCH (a) CALL { WITH a RETURN 1 AS y } IN 2 CONCURRENT TRANSACTIONS RETURN y", "IN TRANSACTIONS"),
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


# A variable named `as` (UNWIND [0] AS as) once made the guard take the clause after it for an alias.
@pytest.mark.parametrize("text,clause", [
    ("unwind [0] as as load csv from 'file:///HOME/card.key' as l return l", "LOAD CSV"),
    ("MATCH (n) WITH n AS as SET as.x = 1", "SET"),
    ("UNWIND [1] AS as CREATE (:X)", "CREATE"),
    ("MATCH (n) WITH n AS as DETACH DELETE as", "DETACH DELETE"),
    ("UNWIND [1] AS as MERGE (:X {id: as})", "MERGE"),
    ("UNWIND [1] AS `as` CREATE (:X)", "CREATE"),                          # a backquoted alias
    ("UNWIND [1] AS load CREATE (:X)", "CREATE"),
    ("CALL db.labels() YIELD label AS as CREATE (:X)", "CREATE"),
    ("UNWIND [1] AS create WITH create CREATE (:X)", "CREATE"),           # the variable, then the clause
    ("UNWIND [true] AS not WITH not CREATE (:X)", "CREATE"),
    ("UNWIND [1] AS with WITH 2 * with CREATE (:X)", "CREATE"),
    ("UNWIND [1] AS detach MATCH (n) WITH n, detach DELETE n", "DELETE"),
    ("MATCH (as) WITH as WHERE 1 <> as CREATE (:X)", "CREATE"),           # `as` as an operand
    ("UNWIND [1] AS as WITH as WHERE 1 + as > 0 CREATE (:X)", "CREATE"),
    ("UNWIND [true] AS as WITH as WHERE NOT as CREATE (:X)", "CREATE"),
    ("UNWIND [1] AS as WITH DISTINCT as CREATE (:X)", "CREATE"),
    ("UNWIND [1] AS as WITH as ORDER BY as CREATE (:X)", "CREATE"),
    ("UNWIND [true] AS as FILTER WHERE as CREATE (:X)", "CREATE"),
    ("MATCH (a:X) WITH a AS as MATCH (m) WHERE m IS as CREATE (:Y)", "CREATE"),   # a label named as
    ("UNWIND [1] AS éas CREATE (:X)", "CREATE"),                           # names in any script
    ("UNWIND [1] AS x€as CREATE (:X)", "CREATE"),                          # one name to the server
    ("WITH * CREATE (:X)", "CREATE"),                                       # clauses after what may end one
    ("WHEN true THEN CREATE (:X)", "CREATE"),
    ("MATCH (n) WHERE n:% CREATE (:X)", "CREATE"),
    ("MATCH ((a)-->(b))+ CREATE (:X)", "CREATE"),
    ("UNWIND [1] AS x WITH x WHERE [x] :: LIST<INTEGER> CREATE (:X)", "CREATE"),
])
def test_a_variable_or_alias_named_like_a_keyword_hides_no_clause(text, clause):
    assert [c.clause for c in write_clauses(text)][:1] == [clause]


@pytest.mark.parametrize("text", [
    "UNWIND ['a'] AS create RETURN create",
    "WITH n.status AS set RETURN set",
    "UNWIND [1] AS as RETURN as AS create",
    "UNWIND ['x'] AS load RETURN load",
    "UNWIND [1] AS `create` RETURN `create`",
    "CALL db.labels() YIELD label AS set RETURN set",
    "UNWIND [1] AS set WITH set ORDER BY set DESC RETURN set, set + 1 AS merge",
    "MATCH (n) WHERE n.id IN $ids RETURN n.id AS delete ORDER BY delete LIMIT 3",
    "MATCH (n) RETURN n {.set, create: 1} AS m",
    "UNWIND ['a'] AS écreate RETURN écreate",
    "MATCH (n) RETURN CASE WHEN n.x IS NULL THEN 1 ELSE 2 END AS delete, 1.5e3 AS remove",
    "MATCH (n) RETURN count(DISTINCT n.x) AS set, n.y IS NOT NULL AS merge",
])
def test_a_variable_or_alias_named_like_a_write_clause_is_a_read(text):
    assert write_clauses(text) == []


@pytest.mark.parametrize("text,read", [
    ("LOAD CSV FROM 'file:///x.csv' AS row RETURN row", "LOAD CSV"),
    ("MATCH (n) WITH n LOAD/* */csv WITH HEADERS FROM $url AS row RETURN row", "LOAD CSV"),
    ("CALL do.when(true, 'LOAD CSV FROM $url AS l RETURN l', '') YIELD value RETURN value", "CALL do.when"),
    ("CALL `apoc`.`do`.when(true, $text, '') YIELD value RETURN value", "CALL apoc.do.when"),
    ("CALL apoc.load.json('file:///x.json') YIELD value RETURN value", "CALL apoc.load.json"),
    ("RETURN apoc.cypher.runFirstColumnSingle($text, {}) AS v", "apoc.cypher.runFirstColumnSingle"),
    # a comment between the parts of a name is a space to the server: do/**/.when is do.when
    ("CALL do/**/.when(true, $text, '') YIELD value RETURN value", "CALL do.when"),
    ("CALL apoc.do /* x */ . when(true, $text, '') YIELD value RETURN value", "CALL apoc.do.when"),
    ("CALL do// x\n.when(true, $text, '') YIELD value RETURN value", "CALL do.when"),
    # a backquoted name may hold comment marks and quotes: no comment starts there
    ("WITH 1 AS `//` LOAD CSV FROM 'file:///x.csv' AS l RETURN l", "LOAD CSV"),
    ("WITH 1 AS `/*` LOAD CSV FROM 'file:///x.csv' AS l RETURN l", "LOAD CSV"),
    # APOC runs Cypher text, reaches URLs and logs in many places: none of it but apoc.meta.*
    ("CALL apoc.when(true, $text, '') YIELD value RETURN value", "CALL apoc.when"),
    ("CALL apoc.bolt.execute($url, $text, {}) YIELD row RETURN row", "CALL apoc.bolt.execute"),
])
def test_what_could_read_the_servers_files_is_refused_even_with_write(text, read):
    assert [r.clause for r in file_reads(text)] == [read]
    with pytest.raises(FileReadRefused) as e:
        check_no_file_reads(text)
    assert "with or without --write" in str(e.value) and "graphfraud load" in str(e.value)


@pytest.mark.parametrize("text", [
    "MATCH (n) WHERE n.note = 'LOAD CSV' RETURN n.load, n.csv",
    "UNWIND ['x'] AS load RETURN load",
    "WITH {x: 1} AS export RETURN export.x",
    "RETURN date.truncate('month', date()) AS d",
])
def test_reads_that_only_mention_loading_pass(text):
    assert file_reads(text) == []


@pytest.mark.parametrize("text,clause", [
    ("WITH 1 AS `//` CREATE (:X)", "CREATE"),
    ("WITH 1 AS `'` // =\nCREATE (:X) RETURN 'a'", "CREATE"),
])
def test_comment_marks_or_quotes_in_a_backquoted_name_hide_no_clause(text, clause):
    assert [c.clause for c in write_clauses(text)] == [clause]


@pytest.mark.parametrize("text", [
    "MATCH (r:Ring) WHERE COUNT { (r)<-[:MEMBER_OF]-() } IN [0, 1] RETURN r.id",
    "MATCH (r:Ring) WHERE r {.typology} IN $wanted RETURN r.id",
    "RETURN {a: 1} IN [{a: 1}] AS found",
    "RETURN 'a // b' AS x, '/* no */ CREATE' AS y",
    "MATCH (n:`a//b`) RETURN n",
])
def test_maps_subqueries_strings_and_backquoted_names_are_reads(text):
    assert write_clauses(text) == [] and file_reads(text) == []


@pytest.mark.parametrize("text", ["CALL { MATCH (n) SET n.x = 1 } IN 2 CONCURRENT TRANSACTIONS",
                                  "CALL { MATCH (n) SET n.x = 1 } IN TRANSACTIONS OF 10 ROWS"])
def test_a_subquery_in_transactions_is_a_write(text):
    assert [c.clause for c in write_clauses(text)] == ["SET", "IN TRANSACTIONS"]


def test_the_refusal_says_where_the_clause_is():
    [clause] = write_clauses("MATCH (n)\nWITH n\n   SET n.x = 1")
    assert (clause.line, clause.column) == (3, 4)


@pytest.mark.parametrize("raw,value", [
    ("3", 3), ("-7", -7), ("2.5", 2.5), ("1e3", 1000.0), ("true", True), ("FALSE", False), ("null", None),
    ('["a", "b"]', ["a", "b"]), ("[1, 2]", [1, 2]), ('{"k": 1}', {"k": 1}), ('"42"', "42"),
    ("alice", "alice"), ("dev_ab12cd34", "dev_ab12cd34"), ("", ""), ("a=b", "a=b"), ("2025-10-01", "2025-10-01"),
    ("0x1F", "0x1F"), ("0012345", "0012345"), ("-007", "-007"), ("0", 0), ("0.5", 0.5), ("-0", 0),
])
def test_param_values_are_typed_like_json_else_strings(raw, value):
    assert parse_value(raw) == value


def test_params_parse_name_value_pairs():
    assert parse_params(["n=3", "who=alice", "$ids=[1,2]", "expr=a=b"]) == {
        "n": 3, "who": "alice", "ids": [1, 2], "expr": "a=b"}


@pytest.mark.parametrize("items", [["novalue"], ["1x=2"], ["a=1", "a=2"], ["l=[1, 2"], ["=3"],
                                   ["x=" + "[" * 5000 + "]" * 5000]])
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


@pytest.mark.parametrize("text", [
    "UNWIND [1] AS as CREATE (:Scratch)",
    "MATCH (a:Account {id: 'a1'}) WITH a AS as DETACH DELETE as",
    "MATCH (a:Account) WITH a AS as SET as.role = 'seller'",
])
def test_an_alias_named_as_hides_no_write(accounts, text):
    def nodes_and_buyers():
        return accounts.run_cypher("MATCH (n) RETURN count(n) AS nodes, "
                                   "sum(CASE n.role WHEN 'buyer' THEN 1 ELSE 0 END) AS buyers", {})[1]

    before = nodes_and_buyers()
    assert before[0]["buyers"] == 3
    result = run("query", text)
    assert result.exit_code == 2
    # refused by the guard before anything is sent, not by the rollback after the server ran it
    assert result.stderr.startswith("error: refused: the statement writes") and result.stderr.count("\n") == 1
    assert nodes_and_buyers() == before


def test_variables_named_like_write_clauses_are_read(accounts):
    result = run("query", "UNWIND ['a'] AS create RETURN create", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == [{"create": "a"}]
    result = run("query", "MATCH (n:Account {id: 'a1'}) WITH n.country AS set RETURN set", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == [{"set": "DE"}]


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "card.key"
    path.write_text("not-for-investigators\n")
    return path


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="what the local server reads, not Neo4j")
def test_the_local_server_reads_the_files_load_csv_names(accounts, secret_file):
    """Why query refuses LOAD CSV: the server reads the file, and a rolled-back read still returned it."""
    load = f"LOAD CSV FROM '{secret_file.as_uri()}' AS line RETURN line"
    assert accounts.run_cypher(load, {}) == (["line"], [{"line": ["not-for-investigators"]}])
    _, rows = accounts.run_cypher("CALL do.when(true, $load, '') YIELD value RETURN value", {"load": load},
                                  write=True)
    assert rows == [{"value": {"line": ["not-for-investigators"]}}]


@pytest.mark.parametrize("template,write", [
    ("LOAD CSV FROM '{url}' AS line RETURN line", False),
    ("LOAD CSV FROM '{url}' AS line RETURN line", True),
    ("unwind [0] as as load csv from '{url}' as l return l", False),
    ("CALL do.when(true, \"LOAD CSV FROM '{url}' AS l RETURN l\", '') YIELD value RETURN value", True),
    ("CALL do/**/.when(true, \"LOAD CSV FROM '{url}' AS l RETURN l\", '') YIELD value RETURN value", True),
    ("WITH 1 AS `//` LOAD CSV FROM '{url}' AS l RETURN l", False),
])
def test_query_refuses_to_read_the_servers_files_even_with_write(accounts, secret_file, template, write):
    result = run("query", template.format(url=secret_file.as_uri()), *(["--write"] if write else []))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: refused: the statement could read files or URLs")
    assert "graphfraud load" in result.stderr and result.stderr.count("\n") == 1
    assert "not-for-investigators" not in result.output


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


@pytest.fixture
def linked(accounts):
    accounts.run_cypher("MATCH (a:Account {id: 'a1'}) SET a.created_at = datetime('2025-10-13T08:30:00Z') "
                        "CREATE (a)-[:USED_DEVICE {first_seen: datetime('2025-10-14T09:00:00Z'), raw: 'DEV-1'}]->"
                        "(:Device {id: 'dev_1'})", {}, write=True)
    return accounts


def test_nodes_relationships_and_paths_keep_their_labels_type_and_properties(linked):
    text = "MATCH p = (a:Account {id: 'a1'})-[r:USED_DEVICE]->(d) RETURN a, r, d, p"
    [row] = json.loads(run("query", text, "--format", "json").stdout)
    account = {"_labels": ["Account"], "id": "a1", "role": "buyer", "country": "DE",
               "created_at": "2025-10-13T08:30:00Z"}
    used = {"_type": "USED_DEVICE", "first_seen": "2025-10-14T09:00:00Z", "raw": "DEV-1"}
    device = {"_labels": ["Device"], "id": "dev_1"}
    assert row == {"a": account, "r": used, "d": device, "p": [account, used, device]}
    [cells] = list(csv.DictReader(io.StringIO(run("query", text, "--format", "csv").stdout)))
    assert {k: json.loads(v) for k, v in cells.items()} == row, "CSV cells are JSON text, not Python reprs"
    table = run("query", "MATCH ()-[r:USED_DEVICE]->() RETURN r").stdout
    assert '"_type": "USED_DEVICE"' in table and "neo4j" not in table and "('" not in table


def test_floats_keep_every_digit_in_tables_and_csv(accounts):
    accounts.run_cypher("UNWIND $amounts AS x CREATE (:Order {id: toString(x), amount: x})",
                        {"amounts": [13524.75, 1455.66, 0.1, 0.2]}, write=True)
    text = ("MATCH (o:Order) WITH max(o.amount) AS top, min(o.amount) AS low, sum(o.amount) AS total "
            "RETURN top, low, total, -5.5 AS negative")
    json_row = json.loads(run("query", text, "--format", "json").stdout)[0]
    [csv_row] = list(csv.DictReader(io.StringIO(run("query", text, "--format", "csv").stdout)))
    assert {k: float(v) for k, v in csv_row.items()} == json_row
    assert csv_row["top"] == "13524.75" and csv_row["negative"] == "-5.5"
    table = run("query", text).stdout
    assert "13524.75" in table and "e+" not in table and "14980.71" in table


def test_csv_text_that_starts_like_a_formula_is_neutralised_numbers_are_not(accounts):
    text = "RETURN '=1+2' AS f, '+49 30 1234' AS phone, '@SUM(A1)' AS at, '-x' AS minus, -3 AS n, 2.5 AS m, 'ok' AS t"
    [row] = list(csv.DictReader(io.StringIO(run("query", text, "--format", "csv").stdout)))
    assert row == {"f": "'=1+2", "phone": "'+49 30 1234", "at": "'@SUM(A1)", "minus": "'-x", "n": "-3", "m": "2.5",
                   "t": "ok"}
    assert json.loads(run("query", text, "--format", "json").stdout)[0]["f"] == "=1+2", "JSON carries the text as is"


def test_a_param_with_a_leading_zero_stays_the_id_it_is(accounts):
    result = run("query", "RETURN $x AS x, $n AS n", "-p", "x=0012345", "-p", "n=12345", "--format", "json")
    assert json.loads(result.stdout) == [{"x": "0012345", "n": 12345}]


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


@pytest.mark.parametrize("given, says", [
    ("n=100000000000000000000", "out of range for a Cypher integer"),
    ("n=[99999999999999999999999]", "out of range for a Cypher integer"),   # inside JSON: an OverflowError, exit 1
    ('n={"a": [1, -99999999999999999999999]}', "out of range for a Cypher integer"),
    ("n=1e999", "holds inf, not a finite number"),                            # was sent as infinity
    ("n=[1e999]", "holds inf, not a finite number"),
    ("n=[NaN]", "holds nan, not a finite number"),
])
def test_a_number_cypher_cannot_hold_is_a_usage_error(given, says):
    with pytest.raises(UsageError, match=says):
        parse_params([given])
    assert parse_params(["n=9223372036854775807"]) == {"n": 2**63 - 1}
    assert parse_params(['n={"a": [1, 2.5, "x"]}']) == {"n": {"a": [1, 2.5, "x"]}}


def test_an_alias_after_a_string_is_an_alias():
    assert write_clauses("RETURN 'x' AS delete, \"y\" AS set") == []
