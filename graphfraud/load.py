"""Load marketplace tables (CSV, CSV.gz, Parquet, JSONL) into the graph.

The load is checked before anything is written (files exist, required columns are
there), rows are validated and normalised in Python, rows that cannot load go to a
quarantine CSV with file, line, column and reason, and the rest is written in batched
``UNWIND`` statements on constrained keys (identifiers MERGEd; accounts, orders and links
looked up and only the new ones created, see ``_Writer``): loading the same files twice,
or again after a kill, ends with the same graph. Card numbers are replaced by their
keyed hash the moment a row is read; they never reach the store, a log or the
quarantine file.
"""

import csv
import gzip
import io
import json
import re
import time
import unicodedata
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import chain, islice
from pathlib import Path

from . import normalise
from .errors import InputError, UsageError
from .hashing import sha256_file
from .home import card_hash_key, home, installation, private_folder, private_opener
from .locks import graph_writer
from .store import BATCH_ROWS, failure_recorded
from .times import now_text, parse, utc_text
from .wording import CONTROLS, DIRECTION_CONTROLS, counted

CHUNK_ROWS = 200_000   # raw rows parsed and written at a time: bounds the memory of a load


@dataclass(frozen=True)
class Table:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]


# Dependency order: identifiers and orders need their accounts first.
TABLES = (
    Table("accounts", ("account_id", "role", "created_at", "country"), ("status",)),
    Table("account_devices", ("account_id", "device_id"), ("first_seen", "last_seen", "ip")),
    Table("account_addresses", ("account_id", "address"), ("kind", "country")),
    Table("account_payment_instruments", ("account_id",), ("instrument_id", "card_number", "kind", "bin", "last4")),
    Table("orders", ("order_id", "buyer_id", "seller_id", "amount", "currency", "created_at"),
          ("status", "device_id", "address", "instrument_id", "card_number", "promo_code")),
)
TABLE_BY_NAME = {t.name: t for t in TABLES}
ROLES = {"buyer", "seller", "both"}
EXTENSIONS = (".csv.gz", ".jsonl.gz", ".csv", ".parquet", ".jsonl")
SECRET_COLUMNS = ("card_number",)
# Where a card number may turn up although it should not (a column mix-up, a number pasted into
# an address): an id that is or holds one is stored as its keyed hash (``normalise.id_as_stored``),
# so it still joins; any other text has it masked (``normalise.mask_stored_text``). Validated
# columns are left to their checks.
ID_COLUMNS = ("account_id", "buyer_id", "seller_id", "order_id", "device_id", "instrument_id", "promo_code")
VALIDATED_COLUMNS = ("card_number", "ip", "created_at", "first_seen", "last_seen", "amount")


QUARANTINE_SHOWN = 2_000   # characters of one value the quarantine keeps: a file csv readers (and people) can open


def _cut(value: str) -> str:
    return value if len(value) <= QUARANTINE_SHOWN else f"{value[:QUARANTINE_SHOWN]}… ({len(value):,} characters)"


@dataclass
class Quarantine:
    """Rows that could not load, with where and why; written as one CSV per load."""

    rows: list[dict] = field(default_factory=list)

    def add(self, file: str, line: int, column: str | None, reason: str, row: dict, misaligned: bool = False) -> None:
        """A row that could not load; ``misaligned``: its values are not under their columns,
        so every long number in it is masked, a card number with a typo too."""
        checked = not misaligned
        shown = {normalise.mask_card_numbers(str(k), checked): "<redacted>" if k in SECRET_COLUMNS and v else
                 _cut(normalise.mask_card_numbers(v, checked)) if isinstance(v, str) else v for k, v in row.items()}
        self.rows.append({"file": file, "line": line, "column": column or "", "reason": normalise.mask_card_numbers(reason),
                          "row": json.dumps(shown, ensure_ascii=False, default=str)})

    def write(self, run_id: str) -> Path | None:
        if not self.rows:
            return None
        path = private_folder(home() / "quarantine") / f"{run_id}.csv"
        with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace", opener=private_opener) as f:
            writer = csv.DictWriter(f, fieldnames=["file", "line", "column", "reason", "row"])
            writer.writeheader()
            writer.writerows(sorted(self.rows, key=lambda r: (r["file"], r["line"])))
        return path


@dataclass
class LoadResult:
    run_id: str
    files: list[dict]
    counts: dict  # table -> {"read", "loaded", "quarantined"}
    quarantined: int
    quarantine_file: Path | None
    notes: list[str]
    seconds: float

    @property
    def rows_read(self) -> int:
        return sum(c["read"] for c in self.counts.values())

    @property
    def rows_loaded(self) -> int:
        return sum(c["loaded"] for c in self.counts.values())


# --------------------------------------------------------------------------- files

def file_name(path: Path) -> str:
    """A file's name as the load run stores it and its notes and quarantine show it: a card number in
    it (an export named after the card it was pulled for) masked, as in any text graphfraud keeps."""
    return normalise.mask_stored_text(path.name)


def table_of(path: Path) -> str | None:
    """The table a file holds, from its name: ``orders.csv``, ``orders_2026w10.parquet``…"""
    name = path.name.lower()
    stem = next((name[: -len(ext)] for ext in EXTENSIONS if name.endswith(ext)), None)
    if stem is None:
        return None
    matches = [t for t in TABLE_BY_NAME if stem == t or stem.startswith(t + "_") or stem.startswith(t + "-")]
    return max(matches, key=len) if matches else None


def discover(paths: list[Path]) -> tuple[list[tuple[str, Path]], list[str]]:
    """(table, file) pairs in dependency order, and notes about files that were skipped."""
    found, skipped = [], []
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
        candidates = sorted(path.iterdir()) if path.is_dir() else [path]
        for p in candidates:
            table = table_of(p) if p.is_file() else None
            if p.is_dir():
                skipped.append(f"{file_name(p)}/ (a folder: its files are not read)")
            elif table:
                found.append((table, p))
            elif path.is_dir():
                skipped.append(file_name(p))
            else:
                raise UsageError(f"{p}: cannot tell which table this is; name it after one of {', '.join(TABLE_BY_NAME)}")
    notes = [f"not named after a table, so skipped: {', '.join(skipped)}"] if skipped else []
    if not found:
        raise UsageError(f"no input tables found in {', '.join(map(str, paths))} (expected {', '.join(TABLE_BY_NAME)})")
    order = {t.name: i for i, t in enumerate(TABLES)}
    found.sort(key=lambda tp: (order[tp[0]], str(tp[1])))
    return found, notes


def _open_text(path: Path):
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


DELIMITERS = ",;\t|"
HEADER_SAMPLE = 1000   # JSONL objects whose keys make a JSONL file's columns


def csv_reader(f):
    """A CSV reader whose delimiter is the one the header line uses most (a European spreadsheet
    export writes ``;``; a tab or ``|`` also occur); ``,`` when the header has none of them."""
    blank, header = [], f.readline()
    while header and not header.strip():   # blank lines before the header: kept, so line numbers hold
        blank.append(header)
        header = f.readline()
    delimiter = max(DELIMITERS, key=header.count)   # the first, ',', on a tie or when none occurs
    return csv.reader(chain(blank, [header], f), delimiter=delimiter)


def refuse_repeated_columns(path: Path, header: list[str]) -> None:
    """A column named twice is refused: a reader sees one value, the loader would keep the other.
    Unnamed (empty) columns, as a spreadsheet exports the empty cells after the last one, are no
    column anybody reads: they are ignored like other extra columns."""
    twice = sorted({c for c in header if c.strip() and header.count(c) > 1})
    if twice:
        raise InputError(path, f"column {', '.join(map(repr, twice))} appears more than once")


def read_header(path: Path) -> list[str]:
    """Column names, read without loading the file: a JSONL file's are the keys of its first objects."""
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            import pyarrow.parquet as pq

            return pq.read_schema(path).names
        with _open_text(path) as f:
            if ".jsonl" in name:
                keys: dict = {}
                for obj in islice(map(_json_object, filter(str.strip, f)), HEADER_SAMPLE):
                    keys.update(dict.fromkeys(obj or {}))
                return list(keys)
            return next(csv_reader(f), [])
    except (OSError, EOFError, ValueError, csv.Error) as e:
        _refuse_if_not_utf8(path, e)
        raise InputError(path, f"cannot be read: {type(e).__name__}: {str(e)[:200]}") from None
    except Exception as e:  # pyarrow raises its own error types for a corrupt file
        raise InputError(path, f"cannot be read: {str(e)[:200]}") from None


@dataclass(frozen=True)
class _Unreadable:
    """A line that is no row of its table: quarantined with this reason, showing what it holds."""

    reason: str
    row: dict


# What a file that breaks off half-way raises: a truncated or corrupt .gz, a byte that is not
# UTF-8, a CSV field over the csv module's limit, a Parquet value Python cannot hold.
READ_ERRORS = (OSError, EOFError, ValueError, csv.Error, zlib.error)


def iter_rows(path: Path):
    """(line number, row dict with string values, or ``_Unreadable``) for every data line of a file.

    A file that cannot be read to its end raises ``InputError`` saying where it broke off;
    ``load`` reads every file through once before it writes anything, so such a file is
    refused whole rather than loaded in part.
    """
    name = path.name.lower()
    rows = _parquet_rows(path) if name.endswith(".parquet") else _jsonl_rows(path) if ".jsonl" in name \
        else _csv_rows(path)
    line = 1
    try:
        for line, row in rows:
            yield line, row
    except READ_ERRORS as e:
        _refuse_if_not_utf8(path, e)
        raise InputError(path, f"cannot be read after line {line}: {type(e).__name__}: {str(e)[:200]}") from None
    except Exception as e:  # pyarrow's own error types
        raise InputError(path, f"cannot be read after line {line}: {str(e)[:200]}") from None


def not_utf8(path: Path, line: int, byte: int) -> InputError:
    """The error for a file holding a byte that is not UTF-8, naming its line."""
    return InputError(path, f"cannot be read: byte 0x{byte:02x} is not UTF-8 (save the file as UTF-8)", row=line)


def _refuse_if_not_utf8(path: Path, error: Exception) -> None:
    """Raise ``not_utf8`` naming the line when ``error`` is a text file's byte that is not UTF-8. Text
    is decoded a block ahead of the rows, so the line is found again, line by line in binary: no
    UTF-8 character holds a newline byte, so each line decodes on its own."""
    if not isinstance(error, UnicodeDecodeError) or path.name.lower().endswith(".parquet"):
        return
    with (gzip.open if path.name.lower().endswith(".gz") else open)(path, "rb") as f:
        for line, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise not_utf8(path, line, raw[e.start]) from None


def _parquet_rows(path: Path):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    line = 1
    for batch in pq.ParquetFile(path).iter_batches(batch_size=65536):
        # Timestamps as ISO text: Python's datetime holds no nanoseconds, and the loader parses text anyway.
        columns = [pc.cast(c, pa.string()) if pa.types.is_timestamp(c.type) else c for c in batch.columns]
        for row in pa.RecordBatch.from_arrays(columns, names=batch.schema.names).to_pylist():
            line += 1
            yield line, _values(row)


def _json_object(text: str) -> dict | None:
    try:
        row = json.loads(text)
    except (ValueError, RecursionError):   # not JSON, or nested deeper than Python's stack
        return None
    return row if isinstance(row, dict) else None


def _jsonl_rows(path: Path):
    with _open_text(path) as f:
        for line, text in enumerate(f, start=1):
            if text.strip():
                row = _json_object(text)
                yield line, _Unreadable("not a JSON object", {}) if row is None else _values(row)


def _values(row: dict) -> dict | _Unreadable:
    """A JSONL object's or Parquet row's values as text; a list or object where a value belongs is no row."""
    nested = next((k for k, v in row.items() if isinstance(v, (dict, list, tuple))), None)
    if nested is not None:
        return _Unreadable(f"{nested} holds a list or an object, not a value", {k: _text(v) for k, v in row.items()})
    return {k: _text(v) for k, v in row.items()}


def _csv_rows(path: Path):
    with _open_text(path) as f:
        reader = csv_reader(f)
        header = next(reader, [])
        end = reader.line_num
        for fields in reader:
            start, end = end + 1, reader.line_num
            if not fields:
                continue   # a blank line
            if end > start and _holds_rows(fields, len(header), reader.dialect.delimiter):
                yield start, _Unreadable(f"a quoted field runs from line {start} to line {end}: an unbalanced "
                                         "quote took in the lines after it, which were not loaded",
                                         _named(header, fields))
            elif len(fields) == len(header):
                yield start, dict(zip(header, fields))
            else:   # shifted values (an unquoted comma in an address) would load under the wrong column
                yield start, _Unreadable(f"row has {len(fields)} fields, the header has {len(header)}",
                                         _named(header, fields))


def _holds_rows(fields: list[str], width: int, delimiter: str) -> bool:
    """Whether a field spanning lines holds what an unbalanced quote runs over: a quote of a later
    row, or lines with as many delimiters as a row of three or more columns has. An address
    quoted over two lines ("Flat 2, 5 Oak St⏎London, SW1A 1AA") does not."""
    tails = [f.split("\n", 1)[1] for f in fields if "\n" in f]
    return any('"' in tail or width >= 3 and any(line.count(delimiter) >= width - 1 for line in tail.splitlines())
               for tail in tails)


def _named(header: list[str], fields: list[str]) -> dict:
    names = header + [f"field {i}" for i in range(len(header) + 1, len(fields) + 1)]
    return dict(zip(names, fields))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))   # an id column read as floating point (a nullable integer column): 7.0 is id 7
    return str(value)


# --------------------------------------------------------------------------- values

class RowError(Exception):
    def __init__(self, column: str, reason: str):
        self.column, self.reason = column, reason


def _shown(value: str, limit: int) -> str:
    """A bad value quoted in a reason: card numbers masked before it is cut, so no cut leaves part of one."""
    return repr(normalise.mask_card_numbers(value)[:limit])


# Controls (``wording.CONTROLS``), the noncharacters U+FFFE and U+FFFF (XML has no place for them:
# the bundle's GraphML would not be read back), and the halves of a surrogate pair a JSON escape can
# give alone (no text can hold one: the server refuses it)
_CONTROL = re.compile(f"[{CONTROLS}\ud800-\udfff\ufffe\uffff]")
# Characters that show as nothing or reorder what follows (direction controls, zero-width ones, the
# byte order mark): in an id they make two ids that read the same ("acct_7" and "acct_7" + U+200B)
_INVISIBLE = re.compile(f"[{DIRECTION_CONTROLS}\u00ad\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f\ufeff]")
MAX_VALUE = 131_072       # characters in one value: Python's csv refuses a longer field, so JSONL and Parquet do too


def _no_control(row: dict) -> None:
    """A control character is no part of any id, name or amount: it comes from a damaged or
    binary file. (The projection relies on it too: it packs an order's keys into one string with
    ``project.KEY_SEPARATOR``.) One search per row, not per value."""
    if not _CONTROL.search("".join(row.values())):
        return
    column, found = next((k, m) for k, v in row.items() if (m := _CONTROL.search(v)))
    code = ord(found.group())
    name = ("a NUL character" if code == 0 else f"the noncharacter U+{code:04X}" if code >= 0xfffe else
            f"half a surrogate pair, U+{code:04X}" if code >= 0xd800 else f"the control character U+{code:04X}")
    raise RowError(column, f"{column} holds {name} (a damaged or binary file?)")


def _usable(row: dict) -> None:
    """No value too long to store (``MAX_VALUE``), and no id holding a character that does not show
    (``_INVISIBLE``): an address may hold a right-to-left mark, an id has no use for one."""
    for column, value in row.items():
        if len(value) > MAX_VALUE:
            raise RowError(column, f"{column} is {len(value):,} characters long; at most {MAX_VALUE:,}")
        if column in ID_COLUMNS and (found := _INVISIBLE.search(value)):
            raise RowError(column, f"{column} holds the invisible character U+{ord(found.group()):04X}, which "
                                   "makes two ids read the same")


def check_id(column: str, value: str) -> None:
    """Raise ``RowError`` where the loader would refuse ``value`` in id column ``column`` (a control or
    invisible character): an id read elsewhere (a labels file) is held to what the graph can hold."""
    _no_control({column: value})
    _usable({column: value})


_COUNTRY = re.compile(r"[^\W\d_]+(?:[ .'’()-]+[^\W\d_]*)*")   # "DE", "Deutschland", "Côte d'Ivoire"


def _country(value: str, column: str) -> str:
    """A country code or name, upper-cased; anything else is refused: the weekly report names the
    countries rings shift between, and markup there (`[…](http…)`, `<img …>`, a line break and a
    heading) would speak to its readers in the report's voice."""
    if value and not (len(value) <= 60 and _COUNTRY.fullmatch(value)):
        raise RowError(column, f"{column} {_shown(value, 40)} is not a country code or name")
    return value.upper()


def _required(row: dict, column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise RowError(column, f"{column} is missing")
    return value


EARLIEST_YEAR = 1900   # a year before is a typo (0202 for 2025) or a placeholder (0001-01-01); 1900-01-01 and
                       # 1970-01-01, placeholders too, load as what they say


def _timestamp(row: dict, column: str, optional: bool = False) -> str | None:
    """An ISO 8601 timestamp as UTC ``YYYY-MM-DDTHH:MM:SSZ`` (naive times are taken as UTC).

    A missing optional one is None, never "": the store cannot read "" as a datetime.
    """
    value = (row.get(column) or "").strip()
    if not value:
        if optional:
            return None
        raise RowError(column, f"{column} is missing")
    try:
        stored = utc_text(parse(value))
    except (ValueError, OverflowError):   # overflow: a year 1 or 9999 moment has no UTC form in range
        raise RowError(column, f"{column} {_shown(value, 40)} is not an ISO 8601 timestamp") from None
    if stored < f"{EARLIEST_YEAR:04d}":   # the stored (UTC) year: 1900-01-01T00:30+01:00 is in 1899
        raise RowError(column, f"{column} {_shown(value, 40)} is before {EARLIEST_YEAR}: a typo or a placeholder, "
                               "no marketplace event")
    return stored


_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+|[+-]?[0-9]{1,3}(?:,[0-9]{3}){2,}")
_AMBIGUOUS = re.compile(r"[+-]?[0-9]{1,3},[0-9]{3}")   # a thousands comma, or three decimals after a comma
_DECIMAL_COMMA = re.compile(r"[+-]?(?:[0-9]{1,3}(?:[.\s][0-9]{3})+|[0-9]+),[0-9]{1,2}")


def _number(value: str) -> float | None:
    """A money amount as people write it, in ASCII digits: 12.50 and 1,234.50, and as European
    exports write it, 12,50 and 1.234,50. None for anything else, "1,234" included (1234 or 1.234?)."""
    if _PLAIN.fullmatch(value):
        return float(value)
    if _GROUPED.fullmatch(value):
        return float(value.replace(",", ""))
    if _DECIMAL_COMMA.fullmatch(value):
        return float(re.sub(r"[.\s]", "", value).replace(",", "."))
    return None


def _amount(row: dict, column: str) -> float:
    value = _required(row, column)
    amount = _number(value)
    if amount is None and _AMBIGUOUS.fullmatch(value):
        raise RowError(column, f"{column} {_shown(value, 40)} is ambiguous: {value.replace(',', '')} or "
                               f"{value.replace(',', '.')}? Write the decimals out")
    if amount is None:
        raise RowError(column, f"{column} {_shown(value, 40)} is not a number")
    amount = round(amount, 2) + 0.0   # + 0.0: -0 is 0
    if not 0 <= amount < 1e12:
        raise RowError(column, f"{column} {_shown(value, 40)} is out of range")
    return amount


KEY_CHECK_TEXT = "graphfraud card key check"


def check_card_key(store) -> None:
    """Refuse to load with a card key other than the one this graph's card numbers were hashed with:
    the same card would be stored under another id, and its links lost without a word."""
    check = normalise.card_key(KEY_CHECK_TEXT, card_hash_key())
    [stored] = store.write("card_key_check", check=check)
    if stored["check"] != check:
        raise UsageError(f"{home() / 'card.key'} is not the key this graph's card numbers were hashed with (lost "
                         "and made anew, or another installation's): restore it from a backup, or copy the "
                         "installation's whose loads the graph holds")


class _Instruments:
    """Resolves an instrument column or a raw card number to a stored instrument id."""

    def __init__(self):
        self.key = None

    def hash_key(self) -> bytes:
        """The installation's card hashing key, read (or made) once, when a load first needs it."""
        self.key = self.key or card_hash_key()
        return self.key

    def resolve(self, row: dict) -> tuple[str, str, str] | None:
        """(instrument id, bin, last4) from ``card_number`` (hashed) or ``instrument_id``."""
        card = (row.get("card_number") or "").strip()
        if card:
            try:
                return normalise.card_instrument(card, self.hash_key())
            except ValueError as e:
                raise RowError("card_number", str(e)) from None
        instrument = (row.get("instrument_id") or "").strip()
        if not instrument:
            return None
        bin_, last4 = (row.get("bin") or "").strip(), (row.get("last4") or "").strip()
        if bin_ and not (6 <= len(bin_) <= 8 and bin_.isascii() and bin_.isdigit()):
            raise RowError("bin", f"bin {_shown(bin_, 20)} is not 6 to 8 digits")
        if last4 and not (len(last4) == 4 and last4.isascii() and last4.isdigit()):
            raise RowError("last4", f"last4 {_shown(last4, 20)} is not 4 digits")
        return instrument, bin_, last4


# --------------------------------------------------------------------------- the load

# An order's statuses that end its story: a later drop can turn one into a chargeback (a refunded
# order can still be charged back), nothing else. A drop loaded again after a later one cannot
# undo a chargeback that way; a dispute can still be settled either way.
FINAL_STATUSES = ("chargeback", "refunded", "cancelled")


def may_follow(stored: str, given: str) -> bool:
    """Whether an order stored with status ``stored`` takes ``given`` from a later drop.

    >>> may_follow("completed", "chargeback"), may_follow("chargeback", "completed"), may_follow("disputed", "completed")
    (True, False, True)
    """
    return stored not in FINAL_STATUSES or (given == "chargeback" and stored != "chargeback")


ORDER_LINKS = {"device": "device_id", "address": "address", "instrument": "instrument_id", "promo_code": "promo_code"}
"""An order's identifiers (parsed key -> input column). A row that leaves one out says nothing
about it; two rows of one order that name different ones disagree."""


def _other_link(row: dict, stored: dict) -> str | None:
    """The first identifier ``row`` names that ``stored`` names otherwise, if any."""
    return next((k for k in ORDER_LINKS if row[k] and stored[k] and row[k] != stored[k]), None)


def _first_row(seen: dict, row_id: str, values: tuple, column: str, what: str) -> bool:
    """Whether this is the first row of ``row_id`` in this load (``seen`` records it): a repeat with
    the same values is not loaded twice, one with other values is refused."""
    earlier = seen.get(row_id)
    if earlier is None:
        seen[row_id] = values
        return True
    if earlier != values:
        raise RowError(column, f"duplicate {what} {row_id!r} with conflicting values")
    return False


class _Loader:
    """One load's parsing state: what this load has seen, what the store confirmed, quarantine, counts."""

    def __init__(self, store):
        self.store = store
        self.quarantine = Quarantine()
        self.instruments = _Instruments()
        self.accounts: dict[str, tuple] = {}      # id -> (role, created_at, country) seen in this load
        self.orders: dict[str, tuple] = {}       # id -> values, for the chunk being parsed
        self.order_rows: dict[str, dict] = {}    # id -> its parsed row, for the chunk being parsed
        self.known_accounts: dict[str, str] = {}  # id -> country, for ids confirmed to exist in the store
        self.refused_accounts: set[str] = set()   # ids whose account row this load quarantined and did not load:
                                                  # their links and orders are held back with them
        self.counts: dict[str, dict] = {}
        self.unknown_statuses: Counter = Counter()  # order statuses outside the known six, kept as written
        self.restated = 0                         # orders already stored that took this load's new status
        self.restated_accounts = 0                # accounts already stored that took this load's new status
        self.kept_final = 0                       # … and those whose stored status is final, kept
        self.filled = 0                           # orders already stored that took an identifier they lacked

    # ----- per-table row parsing: return the cleaned row or raise RowError

    def _parse_accounts(self, row):
        account_id = _required(row, "account_id")
        role = _required(row, "role").lower()
        if role not in ROLES:
            raise RowError("role", f"unknown role {_shown(role, 20)} (expected buyer, seller or both)")
        created = _timestamp(row, "created_at")
        country = _country(_required(row, "country"), "country")
        stated = (row.get("status") or "").strip().lower()   # no status: active when new, the stored one when not
        if not _first_row(self.accounts, account_id, (role, created, country), "account_id", "account"):
            return None
        self.refused_accounts.discard(account_id)   # a bad row of it came first; this one loads
        return {"id": account_id, "role": role, "created_at": created, "country": country,
                "status": stated or "active", "status_stated": bool(stated)}

    def country_of(self, account_id: str) -> str:
        """The account's country, which its addresses are read by, whichever load brought the account."""
        seen = self.accounts.get(account_id)
        return seen[2] if seen else self.known_accounts.get(account_id, "")

    def _account_ref(self, row, column):
        account_id = _required(row, column)
        if account_id in self.refused_accounts:   # linking it to the stored account of that id would mix two people
            raise RowError(column, f"account {account_id!r} is quarantined in this load: its rows are held back with it")
        if account_id not in self.accounts and account_id not in self.known_accounts:
            raise RowError(column, f"account {account_id!r} does not exist")
        return account_id

    def _parse_account_devices(self, row):
        account_id = self._account_ref(row, "account_id")
        raw = _required(row, "device_id")
        device = normalise.device_id(raw)
        if not device:   # "[]", "()": one shared "" device would link every account that wrote one
            raise RowError("device_id", "device_id has nothing left after normalisation")
        first = _timestamp(row, "first_seen", optional=True)
        last = _timestamp(row, "last_seen", optional=True) or first
        first = first or last
        if first and last < first:   # stored text compares as time does
            raise RowError("last_seen", f"last_seen {last} is before first_seen {first}")
        ip = (row.get("ip") or "").strip()
        if ip and not normalise.valid_ip(ip):
            raise RowError("ip", f"ip {_shown(ip, 45)} is not an IP address")
        if normalise.card_number_in(ip):   # 4111:1111:1111:1111:: is an IPv6 address too
            raise RowError("ip", f"ip {_shown(ip, 45)} is a card number")
        return {"account_id": account_id, "device_id": device, "raw": raw, "first_seen": first,
                "last_seen": last, "ip": ip}

    def _parse_account_addresses(self, row):
        account_id = self._account_ref(row, "account_id")
        raw = _required(row, "address")
        country = _country((row.get("country") or "").strip(), "country") or self.country_of(account_id)
        key = normalise.address_key(raw, country)
        if not key:
            raise RowError("address", "address has nothing left after normalisation")
        return {"account_id": account_id, "address_id": key, "raw": raw, "kind": (row.get("kind") or "").strip().lower(),
                "country": country, "postcode": normalise.postcode(raw, country)}

    def _parse_account_payment_instruments(self, row):
        account_id = self._account_ref(row, "account_id")
        resolved = self.instruments.resolve(row)
        if resolved is None:
            raise RowError("instrument_id", "neither instrument_id nor card_number is given")
        instrument, bin_, last4 = resolved
        return {"account_id": account_id, "instrument_id": instrument, "kind": (row.get("kind") or "card").strip().lower(),
                "bin": bin_, "last4": last4, "fingerprint": normalise.instrument_fingerprint(bin_, last4)}

    def _parse_orders(self, row):
        order_id = _required(row, "order_id")
        buyer = self._account_ref(row, "buyer_id")
        seller = self._account_ref(row, "seller_id")
        amount = _amount(row, "amount")
        currency = unicodedata.normalize("NFKC", _required(row, "currency")).upper()   # ＥＵＲ is EUR
        if len(currency) != 3 or not (currency.isascii() and currency.isalpha()):
            raise RowError("currency", f"currency {_shown(currency, 10)} is not an ISO 4217 code")
        created = _timestamp(row, "created_at")
        stated = (row.get("status") or "").strip()   # no status: completed when new, the stored one when not
        status, known = normalise.order_status(stated or "completed")
        if not known:
            self.unknown_statuses[status[:40]] += 1
        device_raw = (row.get("device_id") or "").strip()
        device = normalise.device_id(device_raw) if device_raw else ""
        address_raw = (row.get("address") or "").strip()
        address = normalise.address_key(address_raw, self.country_of(buyer)) if address_raw else ""
        instrument = self.instruments.resolve(row)
        promo = normalise.promo_code(row.get("promo_code") or "")
        parsed = {"id": order_id, "buyer_id": buyer, "seller_id": seller, "amount": amount, "currency": currency,
                  "created_at": created, "status": status, "status_stated": bool(stated), "promo_code": promo or None,
                  "device": device or None, "device_raw": device_raw,
                  "address": address or None, "address_raw": address_raw,
                  "instrument": instrument[0] if instrument else None,
                  "instrument_bin": instrument[1] if instrument else "",
                  "instrument_last4": instrument[2] if instrument else ""}
        # Recorded only once nothing above can reject the row: a corrected row for the id may follow.
        if _first_row(self.orders, order_id, (buyer, seller, amount, currency, created), "order_id", "order"):
            self.order_rows[order_id] = parsed
            return parsed
        earlier = self.order_rows[order_id]   # the same order again, later in the drop
        if conflict := _other_link(parsed, earlier):
            raise RowError(ORDER_LINKS[conflict], f"duplicate order {order_id!r} with conflicting values")
        for link in ORDER_LINKS:   # what the earlier row left out, this one may give
            if parsed[link] and not earlier[link]:
                earlier.update({k: v for k, v in parsed.items() if k.startswith(link)})
        if stated:   # its status is the later one
            earlier.update(status=status, status_stated=True)
        return None

    # ----- reading

    def chunks(self, table: str, path: Path):
        """Clean rows of one file, ``CHUNK_ROWS`` raw rows at a time; bad rows go to quarantine.

        A load never holds more than a chunk of a file: a marketplace of millions of orders
        loads in bounded memory. A duplicate id in a later chunk is caught against the store.
        """
        parse = getattr(self, f"_parse_{table}")
        counts = self.counts.setdefault(table, {"read": 0, "loaded": 0, "quarantined": 0})
        raw = iter_rows(path)
        while raw_rows := list(islice(raw, CHUNK_ROWS)):
            self.orders.clear()   # orders of earlier chunks are in the store, and checked there
            self.order_rows.clear()
            raw_rows = [(line, row if isinstance(row, _Unreadable) else self._without_card_numbers(row))
                        for line, row in raw_rows]
            if table in ("account_devices", "account_addresses", "account_payment_instruments", "orders"):
                self._confirm_accounts(table, raw_rows)
            rows = []
            for line, row in raw_rows:
                counts["read"] += 1
                if isinstance(row, _Unreadable):
                    self.quarantine.add(file_name(path), line, None, row.reason, row.row, misaligned=True)
                    counts["quarantined"] += 1
                    continue
                try:
                    _no_control(row)
                    _usable(row)
                    clean = parse(row)
                except RowError as e:
                    self.quarantine.add(file_name(path), line, e.column, e.reason, row)
                    counts["quarantined"] += 1
                    account_id = (row.get("account_id") or "").strip() if table == "accounts" else ""
                    if account_id and account_id not in self.accounts:
                        self.refused_accounts.add(account_id)
                    continue
                if clean is not None:
                    clean["line"] = f"{file_name(path)}:{line}"
                    rows.append(clean)
            yield rows

    def _without_card_numbers(self, row: dict) -> dict:
        """The row with no card number left outside ``card_number`` (see ``ID_COLUMNS``)."""
        suspect = [c for c, v in row.items() if c not in VALIDATED_COLUMNS and normalise.may_hold_card_number(v)]
        if not suspect:
            return row
        row = dict(row)
        for column in suspect:
            value = row[column]
            digits = normalise.card_number_in(value) if column == "instrument_id" else None
            if digits:   # a card number given as the instrument id: hashed as card_number is, bin and last4 kept
                row["card_number"], row[column] = row.get("card_number") or digits, ""
            elif column in ID_COLUMNS:
                row[column] = normalise.id_as_stored(column, value, self.instruments.hash_key)
            else:
                row[column] = normalise.mask_stored_text(value)
        return row

    def _confirm_accounts(self, table, raw_rows):
        """Look up, in one pass, referenced accounts that this load did not bring."""
        columns = ("buyer_id", "seller_id") if table == "orders" else ("account_id",)
        wanted = {(r.get(c) or "").strip() for _, r in raw_rows if isinstance(r, dict) for c in columns}
        wanted -= self.accounts.keys() | self.known_accounts.keys() | {""}
        wanted = sorted(wanted)
        for start in range(0, len(wanted), 20000):
            found = self.store.read("find_accounts", ids=wanted[start:start + 20000])
            self.known_accounts.update((r["id"], r["country"] or "") for r in found)


def _merge_uses(rows: list[dict], target: str) -> list[dict]:
    """One row per (account, identifier): widest first/last seen, every raw spelling."""
    merged: dict[tuple, dict] = {}
    for r in rows:
        key = (r["account_id"], r[target])
        m = merged.get(key)
        if m is None:
            merged[key] = {**r, "to": r[target], "raw": [r["raw"]] if r.get("raw") else []}
            continue
        if r.get("first_seen"):
            m["first_seen"], m["last_seen"] = _widen(m["first_seen"], m["last_seen"], r["first_seen"], r["last_seen"])
        if r.get("raw") and r["raw"] not in m["raw"]:
            m["raw"].append(r["raw"])
    return list(merged.values())


def _widen(first, last, other_first, other_last) -> tuple:
    """The first/last seen span covering both; a missing (None) date neither wins nor erases one."""
    firsts = [t for t in (first, other_first) if t is not None]
    lasts = [t for t in (last, other_last) if t is not None]
    return min(firsts, default=None), max(lasts, default=None)


def _instant(text: str | None) -> datetime | None:
    """A stored timestamp, whatever ISO spelling the server returns it in, as an aware datetime."""
    return parse(text) if text else None


def new_run_id() -> str:
    """The id of a load run: when it started, and a random tail."""
    return "load-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def load(store, paths: list[Path], progress=None, run_id: str | None = None) -> LoadResult:
    """Load files or folders into the store. ``progress(description, total)`` returns an ``advance(n)``;
    ``run_id`` names the load run (the weekly job records it before the load, to clean up after a kill).

    One load or detection of an installation at a time (``locks.graph_writer``): another one running
    raises ``GraphBusyError`` before anything is read or written.
    """
    with graph_writer("load"):
        return _load(store, paths, progress, run_id)


def _load(store, paths: list[Path], progress, run_id: str | None) -> LoadResult:
    started = time.monotonic()
    tables, notes = discover(paths)
    files = []
    for table, path in tables:  # check every file before writing anything
        header = read_header(path)
        if not header and next(iter_rows(path), None) is None:   # a week with no orders, exported as nothing
            notes.append(f"{file_name(path)}: empty, nothing to load")
            continue
        spec = TABLE_BY_NAME[table]
        refuse_repeated_columns(path, header)
        missing = [c for c in spec.required if c not in header]
        if table == "account_payment_instruments" and not {"instrument_id", "card_number"} & set(header):
            missing.append("instrument_id (or card_number)")
        if missing:
            raise InputError(path, f"missing required column {', '.join(missing)}")
        extra = [normalise.mask_card_numbers(c) or "(unnamed)" for c in header
                 if c not in spec.required + spec.optional]
        if extra:
            notes.append(f"{file_name(path)}: extra columns ignored: {', '.join(extra)}")
        files.append({"table": table, "path": path, "name": file_name(path), "sha256": sha256_file(path)})
    tick = progress or (lambda description, total: (lambda n: None))
    advance = tick("rows read through", None)
    for f in files:   # read to the end once: a file that breaks off half-way is refused, not loaded in part
        advance(sum(1 for _ in iter_rows(f["path"])))

    loader = _Loader(store)
    run_id = run_id or new_run_id()
    notes += store.ensure_schema(tick)
    check_card_key(store)
    here = installation()
    store.write("load_abandon_stale", id=run_id, now=now_text(), installation=here)
    store.write("load_run_start", id=run_id, started_at=now_text(), files=[f["name"] for f in files],
                sha256=[f["sha256"] for f in files], installation=here)
    writer = _Writer(store, loader, run_id, tick)
    with failure_recorded(store, "load_run_failed", run_id):
        for f in files:  # in dependency order (discover)
            for rows in loader.chunks(f["table"], f["path"]):
                getattr(writer, f["table"])(rows)
        for c in loader.counts.values():
            c["loaded"] = c["read"] - c["quarantined"]
        if loader.restated_accounts:
            notes.append(f"accounts: {counted(loader.restated_accounts, 'account')} already stored took the status "
                         "this load gave them (suspended, closed since)")
        if loader.restated:
            notes.append(f"orders: {counted(loader.restated, 'order')} already stored took the status this load "
                         "gave them (a chargeback, refund or dispute that came after the order)")
        if loader.filled:
            notes.append(f"orders: {counted(loader.filled, 'order')} already stored took a device, address, payment "
                         "instrument or promo code they were stored without")
        if loader.kept_final:
            notes.append(f"orders: {counted(loader.kept_final, 'order')} already stored kept a final status "
                         f"({', '.join(FINAL_STATUSES)}) this load gave otherwise (an earlier drop loaded again?)")
        if loader.unknown_statuses:
            kept = ", ".join(f"{status!r} ({n:,})" for status, n in loader.unknown_statuses.most_common(5))
            notes.append(f"orders: statuses outside {', '.join(normalise.ORDER_STATUSES)} kept as written and counted "
                         f"as none of chargeback, refund or cancellation: {kept}")
        quarantine_file = loader.quarantine.write(run_id)
        quarantined = len(loader.quarantine.rows)
        store.write("load_run_end", id=run_id, ended_at=now_text(), counts=json.dumps(loader.counts),
                    quarantined=quarantined, status="complete")
    return LoadResult(run_id, [{k: str(v) for k, v in f.items()} for f in files], loader.counts, quarantined,
                      quarantine_file, notes, time.monotonic() - started)


class _Writer:
    """Writes each table's clean rows, batch by batch.

    Identifier nodes are MERGEd (few, deduplicated). Accounts, orders and account links
    are looked up first and only the new ones are CREATEd, several times faster than
    MERGE on this server; an order and its relationships are created in one transaction,
    so whatever a killed load left behind is complete and is skipped when it runs again.
    """

    def __init__(self, store, loader: _Loader, run_id: str, tick):
        self.store, self.loader, self.run_id, self.tick = store, loader, run_id, tick
        self._advance = {}    # description -> advance(n): one progress line per kind of row, across chunks

    def _each_batch(self, rows: list[dict], description: str, handle) -> None:
        """``handle(batch)`` for every batch, one after the other.

        Not in parallel: two batches of orders add edges to the same popular sellers, and
        this server answers such conflicts with retries that cost more than they gain.
        """
        if description not in self._advance:
            self._advance[description] = self.tick(description, None)
        advance = self._advance[description]
        for start in range(0, len(rows), BATCH_ROWS):
            batch = rows[start:start + BATCH_ROWS]
            handle(batch)
            advance(len(batch))

    def _merge_nodes(self, statement: str, rows: list[dict], description: str) -> None:
        self._each_batch(rows, description, lambda batch: self.store.write(statement, rows=batch))

    def _sorted_rows(self, table: str, batch: list[dict], statement: str, fields: tuple[str, ...],
                     links: tuple[str, ...] = ()) -> tuple[list[dict], list[tuple[dict, dict]]]:
        """(the rows of a batch not yet stored, (row, stored values) for those stored that agree on
        ``fields``, and on ``links`` where both name one); stored ones that disagree are quarantined."""
        stored = {r["id"]: r for r in self.store.read(statement, ids=[r["id"] for r in batch])}
        key_column = TABLE_BY_NAME[table].required[0]
        new, agreeing = [], []
        for row in batch:
            old = stored.get(row["id"])
            if old is None:
                new.append(row)
                continue
            differ = [f for f in fields if _differs(row[f], old[f])]
            differ += [link for link in links if row[link] and old[link] and row[link] != old[link]]
            if differ:
                file, line = row["line"].rsplit(":", 1)
                self.loader.quarantine.add(file, int(line), differ[0], f"{key_column} {row['id']!r} is already stored "
                                           f"with another {' and '.join(differ)}",
                                           {k: v for k, v in row.items() if k != "line"})
                self.loader.counts[table]["quarantined"] += 1
                if table == "accounts":
                    self.loader.refused_accounts.add(row["id"])
            else:
                agreeing.append((row, old))
        return new, agreeing

    @staticmethod
    def _changed_status(stored: list[tuple[dict, dict]]) -> list[tuple[dict, dict]]:
        """(row, stored values) of the rows stored already that state another status than the stored one."""
        return [(row, old) for row, old in stored if row["status_stated"] and row["status"] != old["status"]]

    def accounts(self, rows):
        def handle(batch):
            new, stored = self._sorted_rows("accounts", batch, "load_accounts_existing", ("role", "created_at", "country"))
            restated = [{"id": row["id"], "status": row["status"]}
                        for row, _ in self._changed_status(stored)]   # a suspension that came later
            self.loader.restated_accounts += len(restated)
            self.store.write_together([("load_accounts_create", {"rows": new, "run_id": self.run_id}),
                                       ("load_accounts_status", {"rows": restated, "run_id": self.run_id})])
        self._each_batch(rows, "accounts", handle)

    def account_devices(self, rows):
        self._merge_nodes("load_devices", [{"id": i} for i in sorted({r["device_id"] for r in rows})], "devices")
        self._links("account_devices", _merge_uses(rows, "device_id"), "account → device")
        with_ip = [r for r in rows if r["ip"]]
        ips = sorted({r["ip"] for r in with_ip})
        self._merge_nodes("load_ips", [{"id": ip, "subnet": normalise.ip_subnet(ip)} for ip in ips], "IPs")
        self._links("account_ips", _merge_uses([{**r, "raw": ""} for r in with_ip], "ip"), "account → IP")

    def account_addresses(self, rows):
        self._addresses(rows)
        self._links("account_addresses", _merge_uses(rows, "address_id"), "account → address")

    def account_payment_instruments(self, rows):
        self._instruments(rows)
        self._links("account_instruments", _merge_uses([{**r, "raw": ""} for r in rows], "instrument_id"),
                    "account → instrument")

    def _links(self, name: str, rows: list[dict], description: str) -> None:
        """Account -> identifier links: create the new ones, widen the stored ones that changed, and
        keep the keys they reach on their accounts (``load_account_*_keys``), in one transaction."""
        def handle(batch):
            stored = {(r["account_id"], r["to"]): r for r in
                      self.store.read(f"load_{name}_existing", ids=sorted({r["account_id"] for r in batch}))}
            create, update = [], []
            for row in batch:
                old = stored.get((row["account_id"], row["to"]))
                if old is None:
                    create.append(row)
                    continue
                old_raw = old.get("raw") or []
                widened = {**row, "raw": old_raw + [x for x in row["raw"] if x not in old_raw]}
                changed = widened["raw"] != old_raw
                if "first_seen" in row:  # devices and IPs: the stored span, widened by the row's
                    stored_span = (_instant(old["first_seen"]), _instant(old["last_seen"]))
                    first, last = _widen(*stored_span, _instant(row["first_seen"]), _instant(row["last_seen"]))
                    changed |= (first, last) != stored_span
                    widened.update(first_seen=utc_text(first) if first else None,
                                   last_seen=utc_text(last) if last else None)
                if changed:
                    update.append(widened)
            parts = [(f"load_{name}_create", {"rows": create})]
            if update:  # never for instruments: their links carry nothing to widen
                parts.append((f"load_{name}_update", {"rows": update}))
            if create or update:   # the keys kept on the accounts, in the same transaction as their links
                changed = sorted({r["account_id"] for r in create + update})
                parts.append((f"load_{name}_keys", {"rows": [{"account_id": a} for a in changed]}))
            self.store.write_together(parts)
        self._each_batch(rows, description, handle)

    def orders(self, rows):
        """New orders with their identifiers, statuses restated, identifiers an order stored without
        them is now given: each batch in one transaction. An identifier node is made only for an order
        that is written, so a refused row leaves nothing behind."""
        def handle(batch):
            new, stored = self._sorted_rows("orders", batch, "load_orders_existing",
                                            ("buyer_id", "seller_id", "amount", "currency", "created_at"),
                                            tuple(ORDER_LINKS))
            changed = self._changed_status(stored)
            restated = [{"id": row["id"], "status": row["status"]} for row, old in changed
                        if may_follow(old["status"], row["status"])]
            self.loader.restated += len(restated)
            self.loader.kept_final += len(changed) - len(restated)
            filled = [{**row, **{link: row[link] if row[link] and not old[link] else None for link in ORDER_LINKS}}
                      for row, old in stored]
            filled = [row for row in filled if any(row[link] for link in ORDER_LINKS)]
            self.loader.filled += len(filled)
            linked = new + filled
            self.store.write_together([
                ("load_devices", {"rows": [{"id": i} for i in sorted({r["device"] for r in linked if r["device"]})]}),
                ("load_addresses", {"rows": _address_nodes(
                    {"address_id": r["address"], "country": self.loader.country_of(r["buyer_id"]), "postcode": None}
                    for r in linked if r["address"])}),
                ("load_instruments", {"rows": _instrument_nodes(
                    {"instrument_id": r["instrument"], "kind": "card", "bin": r["instrument_bin"],
                     "last4": r["instrument_last4"],
                     "fingerprint": normalise.instrument_fingerprint(r["instrument_bin"], r["instrument_last4"])}
                    for r in linked if r["instrument"])}),
                ("load_promo_codes", {"rows": [{"id": p} for p in sorted({r["promo_code"] for r in linked
                                                                            if r["promo_code"]})]}),
                ("load_orders_create", {"rows": new, "run_id": self.run_id}),
                ("load_orders_fill", {"rows": filled, "run_id": self.run_id}),
                ("load_order_devices", {"rows": [{"id": r["id"], "to": r["device"]} for r in linked if r["device"]]}),
                ("load_order_addresses", {"rows": [{"id": r["id"], "to": r["address"], "raw": r["address_raw"]}
                                                   for r in linked if r["address"]]}),
                ("load_order_instruments", {"rows": [{"id": r["id"], "to": r["instrument"]}
                                                     for r in linked if r["instrument"]]}),
                ("load_order_promos", {"rows": [{"id": r["id"], "to": r["promo_code"]}
                                                for r in linked if r["promo_code"]]}),
                ("load_orders_status", {"rows": restated, "run_id": self.run_id}),
            ])
        self._each_batch(rows, "orders", handle)

    # ----- identifier nodes, deduplicated before they are sent

    def _addresses(self, rows):
        self._merge_nodes("load_addresses", _address_nodes(rows), "addresses")

    def _instruments(self, rows):
        self._merge_nodes("load_instruments", _instrument_nodes(rows), "instruments")


def _address_nodes(rows) -> list[dict]:
    unique = {}
    for r in rows:
        unique.setdefault(r["address_id"], {"id": r["address_id"], "country": r.get("country") or None,
                                            "postcode": r.get("postcode"),
                                            "building": normalise.building_key(r["address_id"]) or None})
    return [unique[k] for k in sorted(unique)]


def _instrument_nodes(rows) -> list[dict]:
    unique = {}
    for r in rows:
        unique.setdefault(r["instrument_id"], {"id": r["instrument_id"], "kind": r.get("kind") or "card",
                                               "bin": r.get("bin") or None, "last4": r.get("last4") or None,
                                               "fingerprint": r.get("fingerprint")})
    return [unique[k] for k in sorted(unique)]


def _differs(new, stored) -> bool:
    """Whether a row's value disagrees with the stored one (timestamps compared as instants)."""
    if isinstance(new, str) and isinstance(stored, str) and new[:4].isdigit() and "T" in new:
        return _instant(new) != _instant(stored)
    return new != stored
