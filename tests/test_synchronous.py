"""SQLite commits with `synchronous = FULL` (issue 26): in WAL mode NORMAL lets a power cut
roll back commits the command has already acknowledged (SQLite's own documentation, "WAL
mode ... loses durability"). The cost, measured, is in bench/RESULTS.md (2026-12-07)."""

from __future__ import annotations

from sqlalchemy import text

from conftest import Cli, sqlite_only

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


@sqlite_only
def test_every_connection_reads_and_writes_with_synchronous_full(cli: Cli) -> None:
    from timebank.ledger.storage.db import open_ledger, reading, writing

    cli.ok("init")
    opened = open_ledger(str(cli.db))
    try:
        with writing(opened) as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA synchronous")).scalar() == FULL
        with reading(opened) as session:
            assert session.execute(text("PRAGMA synchronous")).scalar() == FULL
        # A connection made after the first (the pool's next) is set up the same way.
        with opened.engine.connect() as first, opened.engine.connect() as second:
            for conn in (first, second):
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == FULL
    finally:
        opened.dispose()
