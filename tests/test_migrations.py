"""Migrations: the head Alembic knows is the one the code checks for with one SELECT."""

from __future__ import annotations

import sqlite3

from conftest import Cli, execute_sql, sqlite_only
from timebank.ledger.db import HEAD_REVISION, KNOWN_REVISIONS
from timebank.ledger.migrate import head_revision


def test_head_revision_constant_matches_alembic() -> None:
    assert head_revision() == HEAD_REVISION
    assert KNOWN_REVISIONS[-1] == HEAD_REVISION


def test_newer_schema_is_refused(ledger: Cli) -> None:
    execute_sql(ledger.db, "UPDATE alembic_version SET version_num = '9999'")
    result = ledger("balance")
    assert result.code == 1 and "newer version" in result.err


@sqlite_only
def test_ledger_is_private_and_in_wal_mode(ledger: Cli) -> None:
    assert (ledger.db.stat().st_mode & 0o777) == 0o600
    conn = sqlite3.connect(ledger.db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
