"""The whole ledger in the chain (issue 26): members, periods of membership, categories,
settings and listings are links of the chain, written with each change, and `check` names
any of them edited behind timebank's back (with `sqlite3`, or SQL on PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ON_POSTGRES, Cli, execute_sql, fresh_db, query

TITLE = "Members, periods, categories, settings and listings are as timebank wrote them"
DATA = Path(__file__).parent / "data"


def record_links(db: "Path | str") -> int:
    return query(db, "SELECT count(*) FROM record_links")[0][0]


def broken(cli: Cli, *expected: str, lang: str = "en") -> str:
    """`check` fails and says each of `expected`."""
    result = cli("check", lang=lang)
    assert result.code == 1, result.out
    for words in expected:
        assert words in result.out, result.out
    return result.out


def test_every_record_has_a_link_and_check_says_so(ledger: Cli) -> None:
    result = ledger.ok("check", lang="en")
    assert "✓ " + TITLE in result.out
    assert "✓ Mae'r aelodau, y cyfnodau aelodaeth, y categorïau" in ledger.ok("check", lang="cy").out
    for table, key in (("members", "number"), ("member_periods", "id"), ("categories", "code"),
                       ("settings", "key"), ("listings", "id")):
        unlinked = query(ledger.db, f"SELECT count(*) FROM {table} WHERE CAST({key} AS TEXT) NOT IN "
                                    f"(SELECT key FROM record_links WHERE tbl = '{table}')")[0][0]
        assert unlinked == 0, table
    # Each link follows the last: exchanges, events and records make one chain.
    links = [link for (link,) in query(ledger.db, "SELECT link FROM exchanges UNION ALL SELECT link FROM audit "
                                                  "UNION ALL SELECT link FROM record_links ORDER BY 1")]
    assert links == list(range(1, len(links) + 1))


def test_swapped_names_are_both_named(ledger: Cli) -> None:
    # Their folded names swapped too (as timebank keeps them): only the record links can tell.
    execute_sql(ledger.db, "UPDATE members SET name = CASE number WHEN 1 THEN 'Llinos' ELSE 'Siân' END, "
                           "folded = CASE number WHEN 1 THEN 'llinos' ELSE 'sian' END WHERE number IN (1, 2)")
    out = broken(ledger, "Member 1 has changed behind timebank's back (not as its last link #",
                 "Member 2 has changed behind timebank's back")
    assert out.count("✗") == 1, out  # nothing else sees it
    broken(ledger, "Mae aelod 1 wedi newid y tu ôl i gefn timebank", lang="cy")


def test_a_ghost_member_is_named_and_fifty_are_counted(ledger: Cli, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    plain = tmp_path / "copy"
    plain.mkdir()
    execute_sql(ledger.db, "INSERT INTO members (number, kind, name, lang, joined, created_at, balance_minutes) "
                           "VALUES (4, 'person', 'Ghost', 'en', '2026-01-05', '2026-01-05 10:00:00', 0)")
    broken(ledger, "Member 4 is not on the chain: timebank did not write it.")
    broken(ledger, "Nid yw aelod 4 ar y gadwyn: nid timebank a'i hysgrifennodd.", lang="cy")
    execute_sql(ledger.db, *[f"INSERT INTO members (number, kind, name, lang, joined, created_at, balance_minutes) "
                             f"VALUES ({n}, 'person', 'Ghost {n}', 'en', '2026-01-05', '2026-01-05 10:00:00', 0)"
                             for n in range(5, 54)])
    out = broken(ledger, "Member 13 is not on the chain", "... and 40 more records that are not as timebank "
                                                           "wrote them.")
    assert "Member 14 is not on the chain" not in out


@pytest.mark.parametrize(("tamper", "named"), [
    ("UPDATE members SET kind = 'organisation' WHERE number = 3",
     "Member 3 has changed behind timebank's back"),
    ("UPDATE members SET joined = '2025-01-05' WHERE number = 2",
     "Member 2 has changed behind timebank's back"),
    ("UPDATE member_periods SET joined = '2025-01-05' WHERE member = 2",
     "Period of membership 2 of member 2 has changed behind timebank's back"),
    ("UPDATE categories SET name_en = 'Lawns' WHERE code = 'gardening'",
     "Category 'gardening' has changed behind timebank's back"),
    ("UPDATE settings SET value = '2' WHERE key = 'hour_value'",
     "Setting 'hour_value' has changed behind timebank's back"),
    ("UPDATE members SET email = 'x@example.org', salt = NULL WHERE number = 1",
     "Member 1 has changed behind timebank's back"),
    ("DELETE FROM settings WHERE key = 'hour_value'",
     "Setting 'hour_value' was deleted behind timebank's back (its last link is #"),
])
def test_each_change_behind_its_back_is_named(ledger: Cli, tamper: str, named: str) -> None:
    if ON_POSTGRES:
        tamper = tamper.replace("'2025-01-05'", "DATE '2025-01-05'")
    ledger.ok("settings", "set", "hour_value", "12.50")  # a setting the ledger holds
    ledger.ok("check")
    execute_sql(ledger.db, tamper)
    broken(ledger, named)


def test_a_deleted_listing_and_a_changed_note_are_named(ledger: Cli) -> None:
    ledger.ok("offer", "add", "Siân", "gardening", "--note", "Hedges")
    ledger.ok("request", "add", "Llinos", "gardening")
    ledger.ok("check")
    execute_sql(ledger.db, "UPDATE listings SET note = 'Lawns' WHERE id = 1", "DELETE FROM listings WHERE id = 2")
    broken(ledger, "Listing 1 has changed behind timebank's back", "Listing 2 was deleted behind timebank's back")
    broken(ledger, "Cafodd rhestriad 2 ei ddileu y tu ôl i gefn timebank", lang="cy")


def test_a_changed_or_deleted_record_link_breaks_the_chain(ledger: Cli) -> None:
    link = query(ledger.db, "SELECT max(link) FROM record_links WHERE tbl = 'members' AND key = '3'")[0][0]
    execute_sql(ledger.db, f"UPDATE record_links SET key = '2' WHERE link = {link}")
    broken(ledger, f"Record link #{link} (member 2) has changed since it was written")
    execute_sql(ledger.db, f"DELETE FROM record_links WHERE link = {link}")
    broken(ledger, f"Link #{link} of the chain is missing", "Member 3 is not on the chain")


def test_everyday_use_keeps_check_green_and_balances_link_nothing(ledger: Cli, tmp_path: Path) -> None:
    before = record_links(ledger.db)
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-02")
    ledger.ok("record", "Llinos", "Lowri", "2", "--note", "Lifft", "--date", "2026-02-03")
    assert record_links(ledger.db) == before  # two balances changed: no record link
    ledger.ok("exchange", "void", "1", "--reason", "Twice")
    assert record_links(ledger.db) == before
    ledger.ok("member", "add", "Bethan", "--joined", "2026-01-05", "--email", "b@example.org")
    ledger.ok("member", "edit", "Bethan", "--area", "CF32", "--phone", "01656 000000")
    assert query(ledger.db, "SELECT count(*) FROM record_links WHERE tbl = 'members' AND key = '4'")[0][0] == 2
    ledger.ok("member", "leave", "Lowri", "--date", "2026-06-01")
    ledger.ok("member", "rejoin", "Lowri")
    ledger.ok("category", "add", "music", "--en", "Music", "--cy", "Cerddoriaeth")
    ledger.ok("settings", "set", "credit_limit", "5")
    ledger.ok("settings", "set", "hour_value", "12.50")
    ledger.ok("offer", "add", "Siân", "gardening", "--note", "Hedges", "--date", "2026-02-01")
    ledger.ok("request", "add", "Llinos", "gardening", "--date", "2026-02-01")
    ledger.ok("request", "add", "Bethan", "music", "--date", "2026-02-01")
    ledger.ok("request", "remove", "3")
    ledger.ok("record", "Siân", "Llinos", "1", "--category", "gardening", "--request", "2", "--date", "2026-03-01")
    ledger.ok("import", "members", str(DATA / "members.csv"))
    ledger.ok("import", "exchanges", str(DATA / "exchanges.csv"))
    ledger.ok("member", "forget", "Bethan", "--yes")
    result = ledger.ok("check", lang="en")
    assert "✓ " + TITLE in result.out and "The ledger passed every check." in result.out
    assert query(ledger.db, "SELECT count(*) FROM record_links WHERE tbl = 'members' AND key = '4'")[0][0] >= 3


def test_a_back_dated_exchange_with_the_pot_links_the_pots_new_joining_day(ledger: Cli) -> None:
    ledger.ok("settings", "set", "credit_limit", "")
    pot = query(ledger.db, "SELECT count(*) FROM record_links WHERE tbl = 'members' AND key = '0'")[0][0]
    ledger.ok("record", "pot", "Siân", "1", "--date", "2026-01-10")
    assert str(query(ledger.db, "SELECT joined FROM members WHERE number = 0")[0][0]) == "2026-01-10"
    assert query(ledger.db, "SELECT count(*) FROM record_links WHERE tbl = 'members' AND key = '0'")[0][0] == pot + 1
    ledger.ok("check")


def test_timeoverflow_import_and_demo_pass(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-25")
    cli.ok("init")
    cli.ok("import", "timeoverflow", *map(str, sorted((DATA / "timeoverflow" / "en").glob("*.csv"))))
    assert "✓ " + TITLE in cli.ok("check", lang="en").out


def test_demo_passes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    demo = Cli(fresh_db(tmp_path, "demo"), capsys)
    demo.ok("demo")
    assert "✓ " + TITLE in demo.ok("check", lang="en").out


@pytest.mark.skipif(ON_POSTGRES, reason="the committed fixtures are SQLite files")
@pytest.mark.parametrize("revision", ["0001", "0004", "0007"])
def test_an_upgraded_ledger_has_every_record_on_the_chain(tmp_path: Path, capsys, revision: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "old.sqlite3"
    shutil.copyfile(DATA / f"ledger-{revision}.sqlite3", target)
    cli = Cli(target, capsys)
    assert "✓ " + TITLE in cli.ok("check", lang="en").out
    members = query(target, "SELECT count(*) FROM members")[0][0]
    assert query(target, "SELECT count(DISTINCT key) FROM record_links WHERE tbl = 'members'")[0][0] == members
    execute_sql(target, "UPDATE categories SET name_cy = 'Garddio!' WHERE code = 'gardening'")
    broken(cli, "Category 'gardening' has changed behind timebank's back")
