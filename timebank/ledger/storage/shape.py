"""The whole schema of a SQLite ledger -- every table's SQL, column by column and constraint by
constraint, every index, and any view or trigger -- and how it differs from the schema our
own migrations make at the same revision (`migrate.reference_schema`).

A crafted file can keep every table and column and still leave out what keeps the data
sound (the unique constraint on `exchanges.reverses`: two voids of one exchange), add a
CHECK that costs seconds a row, or hide code that runs when it is read or written: a view
(one named `alembic_version`, recursive, hangs whoever asks its revision) or a trigger. No
ledger has a view or a trigger, so any is refused wherever it is.

SQL is compared after normalising: tokens joined by single spaces, identifiers unquoted and
in lower case (SQLite's are case-insensitive), string literals exactly as written.
Reading a file we do not trust yet is done under a time limit (`time_limited`).
"""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Union

from timebank.ledger.messages import Phrase, _


@dataclass(frozen=True)
class Table:
    columns: dict[str, str]       # column name -> its normalised definition, in order
    constraints: dict[str, str]   # normalised table constraint -> as written (spaces collapsed)
    sql: str                      # the whole statement, normalised (WITHOUT ROWID, STRICT...)


@dataclass(frozen=True)
class Index:
    table: str
    unique: bool
    origin: str                   # 'c' CREATE INDEX, 'u' a UNIQUE constraint, 'pk' the primary key
    partial: bool
    columns: tuple[tuple[object, ...], ...]   # (position, column, descending, collation, key)
    sql: str                      # normalised; empty for an index a constraint made


Schema = dict[str, Union[Table, Index, str]]   # "table NAME", "index NAME", "view NAME", "trigger NAME"

_TOKEN = re.compile(r"""
      (?P<space>\s+|--[^\n]*|/\*.*?(?:\*/|$))
    | (?P<string>'(?:[^']|'')*')
    | "(?P<dq>(?:[^"]|"")*)"
    | `(?P<bq>(?:[^`]|``)*)`
    | \[(?P<sq>[^\]]*)\]
    | (?P<word>[A-Za-z0-9_$\x80-\U0010ffff]+)
    | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def tokens(sql: str) -> list[str]:
    found: list[str] = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        if kind == "space":
            continue
        if kind == "string":
            found.append(match.group())
        elif kind in ("dq", "bq"):
            found.append(match.group(kind).replace(match.group()[0] * 2, match.group()[0]).lower())
        elif kind == "sq":
            found.append(match.group(kind).lower())
        else:
            found.append(match.group().lower())
    return found


def normalised(sql: str | None) -> str:
    return " ".join(tokens(sql or ""))


def _table(sql: str) -> Table:
    """Split CREATE TABLE's body at its top-level commas into column definitions and table
    constraints."""
    words = tokens(sql)
    columns: dict[str, str] = {}
    constraints: dict[str, str] = {}
    if "(" not in words:  # CREATE TABLE ... AS SELECT: no ledger has one
        return Table(columns, constraints, " ".join(words))
    start = words.index("(")
    depth = 0
    part: list[str] = []
    parts: list[list[str]] = []
    for word in words[start + 1:]:
        if word == "(":
            depth += 1
        elif word == ")":
            if depth == 0:
                break
            depth -= 1
        if word == "," and depth == 0:
            parts.append(part)
            part = []
        else:
            part.append(word)
    parts.append(part)
    written = _written_parts(sql)
    for index, part in enumerate(parts):
        if not part:
            continue
        text = " ".join(part)
        if part[0] in ("constraint", "primary", "unique", "check", "foreign"):
            constraints[text] = _named(written[index] if index < len(written) else text)
        else:
            columns[part[0]] = text
    return Table(columns, constraints, " ".join(words))


def _named(written: str) -> str:
    """'CONSTRAINT uq_x UNIQUE (a)' as 'uq_x (UNIQUE (a))': its name first, as a message says it."""
    words = written.split(" ", 2)
    if len(words) == 3 and words[0].lower() == "constraint":
        return f"{words[1]} ({words[2]})"
    return written


def _written_parts(sql: str) -> list[str]:
    """The parts of the body as written (spaces collapsed), to name a constraint in a message."""
    start = sql.find("(")
    depth, part, parts, quote = 0, "", [], ""
    for char in sql[start + 1:]:
        if quote:
            part += char
            if char == quote:
                quote = ""
            continue
        if char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(" ".join(part.split()))
            part = ""
            continue
        part += char
    parts.append(" ".join(part.split()))
    return parts


def schema_of(conn: sqlite3.Connection) -> Schema:
    """Everything `sqlite_master` holds, whatever its name: views and triggers included (an
    object named sqlite_... is SQLite's own only if SQLite made it)."""
    schema: Schema = {}
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    for kind, name, _table_name, sql in rows:
        if kind == "table":
            schema[f"table {name}"] = _table(sql or "")
        elif kind in ("view", "trigger"):
            schema[f"{kind} {name}"] = normalised(sql)
    for kind, name, table, sql in rows:
        if kind != "index":
            continue
        listed = {row[0]: row[1:] for row in conn.execute(
            'SELECT name, "unique", origin, partial FROM pragma_index_list(?)', (table,))}
        unique, origin, partial = listed.get(name, (None, None, None))
        columns = tuple(tuple(row) for row in conn.execute(
            'SELECT seqno, name, "desc", coll, "key" FROM pragma_index_xinfo(?) ORDER BY seqno', (name,)))
        schema[f"index {name}"] = Index(table.lower(), bool(unique), str(origin), bool(partial), columns,
                                        normalised(sql))
    return schema


def is_code(key: str) -> bool:
    return key.split(" ", 1)[0] in ("view", "trigger")


def schema_differences(found: Schema, expected: Schema) -> list[Phrase]:
    """Every way `found` differs from `expected`, in words: first any view or trigger (code
    that runs when the file is read or written), then tables, then indexes."""
    differences: list[Phrase] = []
    for key in sorted(key for key in found if is_code(key) and key not in expected):
        differences.append(_("it has a trigger or view {name} that no ledger has").format(name=key.split(" ", 1)[1]))
    for key in sorted(key for key in expected if is_code(key)):
        name = key.split(" ", 1)[1]
        if key not in found:
            differences.append(_("the trigger or view {name} is missing").format(name=name))
        elif found[key] != expected[key]:
            differences.append(_("the trigger or view {name} has been changed").format(name=name))
    for key in sorted(key for key in expected if key.startswith("table ")):
        name = key.split(" ", 1)[1]
        table, wanted = found.get(key), expected[key]
        assert isinstance(wanted, Table)
        if not isinstance(table, Table):
            differences.append(_("the table {table} is missing").format(table=name))
            continue
        differences += _table_differences(name, table, wanted)
    for key in sorted(key for key in found if key.startswith("table ") and key not in expected
                      and not _statistics(key, found[key])):
        differences.append(_("it has a table {table} that no ledger has").format(table=key.split(" ", 1)[1]))
    for key in sorted(key for key in expected if key.startswith("index ")):
        name = key.split(" ", 1)[1]
        if key not in found:
            differences.append(_("the index {name} is missing").format(name=name))
        elif found[key] != expected[key]:
            differences.append(_("the index {name} has been changed").format(name=name))
    for key in sorted(key for key in found if key.startswith("index ") and key not in expected):
        differences.append(_("it has an index {name} that no ledger has").format(name=key.split(" ", 1)[1]))
    return differences


# SQLite's own statistics, which ANALYZE writes (a coordinator may run it; the bench's
# generator does): allowed as SQLite makes them. They steer its choice of index, never what a
# query returns.
STATISTICS = {"sqlite_stat1": "create table sqlite_stat1 ( tbl , idx , stat )",
              "sqlite_stat4": "create table sqlite_stat4 ( tbl , idx , neq , nlt , ndlt , sample )"}


def _statistics(key: str, table: Table | Index | str) -> bool:
    name = key.split(" ", 1)[1]
    return isinstance(table, Table) and STATISTICS.get(name) == table.sql


def _table_differences(name: str, table: Table, wanted: Table) -> list[Phrase]:
    differences: list[Phrase] = []
    for column, definition in wanted.columns.items():
        if column not in table.columns:
            differences.append(_("the table {table} has no column {column}").format(table=name, column=column))
        elif table.columns[column] != definition:
            differences.append(_("the column {column} of the table {table} has been changed").format(
                table=name, column=column))
    for column in table.columns:
        if column not in wanted.columns:
            differences.append(_("the table {table} has a column {column} that no ledger has").format(
                table=name, column=column))
    for constraint, written in wanted.constraints.items():
        if constraint not in table.constraints:
            differences.append(_("the table {table} lacks the constraint {constraint}").format(
                table=name, constraint=written))
    for constraint, written in table.constraints.items():
        if constraint not in wanted.constraints:
            differences.append(_("the table {table} has a constraint {constraint} that no ledger has").format(
                table=name, constraint=written))
    if not differences and table.sql != wanted.sql:  # the same parts, in another order or with options
        differences.append(_("the table {table} has been changed").format(table=name))
    return differences


# Reading a file we do not trust yet ------------------------------------------------------------

# A sound ledger reads (its integrity check included) at well over 2 MB a second even on a
# slow disk: 668 MB in 28 s here, on a busy machine. A file that takes longer is not one.
BASE_SECONDS = 30.0
BYTES_A_SECOND = 2_000_000


def read_limit(size: int) -> int:
    """Seconds allowed to read a file of `size` bytes."""
    return int(BASE_SECONDS + size / BYTES_A_SECOND)


class TookTooLong(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(f"took longer than {seconds} s")
        self.seconds = seconds


@contextmanager
def time_limited(conn: sqlite3.Connection, seconds: int) -> Iterator[None]:
    """Abort whatever SQLite runs on `conn` after `seconds` (a recursive view runs forever),
    raising TookTooLong: SQLite calls the handler every thousand of its instructions (145,000
    calls in the 18 s integrity check of a 668 MB ledger: nothing to measure), and a true
    answer interrupts the statement. A block that ends past the limit all the same (its
    statements too short to reach the handler) is over it too."""
    deadline = time.monotonic() + seconds
    expired = False

    def handler() -> int:
        nonlocal expired
        expired = time.monotonic() > deadline
        return int(expired)

    conn.set_progress_handler(handler, 1_000)
    try:
        yield
    except sqlite3.OperationalError:
        if expired:
            raise TookTooLong(seconds) from None
        raise
    finally:
        conn.set_progress_handler(None, 0)
    if time.monotonic() > deadline:  # past the limit between two calls of the handler: the same
        raise TookTooLong(seconds)
