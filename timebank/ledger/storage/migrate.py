"""Running the Alembic migrations shipped with the package."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from timebank.ledger.storage.db import Ledger, driver, open_ledger
from timebank.ledger.storage.shape import Schema, schema_of

if TYPE_CHECKING:
    from alembic.config import Config

_PACKAGE = Path(__file__).resolve().parents[2]


def migrations_folder() -> Path:
    """Inside the installed wheel, else the source checkout's top-level `migrations/`."""
    for candidate in (_PACKAGE / "migrations", _PACKAGE.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("timebank's migrations are missing from this installation")


def alembic_config(ledger: Ledger) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_folder()))
    config.set_main_option("sqlalchemy.url", ledger.url.replace("%", "%%"))
    return config


def upgrade_to_head(ledger: Ledger, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config(ledger)
    with ledger.engine.connect() as conn:
        raw = driver(conn)
        if ledger.is_sqlite:
            # Table rebuilds must not cascade or trip over references while they run;
            # the references are checked once the migration is done.
            raw.execute("PRAGMA foreign_keys = OFF")
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        conn.commit()
        if ledger.is_sqlite:
            problems = raw.execute("PRAGMA foreign_key_check").fetchall()
            raw.execute("PRAGMA foreign_keys = ON")
            if problems:
                raise RuntimeError(f"the migration left {len(problems)} broken references")


def migrate_in_transaction(ledger: Ledger, conn: Connection) -> None:
    """Run every migration inside the transaction `conn` has begun (Alembic neither begins
    nor commits one of its own), so that the caller's lock covers the whole creation."""
    from alembic import command

    assert conn.in_transaction()
    config = alembic_config(ledger)
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrations_folder()))
    head = script.get_current_head()
    assert head is not None
    return head


_references: dict[str, Schema] = {}


def reference_schema(revision: str) -> Schema:
    """The whole schema a SQLite ledger at `revision` has: made by running our own migrations
    up to it in an empty file, so it follows every migration, the ones still to come included
    (0.1 s, once a process)."""
    if revision not in _references:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "reference.sqlite3"
            reference = open_ledger(str(path), create=True)
            try:
                upgrade_to_head(reference, revision)
            finally:
                reference.dispose()
            conn = sqlite3.connect(path)
            try:
                _references[revision] = schema_of(conn)
            finally:
                conn.close()
    return _references[revision]
