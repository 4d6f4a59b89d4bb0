"""Opening a ledger: the engine, SQLite pragmas, write transactions and the schema check.

SQLAlchemy is imported here, so nothing that `--help` touches may import this module.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from timebank.ledger.errors import LedgerMissing, LedgerUnusable, TimebankError, os_reason
from timebank.ledger.messages import _
from timebank.ledger.storage import location

# The newest migration this version of timebank knows. A test proves it equals
# Alembic's head, so that an up-to-date ledger is recognised with one SELECT.
HEAD_REVISION = "0014"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011", "0012",
                   "0013", "0014")

BUSY_TIMEOUT_MS = 30_000
# PostgreSQL writers take turns by locking the one row of this table of the ledger (FOR NO
# KEY UPDATE, which needs the UPDATE privilege on it): a role that may only read the ledger,
# or that belongs to another ledger on the server, cannot hold up its writers. An advisory
# lock could be taken by any role that can connect to the database (every role, unless
# CONNECT is revoked from PUBLIC: the README's set-up does). Advisory locks are per
# database, so this one is taken only by `init`, before the table exists.
WRITERS_TABLE = "alembic_version"
WRITERS_LOCK = 7461626
_TAKE_WRITERS_TURN = f"""DO $turn$ BEGIN
    IF to_regclass('{WRITERS_TABLE}') IS NULL THEN
        PERFORM pg_advisory_xact_lock({WRITERS_LOCK});
    ELSE
        PERFORM 1 FROM {WRITERS_TABLE} FOR NO KEY UPDATE;
    END IF;
END $turn$"""

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
    leftovers_removed: int = 0  # copies killed backups and restores had left, removed when it was opened

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    @property
    def display(self) -> str:
        if self.path is not None:
            return str(self.path)
        url = make_url(self.url)
        # A password may also be given as a query parameter (libpq reads ?password=).
        hidden = {key: "***" if key.lower() in _SECRET_PARAMETERS else value for key, value in url.query.items()}
        return url.set(query=hidden).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def resolve(db: str | None) -> tuple[str, Path | None]:
    """A --db value (a path or an explicit URL: see `location`) as the URL the engine opens
    and, for SQLite, the file. A path is never parsed as a URL."""
    value = db or os.environ.get("TIMEBANK_DB") or str(default_path())
    scheme = location.url_scheme(value)
    if scheme is None:
        path = location.file_path(value)
        return _file_url(path), path
    kind = location.backend(scheme)
    if kind == location.SQLITE:
        path = location.file_path(location.sqlite_url_file(value))
        return _file_url(path, query=_parsed(value).query), path
    if kind == location.POSTGRESQL:
        location.check_server_url(value)
        url = _parsed(value)
        if url.drivername in ("postgresql", "postgres"):
            # The driver timebank installs (psycopg 3), not SQLAlchemy's default psycopg2.
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False), None
    raise LedgerUnusable(_("timebank keeps its ledger in a SQLite file or a PostgreSQL database "
                           "(postgresql://...), not in a '{scheme}' database.").format(scheme=scheme))


def _file_url(path: Path, query: Any = None) -> str:
    # Built, not formatted: a '?' or '%41' in the file name is escaped, never read as URL syntax.
    return URL.create("sqlite", database=str(path), query=query or {}).render_as_string(hide_password=False)


def _parsed(value: str) -> URL:
    try:
        return make_url(value)
    except (ArgumentError, ValueError, TypeError):
        # Not echoed: the URL may hold a password.
        raise LedgerUnusable(_("The database URL cannot be read: check its user name, host, port (a number) "
                               "and database name.")) from None


def _make_engine(url: str, path: Path | None) -> Engine:
    if path is None:
        try:
            engine = create_engine(url, pool_pre_ping=False)
        except (ImportError, NoSuchModuleError):
            raise LedgerUnusable(_("A PostgreSQL ledger needs the psycopg driver: "
                                   "pip install 'timebank[postgres]'.")) from None

        @event.listens_for(engine, "begin")
        def _serialise_writers(conn: Connection) -> None:
            # Writers take numbers as max + 1: one writer at a time, as on SQLite. A session
            # may hold the turn for long (a role with the rights to write, a stuck program):
            # wait for it as long as SQLite waits for its write lock, then give up with a
            # clear message rather than for ever.
            if conn.get_execution_options().get("timebank_write"):
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT_MS)}")
                conn.exec_driver_sql(_TAKE_WRITERS_TURN)

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
        # FULL: each commit is on the disk before the command says it is recorded. With
        # NORMAL in WAL mode a power cut can roll back commits already acknowledged
        # (SQLite's own documentation); the cost is one more fsync per commit (bench/RESULTS.md, 2026-12-07).
        cursor.execute("PRAGMA synchronous = FULL")
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
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as error:
        raise LedgerUnusable(_("Cannot read the ledger {path}: {reason}").format(
            path=path, reason=os_reason(error))) from None
    if header and header != b"SQLite format 3\x00":
        raise LedgerUnusable(_("{path} is not a timebank ledger.").format(path=path))


def _existing(path: Path) -> bool:
    """Whether the ledger file exists; refuses what is there but is not a plain file: a folder,
    or a pipe or device (opening a pipe would wait forever, and SQLite would make a stray
    journal beside a device)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    except OSError as error:
        raise LedgerUnusable(_("Cannot open the ledger {path}: {reason}").format(
            path=location.shown(path), reason=os_reason(error))) from None
    if stat.S_ISDIR(mode):
        raise LedgerUnusable(_("{path} is a folder, not a ledger file.").format(path=path))
    if not stat.S_ISREG(mode):
        raise LedgerUnusable(_("{path} is not a ledger file: it is a device, a pipe or another special file.").format(
            path=path))
    return True


def open_ledger(db: str | None, *, create: bool = False) -> Ledger:
    """Open the ledger named by --db. Unless `create`, it must exist and be initialised."""
    url, path = resolve(db)
    created = False
    if path is not None:
        if _existing(path):
            _check_sqlite_file(path)
        elif not create:
            raise LedgerMissing(_("There is no ledger at {path}. Run 'timebank init' to create one.").format(
                path=location.shown(path)))
        elif _create_private_file(path):
            created = True
        else:
            _existing(path)  # another init made it a moment ago
            _check_sqlite_file(path)
    ledger = Ledger(url=url, engine=_make_engine(url, path), path=path)
    if created:
        use_wal(ledger)
    return ledger


def driver(conn: Connection) -> Any:
    """The database driver's own connection under SQLAlchemy's, for what SQLAlchemy does
    not say (PRAGMAs, checkpoints). A connection in use always has one."""
    raw = conn.connection.driver_connection
    assert raw is not None
    return raw


def use_wal(ledger: Ledger) -> None:
    """Put a ledger we created or restored into WAL mode (a setting stored in the file).
    Existing files are never switched on opening: a damaged file must stay as it was."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    with translate_db_errors(ledger):
        while True:
            try:
                with ledger.engine.connect() as conn:
                    driver(conn).execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                # Changing the journal mode does not wait for other connections (SQLite says
                # "locked" at once, busy timeout or not), e.g. an init run at the same moment.
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def _create_private_file(path: Path) -> bool:
    """Create the ledger file readable and writable by its owner only. False when another
    process created it first."""
    from timebank.ledger.storage.files import make_private_folder

    try:
        make_private_folder(path.parent)  # 0700 each, whatever the umask
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        return True
    except FileExistsError:
        return False
    except OSError as error:
        raise LedgerUnusable(_("Cannot create the ledger {path}: {reason}").format(
            path=location.shown(path), reason=os_reason(error))) from None


def schema_revision(ledger: Ledger) -> str | None:
    """The ledger's migration revision, or None when it has no timebank schema. A role that
    may not read the ledger is told so (by `translate_db_errors`), not told to run init."""
    with translate_db_errors(ledger):
        with ledger.engine.connect() as conn:
            try:
                # A file is read from a table only: a view of that name (a recursive one hung
                # every command) is not what timebank made. (A server's schema is its
                # administrator's: a role may not see it all, and is told so below.)
                if ledger.is_sqlite:
                    kind = conn.execute(text("SELECT type FROM sqlite_master WHERE name = 'alembic_version'")).scalar()
                    if kind is None:
                        return None
                    if kind != "table":
                        raise LedgerUnusable(_("The ledger {ledger} is damaged: restore it from a backup.").format(
                            ledger=ledger.display))
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
    except UnicodeDecodeError:
        # SQLite hands back text that is not UTF-8 only from a damaged file: a flipped bit in
        # the schema stops it at the first statement on a new connection.
        raise LedgerUnusable(_("The ledger {ledger} is damaged: restore it from a backup.").format(
            ledger=ledger.display)) from None
    except (OperationalError, DBAPIError, sqlite3.Error) as error:
        message = str(getattr(error, "orig", error)).lower()
        state = _sqlstate(error)
        if state == INSUFFICIENT_PRIVILEGE and _temporary_tables_refused(ledger, error):
            raise LedgerUnusable(_("The database role {role} may not create temporary tables in the ledger's database "
                                   "{ledger}, and this command needs them: ask the database's administrator to grant "
                                   "it TEMPORARY on that database.").format(
                role=make_url(ledger.url).username or "?", ledger=ledger.display)) from None
        if state == INSUFFICIENT_PRIVILEGE:
            raise LedgerUnusable(_("The database role {role} has no permission to use the ledger {ledger}: ask the "
                                   "database's administrator to grant it.").format(
                role=make_url(ledger.url).username or "?", ledger=ledger.display)) from None
        if state == LOCK_NOT_AVAILABLE:
            raise LedgerUnusable(_("The ledger is busy: another connection has held the writers' turn for more than "
                                   "{seconds} seconds, so nothing was written. Try again; if it stays busy, ask the "
                                   "database's administrator which session holds a lock on the table {table}.").format(
                seconds=BUSY_TIMEOUT_MS // 1000, table=WRITERS_TABLE)) from None
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
            reason=_without_password(ledger, str(getattr(error, "orig", error)).splitlines()[0]))) from None


def _temporary_tables_refused(ledger: Ledger, error: BaseException) -> bool:
    """Whether a refusal came from creating a temporary table (reports at a seal and imports
    make them) by a role without the TEMPORARY privilege on the database: that role may
    well read and write the ledger, so "no permission to use the ledger" would be untrue.
    Asked of the server, since its messages are in its own language."""
    statement = str(getattr(error, "statement", "") or "")
    if ledger.is_sqlite or "CREATE TEMPORARY" not in statement.upper():
        return False
    try:
        with ledger.engine.connect() as conn:
            allowed = conn.execute(text("SELECT has_database_privilege(current_database(), 'TEMPORARY')")).scalar()
            conn.rollback()
    except DBAPIError:
        return False
    return allowed is False


_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def _secrets(url: str) -> set[str]:
    """Every spelling of the passwords a server URL holds: as SQLAlchemy reads it, as the
    driver's own parser (libpq's, through psycopg) reads it, and in query parameters;
    decoded and as typed."""
    from urllib.parse import quote

    found: set[str] = set()
    parsed = make_url(url)
    if parsed.password:
        found.add(str(parsed.password))
    for key, value in parsed.query.items():
        if key.lower() in _SECRET_PARAMETERS:
            found.update([value] if isinstance(value, str) else value)
    try:
        from psycopg.conninfo import conninfo_to_dict

        given = conninfo_to_dict(parsed.set(drivername="postgresql").render_as_string(hide_password=False))
        found.update(str(given[key]) for key in _SECRET_PARAMETERS if given.get(key))
    except Exception:  # no driver, or a URL it cannot read: SQLAlchemy's reading stands
        pass
    found |= {quote(secret, safe="") for secret in found}
    return {secret for secret in found if secret}


def _without_password(ledger: Ledger, message: str) -> str:
    """A driver's message with every spelling of the ledger's passwords blanked out, should
    it quote the URL or a part of it."""
    if ledger.is_sqlite:
        return message
    for secret in sorted(_secrets(ledger.url), key=len, reverse=True):
        message = message.replace(secret, "***")
    return message


def _scrub_mark(ledger: Ledger) -> Path:
    assert ledger.path is not None
    return ledger.path.with_name(ledger.path.name + "-erasure")


def scrub_pending(ledger: Ledger) -> bool:
    """An erasure whose old bytes may still be in the SQLite write-ahead log."""
    return ledger.path is not None and _scrub_mark(ledger).exists()


def flush_to_file(ledger: Ledger, *, wait_ms: int = 2000) -> bool:
    """Fold the write-ahead log into the file and empty it, so that nothing erased survives
    in the -wal file; True once that is done. A reader holding an older snapshot keeps
    those pages alive: then this waits at most `wait_ms`, leaves a mark beside the ledger
    and says False, and the next write or `check` tries again (`retry_scrub`)."""
    if ledger.path is None:
        return True
    mark = _scrub_mark(ledger)
    try:
        if not mark.exists():
            fd = os.open(mark, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            os.close(fd)
    except OSError:
        pass  # the folder is read-only: then nothing can be erased later either; say so now
    done = False
    try:
        with ledger.engine.connect() as conn:
            raw = driver(conn)
            raw.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
            try:
                busy, log, moved = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        wal = ledger.path.with_name(ledger.path.name + "-wal")
        done = busy == 0 and log == moved and (not wal.exists() or wal.stat().st_size == 0)
    except (sqlite3.Error, OperationalError, DBAPIError, OSError):
        done = False
    if done:
        mark.unlink(missing_ok=True)
    return done


def retry_scrub(ledger: Ledger, *, wait_ms: int = 2000) -> bool | None:
    """Finish an erasure's scrub of the write-ahead log if one is pending: None if none
    was, else whether it is now done."""
    if not scrub_pending(ledger):
        return None
    return flush_to_file(ledger, wait_ms=wait_ms)


def vacuum(ledger: Ledger, tables: list[str]) -> bool:
    """PostgreSQL: rewrite the tables an erasure touched, so that the old rows' bytes are
    gone from the table files (a plain VACUUM frees their space but leaves the bytes in
    the pages until reused). True if the server did it: only a table's owner may, and not
    while other sessions hold the tables for more than a few seconds."""
    if ledger.path is not None or not tables:
        return True
    with translate_db_errors(ledger):
        with ledger.engine.connect() as conn:
            allowed = conn.execute(text(
                "SELECT bool_and(pg_has_role(current_user, c.relowner, 'USAGE')) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relname = ANY(:tables)"), {"tables": tables}).scalar()
            conn.rollback()
            if not allowed:
                return False
            auto = conn.execution_options(isolation_level="AUTOCOMMIT")
            # A rewrite keeps every old row version that a snapshot open elsewhere on the
            # server may still see (an autovacuum ANALYZE, a coordinator's report): wait a
            # few seconds for them to end, and say "not now" if they do not.
            clear = _snapshots_end(auto, seconds=10.0)
            # A rewrite waits for every other session using the table; better to say
            # "not now" than to stall every coordinator behind it.
            auto.exec_driver_sql("SET lock_timeout = '5s'")
            try:
                for table in tables:
                    auto.exec_driver_sql(f'VACUUM (FULL, ANALYZE) "{table}"')
            except DBAPIError:
                return False
            finally:
                auto.exec_driver_sql("RESET lock_timeout")
    return clear


def _snapshots_end(conn: Connection, seconds: float) -> bool:
    """PostgreSQL: whether every other session's snapshot on the server ended within
    `seconds` (pg_stat_activity shows every session's backend_xmin, whoever owns it). Other
    databases' too: a snapshot there was seen to keep an erased row's old version through
    the rewrite (tests/test_erasure.py, red team 19, beside other tests' databases)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        held = conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND backend_xmin IS NOT NULL")).scalar()
        if not held:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


@contextmanager
def writing(ledger: Ledger) -> Iterator[Session]:
    """One write transaction (BEGIN IMMEDIATE on SQLite), committed only if all of it worked."""
    with translate_db_errors(ledger):
        with ledger.engine.connect() as conn:
            conn.execution_options(timebank_write=True)
            with Session(bind=conn, expire_on_commit=False) as session:
                with session.begin():
                    yield session
    if ledger.path is not None and scrub_pending(ledger):
        # An earlier erasure could not empty the write-ahead log (a reader held an old
        # snapshot): try again now, briefly.
        flush_to_file(ledger, wait_ms=200)


@contextmanager
def reading(ledger: Ledger) -> Iterator[Session]:
    """A read-only snapshot of the ledger."""
    with translate_db_errors(ledger):
        with ledger.engine.connect() as conn:
            with Session(bind=conn, expire_on_commit=False) as session:
                with session.begin():
                    yield session
