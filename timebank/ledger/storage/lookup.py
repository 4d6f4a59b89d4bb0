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
    target = _path(db)
    if target is None:
        return []
    if isinstance(target, str):
        try:
            import psycopg

            with psycopg.connect(target, connect_timeout=5) as conn:
                return [tuple(row) for row in conn.execute(sql, params if "%s" in sql else None)]
        except Exception:  # no server, no table, no driver: nothing to say
            return []
    import sqlite3

    try:
        if not target.expanduser().is_file():
            return []
        # A plain connection, closed at once. (A `mode=ro` connection to a WAL database
        # lost other processes' commits under load here: never open one.)
        connection = sqlite3.connect(target.expanduser().resolve(), timeout=5)
        try:
            return list(connection.execute(sqlite_sql or sql, params if sqlite_sql else ()))
        finally:
            connection.close()
    except (sqlite3.Error, OSError, ValueError):
        return []


def ledger_language(db: str | None) -> str | None:
    rows = query(db, "SELECT value FROM settings WHERE key = 'lang'")
    return normalise_language(rows[0][0]) if rows else None


def members_matching(db: str | None, incomplete: str, limit: int = 50) -> list[tuple[int, str]]:
    """Active members whose number starts with `incomplete`, or whose name or a word of it
    does, ignoring case and accents ('si' finds Siân)."""
    wanted = fold(incomplete.lstrip("#").strip())
    active = "SELECT number, name FROM members WHERE kind != 'pot' AND \"left\" IS NULL AND forgotten IS NULL"
    # On SQLite, a cheap first cut before folding accents in Python (ten thousand names cost
    # a tenth of a second to fold): names, or a word of them, starting with the typed letter
    # (LIKE ignores ASCII case), numbers starting with the typed digits, and any name with a
    # letter beyond ASCII (Siân may be typed 'sia').
    first = wanted[:1]
    cut = (f"{active} AND (CAST(number AS TEXT) LIKE ? || '%' OR name LIKE ? || '%' OR name LIKE '% ' || ? || '%' "
           "OR name GLOB '*[^ -~]*') ORDER BY name") if first.isascii() and first not in "%_" else None
    found = []
    for number, name in query(db, active + " ORDER BY name", (wanted, first, first), sqlite_sql=cut):
        folded = fold(name)
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
