"""An investigator's own Cypher: the read-only guard and ``--param`` parsing.

The local server runs writes even in a READ session, and routing is not access control
on Neo4j either, so graphfraud refuses write clauses itself before a statement is sent.
The guard reads the statement as Cypher tokens: string literals and comments are
skipped, a backquoted name is a name and never a keyword (but a procedure's name is read
without its quotes: CALL `apoc`.`create`.node is apoc.create.node).

Cypher lets a variable, alias, label or property be spelled like a keyword (``UNWIND $ids AS
create RETURN create``; ``UNWIND [0] AS as`` makes a variable named ``as``), so each word is
judged by where it stands, from the token before it: the one word right after the keyword AS
is an alias, and a word after an operator, or after a keyword that takes an expression
(RETURN, WHERE …), is a name; after a whole operand it is a keyword. Where either could
follow (after ``{``, ``|``, ``*``, THEN …) a word is read as a keyword, so a doubt refuses a
read rather than lets a write through.

LOAD CSV is refused even with ``--write``, wherever it stands, and so are the procedures and
functions that run Cypher given as text (which may hold a LOAD CSV) or reach files: they
read files or URLs on the database server's machine, and a rolled-back transaction does not
undo a read.

>>> write_clauses("MATCH (n) WHERE n.note = 'DELETE me' // SET nothing\\nRETURN n.set AS set")
[]
>>> [c.clause for c in write_clauses("MATCH (n:Account) DETACH DELETE n")]
['DETACH DELETE']
>>> [c.clause for c in write_clauses("UNWIND [1] AS as CREATE (:X)")]
['CREATE']
>>> write_clauses("UNWIND ['a'] AS create RETURN create")
[]
>>> [c.clause for c in file_reads("CALL do.when(true, $text, '')")]
['CALL do.when']
>>> parse_params(["n=3", "ids=[\\"a\\",\\"b\\"]", "who=alice", "ok=true"])
{'n': 3, 'ids': ['a', 'b'], 'who': 'alice', 'ok': True}
"""

import json
import math
import re
from dataclasses import dataclass

from .errors import UsageError

__all__ = ["WriteRefused", "FileReadRefused", "WriteClause", "write_clauses", "file_reads", "check_read_only",
           "check_no_file_reads", "parse_params", "run"]

# A clause keyword, optionally followed by the word that completes it (LOAD CSV, START DATABASE).
_WRITE_WORDS = {"CREATE", "INSERT", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "FOREACH", "ALTER",
                "GRANT", "DENY", "REVOKE", "RENAME", "TERMINATE", "ENABLE", "DEALLOCATE", "REALLOCATE"}
_PAIRED = {("LOAD", "CSV"), ("DETACH", "DELETE"), ("START", "DATABASE"), ("STOP", "DATABASE"),
           ("START", "SERVER"), ("STOP", "SERVER")}
# The procedures a read-only statement may call: those that only describe the graph. Any other
# may write (the local server also answers APOC's writers without their ``apoc.`` prefix).
_READ_PROCEDURE = re.compile(
    r"""^(db\.(labels|relationshipTypes|propertyKeys|indexes|constraints|info|ping|schema\.\w+)
         | dbms\.(components|procedures|functions|info)
         | apoc\.(meta\.\w+|help|version))$""",
    re.I | re.X,
)
# Procedures and functions that run Cypher given as text or reach files or URLs: every APOC one
# but those ``_READ_PROCEDURE`` lets describe the graph (apoc.when, apoc.bolt.*, apoc.log.* … are
# many and graphfraud uses none), and the ones the local server answers without ``apoc.``
# (do.when runs a LOAD CSV).
_READS_FILES = re.compile(r"^(apoc|cypher|do|periodic|load|import|export|custom|trigger)\.", re.I)

# Where a token stands, judged from the token before it.
_CLAUSE = "clause"    # after a whole operand, or first: a keyword (a clause, AS, AND, IS …)
_OPERAND = "operand"  # after an operator or a keyword that takes an expression: a name or a literal
_ALIAS = "alias"      # right after the keyword AS: the one name it gives
_UNSURE = "unsure"    # where a clause could also begin (after { | * THEN …): a word is read as a keyword
# Keywords always followed by an expression, never by a clause.
_TAKE_AN_OPERAND = {"RETURN", "WITH", "WHERE", "AND", "OR", "XOR", "IN", "UNWIND", "BY", "SKIP", "OFFSET",
                    "LIMIT", "YIELD", "CONTAINS", "IS", "WHEN", "FROM"}
# Keywords that may open an expression (NOT x, DISTINCT x, ALL x, CASE x WHEN) or be a variable's name.
_OPEN_AN_OPERAND = {"NOT", "DISTINCT", "ALL", "CASE"}
# Words followed by a keyword or an operator whether they are keywords or names (x IS NULL AS y,
# CASE … END AS y, ORDER BY x DESC LIMIT 1, STARTS WITH x).
_BEFORE_A_KEYWORD = {"NULL", "TRUE", "FALSE", "INF", "INFINITY", "NAN", "END", "ASC", "ASCENDING", "DESC",
                     "DESCENDING", "ORDER", "STARTS", "ENDS"}
# Punctuation always followed by an operand. ``*``, ``+``, ``%`` and ``>`` may also end a clause
# (WITH *, a quantified path ((a)-->(b))+, the any-label n:%, a type LIST<INTEGER>); ``{`` and
# ``|`` may start one (CALL { … }, FOREACH (… | …)).
_OPERATORS = {*",([=<-/^~.:$!&", "<>"}

_NAME = r"(?: [^\W\d]\w* | `(?:[^`]|``)*` )"  # plain (any script's letters) or backquoted (`` is a backquote)
_STRING = r"""'(?:[^'\\]|\\.)*'? | "(?:[^"\\]|\\.)*"?"""
# A comment, or what may hold comment marks or quotes without starting one: a string, a backquoted name.
_COMMENT_OR_QUOTED = re.compile(rf"//[^\n\r]* | /\*.*?(?:\*/|\Z) | {_STRING} | `(?:[^`]|``)*`?", re.S | re.X)
_TOKEN = re.compile(
    rf"""(?P<literal> {_STRING} )
      | (?P<word> {_NAME} (?:\s*\.\s*{_NAME})* )
      | (?P<number> 0[xX][0-9A-Fa-f_]+ | 0o[0-7_]+ | [0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)? )
      | (?P<punct> <> | \S )""",
    re.S | re.X,
)
_NAME_PART = re.compile(r"`((?:[^`]|``)*)`|([^\s.`]+)")
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class WriteClause:
    clause: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.clause} at line {self.line}, column {self.column}"


def _listed(clauses: list[WriteClause]) -> str:
    return ", ".join(str(c) for c in clauses[:3]) + (" …" if len(clauses) > 3 else "")


class WriteRefused(UsageError):
    """A statement that would change the graph, sent without ``--write``."""

    def __init__(self, clauses: list[WriteClause]):
        self.clauses = clauses
        super().__init__(f"refused: the statement writes ({_listed(clauses)}); queries are read-only unless --write "
                         "is given")


class FileReadRefused(UsageError):
    """A statement that could read the server's files: refused with or without ``--write``."""

    def __init__(self, reads: list[WriteClause]):
        self.reads = reads
        super().__init__(f"refused: the statement could read files or URLs on the database server's machine "
                         f"({_listed(reads)}); query never runs LOAD CSV, APOC (but apoc.meta.*), or procedures "
                         "that run Cypher text or reach files, with or without --write (data is loaded with "
                         "graphfraud load)")


def _without_comments(text: str) -> str:
    """``text`` with each comment blanked (same length, line breaks kept): the server reads a
    comment as a space, so ``do/**/.when`` is the dotted name ``do.when`` to the tokens too.
    Read left to right like the server: ``//`` in a string or a backquoted name (`` `//` ``) is
    no comment, and a quote inside a backquoted name starts no string."""
    def blank(m):
        found = m.group()
        return found if found[:1] in "'\"`" else re.sub(r"[^\n\r]", " ", found)
    return _COMMENT_OR_QUOTED.sub(blank, text)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of each token outside comments; a string is one "literal" token."""
    return [(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(_without_comments(text))]


def _procedure_name(word: str) -> str:
    """A (dotted) name as the server resolves it: quotes removed, parts joined by dots."""
    return ".".join(quoted.replace("``", "`") if quoted is not None else plain
                    for quoted, plain in (m.groups() for m in _NAME_PART.finditer(word)))


def _is_name(word: str, place: str) -> bool:
    """Whether a word standing at ``place`` names something (a variable, alias, label, property,
    procedure or function) rather than being a keyword."""
    if word.startswith("`") or "." in word:
        return True   # backquoted or dotted: never a keyword
    return place == _ALIAS or place == _OPERAND and word.upper() not in _OPEN_AN_OPERAND


def _place_after(kind: str, value: str, place: str) -> str:
    """Where the token after this one (standing at ``place``) stands."""
    if kind in ("literal", "number") or value in (")", "]", "}", ";"):
        return _CLAUSE
    if kind == "punct":
        return _OPERAND if value in _OPERATORS else _UNSURE
    word = value.upper()
    if _is_name(value, place) or word in _BEFORE_A_KEYWORD:
        return _CLAUSE
    if place != _CLAUSE:
        return _UNSURE   # a keyword where a name could stand, or a word that may be either
    if word == "AS":
        return _ALIAS
    return _OPERAND if word in _TAKE_AN_OPERAND else _UNSURE


def _places(tokens: list[tuple[str, str, int]]) -> list[str]:
    """Where each token stands, read from the start of the statement."""
    places, place = [], _CLAUSE
    for kind, value, _ in tokens:
        places.append(place)
        place = _place_after(kind, value, place)
    return places


def _line_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _token(tokens: list[tuple[str, str, int]], i: int) -> tuple[str, str, int]:
    """Token ``i``, or an empty one before the first and after the last."""
    return tokens[i] if 0 <= i < len(tokens) else ("", "", 0)


def _write_clause(tokens: list[tuple[str, str, int]], i: int, names: set[int]) -> str | None:
    """The write clause or write procedure call that keyword ``tokens[i]`` starts, if any."""
    word = tokens[i][1].upper()
    before = _token(tokens, i - 1)[1].upper()
    kind_after, after, _ = _token(tokens, i + 1)
    if word == "CALL" and kind_after == "word":
        procedure = _procedure_name(after)
        return None if _READ_PROCEDURE.match(procedure) else f"CALL {procedure}"
    if word == "IN" and before == "}" and any(_token(tokens, j)[1].upper() == "TRANSACTIONS"
                                             for j in range(i + 1, i + 5)):
        return "IN TRANSACTIONS"   # CALL { … } IN [n] [CONCURRENT] TRANSACTIONS commits as it goes
    if kind_after == "word" and (word, after.upper()) in _PAIRED:
        return f"{word} {after.upper()}"
    if word == "DELETE" and before == "DETACH" and i - 1 not in names:
        return None   # reported as DETACH DELETE
    return word if word in _WRITE_WORDS else None


def write_clauses(text: str) -> list[WriteClause]:
    """Every write clause or write procedure call in a Cypher statement, with where it is."""
    tokens = _tokens(text)
    places = _places(tokens)
    names = {i for i, (kind, value, _) in enumerate(tokens) if kind == "word" and _is_name(value, places[i])}
    found = []
    for i, (kind, value, offset) in enumerate(tokens):
        map_key = _token(tokens, i - 1)[1] == "{" and _token(tokens, i + 1)[1] == ":"
        if kind != "word" or i in names or map_key:
            continue   # n.set, (n:Create), $delete, x AS set, RETURN set, {set: 1}
        clause = _write_clause(tokens, i, names)
        if clause:
            found.append(WriteClause(clause, *_line_column(text, offset)))
    return found


def _file_read(tokens: list[tuple[str, str, int]], i: int) -> tuple[str, int] | None:
    """The LOAD CSV, or the call of a procedure or function that runs Cypher text or reaches files,
    that word ``tokens[i]`` starts, with the offset it is reported at; None if it starts neither."""
    _, word, offset = tokens[i]
    _, before, before_offset = _token(tokens, i - 1)
    kind_after, after, _ = _token(tokens, i + 1)
    if word.upper() == "LOAD" and kind_after == "word" and after.upper() == "CSV":
        return "LOAD CSV", offset
    name = _procedure_name(word)
    if not _READS_FILES.match(name) or _READ_PROCEDURE.match(name):
        return None
    if before.upper() == "CALL":
        return f"CALL {name}", before_offset
    return (name, offset) if after == "(" else None


def file_reads(text: str) -> list[WriteClause]:
    """Every LOAD CSV, and every call of a procedure or function that runs Cypher text or reaches
    files. Unlike ``write_clauses`` it ignores where a word stands: no rollback undoes a read."""
    tokens = _tokens(text)
    found = []
    for i, (kind, _, _) in enumerate(tokens):
        read = _file_read(tokens, i) if kind == "word" else None
        if read:
            found.append(WriteClause(read[0], *_line_column(text, read[1])))
    return found


def check_read_only(text: str) -> None:
    """Raise ``WriteRefused`` when the statement holds a write clause. The first line of defence:
    ``Store.run_cypher`` also runs read-only statements in a transaction it rolls back."""
    clauses = write_clauses(text)
    if clauses:
        raise WriteRefused(clauses)


def check_no_file_reads(text: str) -> None:
    """Raise ``FileReadRefused`` when the statement could read the server's files: the only line
    of defence, since a rolled-back transaction does not undo a read."""
    reads = file_reads(text)
    if reads:
        raise FileReadRefused(reads)


def parse_value(text: str):
    """A ``--param`` value: a number, true/false, null, a JSON list, object or quoted string; else the text.

    Digits with a leading zero stay text: ``0012345`` is an id, and as the number 12345 it would
    match nothing.

    >>> parse_value("0012345"), parse_value("0"), parse_value("0.5")
    ('0012345', 0, 0.5)
    """
    s = text.strip()
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    if re.match(r"[+-]?0\d", s):
        return text
    if re.fullmatch(r"[+-]?\d+", s):
        return _cypher_number(int(s), text)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", s):
        return _cypher_number(float(s), text)
    if s and s[0] in "[{\"":
        try:
            return json.loads(s, parse_int=lambda digits: _cypher_number(int(digits), text),
                              parse_float=lambda digits: _cypher_number(float(digits), text),
                              parse_constant=lambda name: _cypher_number(float(name), text))
        except json.JSONDecodeError as e:
            if s[:1] != '"':
                raise UsageError(f"--param value {text!r} looks like JSON but is not: {e.msg}") from None
    return text


def _cypher_number(number, text: str):
    """``number`` if Cypher can take it: a 64-bit integer, a finite float (1e999 was sent as infinity)."""
    if isinstance(number, int) and not -2**63 <= number < 2**63:
        raise UsageError(f"--param value {text!r} holds {number} and is out of range for a Cypher integer (64 bits)")
    if isinstance(number, float) and not math.isfinite(number):
        raise UsageError(f"--param value {text!r} holds {number!r}, not a finite number")
    return number


def parse_params(items: list[str]) -> dict:
    """``["k=v", …]`` into a parameter map; each name once."""
    params = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not _PARAM_NAME.match(name):
            raise UsageError(f"--param {item!r}: expected NAME=VALUE with NAME a Cypher parameter name")
        if name in params:
            raise UsageError(f"--param {name} is given twice")
        try:
            params[name] = parse_value(value)
        except RecursionError:
            raise UsageError(f"--param {name}: the value is nested too deeply") from None
    return params


def run(store, text: str, params: dict, write: bool = False) -> tuple[list[str], list[dict]]:
    """Run an investigator's statement: refused if it could read the server's files, or if it writes
    and ``write`` is false."""
    if not text.strip():
        raise UsageError("the query is empty")
    check_no_file_reads(text)
    if not write:
        check_read_only(text)
    return store.run_cypher(text, params, write=write)
