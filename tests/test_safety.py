"""Nothing lost, nothing leaked (issue 5): concurrency, backups, broken ledgers, erasure,
hostile text, and the CLI under random arguments."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import Cli, dump, postgres_only, query, sqlite_only

WRITER = textwrap.dedent("""
    import sys
    from timebank.cli.main import run
    db, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    failures = 0
    for index in range(count):
        giver, receiver = (1, 2) if (index + worker) % 2 else (2, 1)
        code = run(["--db", db, "record", str(giver), str(receiver), "1m", "--again", "--note", f"w{worker}-{index}"])
        failures += code != 0
    sys.exit(1 if failures else 0)
""")


def concurrent_writers(db: "Path | str", workers: int, each: int) -> list[subprocess.CompletedProcess]:
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(w), str(each)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for w in range(workers)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


@pytest.fixture
def two_members(cli: Cli) -> Cli:
    """A ledger with no credit limit and two members who can trade forever."""
    cli.ok("init")
    cli.ok("settings", "set", "credit_limit", "")
    cli.ok("member", "add", "Siân", "--joined", "2020-01-01")
    cli.ok("member", "add", "Llinos", "--joined", "2020-01-01")
    return cli


@sqlite_only
@pytest.mark.slow
def test_four_writers_at_once_lose_nothing(two_members: Cli) -> None:
    cli = two_members
    results = concurrent_writers(cli.db, 4, 250)
    for result in results:
        assert result.returncode == 0, result.stderr[-2000:]
        assert "locked" not in result.stderr and "Traceback" not in result.stderr
    rows = cli.json("exchange", "list")
    assert len(rows) == 1000 and sorted(r["number"] for r in rows) == list(range(1, 1001))
    assert sum(r["balance_minutes"] for r in cli.json("balance")) == 0
    cli.ok("check")


@postgres_only
def test_eight_writers_at_once_on_postgres(two_members: Cli) -> None:
    cli = two_members
    results = concurrent_writers(cli.db, 8, 250)  # type: ignore[arg-type]
    for result in results:
        assert result.returncode == 0, result.stderr[-2000:]
    rows = cli.json("exchange", "list")
    assert len(rows) == 2000 and sorted(r["number"] for r in rows) == list(range(1, 2001))
    assert sum(r["balance_minutes"] for r in cli.json("balance")) == 0
    cli.ok("check")


@sqlite_only
@pytest.mark.slow
def test_backup_during_a_writer_restores_to_a_sound_ledger(two_members: Cli, tmp_path: Path) -> None:
    cli = two_members
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(cli.db), "0", "300"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    copies = []
    try:
        while writer.poll() is None and len(copies) < 5:
            target = tmp_path / f"copy{len(copies)}.sqlite3"
            cli.ok("backup", "--output", str(target))
            copies.append(target)
    finally:
        writer.communicate(timeout=600)
    assert writer.returncode == 0
    assert copies
    for copy in copies:
        assert (copy.stat().st_mode & 0o777) == 0o600
        restored = Cli(tmp_path / f"restored-{copy.name}", cli.capsys)
        restored.ok("init")
        restored.ok("restore", str(copy), "--yes")
        restored.ok("check")
        count = len(restored.json("exchange", "list"))
        assert count <= 300
    audit = [e["action"] for e in restored.json("audit")]
    assert audit[-1] == "ledger.restore"


@sqlite_only
def test_restore_refuses_bad_files_and_keeps_a_safety_copy(ledger: Cli, tmp_path: Path) -> None:
    ledger.ok("record", "Siân", "Llinos", "1")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    before = dump(ledger.db)
    for bad in (junk, other, tmp_path / "missing.sqlite3"):
        for lang in ("en", "cy"):
            result = ledger("restore", str(bad), "--yes", lang=lang)
            assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result
    assert ledger("restore", str(junk)).code == 1  # no --yes
    assert dump(ledger.db) == before
    good = tmp_path / "good.sqlite3"
    ledger.ok("backup", "--output", str(good))
    ledger.ok("record", "Llinos", "Siân", "2")
    ledger.ok("restore", str(good), "--yes")
    assert len(ledger.json("exchange", "list")) == 1
    assert list((ledger.db.parent / "backups").glob("timebank-auto-*.sqlite3"))


def _broken_cases(tmp_path: Path, good: Path) -> dict[str, Path]:
    cases: dict[str, Path] = {}
    folder = tmp_path / "a-folder"
    folder.mkdir()
    cases["directory"] = folder
    text = tmp_path / "notes.sqlite3"
    text.write_text("Rhestr siopa\n" * 50)
    cases["not sqlite"] = text
    data = good.read_bytes()
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(data[: len(data) // 3])
    cases["truncated"] = truncated
    corrupt = tmp_path / "corrupt.sqlite3"
    damaged = bytearray(data)
    # Every page after the schema's: which pages hold the members and exchanges depends on how
    # the migrations laid the tables out (0014 rebuilt the members table at the file's end).
    for offset in range(4096 * 2, len(damaged)):
        damaged[offset] = 0xAB
    corrupt.write_bytes(bytes(damaged))
    cases["corrupt"] = corrupt
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(data)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    conn.commit()
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    cases["newer"] = newer
    empty = tmp_path / "empty-sqlite.sqlite3"
    conn = sqlite3.connect(empty)
    conn.execute("CREATE TABLE other (x)")
    conn.commit()
    conn.close()
    cases["other sqlite"] = empty
    return cases


def _snapshot(path: Path) -> object:
    if path.is_dir():
        return sorted(p.name for p in path.iterdir())
    return path.read_bytes()


@sqlite_only
def test_broken_ledgers_are_refused_cleanly(ledger: Cli, tmp_path: Path) -> None:
    ledger.ok("record", "Siân", "Llinos", "1")
    good = tmp_path / "good.sqlite3"
    ledger.ok("backup", "--output", str(good))
    for label, path in _broken_cases(tmp_path, good).items():
        for args in (["balance"], ["record", "1", "2", "1"], ["member", "list"], ["check"]):
            for lang in ("en", "cy"):
                before = _snapshot(path)
                result = Cli(path, ledger.capsys)(*args, lang=lang)
                assert result.code != 0, (label, args)
                assert "Traceback" not in result.err + result.out, (label, args)
                assert len(result.err.strip().splitlines()) == 1, (label, args, result.err)
                assert _snapshot(path) == before, (label, args)


@sqlite_only
@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only file")
def test_read_only_ledger(ledger: Cli) -> None:  # pragma: no cover - depends on the user
    os.chmod(ledger.db, 0o400)
    result = ledger("record", "Siân", "Llinos", "1")
    assert result.code == 1 and "read-only" in result.err


@sqlite_only
def test_read_only_folder(ledger: Cli, tmp_path: Path) -> None:
    """A ledger on read-only media (mounted read-only for everyone, root included)."""
    mount = tmp_path / "ro"
    mount.mkdir()
    copy = mount / "ledger.sqlite3"
    ledger.ok("backup", "--output", str(copy))
    if subprocess.run(["mount", "--bind", "-o", "ro", str(mount), str(mount)], capture_output=True).returncode:
        pytest.skip("cannot make a read-only mount here")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mount)], capture_output=True)
        before = copy.read_bytes()
        result = Cli(copy, ledger.capsys)("record", "Siân", "Llinos", "1")
        assert result.code == 1 and "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1
        assert copy.read_bytes() == before
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


@sqlite_only
def test_full_disk(ledger: Cli, tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    # Room for a new ledger (210 KB since migration 0013's tables and indexes) and a little more.
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        db = mount / "ledger.sqlite3"
        small = Cli(db, ledger.capsys)
        small.ok("init")
        small.ok("settings", "set", "credit_limit", "")
        small.ok("member", "add", "Siân", "--joined", "2020-01-01")
        small.ok("member", "add", "Llinos", "--joined", "2020-01-01")
        note = "x" * 1999
        failure = None
        for _ in range(2000):
            result = small("record", "Siân", "Llinos", "1", "--again", "--note", note)
            if result.code != 0:
                failure = result
                break
        assert failure is not None, "the disk never filled"
        assert "Traceback" not in failure.err and len(failure.err.strip().splitlines()) == 1
        assert "full" in failure.err
        (mount / "filler").unlink(missing_ok=True)
        shutil.rmtree(mount / "backups", ignore_errors=True)
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


HOSTILE = ["Robert'); DROP TABLE members;--", "Siân\u202eevil", "שרה כהן", "😀 Emoji Person", "x" * 10_000,
           "Tab\there", "Null\x00byte", "Bell\x07", "Line\nbreak", "  ", "مريم"]


def test_hostile_names_and_notes(ledger: Cli) -> None:
    for text in HOSTILE:
        before = dump(ledger.db)
        result = ledger("member", "add", text)
        if result.code != 0:
            assert result.code == 1 and len(result.err.strip().splitlines()) == 1, text
            assert dump(ledger.db) == before
        note = ledger("record", "Siân", "Llinos", "1m", "--note", text)
        assert note.code in (0, 1) and "Traceback" not in note.err
    names = [m["name"] for m in ledger.json("member", "list")]
    assert "Robert'); DROP TABLE members;--" in names and "😀 Emoji Person" in names and "שרה כהן" in names
    assert ledger.ok("member", "list").out
    ledger.ok("check")


def test_forget_leaves_no_trace_but_keeps_every_total(ledger: Cli) -> None:
    ledger.ok("member", "add", "Gwenllïan Unigryw", "--email", "gwen.unigryw@example.org", "--phone", "07700 900123",
              "--note", "Yn hoffi garddio", "--joined", "2026-01-05", "--sort-as", "Unigryw Gwenllian")
    ledger.ok("record", "Gwenllïan Unigryw", "Siân", "2", "--date", "2026-02-01",
              "--note", "Help i Gwenllïan Unigryw")
    ledger.ok("record", "Llinos", "Gwenllïan", "1", "--date", "2026-02-03")
    ledger.ok("member", "edit", "Gwenllïan", "--area", "CF32")
    # Earlier details, changed before the erasure, live on in the audit of the edit.
    ledger.ok("member", "add", "Heledd Hen-enw", "--email", "hen.gyfeiriad@example.org", "--phone", "07700 111222",
              "--note", "Alergedd i gathod", "--joined", "2026-01-05")
    ledger.ok("record", "Llinos", "Heledd", "1", "--date", "2026-02-04", "--note", "lifft i heledd hen-enw")
    ledger.ok("member", "edit", "Heledd", "--name", "Heledd Newydd", "--email", "newydd@example.org",
              "--phone", "07700 333444", "--note", "Dim")
    before_balances = {r["number"]: r["balance_minutes"] for r in ledger.json("balance")}
    before_report = ledger.json("report", "monthly", "--month", "2026-02")
    assert ledger("member", "forget", "4").code == 1  # --yes is required
    ledger.ok("member", "forget", "Gwenllïan", "--yes")
    # An erased member is on no list; their balance stands (asked by number) and every other too.
    erased = before_balances.pop(4)
    assert {r["number"]: r["balance_minutes"] for r in ledger.json("balance")} == before_balances
    assert [r["balance_minutes"] for r in ledger.json("balance", "4")] == [erased]
    after_report = ledger.json("report", "monthly", "--month", "2026-02")
    assert after_report["minutes_exchanged"] == before_report["minutes_exchanged"]
    assert {m["number"]: m["closing_minutes"] for m in after_report["members"]} == \
        {m["number"]: m["closing_minutes"] for m in before_report["members"]}
    ledger.ok("member", "forget", "Heledd", "--yes")
    secrets = ("Gwenllïan Unigryw", "Unigryw", "gwen.unigryw", "07700 900123", "Yn hoffi garddio",
               "Hen-enw", "hen-enw", "hen.gyfeiriad", "07700 111222", "Alergedd i gathod", "Heledd Newydd",
               "newydd@example.org", "07700 333444")
    stored = repr(dump(ledger.db))
    for secret in secrets:
        assert secret not in stored, secret
    if isinstance(ledger.db, Path):
        raw = b"".join(p.read_bytes() for p in ledger.db.parent.glob(ledger.db.name + "*"))
        for secret in secrets:
            assert secret.encode("utf-8") not in raw, secret
    shown = ledger.json("member", "show", "4")
    assert shown["name"] == "Member 4 (erased)" and shown["email"] is None
    assert "Aelod 4" in ledger.ok("member", "show", "4", lang="cy").out
    ledger.ok("check")


member_text = st.one_of(st.sampled_from(["1", "2", "3", "#1", "Siân", "sian", "L", "Bob", "0", "99", "-1", ""]),
                        st.text(max_size=12))
hours_text = st.one_of(st.sampled_from(["1", "1.5", "1,5", "1:30", "90m", "0", "-2", "25", "1.01", "abc", "2h"]),
                       st.text(max_size=6))
date_text = st.sampled_from(["2026-02-01", "2026-01-01", "2999-01-01", "2026-13-01", "today", "ddoe", "x", "",
                             "0001-01-01", "9999-12-31"])
number_text = st.one_of(st.sampled_from(["1", "2", "0", "-1", "x", "99999999999999999999"]), st.text(max_size=4))
month_text = st.sampled_from(["2026-02", "2026-13", "9999-12", "0000-01", "2026-1", "", "x"])
arguments = st.one_of(
    st.tuples(st.just("record"), member_text, member_text, hours_text).map(list),
    st.tuples(st.just("record"), member_text, member_text, hours_text, st.just("--date"), date_text).map(list),
    st.tuples(st.just("exchange"), st.just("void"), st.sampled_from(["1", "2", "3", "x", "-1", "99"]),
              st.just("--reason"), st.text(max_size=8)).map(list),
    st.tuples(st.just("member"), st.just("add"), st.text(max_size=20)).map(list),
    st.tuples(st.just("member"), st.sampled_from(["leave", "rejoin", "show"]), member_text).map(list),
    st.tuples(st.just("balance"), st.just("--as-of"), date_text).map(list),
    st.tuples(st.just("settings"), st.just("set"),
              st.sampled_from(["credit_limit", "max_hours", "lang", "hour_value", "x"]),
              st.one_of(st.sampled_from(["nan", "1e400", "-1", "", "inf", "10"]), st.text(max_size=5))).map(list),
    st.tuples(st.just("record"), st.just("--giver"), member_text, st.just("--receiver"), member_text,
              st.just("--receiver"), member_text, st.just("--hours"), hours_text).map(list),
    st.tuples(st.just("member"), st.just("edit"), member_text, st.sampled_from(["--name", "--note", "--area"]),
              st.text(max_size=12)).map(list),
    st.tuples(st.just("member"), st.just("forget"), member_text, st.just("--yes")).map(list),
    st.tuples(st.sampled_from(["offer", "request"]), st.just("add"), member_text,
              st.sampled_from(["gardening", "transport", "nope", ""])).map(list),
    st.tuples(st.sampled_from(["offer", "request"]), st.just("remove"), number_text).map(list),
    st.tuples(st.just("match"), number_text).map(list),
    st.tuples(st.just("report"), st.just("monthly"), st.just("--month"), month_text).map(list),
    st.tuples(st.just("report"), st.just("period"), st.just("--from"), date_text, st.just("--to"), date_text).map(list),
    st.tuples(st.just("statement"), member_text, st.just("--from"), date_text).map(list),
    st.tuples(st.just("exchange"), st.just("show"), number_text).map(list),
    st.lists(st.text(max_size=10), max_size=4),
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(arguments, min_size=1, max_size=6), st.sampled_from(["en", "cy"]))
def test_random_command_lines(ledger: Cli, commands: list[list[str]], lang: str) -> None:
    for args in commands:
        before = dump(ledger.db)
        result = ledger(*args, lang=lang)
        assert "Traceback" not in result.out + result.err
        # The last guard in main.run turns any unforeseen exception into this line.
        assert "Unexpected error" not in result.err and "Gwall annisgwyl" not in result.err, (args, result.err)
        if result.code != 0:
            assert dump(ledger.db) == before, args
    # Zero-sum is a property of every entry, members who have left included: `balance`
    # lists only active members, so its total is not zero once someone in credit leaves.
    assert query(ledger.db, "SELECT COALESCE(SUM(minutes), 0) FROM entries") == [(0,)]
    assert query(ledger.db, "SELECT exchange FROM entries GROUP BY exchange HAVING SUM(minutes) <> 0") == []
    ledger.ok("check")


def test_text_that_looks_like_markup_is_shown_as_typed(ledger: Cli) -> None:
    """Rich would take "[bold]" or "[erased]" for a style tag and drop it from the screen."""
    ledger.ok("member", "add", "[bold]Bob[/bold]", "--joined", "2026-01-05")
    ledger.ok("record", "Siân", "[bold]Bob", "1", "--date", "2026-02-01", "--note", "see [red]this[/red] with [bold]Bob[/bold]")
    for args in (["member", "list"], ["balance"], ["exchange", "list"], ["member", "show", "4"],
                 ["statement", "4"], ["audit"]):
        out = ledger.ok(*args).out
        assert "[bold]Bob[/bold]" in out or "[bold]Bob" in out, args
    assert "see [red]this[/red] with [bold]Bob[/bold]" in ledger.ok("exchange", "show", "1").out
    ledger.ok("member", "forget", "4", "--yes")
    # "bold" is a common word: only the name goes, and the tags around it show as typed.
    assert "with [bold][erased][/bold]" in ledger.ok("exchange", "show", "1").out
    assert "[wedi'i ddileu]" in ledger.ok("exchange", "show", "1", lang="cy").out


@sqlite_only
def test_restoring_an_older_backup_does_not_undo_an_erasure(ledger: Cli, tmp_path: Path) -> None:
    ledger.ok("member", "add", "Gwenllïan Unigryw", "--email", "gwen.unigryw@example.org", "--joined", "2026-01-05")
    ledger.ok("record", "Siân", "Gwenllïan", "1", "--date", "2026-02-01")
    older = tmp_path / "before-erasure.sqlite3"
    ledger.ok("backup", "--output", str(older))
    ledger.ok("member", "forget", "Gwenllïan", "--yes")
    balances = ledger.json("balance")
    result = ledger.ok("restore", str(older), "--yes")
    assert "#4" in result.out
    assert ledger.json("member", "show", "4")["name"] == "Member 4 (erased)"
    assert ledger.json("balance") == balances
    raw = b"".join(p.read_bytes() for p in Path(ledger.db).parent.glob(Path(ledger.db).name + "*"))
    assert b"Unigryw" not in raw and b"gwen.unigryw" not in raw
    ledger.ok("check")


def test_erasure_touches_only_mentions_of_that_member(ledger: Cli, tmp_path: Path) -> None:
    """A short name must not eat into other words, other members' names, keys or digests."""
    ledger.ok("member", "add", "Ed Jones", "--joined", "2026-01-05")          # 4
    ledger.ok("member", "add", "Ed", "--joined", "2026-01-05")                # 5
    ledger.ok("member", "add", "Siân Ŵyn", "--joined", "2026-01-05")          # 6
    ledger.ok("record", "Ed", "Siân Ŵyn", "1", "--date", "2026-02-01", "--note", "Fixed the shed roof, Ed helped")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-02", "--note", "Helped SIÂN ŴYN move")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-03", "--note", "lifft i'r feddygfa")
    ledger.ok("exchange", "void", "3", "--reason", "wrong date entered")
    sheet = tmp_path / "one.csv"
    sheet.write_text("date,giver,receiver,hours\n2026-02-04,1,2,1\n", encoding="utf-8")
    ledger.ok("import", "exchanges", str(sheet))
    audit_before = ledger.json("audit")
    ledger.ok("member", "forget", "5", "--yes")
    ledger.ok("member", "forget", "Siân Ŵyn", "--yes")
    notes = {e["number"]: e["note"] for e in ledger.json("exchange", "list", "--include-void")}
    assert notes[1] == "Fixed the shed roof, [erased] helped"
    assert notes[2] == "Helped [erased] move"
    assert notes[3] == "lifft i'r feddygfa" and notes[4] == "wrong date entered"
    assert ledger.json("member", "show", "4")["name"] == "Ed Jones"
    after = {e["id"]: e for e in ledger.json("audit")}
    for event in audit_before:
        if event["member"] not in (5, 6):
            kept = after[event["id"]]
            assert kept["action"] == event["action"]
            if event["action"] in ("member.add", "import.exchanges", "exchange.void", "ledger.init"):
                assert kept == event, event
    # The same rows are still recognised: the import's fingerprints were not touched.
    assert ledger("import", "exchanges", str(sheet)).code == 1
    ledger.ok("check")


@sqlite_only
def test_restoring_another_ledgers_backup_erases_nobody(ledger: Cli, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    other = Cli(tmp_path / "other.sqlite3", capsys)
    other.ok("init", "--name", "Another time bank")
    other.ok("member", "add", "Nia Arall", "--joined", "2026-01-05")
    backup = tmp_path / "other-backup.sqlite3"
    other.ok("backup", "--output", str(backup))
    ledger.ok("member", "forget", "1", "--yes")
    result = ledger.ok("restore", str(backup), "--yes")
    assert "another ledger" in result.out
    assert ledger.json("member", "show", "1")["name"] == "Nia Arall"
