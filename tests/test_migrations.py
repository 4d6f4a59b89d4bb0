"""Migrations: the head Alembic knows is the one the code checks for with one SELECT."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import Cli, execute_sql, fresh_db, query, sqlite_only
from timebank.ledger.storage.db import HEAD_REVISION, KNOWN_REVISIONS
from timebank.ledger.storage.migrate import head_revision


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


FIXTURES = Path(__file__).parent / "data"


def _load_fixture(revision: str, target: "Path | str") -> None:
    """A ledger as revision `revision` left it: the committed file, or on PostgreSQL the
    same rows loaded into a database migrated to that revision."""
    source = FIXTURES / f"ledger-{revision}.sqlite3"
    if isinstance(target, Path):
        shutil.copyfile(source, target)
        return
    from sqlalchemy import MetaData, insert

    from timebank.ledger.storage.db import open_ledger
    from timebank.ledger.storage.migrate import upgrade_to_head

    ledger = open_ledger(target, create=True)
    upgrade_to_head(ledger, revision)
    metadata = MetaData()
    metadata.reflect(ledger.engine)
    conn = sqlite3.connect(source)
    conn.row_factory = sqlite3.Row
    with ledger.engine.begin() as pg:
        tables = [t for t in ("centres", "members", "categories", "settings", "exchanges", "entries", "audit",
                              "month_totals", "listings", "member_periods", "access_requests", "outcome_measures",
                              "outcome_scores", "record_links")
                  if t in metadata.tables]
        for table in tables:
            rows = [dict(r) for r in conn.execute(f"SELECT * FROM {table}")]
            columns = metadata.tables[table].c
            for row in rows:
                for key, value in row.items():
                    if value is not None and str(columns[key].type) == "DATE":
                        row[key] = date.fromisoformat(value)
                    elif value is not None and str(columns[key].type) in ("DATETIME", "TIMESTAMP WITHOUT TIME ZONE"):
                        row[key] = datetime.fromisoformat(value)
            if rows:
                pg.execute(insert(metadata.tables[table]), rows)
        pg.exec_driver_sql("SELECT setval(pg_get_serial_sequence('entries', 'id'), (SELECT max(id) FROM entries))")
        pg.exec_driver_sql("SELECT setval(pg_get_serial_sequence('audit', 'id'), (SELECT max(id) FROM audit))")
        for table in ("listings", "member_periods", "access_requests", "outcome_measures", "outcome_scores"):
            if table in tables:
                pg.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 1) FROM {table}))")
    conn.close()
    ledger.dispose()


def _figures_at(revision: str) -> tuple[dict[int, int], int, int, int]:
    conn = sqlite3.connect(FIXTURES / f"ledger-{revision}.sqlite3")
    balances = dict(conn.execute("SELECT member, SUM(minutes) FROM entries GROUP BY member"))
    exchanges = conn.execute("SELECT count(*) FROM exchanges").fetchone()[0]
    members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
    has_listings = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'listings'").fetchone()[0]
    listings = conn.execute("SELECT count(*) FROM listings").fetchone()[0] if has_listings else 0
    conn.close()
    return balances, exchanges, members, listings


def _rows_at(revision: str, statement: str) -> int:
    conn = sqlite3.connect(FIXTURES / f"ledger-{revision}.sqlite3")
    try:
        return conn.execute(statement).fetchone()[0]
    except sqlite3.OperationalError:  # the table came later
        return 0
    finally:
        conn.close()


PAST_REVISIONS = [r for r in KNOWN_REVISIONS if r != HEAD_REVISION]
# The revisions before the chain (0005), whose upgrade builds it.
BEFORE_THE_CHAIN = [r for r in PAST_REVISIONS if r < "0005"]


def test_membership_periods_are_read_back_from_the_history(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """0007: the periods of an older ledger's members come from their audit events. In the
    0006 fixture Mary Griffiths (7) left on 2026-08-01 and was brought back by the old
    `member rejoin`, which cleared the day she left; Angharad Roberts (6) left; member 3 was
    erased without leaving."""
    target = fresh_db(tmp_path, "old")
    _load_fixture("0006", target)
    rejoined = _rows_at("0006", "SELECT substr(at, 1, 10) FROM audit WHERE action = 'member.rejoin'")
    cli = Cli(target, capsys)
    assert cli.json("member", "show", "7")["periods"] == [
        {"joined": "2026-08-01", "left": "2026-08-01", "ended_by": "left"},
        {"joined": rejoined, "left": None, "ended_by": None}]
    assert cli.json("member", "show", "6")["periods"] == [
        {"joined": "2026-09-01", "left": "2026-09-01", "ended_by": "left"}]
    erased = cli.json("member", "show", "3")["periods"]
    forgotten = _rows_at("0006", "SELECT substr(at, 1, 10) FROM audit WHERE action = 'member.forget'")
    assert erased == [{"joined": "2026-08-01", "left": forgotten, "ended_by": "erased"}]
    august = cli.json("report", "period", "--from", "2026-08-01", "--to", "2026-08-31", "--format", "json")["total"]
    assert august["members_left"] == 1          # Mary's leaving, which the old rejoin had cleared
    cli.ok("check")


def test_every_past_revision_has_a_fixture() -> None:
    for revision in PAST_REVISIONS:
        assert (FIXTURES / f"ledger-{revision}.sqlite3").is_file(), revision


@pytest.mark.parametrize("revision", PAST_REVISIONS)
def test_upgrade_keeps_everything(tmp_path: Path, capsys, revision: str) -> None:  # type: ignore[no-untyped-def]
    target = fresh_db(tmp_path, "old")
    _load_fixture(revision, target)
    balances, exchanges, members, listings = _figures_at(revision)
    cli = Cli(target, capsys)
    listed = cli.json("balance", "--as-of", "2999-12-31")
    assert {r["number"]: r["balance_minutes"] for r in listed} == {n: balances.get(n, 0) for n in
                                                                  (r["number"] for r in listed)}
    assert len(cli.json("exchange", "list", "--include-void")) == exchanges
    # The pot is not listed, nor the erased members (3; 12 too from 0007): an erased member is on no list.
    erased = _rows_at(revision, "SELECT count(*) FROM members WHERE forgotten IS NOT NULL")
    assert len(cli.json("member", "list", "--all")) == members - 1 - erased
    now = {r["number"]: r["balance_minutes"] for r in cli.json("balance")}
    assert all(now[n] == balances.get(n, 0) for n in now)
    assert "Member 3 (erased)" in cli.ok("member", "show", "3", lang="en").out
    assert len(cli.json("offer", "list", "--closed")) + len(cli.json("request", "list", "--closed")) == listings
    # Every category answers to its Welsh code after the upgrade (revision 0004).
    assert {c["code"]: c["code_cy"] for c in cli.json("category", "list")}["transport"] == "cludiant"
    cli.ok("check")
    if isinstance(target, Path):
        assert list((target.parent / "backups").glob("timebank-auto-*.sqlite3")), "no backup before upgrading"
        conn = sqlite3.connect(target)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION
        conn.close()


@pytest.mark.parametrize("revision", BEFORE_THE_CHAIN)
def test_upgrade_builds_the_chain(tmp_path: Path, capsys, revision: str) -> None:  # type: ignore[no-untyped-def]
    """Every exchange and event of an older ledger becomes a link, in the order they were
    written; an audit event says when the chain began; the chain then catches a change to
    the oldest history, and an erasure afterwards keeps it whole."""
    target = fresh_db(tmp_path, "old")
    _load_fixture(revision, target)
    exchanges = _rows_at(revision, "SELECT count(*) FROM exchanges")
    events = _rows_at(revision, "SELECT count(*) FROM audit")
    cli = Cli(target, capsys)
    result = cli.ok("check")
    head = query(target, "SELECT max(link) FROM (SELECT link FROM exchanges UNION ALL SELECT link FROM audit "
                         "UNION ALL SELECT link FROM record_links) AS links")[0][0]
    assert f"#{head} " in result.out, result.out
    links = query(target, "SELECT link FROM exchanges UNION ALL SELECT link FROM audit UNION ALL "
                          "SELECT link FROM record_links ORDER BY 1")
    assert [link for (link,) in links] == list(range(1, head + 1))
    began = [e for e in cli.json("audit") if e["action"] == "ledger.chain"]
    # The chain begun (0005, version 1), then taken to version 2 (0008), which binds every text before it.
    assert len(began) == 2 and began[0]["details"]["links"] == exchanges + events
    assert began[1]["details"]["texts"] == exchanges + events + 1
    assert "Took the chain to version 2" in cli.ok("audit", lang="en").out
    assert "Began the tamper-evident chain over the" in cli.ok("audit", lang="en").out
    assert "gadwyn" in cli.ok("audit", lang="cy").out
    # An exchange's event follows the exchange.
    first = query(target, "SELECT x.link, a.link FROM exchanges x JOIN audit a ON a.exchange = x.number "
                          "AND a.action = 'exchange.record' WHERE x.number = 1")
    assert first and first[0][0] < first[0][1]
    # Erasing a member with notes and edits after the upgrade keeps the chain whole.
    person = query(target, "SELECT max(number) FROM members WHERE kind = 'person' AND forgotten IS NULL")[0][0]
    cli.ok("member", "forget", str(person), "--yes")
    cli.ok("check")
    # The oldest history is now sealed: a change to it is named.
    execute_sql(target, "UPDATE exchanges SET category = 'other' WHERE number = 1")
    broken = cli("check", lang="en")
    assert broken.code == 1 and "Exchange 1 has changed since it was recorded" in broken.out


def test_a_new_ledger_has_no_chain_start_event(ledger: Cli) -> None:
    assert [e for e in ledger.json("audit") if e["action"] == "ledger.chain"] == []
    assert query(ledger.db, "SELECT min(link) FROM (SELECT link FROM audit UNION ALL SELECT link FROM record_links) "
                            "AS links") == [(1,)]


def test_upgrade_to_purposes_keeps_every_link_and_figure(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """0005 to 0006: every exchange becomes help, as it was counted; the chain verifies with
    the very seal it had (a purpose enters a link only when it is not help), the monthly
    totals are the same rows, and an opening balance written afterwards keeps the check
    whole."""
    target = fresh_db(tmp_path, "old")
    _load_fixture("0005", target)
    conn = sqlite3.connect(FIXTURES / "ledger-0005.sqlite3")
    exchanges = conn.execute("SELECT count(*) FROM exchanges").fetchone()[0]
    links = conn.execute("SELECT max(link) FROM (SELECT link FROM exchanges UNION ALL SELECT link FROM audit)"
                         ).fetchone()[0]
    last_hash = conn.execute(f"SELECT link_hash FROM exchanges WHERE link = {links} UNION ALL "
                             f"SELECT link_hash FROM audit WHERE link = {links}").fetchone()[0]
    months = sorted(conn.execute("SELECT month, category, exchanges, minutes FROM month_totals"))
    conn.close()
    cli = Cli(target, capsys)
    # The seal it had still holds (the upgrades since add links after it).
    checked = cli.ok("check", "--seal", f"#{links} {bytes(last_hash).hex()[:16]}", lang="en")
    assert "still holds exactly the history sealed" in checked.out, checked.out
    assert query(target, "SELECT purpose, count(*) FROM exchanges GROUP BY purpose") == [("help", exchanges)]
    assert sorted(query(target, "SELECT month, category, exchanges, minutes FROM month_totals")) == months
    # The column refuses a purpose it does not know, and a new exchange is help by default.
    with pytest.raises(Exception, match="ck_exchanges_purpose"):
        execute_sql(target, "UPDATE exchanges SET purpose = 'gift' WHERE number = 1")
    person = query(target, "SELECT min(number) FROM members WHERE kind = 'person' AND forgotten IS NULL "
                           "AND \"left\" IS NULL")[0][0]
    cli.ok("record", "0", str(person), "1", "--allow-overdraft")
    assert query(target, "SELECT purpose FROM exchanges ORDER BY number DESC LIMIT 1") == [("help",)]
    cli.ok("check")
    # An opening balance through the write path, after the upgrade: its link verifies and
    # it stays out of the monthly totals.
    from timebank.ledger.records.exchanges import NewExchange, write_exchanges
    from timebank.ledger.storage.db import open_ledger, writing
    from timebank.ledger.storage.models import OPENING

    opened = open_ledger(str(target))
    before = sorted(query(target, "SELECT month, category, exchanges, minutes FROM month_totals"))
    try:
        with writing(opened) as session:
            write_exchanges(session, "tester", [NewExchange(date(2026, 11, 2), "other", 30, "moved in",
                                                            (person,), (0,), purpose=OPENING)])
    finally:
        opened.dispose()
    assert sorted(query(target, "SELECT month, category, exchanges, minutes FROM month_totals")) == before
    cli.ok("check")


def test_upgrade_folds_every_name_and_links_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """0010: every member already there gets their name folded (accents stripped in Python,
    which SQL cannot do), the record links stay as they were (the folded name is a cache,
    in no digest), and names typed without accents find the members of the 0009 fixture."""
    target = fresh_db(tmp_path, "old")
    _load_fixture("0009", target)
    links = _rows_at("0009", "SELECT count(*) FROM record_links")
    names = dict(_rows_at_all("0009", "SELECT number, name FROM members"))
    cli = Cli(target, capsys)
    cli.ok("check")
    from timebank.ledger.basics.language import fold

    assert dict((n, f) for n, _name, f in query(target, "SELECT number, name, folded FROM members")) == {
        number: fold(name) for number, name in names.items()}
    # No link for the folded names; the only links added are those of 0013, which gives the
    # built-in categories their well-being goals.
    from timebank.ledger.records.categories import DEFAULT_GOALS

    given_goals = [code for (code,) in _rows_at_all("0009", "SELECT code FROM categories") if DEFAULT_GOALS.get(code)]
    assert query(target, "SELECT count(*) FROM record_links")[0][0] == links + len(given_goals)
    assert query(target, "SELECT folded FROM members WHERE forgotten IS NOT NULL") == [("",), ("",)]
    for typed, number in [("dylan dafis", 2), ("SIAN WYN", 13), ("gwenllian", 14), ("llyr", 1), ("elin mon", 15)]:
        assert cli.json("member", "show", typed)["number"] == number, typed


def _rows_at_all(revision: str, statement: str) -> list[tuple]:
    conn = sqlite3.connect(FIXTURES / f"ledger-{revision}.sqlite3")
    try:
        return list(conn.execute(statement))
    finally:
        conn.close()
