"""A ledger changed behind timebank's back as a skilled tamperer would: a constraint taken out
of a table's schema, keeping every column and row, and a double void written by timebank
itself onto its chain (issue 26's red team)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from conftest import Cli, execute_sql, query


def without_constraint(db: "Path | str", table: str, name: str) -> None:
    """Take the named table constraint out of `table`'s schema. On SQLite the table is rebuilt
    as SQLite's documentation says (a new table, the rows copied, the old dropped, the new
    renamed, its indexes made again)."""
    if isinstance(db, str):
        execute_sql(db, f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        return
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = OFF")
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    indexes = [row[0] for row in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
    rebuilt = re.sub(rf",\s*CONSTRAINT {name} [A-Z ]+\([^)]*\)", "", sql)
    assert rebuilt != sql
    rebuilt = re.sub(rf'CREATE TABLE "?{table}"?', f"CREATE TABLE {table}_new", rebuilt)
    conn.execute(rebuilt)
    conn.execute(f"INSERT INTO {table}_new SELECT * FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
    for index in indexes:
        conn.execute(index)
    conn.commit()
    conn.close()


def unique_index_made_plain(db: "Path | str", name: str, table: str, column: str) -> None:
    execute_sql(db, f"DROP INDEX {name}", f"CREATE INDEX {name} ON {table} ({column})")


def voided_twice(ledger: Cli, number: int) -> list[int]:
    """Exchange `number` reversed twice, both reversals written by timebank on its chain: the
    first reversal is hidden while the second is made, then shown again. Only the unique
    constraint on reversals stops this; without it, before issue 26, every check passed but
    the monthly totals'. Returns the reversals' numbers."""
    ledger.ok("exchange", "void", str(number), "--reason", "typed twice")
    first = query(ledger.db, f"SELECT number FROM exchanges WHERE reverses = {number}")[0][0]
    execute_sql(ledger.db, f"UPDATE exchanges SET reverses = NULL WHERE number = {first}")
    ledger.ok("exchange", "void", str(number), "--reason", "typed twice again")
    execute_sql(ledger.db, f"UPDATE exchanges SET reverses = {number} WHERE number = {first}")
    return [row[0] for row in query(ledger.db, f"SELECT number FROM exchanges WHERE reverses = {number} ORDER BY 1")]
