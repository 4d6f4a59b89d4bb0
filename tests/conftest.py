"""Shared fixtures: a real ledger (a SQLite file, or a fresh database on a real PostgreSQL
server when TIMEBANK_TEST_BACKEND=postgres and TIMEBANK_TEST_PG_URL are set), and the CLI
run in-process."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from typing import Any
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from timebank.cli.main import run

BACKEND = os.environ.get("TIMEBANK_TEST_BACKEND", "sqlite")
PG_URL = os.environ.get("TIMEBANK_TEST_PG_URL", "")
ON_POSTGRES = BACKEND == "postgres"
if ON_POSTGRES and not PG_URL:
    raise RuntimeError("TIMEBANK_TEST_BACKEND=postgres needs TIMEBANK_TEST_PG_URL")

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="about the SQLite file itself")
POSTGRES_ONLY_REASON = "runs with TIMEBANK_TEST_BACKEND=postgres"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason=POSTGRES_ONLY_REASON)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # .ci/run's PostgreSQL pass leaves out tests marked slow, because its SQLite pass ran
    # them: a test that runs only on PostgreSQL and is marked slow would run nowhere.
    for item in items:
        if item.get_closest_marker("slow") and any(
                mark.kwargs.get("reason") == POSTGRES_ONLY_REASON for mark in item.iter_markers("skipif")):
            raise pytest.UsageError(f"{item.nodeid} runs only on PostgreSQL: it cannot be marked slow")

_created_databases: list[str] = []


def _pg_conninfo(database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).set(drivername="postgresql")
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def fresh_db(folder: Path, name: str = "ledger") -> "Path | str":
    """Where a new, empty ledger can be made: a file path, or a new PostgreSQL database."""
    if not ON_POSTGRES:
        return folder / f"{name}.sqlite3"
    import psycopg
    from sqlalchemy.engine import make_url

    database = f"tb_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    _created_databases.append(database)
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    yield
    if ON_POSTGRES and _created_databases:
        import psycopg

        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            for database in _created_databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# The suite's second pass stands in for Windows: `PYTHONIOENCODING=cp1252 pytest` runs every
# command through `cli` with standard output and error as Windows hands them to a program
# whose output is redirected to a file: the ANSI code page (cp1252, no ŵ or ŷ) and "\n"
# written as CRLF. The tests then read the bytes as UTF-8, which is what timebank promises
# to pipes and files on every system (timebank.cli.streams).
REDIRECTED_ENCODING = (os.environ.get("PYTHONIOENCODING") or "").split(":")[0] or None


def _run_redirected(argv: list[str]) -> "Result":
    import io

    saved = sys.stdout, sys.stderr
    out, err = io.BytesIO(), io.BytesIO()
    streams = [io.TextIOWrapper(buffer, encoding=REDIRECTED_ENCODING, newline="\r\n", write_through=True)
               for buffer in (out, err)]
    sys.stdout, sys.stderr = streams
    try:
        code = run(argv)
        for stream in streams:
            stream.flush()
    finally:
        sys.stdout, sys.stderr = saved
    return Result(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli:
    """Runs `timebank ARGS` against one ledger file, capturing its output."""

    def __init__(self, db: "Path | str", capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self.capsys = capsys

    def __call__(self, *args: str, lang: str | None = None) -> Result:
        argv = ["--db", str(self.db)]
        if lang:
            argv += ["--lang", lang]
        self.capsys.readouterr()
        if REDIRECTED_ENCODING:
            return _run_redirected(argv + list(args))
        code = run(argv + list(args))
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def ok(self, *args: str, lang: str | None = None) -> Result:
        result = self(*args, lang=lang)
        assert result.code == 0, (args, result)
        return result

    def json(self, *args: str, lang: str | None = None) -> Any:
        import json

        return json.loads(self.ok(*args, "--format", "json", lang=lang).out)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for variable in ("TIMEBANK_DB", "TIMEBANK_LANG", "TIMEBANK_USER", "TIMEBANK_TODAY", "LC_ALL",
                     "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TIMEBANK_USER", "tester")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(fresh_db(tmp_path), capsys)


def _fill_ledger(cli: Cli) -> None:
    cli.ok("init", "--name", "Banc Amser Blaengarw")
    cli.ok("member", "add", "Siân", "--joined", "2026-01-05", "--lang", "cy")
    cli.ok("member", "add", "Llinos", "--joined", "2026-01-05")
    cli.ok("member", "add", "Lowri ap Rhys", "--joined", "2026-01-05")


# What `ledger` builds, once per session (per xdist worker) for each value of the variables
# that can change what init and member add write: building it is four commands and more than
# half the tests ask for it, copying it is one file.
_LEDGER_ENVIRONMENT = ("TIMEBANK_TODAY", "TIMEBANK_USER", "TIMEBANK_LANG")
_ledger_templates: dict[tuple[str | None, ...], Path] = {}


@pytest.fixture
def ledger(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """An initialised ledger with Siân (1), Llinos (2) and Lowri ap Rhys (3): a copy of one
    built earlier in the session (a file copy on SQLite, a template database on PostgreSQL),
    with the same rows, salts and ledger id as every other test's copy (each test has only
    one such ledger; a second one a test makes with init is its own)."""
    import shutil

    key = tuple(os.environ.get(variable) for variable in _LEDGER_ENVIRONMENT)
    template = _ledger_templates.get(key)
    if ON_POSTGRES:
        # PostgreSQL copies a database itself (CREATE DATABASE ... TEMPLATE); every command
        # closes its connections when it ends, so the template has none open.
        import psycopg
        from sqlalchemy.engine import make_url

        if template is None:
            built = fresh_db(tmp_path_factory.mktemp("ledger-template"), "template")
            _fill_ledger(Cli(built, cli.capsys))
            template = _ledger_templates[key] = Path(str(make_url(str(built)).database))
        database = make_url(str(cli.db)).database
        with psycopg.connect(_pg_conninfo(), autocommit=True) as pg:
            pg.execute(f'DROP DATABASE "{database}"')
            pg.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        return cli
    if template is None:
        template = tmp_path_factory.mktemp("ledger-template") / "ledger.sqlite3"
        _fill_ledger(Cli(template, cli.capsys))
        if Path(f"{template}-wal").exists():  # a connection left open: fold the WAL into the file
            conn = sqlite3.connect(template)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
        _ledger_templates[key] = template
    shutil.copy2(template, cli.db)  # with its mode (0600), as init made it
    return cli


def dump(path: "Path | str") -> list[tuple]:
    """Every row of every table, for proving that a refused command changed nothing."""
    if isinstance(path, str):
        return _dump_postgres(path)
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows: list[tuple] = []
        for table in tables:
            rows.extend((table, *row) for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'))
        return rows
    finally:
        conn.close()


def query(db: "Path | str", statement: str) -> list[tuple]:
    """Read a ledger directly, without timebank, to check what it says against the raw rows."""
    if isinstance(db, str):
        import psycopg
        from sqlalchemy.engine import make_url

        with psycopg.connect(_pg_conninfo(make_url(db).database)) as pg:
            return [tuple(row) for row in pg.execute(statement)]
    conn = sqlite3.connect(db)
    try:
        return list(conn.execute(statement))
    finally:
        conn.close()


def env_without_timebank() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}


def at_a_terminal(argv: list[str], answers: list[str], env: dict[str, str], *, seconds: float = 60,
                  typed_in: str = "utf-8") -> tuple[int, bytes, list[str]]:
    """Run `argv` in a pseudo-terminal (stdin and stdout a terminal, as a person has), typing
    each answer (in the terminal's encoding `typed_in`) once a question ending ':' or ']'
    waits in what came after the last answer. The exit code, everything shown (the answers
    echoed as typed) and the answers never asked for."""
    import pty
    import select
    import time

    leader, follower = pty.openpty()
    process = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    seen, asked_from, pending = b"", 0, list(answers)
    deadline = time.time() + seconds
    while time.time() < deadline:
        ready, _w, _x = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            waiting = seen[asked_from:].rstrip()
            if pending and waiting.endswith((b":", b"]")) and waiting.strip(b"\r\n"):
                os.write(leader, (pending.pop(0) + "\n").encode(typed_in))
                asked_from = len(seen)
        elif process.poll() is not None:
            break
    else:
        process.kill()
    process.wait(timeout=10)
    os.close(leader)
    return process.returncode, seen, pending


def _dump_postgres(url: str) -> list[tuple]:
    import psycopg
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    with psycopg.connect(_pg_conninfo(database)) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")]
        rows: list[tuple] = []
        for table in tables:
            rows.extend((table, *row) for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'))
        return rows


def execute_sql(db: "Path | str", *statements: str) -> None:
    """Change a ledger behind timebank's back (foreign keys not enforced), as a tamperer would."""
    if isinstance(db, str):
        import psycopg
        from sqlalchemy.engine import make_url

        with psycopg.connect(_pg_conninfo(make_url(db).database), autocommit=True) as pg:
            pg.execute("SET session_replication_role = replica")
            for statement in statements:
                pg.execute(statement)
        return
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        # A statement refused (a test expecting it) leaves its transaction open, holding the
        # write lock until the connection is collected: a cycle through the exception's
        # traceback made that whenever the garbage collector ran, and the next write found
        # the ledger busy (tests/test_migrations.py's purpose check, under load).
        conn.rollback()
        conn.close()


# Runs `timebank ARGS` in a child process that SIGKILLs itself at a chosen moment of its own
# write, seen from inside through SQLite's statement trace (a test-side wrapper around
# sqlite3.connect, as tests/test_restore.py's KILL_AFTER_COPY does; production code has no
# hook for it). A kill sent from outside after polling the WAL's size raced the process: it
# could finish first, or be killed before it wrote anything. The moments:
#   midway   the 5,000th INSERT (the transaction open, thousands of rows written into it)
#   commit   the COMMIT that follows the command's first INSERT (all its rows written, none
#            committed)
KILL_INSIDE_WRITE = """
import os, signal, sqlite3, sys
moment = sys.argv[1]
inserts = 0
def trace(statement):
    global inserts
    words = statement.lstrip().upper()
    inserts += words.startswith("INSERT")
    if moment == "midway":
        due = inserts == 5000
    else:
        due = inserts > 0 and words.startswith("COMMIT")
    if due:
        os.kill(os.getpid(), signal.SIGKILL)
connect = sqlite3.connect
def traced(*args, **kwargs):
    connection = connect(*args, **kwargs)
    connection.set_trace_callback(trace)
    return connection
# SQLAlchemy connects through sqlite3.dbapi2, timebank's own reads through sqlite3.
sqlite3.connect = sqlite3.dbapi2.connect = traced
from timebank.cli.main import run
sys.exit(run(sys.argv[2:]))
"""


def killed_inside_write(db: "Path | str", moment: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `timebank --db DB ARGS` killed at `moment` (see KILL_INSIDE_WRITE); asserts that
    the kill happened, so a test built on it cannot pass without killing anything."""
    process = subprocess.run([sys.executable, "-c", KILL_INSIDE_WRITE, moment, "--db", str(db), *args],
                             capture_output=True, text=True, timeout=600)
    assert process.returncode == -signal.SIGKILL, (moment, process.returncode, process.stderr)
    return process
