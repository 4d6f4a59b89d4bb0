"""What killed backups, restores and exports leave, and backups of two ledgers in one folder
(issue 26): every temporary copy of a ledger's data is named for the ledger and its writer's
pid, and the next command that opens that ledger removes it once the writer is gone, leaving
a live writer's and another ledger's alone; `member forget` says how many it removed;
automatic backups are named and pruned per ledger; `--output /dev/stdout` writes to standard
output; two restores at once both end cleanly; a full disk during a backup is named."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import Cli, dump, sqlite_only
from refusal import refused

pytestmark = sqlite_only

DAY = 24 * 60 * 60


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    pid = int(done.stdout)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    return pid


def killed_writer(ledger: Path, folder: Path, tag: str) -> Path:
    """A copy of the ledger that a process wrote under the name the program gives its
    temporary files, and then died without removing: what a kill -9 of a backup (`partial`,
    in the backups folder) or a restore (`restore`, beside the ledger) leaves."""
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        from timebank.ledger.storage.files import temporary_beside
        path = temporary_beside(Path({str(folder / 'x')!r}), {tag!r}, owner={ledger.name!r})
        path.write_bytes(Path({str(ledger)!r}).read_bytes())
        sys.stdout.write(str(path))
        os._exit(0)
    """)
    folder.mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    path = Path(done.stdout)
    assert path.parent == folder and path.name.startswith(f".{ledger.name}.") and path.stat().st_size > 0
    return path


def named(ledger: Path, folder: Path, pid: int, tag: str = "restore", companion: str = "") -> Path:
    path = folder / f".{ledger.name}.{pid}.k3x9_q2a.{tag}{companion}"
    folder.mkdir(exist_ok=True)
    path.write_bytes(ledger.read_bytes()[:4096])
    return path


@pytest.fixture
def alive() -> "subprocess.Popen[bytes]":
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def test_the_next_command_removes_a_dead_writers_leftovers_only(ledger: Cli, tmp_path: Path,
                                                                alive: "subprocess.Popen[bytes]") -> None:
    db = Path(ledger.db)
    backups = db.parent / "backups"
    restore = killed_writer(db, db.parent, "restore")
    partial = killed_writer(db, backups, "partial")
    dead = dead_pid()
    journal = named(db, db.parent, dead, companion="-journal")
    wal = named(db, backups, dead, "partial", "-wal")
    # A restore or backup running now, in another process: its copy is in use.
    running = named(db, db.parent, alive.pid)
    running_backup = named(db, backups, alive.pid, "partial")
    # A pid that looks alive but whose file is two days old: the pid was used again.
    reused = named(db, db.parent, alive.pid, "partial")
    os.utime(reused, (time.time() - 2 * DAY, time.time() - 2 * DAY))
    # Another ledger in the same folder, whose killed backup and restore are its own business.
    other = db.with_name("other.sqlite3")
    shutil.copy(db, other)
    others = [named(other, db.parent, dead), named(other, backups, dead, "partial")]
    # Named by an older timebank, without a pid: removed only once a day old.
    legacy_new = db.parent / f".{db.name}.abcd1234.restore"
    legacy_old = db.parent / f".{db.name}.wxyz9876.restore"
    for path in (legacy_new, legacy_old):
        path.write_bytes(b"SQLite format 3\x00")
    os.utime(legacy_old, (time.time() - 2 * DAY, time.time() - 2 * DAY))
    # Files that only look alike: never touched.
    lookalikes = [db.parent / f".{db.name}.{dead}.notes.txt", db.parent / f"{db.name}.{dead}.abc.restore",
                  db.parent / f".{db.name}.{dead}.a.b.restore"]
    for path in lookalikes:
        path.write_text("mine")

    ledger.ok("balance")

    for gone in (restore, partial, journal, wal, reused, legacy_old):
        assert not gone.exists(), gone
    for kept in (running, running_backup, *others, legacy_new, *lookalikes):
        assert kept.exists(), kept
    assert dump(db)  # the ledger itself as it was, and readable
    ledger.ok("check")


def test_a_killed_export_is_cleaned_by_the_next_export_to_the_same_file(ledger: Cli, tmp_path: Path,
                                                                        alive: "subprocess.Popen[bytes]") -> None:
    out = tmp_path / "out" / "exchanges.csv"
    out.parent.mkdir()
    ledger.ok("record", "Siân", "Llinos", "2", "--date", "2026-02-02")
    dead = dead_pid()
    empty = out.parent / f".{out.name}.{dead}.qq11zz22.partial"   # killed before it wrote a byte
    empty.touch()
    running = out.parent / f".{out.name}.{alive.pid}.qq11zz33.partial"
    running.touch()
    elsewhere = out.parent / f".other.csv.{dead}.qq11zz44.partial"
    elsewhere.touch()
    ledger.ok("export", "exchanges", "--output", str(out))
    assert "2026-02-02" in out.read_text(encoding="utf-8")
    assert not empty.exists() and running.exists() and elsewhere.exists()
    assert sorted(p.name for p in out.parent.iterdir()) == sorted([out.name, running.name, elsewhere.name])


def test_member_forget_counts_the_leftovers_it_removed(ledger: Cli) -> None:
    db = Path(ledger.db)
    killed_writer(db, db.parent, "restore")
    killed_writer(db, db.parent / "backups", "partial")
    preview = ledger("member", "forget", "3")
    assert preview.code == 1
    assert "2 copies of the ledger left by backups or restores that were stopped part way were deleted." in preview.out
    killed_writer(db, db.parent, "restore")
    done = ledger.ok("member", "forget", "3", "--yes", lang="cy")
    assert "Dilëwyd 1 copi o'r cyfriflyfr" in done.out
    again = ledger.ok("member", "forget", "2", "--yes")
    assert "copies of the ledger" not in again.out and "copy of the ledger" not in again.out
    assert not [p for p in db.parent.rglob(f".{db.name}.*") if p.name.endswith((".restore", ".partial"))]


def automatic(folder: Path, ledger: Path) -> list[str]:
    return sorted(p.name for p in (folder / "backups").glob(f"timebank-auto-{ledger.stem}-2*.sqlite3"))


def test_two_ledgers_in_one_folder_prune_only_their_own_automatic_backups(ledger: Cli) -> None:
    from timebank.ledger.queries import open_ledger
    from timebank.ledger.storage.backups import KEEP_AUTOMATIC, backup

    first = Path(ledger.db)
    second = first.with_name("ail-fanc.sqlite3")  # a name with a hyphen, like a stamp's
    shutil.copy(first, second)
    folder = first.parent
    (folder / "backups").mkdir(exist_ok=True)
    old_style = folder / "backups" / "timebank-auto-20250101-000000-000000.sqlite3"  # before names carried the ledger
    old_style.write_bytes(first.read_bytes())
    a, b = open_ledger(str(first)), open_ledger(str(second))
    try:
        only = backup(b, automatic=True)
        assert only.name.startswith("timebank-auto-ail-fanc-2")
        for _ in range(KEEP_AUTOMATIC + 3):
            backup(a, automatic=True)
        assert only.exists(), "another ledger's automatic backups deleted its only one"
        assert len(automatic(folder, first)) == KEEP_AUTOMATIC
        kept_of_a = automatic(folder, first)
        for _ in range(KEEP_AUTOMATIC + 1):
            backup(b, automatic=True)
        assert not only.exists() and len(automatic(folder, second)) == KEEP_AUTOMATIC
        assert automatic(folder, first) == kept_of_a
    finally:
        a.dispose()
        b.dispose()
    assert old_style.exists()
    # A restore (which makes an automatic backup first) still finds and reads them.
    ledger.ok("restore", str(folder / "backups" / kept_of_a[-1]), "--yes")
    assert len(automatic(folder, first)) == KEEP_AUTOMATIC and len(automatic(folder, second)) == KEEP_AUTOMATIC
    ledger.ok("check")


def test_an_output_to_standard_output_writes_there(ledger: Cli, tmp_path: Path) -> None:
    ledger.ok("record", "Siân", "Llinos", "2", "--date", "2026-02-02", "--note", "gardd")
    base = [sys.executable, "-m", "timebank", "--db", str(ledger.db), "--lang", "en"]
    for target in ("/dev/stdout", "-"):
        done = subprocess.run([*base, "export", "exchanges", "--output", target], capture_output=True)
        assert done.returncode == 0, done.stderr
        assert "2026-02-02" in done.stdout.decode("utf-8") and b"Wrote 1 row" in done.stderr
        pdf = subprocess.run([*base, "statement", "1", "--format", "pdf", "--output", target], capture_output=True)
        assert pdf.returncode == 0 and pdf.stdout.startswith(b"%PDF"), pdf.stderr
    # Redirected into a file, /dev/stdout is that file.
    into = tmp_path / "into.csv"
    with into.open("wb") as handle:
        done = subprocess.run([*base, "export", "exchanges", "--output", "/dev/stdout"], stdout=handle,
                              stderr=subprocess.PIPE)
    assert done.returncode == 0 and "2026-02-02" in into.read_text(encoding="utf-8")
    # Never appended to a ledger, though.
    before = Path(ledger.db).read_bytes()
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(before)
    with copy.open("ab") as handle:
        done = subprocess.run([*base, "export", "exchanges", "--output", "/dev/stdout"], stdout=handle,
                              stderr=subprocess.PIPE)
    assert done.returncode == 1 and len(done.stderr.decode().strip().splitlines()) == 1
    assert copy.read_bytes() == before
    assert not list(tmp_path.glob(".*partial")) and not list(Path("/dev").glob(".stdout.*"))


def test_two_restores_at_once_both_end_cleanly(ledger: Cli, tmp_path: Path) -> None:
    db = Path(ledger.db)
    ledger.ok("record", "Siân", "Llinos", "2", "--date", "2026-02-02")
    copy = tmp_path / "copy.sqlite3"
    ledger.ok("backup", "--output", str(copy))
    ledger.ok("record", "Siân", "Llinos", "3", "--date", "2026-02-03")
    command = [sys.executable, "-m", "timebank", "--db", str(db), "restore", str(copy), "--yes"]
    for _ in range(2):
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
        for code, out, err in results:
            assert code == 0, err.decode()
            assert b"Restored the ledger" in out and not err.strip()
        assert len(ledger.json("exchange", "list")) == 1
        ledger.ok("check")
    assert not [p for p in db.parent.iterdir() if p.name.endswith((".restore", ".partial"))]
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_full_disk_during_a_backup_names_the_disk(ledger: Cli, tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mount)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        results = refused(ledger, "backup", "--output", str(mount / "copy.sqlite3"))
        assert f"The disk holding {mount} is full: no backup was made." in results["en"].err
        assert f"Mae'r ddisg sy'n dal {mount} yn llawn" in results["cy"].err
        assert list(mount.iterdir()) == []
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_full_disk_during_a_restore_names_the_disk_not_the_backup(ledger: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite3"
    ledger.ok("backup", "--output", str(backup))
    mount = tmp_path / "small"
    mount.mkdir()
    room = Path(ledger.db).stat().st_size + 48 * 1024  # the ledger fits, a staging copy of the backup does not
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={room}", "tmpfs", str(mount)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        db = mount / "ledger.sqlite3"
        shutil.copy(ledger.db, db)
        small = Cli(db, ledger.capsys)
        results = refused(small, "restore", str(backup), "--yes")
        assert f"The disk holding {mount} is full: the ledger was not restored." in results["en"].err
        assert str(backup) not in results["en"].err
        assert f"Mae'r ddisg sy'n dal {mount} yn llawn" in results["cy"].err
        assert not [p for p in mount.iterdir() if p.name.endswith((".restore", ".partial"))]
        small.ok("check")
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
