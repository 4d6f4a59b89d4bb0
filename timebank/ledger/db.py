"""Opening a ledger: the engine, SQLite pragmas, write transactions and the schema check.

SQLAlchemy is imported here, so nothing that `--help` touches may import this module.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from timebank.i18n import _
from timebank.ledger.errors import LedgerMissing, LedgerUnusable, TimebankError, os_reason

# The newest migration this version of timebank knows. A test proves it equals
# Alembic's head, so that an up-to-date ledger is recognised with one SELECT.
HEAD_REVISION = "0003"
KNOWN_REVISIONS = ("0001", "0002", "0003")

BUSY_TIMEOUT_MS = 30_000
# PostgreSQL writers take turns through this transaction-level advisory lock.
WRITERS_LOCK = 7461626

# SQLSTATEs that say what went wrong whatever the server's language.
INSUFFICIENT_PRIVILEGE, LOCK_NOT_AVAILABLE, UNDEFINED_TABLE = "42501", "55P03", "42P01"


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("timebank", appauthor=False)) / "timebank.sqlite3"


@dataclass
class Ledger:
    """An open connection pool to one ledger."""

    url: str
    engine: Engine
    path: Path | None  # the SQLite file, or None for a server database

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    @property
    def display(self) -> str:
        return str(self.path) if self.path is not None else make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def resolve(db: str | None) -> tuple[str, Path | None]:
    """A --db value (a path or an SQLAlchemy URL) as a URL and, for SQLite, the file."""
    value = db or os.environ.get("TIMEBANK_DB") or str(default_path())
    if "://" in value:
        url = make_url(value)
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:":
                raise LedgerUnusable(_("A ledger must be a file, not an in-memory database."))
            return value, Path(url.database).expanduser().resolve()
        return value, None
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}", path


def _make_engine(url: str, path: Path | None) -> Engine:
    if path is None:
        engine = create_engine(url, pool_pre_ping=False)

        @event.listens_for(engine, "begin")
        def _serialise_writers(conn: Connection) -> None:
            # Writers take numbers as max + 1: one writer at a time, as on SQLite. Any role
            # that can connect can take this lock too: wait for it as long as SQLite waits
            # for its write lock, then give up with a clear message rather than for ever.
            if conn.get_execution_options().get("timebank_write"):
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT_MS)}")
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITERS_LOCK})")

        return engine

    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let us issue BEGIN ourselves (pysqlite would defer it, breaking BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Erased personal data must not linger in freed space inside the file.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A write takes the lock at BEGIN, so it waits for other writers instead of
        # failing with "database is locked" when it first writes.
        if conn.get_execution_options().get("timebank_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _check_sqlite_file(path: Path) -> None:
    if path.is_dir():
        raise LedgerUnusable(_("{path} is a folder, not a ledger file.").format(path=path))
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as error:
        raise LedgerUnusable(_("Cannot read the ledger {path}: {reason}").format(
            path=path, reason=os_reason(error))) from None
    if header and header != b"SQLite format 3\x00":
        raise LedgerUnusable(_("{path} is not a timebank ledger.").format(path=path))


def open_ledger(db: str | None, *, create: bool = False) -> Ledger:
    """Open the ledger named by --db. Unless `create`, it must exist and be initialised."""
    url, path = resolve(db)
    created = False
    if path is not None:
        if path.exists():
            _check_sqlite_file(path)
        elif not create:
            raise LedgerMissing(_("There is no ledger at {path}. Run 'timebank init' to create one.").format(path=path))
        else:
            _create_private_file(path)
            created = True
    ledger = Ledger(url=url, engine=_make_engine(url, path), path=path)
    if created:
        use_wal(ledger)
    return ledger


def use_wal(ledger: Ledger) -> None:
    """Put a ledger we created or restored into WAL mode (a setting stored in the file).
    Existing files are never switched on opening: a damaged file must stay as it was."""
    with translate_db_errors(ledger):
        with ledger.engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA journal_mode = WAL")


def _create_private_file(path: Path) -> None:
    """Create the ledger file readable and writable by its owner only."""
    from timebank.ledger.files import make_private_folder

    try:
        make_private_folder(path.parent)  # 0700 each, whatever the umask
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as error:
        raise LedgerUnusable(_("Cannot create the ledger {path}: {reason}").format(
            path=path, reason=os_reason(error))) from None


def schema_revision(ledger: Ledger) -> str | None:
    """The ledger's migration revision, or None when it has no timebank schema. A role that
    may not read the ledger is told so (by `translate_db_errors`), not told to run init."""
    with translate_db_errors(ledger):
        with ledger.engine.connect() as conn:
            try:
                row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            except (OperationalError, ProgrammingError) as error:
                if _no_such_table(error):
                    return None
                raise
            finally:
                conn.rollback()
    return row[0] if row else None


def _sqlstate(error: BaseException) -> str | None:
    original = getattr(error, "orig", error)
    return getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)


def _no_such_table(error: DBAPIError) -> bool:
    return _sqlstate(error) == UNDEFINED_TABLE or "no such table" in str(getattr(error, "orig", error)).lower()


@contextmanager
def translate_db_errors(ledger: Ledger) -> Iterator[None]:
    """Database failures a user can meet become one clear line in their language."""
    try:
        yield
    except TimebankError:
        raise
    except (OperationalError, DBAPIError) as error:
        message = str(getattr(error, "orig", error)).lower()
        state = _sqlstate(error)
        if state == INSUFFICIENT_PRIVILEGE:
            raise LedgerUnusable(_("The database role {role} has no permission to use the ledger {ledger}: ask the "
                                   "database's administrator to grant it.").format(
                role=make_url(ledger.url).username or "?", ledger=ledger.display)) from None
        if state == LOCK_NOT_AVAILABLE:
            raise LedgerUnusable(_("The ledger is busy: another connection has held the writers' turn for more than "
                                   "{seconds} seconds, so nothing was written. Try again; if it stays busy, ask the "
                                   "database's administrator which session holds advisory lock {lock}.").format(
                seconds=BUSY_TIMEOUT_MS // 1000, lock=WRITERS_LOCK)) from None
        if "locked" in message or "busy" in message:
            raise LedgerUnusable(_("The ledger is busy: another timebank has been writing for too long. "
                                   "Try again in a minute.")) from None
        if "readonly" in message or "read-only" in message or "permission" in message:
            raise LedgerUnusable(_("The ledger {ledger} cannot be written (read-only).").format(
                ledger=ledger.display)) from None
        if "disk is full" in message or "no space" in message or "full" in message:
            raise LedgerUnusable(_("The disk is full: nothing was written.")) from None
        if "malformed" in message or "not a database" in message or "corrupt" in message:
            raise LedgerUnusable(_("The ledger {ledger} is damaged: restore it from a backup.").format(
                ledger=ledger.display)) from None
        if "disk i/o error" in message:
            # SQLite says this when it cannot even make its shared-memory file: most often a full disk.
            raise LedgerUnusable(_("The ledger {ledger} could not be read or written (is the disk full?).").format(
                ledger=ledger.display)) from None
        if "unable to open" in message:
            raise LedgerUnusable(_("Cannot open the ledger {ledger}.").format(ledger=ledger.display)) from None
        raise LedgerUnusable(_("The database refused the request: {reason}").format(
            reason=str(getattr(error, "orig", error)).splitlines()[0])) from None


def flush_to_file(ledger: Ledger) -> None:
    """Fold the write-ahead log into the file and empty it, so nothing erased survives in
    the -wal file. Retries briefly if a reader holds an old snapshot."""
    if not ledger.is_sqlite:
        return
    import time

    for _attempt in range(50):
        with ledger.engine.connect() as conn:
            busy = conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if not busy:
            return
        time.sleep(0.1)


@contextmanager
def writing(ledger: Ledger) -> Iterator[Session]:
    """One write transaction (BEGIN IMMEDIATE on SQLite), committed only if all of it worked."""
    with translate_db_errors(ledger):
        with ledger.engine.connect() as conn:
            conn.execution_options(timebank_write=True)
            with Session(bind=conn, expire_on_commit=False) as session:
                with session.begin():
                    yield session


@contextmanager
def reading(ledger: Ledger) -> Iterator[Session]:
    """A read-only snapshot of the ledger."""
    with translate_db_errors(ledger):
        with ledger.engine.connect() as conn:
            with Session(bind=conn, expire_on_commit=False) as session:
                with session.begin():
                    yield session
