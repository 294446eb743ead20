"""An investigator's own Cypher: the read-only guard and ``--param`` parsing.

The local server runs writes even in a READ session, and routing is not access control
on Neo4j either, so graphfraud refuses write clauses itself before a statement is sent.
The guard reads the statement as Cypher tokens: string literals and comments are
skipped, a backquoted name is a name and never a keyword (but a procedure's name is read
without its quotes: CALL `apoc`.`create`.node is apoc.create.node), and a keyword after
``.`` or ``:`` or before ``:`` is a property, label or map key, not a clause.

>>> write_clauses("MATCH (n) WHERE n.note = 'DELETE me' // SET nothing\\nRETURN n.set AS set")
[]
>>> [c.clause for c in write_clauses("MATCH (n:Account) DETACH DELETE n")]
['DETACH DELETE']
>>> parse_params(["n=3", "ids=[\\"a\\",\\"b\\"]", "who=alice", "ok=true"])
{'n': 3, 'ids': ['a', 'b'], 'who': 'alice', 'ok': True}
"""

import json
import re
from dataclasses import dataclass

from .errors import UsageError

__all__ = ["WriteRefused", "WriteClause", "write_clauses", "check_read_only", "parse_params", "run"]

# A clause keyword, optionally followed by the word that completes it (LOAD CSV, IN TRANSACTIONS).
_WRITE_WORDS = {"CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "FOREACH", "ALTER", "GRANT",
                "DENY", "REVOKE", "RENAME", "TERMINATE", "ENABLE", "DEALLOCATE", "REALLOCATE"}
_PAIRED = {("LOAD", "CSV"), ("IN", "TRANSACTIONS"), ("START", "DATABASE"), ("STOP", "DATABASE"),
           ("START", "SERVER"), ("STOP", "SERVER")}
# The procedures a read-only statement may call: those that only describe the graph. Any other
# may write (the local server also answers APOC's writers without their ``apoc.`` prefix).
_READ_PROCEDURE = re.compile(
    r"""^(db\.(labels|relationshipTypes|propertyKeys|indexes|constraints|info|ping|schema\.\w+)
         | dbms\.(components|procedures|functions|info)
         | apoc\.(meta\.\w+|help|version))$""",
    re.I | re.X,
)
# Words after which ``as`` is a variable, not the AS of an alias (WITH as SET as.x = 1).
_BEFORE_A_VARIABLE = {"WITH", "RETURN", "MATCH", "UNWIND", "WHERE", "BY", "SKIP", "LIMIT", "YIELD", "DISTINCT",
                      "AND", "OR", "NOT", "XOR", "IN", "CALL", "OPTIONAL", ",", "(", "[", "{", "="}
_NAME = r"(?: [A-Za-z_][A-Za-z0-9_]* | `(?:[^`]|``)*` )"  # plain or backquoted (`` is a backquote inside)
_TOKEN = re.compile(
    rf"""(?P<skip> //[^\n\r]* | /\*.*?(\*/|\Z) | '(?:[^'\\]|\\.)*'? | "(?:[^"\\]|\\.)*"? )
      | (?P<word> {_NAME} (?:\s*\.\s*{_NAME})* )
      | (?P<punct> \S )""",
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


class WriteRefused(UsageError):
    """A statement that would change the graph, sent without ``--write``."""

    def __init__(self, clauses: list[WriteClause]):
        self.clauses = clauses
        shown = ", ".join(str(c) for c in clauses[:3]) + (" …" if len(clauses) > 3 else "")
        super().__init__(f"refused: the statement writes ({shown}); queries are read-only unless --write is given")


def _tokens(text: str):
    """(kind, text, offset) of each token outside comments; a string is one "literal" token."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "skip":
            if m.group(kind)[:1] not in "'\"":
                continue   # a comment
            kind = "literal"
        yield kind, m.group(m.lastgroup), m.start()


def _procedure_name(word: str) -> str:
    """A (dotted) name as the server resolves it: quotes removed, parts joined by dots."""
    return ".".join(quoted.replace("``", "`") if quoted is not None else plain
                    for quoted, plain in (m.groups() for m in _NAME_PART.finditer(word)))


def write_clauses(text: str) -> list[WriteClause]:
    """Every write clause or write procedure call in a Cypher statement, with where it is."""
    tokens = list(_tokens(text))
    found = []

    def where(offset):
        line = text.count("\n", 0, offset) + 1
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    for i, (kind, value, offset) in enumerate(tokens):
        if kind != "word":
            continue
        before = tokens[i - 1][1] if i else ""
        after = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        alias = before.upper() == "AS" and i > 1 and tokens[i - 2][1].upper() not in _BEFORE_A_VARIABLE
        if before in (".", ":", "$") or alias or after == ":" and before in ("{", ","):
            continue  # n.set, (n:Create), $delete, x AS set, {set: 1}
        words = value.split(".")
        head = words[0].strip().upper()
        if head == "CALL" and len(words) == 1 and tokens[i + 1:i + 2] and tokens[i + 1][0] == "word":
            procedure = _procedure_name(tokens[i + 1][1])
            if not _READ_PROCEDURE.match(procedure):
                found.append(WriteClause(f"CALL {procedure}", *where(offset)))
            continue
        if len(words) > 1:
            continue  # a dotted name: a property or a function such as date.truncate
        nxt = after.upper() if i + 1 < len(tokens) and tokens[i + 1][0] == "word" else ""
        if (head, nxt) == ("IN", "TRANSACTIONS") and before != "}":
            continue  # x IN transactions: a variable, not CALL { … } IN TRANSACTIONS
        if (head, nxt) in _PAIRED:
            found.append(WriteClause(f"{head} {nxt}", *where(offset)))
        elif head == "DETACH" and nxt == "DELETE":
            found.append(WriteClause("DETACH DELETE", *where(offset)))
        elif head in _WRITE_WORDS and not (head == "DELETE" and i and tokens[i - 1][1].upper() == "DETACH"):
            found.append(WriteClause(head, *where(offset)))
    return found


def check_read_only(text: str) -> None:
    """Raise ``WriteRefused`` when the statement holds a write clause. The first line of defence:
    ``Store.run_cypher`` also runs read-only statements in a transaction it rolls back."""
    clauses = write_clauses(text)
    if clauses:
        raise WriteRefused(clauses)


def parse_value(text: str):
    """A ``--param`` value: a number, true/false, null, a JSON list, object or quoted string; else the text."""
    s = text.strip()
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    if re.fullmatch(r"[+-]?\d+", s):
        if not -2**63 <= int(s) < 2**63:
            raise UsageError(f"--param value {text!r} is out of range for a Cypher integer (64 bits)")
        return int(s)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", s):
        return float(s)
    if s and s[0] in "[{\"":
        try:
            return json.loads(s)
        except json.JSONDecodeError as e:
            if s[:1] != '"':
                raise UsageError(f"--param value {text!r} looks like JSON but is not: {e.msg}") from None
    return text


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
        params[name] = parse_value(value)
    return params


def run(store, text: str, params: dict, write: bool = False) -> tuple[list[str], list[dict]]:
    """Run an investigator's statement: refused if it writes and ``write`` is false."""
    if not text.strip():
        raise UsageError("the query is empty")
    if not write:
        check_read_only(text)
    return store.run_cypher(text, params, write=write)
