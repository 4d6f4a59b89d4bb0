"""Quick reads that must not pay for SQLAlchemy's import: the ledger's language setting
(read before the app and its help are built) and the names shell completion offers.

Only the standard library's sqlite3, or the PostgreSQL driver alone; any failure (no
ledger yet, no table, no server) reads as nothing, so that help and completion still work.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from timebank.ledger.basics.language import fold, normalise_language


def _path(value: str | None) -> Path | str | None:
    """The SQLite file a --db value names, or the URL of a PostgreSQL ledger (paths and URLs
    told apart by the rule the ledger itself uses: `location`)."""
    from timebank.ledger.storage.location import quick_target

    value = value or os.environ.get("TIMEBANK_DB")
    if value is None:
        from platformdirs import user_data_dir

        return Path(user_data_dir("timebank", appauthor=False)) / "timebank.sqlite3"
    return quick_target(value)


def query(db: str | None, sql: str, params: tuple[Any, ...] = (), *, sqlite_sql: str | None = None
          ) -> list[tuple[Any, ...]]:
    """Rows of one query on the ledger, or none at all if it cannot be read. `sqlite_sql`, if
    given, is the same query written for SQLite (with ? parameters)."""
    return _rows(db, sql, params, sqlite_sql=sqlite_sql) or []


def _rows(db: str | None, sql: str, params: tuple[Any, ...] = (), *, sqlite_sql: str | None = None
          ) -> list[tuple[Any, ...]] | None:
    """As `query`, but None when the ledger cannot be read (or has no such column)."""
    target = _path(db)
    if target is None:
        return None
    if isinstance(target, str):
        try:
            import psycopg

            with psycopg.connect(target, connect_timeout=5) as conn:
                return [tuple(row) for row in conn.execute(sql, params if "%s" in sql else None)]
        except Exception:  # no server, no table, no driver: nothing to say
            return None
    import sqlite3

    try:
        if not target.expanduser().is_file():
            return None
        # A plain connection, closed at once. (A `mode=ro` connection to a WAL database
        # lost other processes' commits under load here: never open one.)
        connection = sqlite3.connect(target.expanduser().resolve(), timeout=5)
        try:
            return list(connection.execute(sqlite_sql or sql, params if sqlite_sql else ()))
        finally:
            connection.close()
    except (sqlite3.Error, OSError, ValueError):
        return None


def ledger_language(db: str | None) -> str | None:
    rows = query(db, "SELECT value FROM settings WHERE key = 'lang'")
    return normalise_language(rows[0][0]) if rows else None


def members_matching(db: str | None, incomplete: str, limit: int = 50) -> list[tuple[int, str]]:
    """Active members whose number starts with `incomplete`, or whose name or a word of it
    does, ignoring case and accents ('si' finds Siân)."""
    wanted = fold(incomplete.lstrip("#").strip())
    active = "FROM members WHERE kind NOT IN ('pot', 'partner') AND \"left\" IS NULL AND forgotten IS NULL"
    order = " ORDER BY name, number"  # members of one name by number, on either database
    # The stored folded names (`members.folded`, kept with every name change) narrow in the
    # database: only the names holding the text somewhere (every name or word of a name that
    # starts with it does, whatever gap comes before the word) and the numbers starting with
    # it come back, never every member to fold here (ten thousand names took a tenth of a
    # second to send and fold on PostgreSQL). A word can start anywhere in a name, so this
    # reads the column through rather than a range of its index (2 ms for ten thousand names
    # on SQLite); the rule below decides, as it always has.
    numbers = " OR CAST(number AS TEXT) LIKE {0}" if wanted.isdigit() else ""
    params: tuple[Any, ...] = (wanted, wanted + "%") if numbers else (wanted,)
    where = " AND (folded IS NULL OR {holds}" + numbers + ")"
    rows = _rows(db, f"SELECT number, name, folded {active}" + where.format("%s", holds="strpos(folded, %s) > 0")
                 + order, params,
                 sqlite_sql=f"SELECT number, name, folded {active}" + where.format("?", holds="instr(folded, ?) > 0")
                 + order)
    if rows is None:  # a ledger from before folded names were stored (or none at all)
        rows = [(number, name, None) for number, name in query(db, f"SELECT number, name {active}{order}")]
    found = []
    for number, name, folded in rows:
        folded = fold(name) if folded is None else folded
        if str(number).startswith(wanted) or folded.startswith(wanted) or \
                any(word.startswith(wanted) for word in folded.split()):
            found.append((number, name))
            if len(found) >= limit:
                break
    return found


def category_names(db: str | None) -> list[tuple[str, ...]]:
    """(code, English name, Welsh name, Welsh code) of every category (a ledger made before
    Welsh codes has none)."""
    return ([tuple(row) for row in query(db, "SELECT code, name_en, name_cy, code_cy FROM categories ORDER BY code")]
            or [tuple(row) for row in query(db, "SELECT code, name_en, name_cy FROM categories ORDER BY code")])
