"""Restoring a backup (issue 17, red-team items 2 and 5): a crafted or unsound backup never
replaces the ledger; a broken ledger can still be restored; the safety copy is named even
when something fails; and a backup made before an erasure is never the ledger, even for an
instant, whatever moment the process is killed at."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import Cli, dump, query, sqlite_only
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
