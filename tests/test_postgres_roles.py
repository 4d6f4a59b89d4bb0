"""PostgreSQL roles (issue 17, red-team item 10): a connection that holds the writers'
advisory lock makes writers give up with a clear message after the busy timeout instead of
waiting for ever, and a role without grants is told it has no permission, not to run init."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from conftest import Cli, _pg_conninfo, dump, postgres_only
from refusal import refused

pytestmark = postgres_only

# A writer with a two-second busy timeout (the constant a test may shorten; users get 30 s).
SHORT_TIMEOUT = ("import sys; import timebank.ledger.storage.db as db; db.BUSY_TIMEOUT_MS = 2000; "
                 "from timebank.cli.main import run; sys.exit(run(sys.argv[1:]))")


@pytest.fixture
def role(ledger: Cli):  # type: ignore[no-untyped-def]
    """A role that can log in and connect, and has been granted nothing else."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"tb_role_{uuid.uuid4().hex[:8]}"
    database = make_url(str(ledger.db)).database
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{name}" LOGIN')
    url = make_url(str(ledger.db)).set(username=name, password=None).render_as_string(hide_password=False)
    try:
        psycopg.connect(_pg_conninfo(database).replace("postgres@", f"{name}@", 1)).close()
    except psycopg.Error as error:
        pytest.skip(f"cannot log in as a new role on this server: {error}")
    yield name, url
    with psycopg.connect(_pg_conninfo(database), autocommit=True) as conn:
        conn.execute(f'DROP OWNED BY "{name}"')
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP ROLE "{name}"')


def test_a_held_writers_lock_times_out_with_a_clear_message(ledger: Cli, role: tuple[str, str]) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    name, _url = role
    database = make_url(str(ledger.db)).database
    before = dump(ledger.db)
    # Any role that can connect can take the lock: this one has no other rights at all.
    with psycopg.connect(_pg_conninfo(database).replace("postgres@", f"{name}@", 1), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(7461626)")
        outputs = {}
        for lang in ("en", "cy"):
            done = subprocess.run([sys.executable, "-c", SHORT_TIMEOUT, "--db", str(ledger.db), "--lang", lang,
                                   "record", "Siân", "Llinos", "1"], capture_output=True, text=True, timeout=120)
            assert done.returncode == 1, done
            assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
            assert "7461626" in done.stderr
            outputs[lang] = done.stderr
        assert outputs["en"] != outputs["cy"]
        assert ledger.ok("balance").out  # readers never wait for the lock
    assert dump(ledger.db) == before
    ledger.ok("record", "Siân", "Llinos", "1")  # the lock released, writers go on


def test_a_role_without_grants_is_told_it_has_no_permission(ledger: Cli, role: tuple[str, str]) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    name, url = role
    stranger = Cli(url, ledger.capsys)
    for args in (["balance"], ["record", "Siân", "Llinos", "1"], ["check"], ["init"], ["member", "add", "Nia"]):
        results = refused(stranger, *args)
        for result in results.values():
            assert name in result.err and "init" not in result.err, result
            assert "permission" in results["en"].err
    with psycopg.connect(_pg_conninfo(make_url(str(ledger.db)).database), autocommit=True) as conn:
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{name}"')
    assert stranger.ok("balance").out
    results = refused(stranger, "record", "Siân", "Llinos", "1")
    assert "permission" in results["en"].err and "read-only" not in results["en"].err


def test_check_reads_one_snapshot_while_others_write(ledger: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # Red-team (issue 26): in READ COMMITTED each of check's queries saw the writes committed
    # before it, so exchanges recorded during the pass over the history showed as wrong
    # cached balances and totals. Here two exchanges (and a void) are committed between the
    # pass and the checks that follow it, by the same code any other coordinator runs.
    import timebank.ledger.integrity.checks as checks

    ledger.ok("record", "Siân", "Llinos", "1")
    real_walk = checks.walk
    writes: list[int] = []

    def walk_then_others_write(session, want=None):  # type: ignore[no-untyped-def]
        passed = real_walk(session, want)
        for args in (("record", "Llinos", "Lowri ap Rhys", "2:30"), ("record", "Siân", "Lowri ap Rhys", "0:45"),
                     ("exchange", "void", "1", "--reason", "dyblyg")):
            writes.append(Cli(ledger.db, ledger.capsys)(*args).code)
        return passed

    monkeypatch.setattr(checks, "walk", walk_then_others_write)
    result = ledger("check")
    assert writes == [0, 0, 0]  # the writers were never held up by the check
    assert result.code == 0, result
    monkeypatch.undo()
    assert ledger("check").code == 0
