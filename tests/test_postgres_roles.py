"""PostgreSQL roles (issue 17, red-team item 10; issue 26): a connection that holds the
writers' turn makes writers give up with a clear message after the busy timeout instead of
waiting for ever; only a role that may write the ledger can hold that turn (not one that may
only read it, nor one of another database on the server); a role without grants is told it
has no permission, not to run init; `check` reads one snapshot while others write."""

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


def _as(role: str, database: str | None) -> str:
    return _pg_conninfo(database).replace("postgres@", f"{role}@", 1)


def test_a_held_writers_turn_times_out_with_a_clear_message(ledger: Cli, role: tuple[str, str]) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    name, _url = role
    database = make_url(str(ledger.db)).database
    with psycopg.connect(_pg_conninfo(database), autocommit=True) as conn:
        conn.execute(f'GRANT SELECT, UPDATE ON alembic_version TO "{name}"')
    before = dump(ledger.db)
    # A role with the right to write the table holds the turn, as a stuck program would.
    with psycopg.connect(_as(name, database)) as holder:
        holder.execute("SELECT 1 FROM alembic_version FOR NO KEY UPDATE")
        outputs = {}
        for lang in ("en", "cy"):
            done = subprocess.run([sys.executable, "-c", SHORT_TIMEOUT, "--db", str(ledger.db), "--lang", lang,
                                   "record", "Siân", "Llinos", "1"], capture_output=True, text=True, timeout=120)
            assert done.returncode == 1, done
            assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
            assert "alembic_version" in done.stderr and " 2 " in done.stderr
            outputs[lang] = done.stderr
        assert outputs["en"] != outputs["cy"]
        assert ledger.ok("balance").out  # readers never wait for the turn
        assert ledger.ok("check").out
    assert dump(ledger.db) == before
    ledger.ok("record", "Siân", "Llinos", "1")  # the turn given back, writers go on


def test_a_role_that_may_only_read_cannot_hold_up_writers(ledger: Cli, role: tuple[str, str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Red-team (issue 26): any role that could connect took the advisory lock and every
    # writer waited. Now the turn is a row lock that needs the UPDATE privilege.
    import time

    import psycopg
    from sqlalchemy.engine import make_url

    import timebank.ledger.storage.db as db

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 2000)
    name, _url = role
    database = make_url(str(ledger.db)).database
    with psycopg.connect(_pg_conninfo(database), autocommit=True) as conn:
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{name}"')
    with psycopg.connect(_as(name, database)) as reader:
        reader.execute("SELECT pg_advisory_lock(7461626)")  # the old lock: nobody waits for it now
        for attempt in ("SELECT 1 FROM alembic_version FOR NO KEY UPDATE", "SELECT 1 FROM alembic_version FOR SHARE",
                        "LOCK TABLE alembic_version IN SHARE MODE", "LOCK TABLE exchanges IN EXCLUSIVE MODE"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                reader.execute(attempt)
            reader.rollback()
        reader.execute("SELECT pg_advisory_lock(7461626)")
        reader.execute("SELECT count(*) FROM exchanges").fetchone()  # and a read left open
        began = time.monotonic()
        ledger.ok("record", "Siân", "Llinos", "1")
        ledger.ok("member", "add", "Nia")
        assert time.monotonic() - began < 2
    assert ledger.ok("check").out


def test_a_role_of_another_database_cannot_hold_up_init(cli: Cli, role: tuple[str, str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # init takes an advisory lock (there is no table to lock yet): PostgreSQL keeps advisory
    # locks per database, so a role connected to another database (here the server's
    # `postgres`) holding the same key does not stop it.
    import psycopg

    import timebank.ledger.storage.db as db

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 2000)
    name, _url = role
    with psycopg.connect(_as(name, None), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(7461626)")
        # The ledger exists (the `ledger` fixture made it): init under its own name says so.
        cli.ok("init", "--name", "Banc Amser Blaengarw")
        cli.ok("member", "add", "Nia")


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


def test_a_password_in_the_query_is_not_shown_with_the_ledger(ledger: Cli, role: tuple[str, str]) -> None:
    # The messages that name the ledger show its URL: a ?password= must not show with it.
    name, url = role
    stranger = Cli(url + "?password=zorblax&sslpassword=qwxvq", ledger.capsys)
    results = refused(stranger, "balance")
    for result in results.values():
        assert name in result.err and "zorblax" not in result.err and "qwxvq" not in result.err, result


def test_a_role_without_temporary_is_told_so_not_that_it_has_no_permission(
        ledger: Cli, role: tuple[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Reports at a seal and imports make temporary tables; a role that may read and write
    # the ledger but not create them was told it had no permission to use the ledger.
    import re

    import psycopg
    from sqlalchemy.engine import make_url

    name, url = role
    database = make_url(str(ledger.db)).database
    ledger.ok("record", "Siân", "Llinos", "1")
    seal = re.search(r"#\d+ [0-9a-f]{16}", ledger.ok("check").out)
    assert seal
    with psycopg.connect(_pg_conninfo(database), autocommit=True) as conn:
        conn.execute(f'REVOKE TEMPORARY ON DATABASE "{database}" FROM PUBLIC')
        conn.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{name}"')
        conn.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{name}"')
    member = Cli(url, ledger.capsys)
    rows = tmp_path / "exchanges.csv"
    # A grouped import orders its rows in a temporary table.
    rows.write_text("exchange,date,giver,receiver,hours\nA,2026-02-01,1,2,1\nA,2026-02-01,1,3,1\n", encoding="utf-8")
    for args in (["report", "monthly", "--seal", seal.group(0)], ["import", "exchanges", str(rows)]):
        results = refused(member, *args)
        for result in results.values():
            assert name in result.err and ("TEMPORARY" in result.err) and "permission" not in result.err, result
        assert "temporary tables" in results["en"].err and "tablau dros dro" in results["cy"].err
    member.ok("record", "Siân", "Llinos", "2")  # what needs no temporary table still works
    assert member.ok("report", "monthly").out
    with psycopg.connect(_pg_conninfo(database), autocommit=True) as conn:
        conn.execute(f'GRANT TEMPORARY ON DATABASE "{database}" TO "{name}"')
    assert member.ok("report", "monthly", "--seal", seal.group(0)).out


def test_the_readme_set_up_keeps_other_roles_out(ledger: Cli, role: tuple[str, str]) -> None:
    # Red-team (issue 26): PUBLIC keeps CONNECT on a new database, so another network's role
    # on the same server could connect to this ledger's. The README's set-up revokes it;
    # its statements run here as written, with this test's database and roles.
    import re
    from pathlib import Path

    import psycopg
    from sqlalchemy.engine import make_url

    name, url = role
    database = make_url(str(ledger.db)).database
    for readme in ("README.md", "README.cy.md"):
        text = (Path(__file__).resolve().parents[1] / readme).read_text(encoding="utf-8")
        statements = re.findall(r"-c '((?:REVOKE|GRANT) [^']+)'", text)
        assert [s.split()[0] for s in statements] == ["REVOKE", "GRANT"], readme
    with psycopg.connect(_pg_conninfo(database), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.replace("banc_amser", f'"{database}"').replace("TO timebank", "TO postgres"))
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(_as(name, database)).close()
    stranger = Cli(url, ledger.capsys)
    for args in (["balance"], ["record", "Siân", "Llinos", "1"], ["check"]):
        results = refused(stranger, *args)
        for result in results.values():
            assert name in result.err and "init" not in result.err, result
    assert ledger.ok("record", "Siân", "Llinos", "1")  # the network's own role goes on
    with psycopg.connect(_pg_conninfo(database), autocommit=True) as conn:
        conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{name}"')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{name}"')
    assert stranger.ok("balance").out
