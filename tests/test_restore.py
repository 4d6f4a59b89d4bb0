"""Restoring a backup (issue 17, red-team items 2 and 5): a crafted or unsound backup never
replaces the ledger; a broken ledger can still be restored; the safety copy is named even
when something fails; and a backup made before an erasure is never the ledger, even for an
instant, whatever moment the process is killed at."""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import Cli, dump, query, sqlite_only
from crafting import voided_twice, without_constraint
from refusal import refused

pytestmark = sqlite_only

NAME, EMAIL = "Gwenllïan Unigryw", "gwen.unigryw@example.org"


def raw(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")))


def leftovers(db: Path) -> list[Path]:
    return [p for p in db.parent.iterdir() if p.name.startswith(f".{db.name}.")]


def crafted(good: Path, tmp_path: Path, label: str, *statements: str) -> Path:
    path = tmp_path / f"{label}.sqlite3"
    path.write_bytes(good.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


CRAFTED = {
    "members dropped": ["DROP TABLE members"],
    "a column dropped": ["ALTER TABLE exchanges DROP COLUMN note"],
    "a column added": ["ALTER TABLE members ADD COLUMN shoe_size INTEGER"],
    "a table added": ["CREATE TABLE extra (x)"],
    "a trigger added": ["CREATE TRIGGER undo_erasure AFTER UPDATE ON members BEGIN "
                        "UPDATE members SET name = 'back' WHERE number = NEW.number; END"],
    "a view added": ["CREATE VIEW everyone AS SELECT name FROM members"],
    "cached balance changed": ["UPDATE members SET balance_minutes = balance_minutes + 60 WHERE number = 1"],
    "an unbalanced entry": ["UPDATE entries SET minutes = minutes + 1 WHERE id = 1"],
    # Issue 26: every column kept, but what keeps the data sound changed.
    "a unique index made plain": ["DROP INDEX ix_exchanges_link", "CREATE INDEX ix_exchanges_link ON exchanges (link)"],
    "an index added": ["CREATE INDEX ix_extra ON members (name)"],
    "a CHECK constraint loosened": [
        "PRAGMA writable_schema = ON",
        "UPDATE sqlite_master SET sql = replace(sql, 'CHECK (minutes > 0)', 'CHECK (minutes > -1000000)') "
        "WHERE name = 'exchanges'"],
    "a trigger on another table": ["CREATE TRIGGER keep AFTER INSERT ON audit BEGIN SELECT 1; END"],
    "a recursive alembic_version": [
        "DROP TABLE alembic_version",
        "CREATE VIEW alembic_version AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT '0007' AS version_num FROM r WHERE n < 0"],
}


@pytest.mark.parametrize("label", list(CRAFTED))
def test_an_unsound_backup_never_replaces_the_ledger(ledger: Cli, tmp_path: Path, label: str) -> None:
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    good = tmp_path / "good.sqlite3"
    ledger.ok("backup", "-o", str(good))
    bad = crafted(good, tmp_path, label.replace(" ", "-"), *CRAFTED[label])
    ledger.ok("record", "Llinos", "Siân", "2", "--date", "2026-02-02")
    backups = sorted((Path(ledger.db).parent / "backups").glob("*")) if (Path(ledger.db).parent / "backups").exists() else []
    results = refused(ledger, "restore", str(bad), "--yes")
    assert str(bad) in results["en"].err
    assert len(ledger.json("exchange", "list")) == 2
    ledger.ok("check")
    assert not leftovers(Path(ledger.db))
    assert (sorted((Path(ledger.db).parent / "backups").glob("*")) if backups else []) == backups


def test_a_backup_without_one_reversal_an_exchange_is_refused(ledger: Cli, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Red-team (issue 26): a backup rebuilt without the unique constraint on reversals, holding
    # a double void, went through restore and then check.
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    forged = tmp_path / "forged"
    forged.mkdir()
    twin = Cli(forged / "ledger.sqlite3", ledger.capsys)
    shutil.copy(ledger.db, twin.db)
    without_constraint(Path(twin.db), "exchanges", "uq_exchanges_reverses")
    assert voided_twice(twin, 1) == [2, 3]
    bad = tmp_path / "double-void.sqlite3"
    twin.ok("backup", "-o", str(bad))
    ledger.ok("record", "Llinos", "Siân", "2", "--date", "2026-02-02")
    results = refused(ledger, "restore", str(bad), "--yes")
    assert results["en"].err.strip() == (f"{bad} is not a whole timebank ledger: the table exchanges lacks the "
                                          "constraint uq_exchanges_reverses (UNIQUE (reverses)).")
    assert "nid oes gan y tabl exchanges y cyfyngiad uq_exchanges_reverses" in results["cy"].err
    assert len(ledger.json("exchange", "list")) == 2 and not leftovers(Path(ledger.db))
    # Were the schema's difference missed, the data still tells: restore's check proves one
    # reversal an exchange from the rows, not from the constraint.
    from timebank.ledger import restoring
    from timebank.ledger.integrity import checks
    from timebank.ledger.storage import shape

    for module in (shape, restoring, checks):
        monkeypatch.setattr(module, "schema_differences", lambda found, expected: [])
    results = refused(ledger, "restore", str(bad), "--yes")
    assert "fails the ledger's check" in results["en"].err
    assert results["en"].err.strip().endswith("the first: Exchange 1 is reversed more than once: by 2, 3."), results
    assert results["cy"].err.strip().endswith("Mae cyfnewidiad 1 wedi'i wrthdroi fwy nag unwaith: gan 2, 3."), results
    assert len(ledger.json("exchange", "list")) == 2 and not leftovers(Path(ledger.db))


def test_a_recursive_view_in_a_backup_is_refused_at_once(ledger: Cli, tmp_path: Path) -> None:
    # Red-team (issue 26): a backup whose alembic_version is a recursive view hung restore.
    good = tmp_path / "good.sqlite3"
    ledger.ok("backup", "-o", str(good))
    bad = crafted(good, tmp_path, "recursive", *CRAFTED["a recursive alembic_version"])
    started = time.perf_counter()
    results = refused(ledger, "restore", str(bad), "--yes")
    assert time.perf_counter() - started < 20
    assert results["en"].err.strip() == (f"{bad} is not a whole timebank ledger: it has a trigger or view "
                                          "alembic_version that no ledger has.")


def test_a_backup_that_reads_too_slowly_is_refused(ledger: Cli, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The time limit itself: a sound backup, given no time at all, is refused in one line."""
    from timebank.ledger.storage import shape

    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    good = tmp_path / "good.sqlite3"
    ledger.ok("backup", "-o", str(good))
    ledger.ok("record", "Llinos", "Siân", "2", "--date", "2026-02-02")
    monkeypatch.setattr(shape, "BASE_SECONDS", 0.0)
    monkeypatch.setattr(shape, "BYTES_A_SECOND", 10**15)
    results = refused(ledger, "restore", str(good), "--yes")
    assert results["en"].err.strip() == (f"Reading {good} took longer than 0 seconds, far longer than a sound "
                                          "ledger of its size takes: it is refused.")
    assert not leftovers(Path(ledger.db))
    monkeypatch.undo()
    ledger.ok("restore", str(good), "--yes")
    assert len(ledger.json("exchange", "list")) == 1


def test_the_time_limit_stops_a_query_that_never_ends(tmp_path: Path) -> None:
    from timebank.ledger.storage.shape import TookTooLong, time_limited

    conn = sqlite3.connect(tmp_path / "any.sqlite3")
    conn.execute("CREATE VIEW forever AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
                  "SELECT n FROM r WHERE n < 0")
    started = time.perf_counter()
    with pytest.raises(TookTooLong), time_limited(conn, 1):
        conn.execute("SELECT * FROM forever").fetchone()
    assert time.perf_counter() - started < 10
    assert conn.execute("SELECT 1").fetchone() == (1,)  # the connection is usable again, unlimited
    conn.close()


def test_a_backup_with_sqlites_statistics_restores(ledger: Cli, tmp_path: Path) -> None:
    """ANALYZE adds SQLite's own statistics table: not a difference."""
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    good = tmp_path / "good.sqlite3"
    ledger.ok("backup", "-o", str(good))
    analysed = crafted(good, tmp_path, "analysed", "ANALYZE")
    assert query(analysed, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'") == [(1,)]
    ledger.ok("record", "Llinos", "Siân", "2", "--date", "2026-02-02")
    ledger.ok("restore", str(analysed), "--yes")
    assert len(ledger.json("exchange", "list")) == 1
    ledger.ok("check")
    # Only as SQLite makes them; and a name of SQLite's own is no pass for a view.
    forged = crafted(analysed, tmp_path, "forged-statistics", "PRAGMA writable_schema = ON",
                     "UPDATE sqlite_master SET sql = 'CREATE TABLE sqlite_stat1(tbl,idx,stat,more)' "
                     "WHERE name = 'sqlite_stat1'")
    assert "it has a table sqlite_stat1 that no ledger has" in \
        refused(ledger, "restore", str(forged), "--yes")["en"].err
    hidden = crafted(good, tmp_path, "hidden-view", "PRAGMA writable_schema = ON",
                     "INSERT INTO sqlite_master VALUES ('view', 'sqlite_view', 'sqlite_view', 0, "
                     "'CREATE VIEW sqlite_view AS SELECT 1')")
    assert "it has a trigger or view sqlite_view that no ledger has" in \
        refused(ledger, "restore", str(hidden), "--yes")["en"].err


def test_every_past_revision_restores_and_is_brought_up_to_date(ledger: Cli, tmp_path: Path) -> None:
    data = Path(__file__).parent / "data"
    for fixture in sorted(data.glob("ledger-*.sqlite3")):
        copy = tmp_path / fixture.name
        copy.write_bytes(fixture.read_bytes())
        ledger.ok("restore", str(copy), "--yes")
        ledger.ok("check")
        assert copy.read_bytes() == fixture.read_bytes()  # the backup itself is left as it was


def _break(db: Path, how: str) -> None:
    if how == "members dropped":
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DROP TABLE members")
        conn.commit()
        conn.close()
    elif how == "schema table dropped":
        conn = sqlite3.connect(db)
        conn.execute("DROP TABLE alembic_version")
        conn.commit()
        conn.close()
    elif how == "truncated":
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3])
    elif how == "bad page size":
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        damaged = bytearray(db.read_bytes())
        damaged[16:18] = b"\x00\x07"
        db.write_bytes(bytes(damaged))


@pytest.mark.parametrize("how", ["members dropped", "schema table dropped", "truncated", "bad page size"])
def test_a_broken_ledger_can_be_restored(ledger: Cli, tmp_path: Path, how: str) -> None:
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    good = tmp_path / "good.sqlite3"
    ledger.ok("backup", "-o", str(good))
    balances = ledger.json("balance")
    _break(Path(ledger.db), how)
    assert ledger("balance").code == 1
    result = ledger.ok("restore", str(good), "--yes")
    safety = Path(result.out.split(" saved in ")[1].split(".sqlite3")[0] + ".sqlite3")
    assert safety.is_file() and safety.stat().st_size > 0
    assert ledger.json("balance") == balances
    ledger.ok("check")
    assert not leftovers(Path(ledger.db))
    # Who had been erased cannot be known from a ledger SQLite cannot read: the restore says so.
    assert ("could not be read" in result.out) == (how in ("truncated", "bad page size")), result.out


def test_erasures_known_to_a_broken_ledger_still_count(erased_after_backup: tuple[Cli, Path]) -> None:
    """Its members table is gone, but its audit says who was erased: they stay erased."""
    ledger, older = erased_after_backup
    _break(Path(ledger.db), "members dropped")
    result = ledger.ok("restore", str(older), "--yes")
    assert "#4" in result.out and "could not be read" not in result.out
    assert _never_unerased(ledger) == 1


def test_a_failure_after_the_safety_copy_names_it(ledger: Cli, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from timebank.ledger import restoring

    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    good = tmp_path / "good.sqlite3"
    ledger.ok("backup", "-o", str(good))
    ledger.ok("record", "Llinos", "Siân", "2", "--date", "2026-02-02")

    def fails(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(restoring, "replace_ledger", fails)
    before = dump(ledger.db)
    for lang in ("en", "cy"):
        result = ledger("restore", str(good), "--yes", lang=lang)
        assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result
        safety = Path(result.err.split("/backups/")[0].split()[-1] + "/backups/" +
                      result.err.split("/backups/")[1].split(".sqlite3")[0] + ".sqlite3")
        assert safety.is_file(), result.err
        assert Cli(safety, ledger.capsys).json("exchange", "list")[-1]["number"] == 2
    assert dump(ledger.db) == before
    assert not leftovers(Path(ledger.db))
    monkeypatch.undo()


# Item 2: kills -------------------------------------------------------------------------------

@pytest.fixture
def erased_after_backup(ledger: Cli, tmp_path: Path) -> tuple[Cli, Path]:
    """A ledger whose member 4 was erased after `older` was made; `older` still holds them."""
    ledger.ok("member", "add", NAME, "--email", EMAIL, "--joined", "2026-01-05", "--note", f"{NAME} likes tea")
    ledger.ok("record", "Siân", NAME, "1", "--date", "2026-02-01", "--note", f"shopping for {NAME}")
    older = tmp_path / "before-erasure.sqlite3"
    ledger.ok("backup", "-o", str(older))
    ledger.ok("record", "Llinos", "Siân", "1", "--date", "2026-02-02")
    ledger.ok("member", "forget", "4", "--yes")
    return ledger, older


def _never_unerased(ledger: Cli) -> int:
    """The ledger is whole, passes its check, and holds nothing of member 4: returns its
    number of exchanges (2 for the old ledger, 1 for the restored one)."""
    db = Path(ledger.db)
    assert NAME.encode() not in raw(db) and b"Unigryw" not in raw(db) and EMAIL.encode() not in raw(db)
    assert query(db, "SELECT name, email, note FROM members WHERE number = 4") == [("", None, None)]
    # In this process: every command opens the file afresh, and a process start-up per kill
    # doubled the time of the tests below.
    checked = ledger("check", lang="en")
    assert checked.code == 0, checked.out + checked.err
    return query(db, "SELECT count(*) FROM exchanges")[0][0]


# Runs a restore that SIGKILLs itself the moment the Nth SQLite backup-API copy returns
# (the copy into a staging file, the safety copy, the copy over the ledger...).
KILL_AFTER_COPY = textwrap.dedent("""
    import os, signal, sqlite3, sys
    wanted = int(sys.argv[1])
    copies = 0
    class Killing(sqlite3.Connection):
        def backup(self, target, *args, **kwargs):
            global copies
            super().backup(target, *args, **kwargs)
            copies += 1
            if copies == wanted:
                os.kill(os.getpid(), signal.SIGKILL)
    connect = sqlite3.connect
    sqlite3.connect = lambda *a, **k: connect(*a, factory=Killing, **k)
    from timebank.cli.main import run
    sys.exit(run(sys.argv[2:]))
""")


def test_killed_after_each_copy_the_ledger_is_never_the_unerased_backup(
        erased_after_backup: tuple[Cli, Path]) -> None:
    ledger, older = erased_after_backup
    db = Path(ledger.db)
    seen = set()
    for copy in range(1, 6):
        process = subprocess.run([sys.executable, "-c", KILL_AFTER_COPY, str(copy), "--db", str(db),
                                  "restore", str(older), "--yes"], capture_output=True, text=True)
        seen.add(_never_unerased(ledger))
        if process.returncode == 0:
            break
        assert process.returncode == -signal.SIGKILL, process.stderr
    else:
        pytest.fail("the restore made more copies than expected")
    assert seen == {1, 2}  # some kills left the old ledger, the last ones the restored one


@pytest.mark.slow
def test_killed_at_random_moments_the_ledger_is_old_or_restored_and_erased(
        erased_after_backup: tuple[Cli, Path]) -> None:
    # The moments the restore replaces the ledger are killed deterministically above; here
    # the kills fall anywhere, and every one must leave the old ledger or the restored one.
    ledger, older = erased_after_backup
    db = Path(ledger.db)
    command = [sys.executable, "-m", "timebank", "--db", str(db), "restore", str(older), "--yes"]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    duration = time.perf_counter() - started
    assert _never_unerased(ledger) == 1
    ledger.ok("record", "Llinos", "Siân", "1", "--date", "2026-02-03")  # the old ledger differs again
    rng = random.Random(17)
    outcomes: list[int] = []
    # From the process's start to a little past its usual end, so that kills land on both sides
    # of the moment it replaces the ledger. A loaded machine can make every kill land on one
    # side: then the window moves towards the other (a kill at once always finds the old
    # ledger, one after the end the restored one), so seeing both outcomes does not hang on
    # the machine's speed; 40 kills at most.
    window = duration * 1.4
    while len(outcomes) < 10 or (set(outcomes) != {1, 2} and len(outcomes) < 40):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, window))
        process.send_signal(signal.SIGKILL)
        process.wait()
        count = _never_unerased(ledger)
        assert count in (1, 2)
        outcomes.append(count)
        if count == 1:
            ledger.ok("record", "Llinos", "Siân", "1", "--date", "2026-02-03")
        if len(outcomes) >= 10 and set(outcomes) == {count}:
            window = window / 2 if count == 1 else window * 2
        # A killed restore's staging copy (and its journal) goes with the next restore.
        assert len([p for p in leftovers(db) if not p.name.endswith(("-journal", "-wal", "-shm"))]) <= 1
    assert set(outcomes) == {1, 2}, outcomes
    subprocess.run(command, check=True, capture_output=True)
    assert _never_unerased(ledger) == 1 and not leftovers(db)


@pytest.mark.parametrize("command", [("check",), ("balance",), ("record", "1", "2", "1")])
def test_a_ledger_whose_revision_is_a_recursive_view_is_refused_at_once(ledger: Cli, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str],
                                                                         command: tuple[str, ...]) -> None:
    """Not only a backup: a ledger whose alembic_version is a view (a recursive one hung every
    command, reading the revision before anything else) is said to be damaged."""
    good = tmp_path / "good.sqlite3"
    ledger.ok("backup", "-o", str(good))
    bad = crafted(good, tmp_path, "recursive", *CRAFTED["a recursive alembic_version"])
    started = time.perf_counter()
    results = refused(Cli(bad, capsys), *command)
    assert time.perf_counter() - started < 20
    assert "is damaged" in results["en"].err
