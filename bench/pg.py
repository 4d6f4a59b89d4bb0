"""A throwaway PostgreSQL server for the bench, and a SQLite bench ledger moved into it.

The server is started as `.ci/postgres` starts the test suite's (Debian's binaries, initdb
and pg_ctl, loopback only), but on a port and in a data folder of its own, and with fsync
on, as a real server runs: the bench measures what a network would see. Its data folder
is kept between runs, so that a ledger moved in once (minutes for millions of rows) is
not moved again; `--fresh-pg` starts from nothing.

Moving a ledger in: `timebank init` makes the schema on an empty database (the program's
own migrations), then every row of every table is copied from the SQLite ledger as it is
(COPY, foreign keys checked by the copy's order being the tables' own), the sequences set
past the copied rows, and the tables analysed. The chain's links are copied with their
rows, so `timebank check` on the PostgreSQL ledger proves the copy whole.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

# Tables in an order where every row's foreign keys point to rows copied before it. Any
# table not named here (a newer schema's) is copied after these, with a warning if it fails.
ORDER = ["settings", "categories", "centres", "members", "member_periods", "exchanges", "entries", "listings",
         "audit", "month_totals", "record_links"]


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")
                                                                            if x.isdigit()])
    if not found:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    return found[-1]


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.getuid() == 0 else argv


def free_port(start: int) -> int:
    for candidate in range(start, start + 100):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    raise SystemExit(f"no free port from {start}")


@contextlib.contextmanager
def server(data: Path, port: int, fresh: bool = False) -> Iterator[str]:
    """A running server on loopback; its URL (database `postgres`). Stopped on the way out,
    whatever happened (an exception, Ctrl-C, SIGTERM)."""
    binary = pg_bin()
    if fresh or not (data / "PG_VERSION").exists():
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_postgres([str(binary / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        if os.getuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        subprocess.run(_as_postgres([str(binary / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                     "-E", "UTF8", "--locale=C.UTF-8"]), check=True, stdout=subprocess.DEVNULL)
    elif (data / "postmaster.pid").exists():  # left running by a run that was killed
        subprocess.run(_as_postgres([str(binary / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port(port)
    subprocess.run(_as_postgres([str(binary / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w",
                                 "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c max_connections=200 "
                                       "-c shared_buffers=256MB -c max_wal_size=4GB", "start"]),
                   check=True, stdout=subprocess.DEVNULL)

    def stop() -> None:
        subprocess.run(_as_postgres([str(binary / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def interrupted(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # so that the `finally` below stops the server

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        stop()
        signal.signal(signal.SIGTERM, previous)


def plain(url: str, database: str | None = None) -> str:
    """The libpq form of a SQLAlchemy URL, optionally naming another database."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    if database is not None:
        plain = plain.rsplit("/", 1)[0] + "/" + database
    return plain


def sql(url: str, statement: str) -> str:
    """One statement run by psql: the bench's own process never loads the driver, so that
    the peak memory each child reports (inherited across fork) is the child's alone."""
    done = subprocess.run([str(pg_bin() / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", plain(url),
                           "-c", statement], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def server_version(url: str) -> str:
    return sql(url, "SHOW server_version")


def ledger_url(url: str, database: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + database


def move_in(sqlite_path: Path, url: str, database: str, timebank: list[str], env: dict[str, str],
            stamp: str) -> tuple[str, float]:
    """The SQLite ledger copied into a new database of the server, or kept if the copy there
    bears the same stamp (what made the ledger): its URL, and the seconds the copy took (0 if kept)."""
    import psycopg

    stamp = "bench copy of " + stamp.replace("'", "")
    with psycopg.connect(plain(url), autocommit=True) as admin:
        row = admin.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                            (database,)).fetchone()
        if row is not None and row[0] == stamp:
            return ledger_url(url, database), 0.0
        if row is not None:
            admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    started = time.perf_counter()
    target = ledger_url(url, database)
    name = sqlite3.connect(sqlite_path).execute("SELECT value FROM settings WHERE key = 'name'").fetchone()
    subprocess.run(timebank + ["--db", target, "--lang", "en", "init", "--name", name[0] if name else "Benchmark"],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    tables = [t for (t,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
    tables.sort(key=lambda t: ORDER.index(t) if t in ORDER else len(ORDER))
    with psycopg.connect(plain(url, database)) as conn:
        with conn.cursor() as cur:
            cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
            # The rows come from a ledger timebank checked: the foreign keys' triggers, a
            # lookup for each row, are left out of the copy (the server's superuser may).
            cur.execute("SET session_replication_role = replica")
            for table in tables:
                began = time.perf_counter()
                pg_columns = [c for (c,) in cur.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                    "AND table_name = %s ORDER BY ordinal_position", (table,))]
                sqlite_columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
                if not pg_columns:
                    raise SystemExit(f"{table} is in the SQLite ledger but not in PostgreSQL's schema")
                if set(sqlite_columns) != set(pg_columns):
                    raise SystemExit(f"{table}: columns differ between the ledgers: {sqlite_columns} / {pg_columns}")
                names = ", ".join(f'"{c}"' for c in sqlite_columns)
                with cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in source.execute(f'SELECT {names} FROM "{table}"'):
                        copy.write_row(row)
                print(f"copied {table} in {time.perf_counter() - began:.1f} s", file=sys.stderr)
            for (sequence, table, column) in cur.execute(
                    "SELECT s.relname, t.relname, a.attname FROM pg_class s "
                    "JOIN pg_depend d ON d.objid = s.oid JOIN pg_class t ON t.oid = d.refobjid "
                    "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
                    "WHERE s.relkind = 'S'").fetchall():
                cur.execute(f'SELECT setval(%s, COALESCE((SELECT max("{column}") FROM "{table}"), 0) + 1, false)',
                            (sequence,))
        conn.commit()
    began = time.perf_counter()
    with psycopg.connect(plain(url, database), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"vacuumed and analysed in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    with psycopg.connect(plain(url), autocommit=True) as admin:
        admin.execute(f"COMMENT ON DATABASE \"{database}\" IS '{stamp}'")
    source.close()
    return target, time.perf_counter() - started


if __name__ == "__main__":
    # python bench/pg.py SQLITE URL DATABASE STAMP TIMEBANK...: move_in in a process of its own.
    import json

    print(json.dumps(move_in(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[5:], dict(os.environ),
                             sys.argv[4])))
