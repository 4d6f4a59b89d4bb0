"""Files written with --output (issue 17, red-team items 1, 9 and 13): never over the
ledger, a backup or any existing file without --force; never through a link; private
files in private folders, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import Cli, dump, sqlite_only
from refusal import refused


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def ledger_bytes(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in db.parent.glob(db.name + "*")}


# Item 1 -----------------------------------------------------------------------------------

@sqlite_only
@pytest.mark.parametrize("args", [["export", "members"], ["export", "exchanges", "--with-names"],
                                  ["journal"], ["journal", "--format", "beancount"]])
def test_an_export_never_writes_over_the_ledger(ledger: Cli, args: list[str]) -> None:
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    db = Path(ledger.db)
    for target in (db, Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        if not target.exists():
            continue
        for force in ([], ["--force"]):
            before = ledger_bytes(db)
            results = refused(ledger, *args, "-o", str(target), *force)
            assert str(target) in results["en"].err
            assert ledger_bytes(db) == before
    ledger.ok("check")


@sqlite_only
def test_an_export_never_writes_over_a_backup(ledger: Cli, tmp_path: Path) -> None:
    ledger.ok("backup")
    automatic = next((Path(ledger.db).parent / "backups").glob("*.sqlite3"))
    named = tmp_path / "monday.sqlite3"
    ledger.ok("backup", "-o", str(named))
    for backup in (automatic, named):
        before = backup.read_bytes()
        for args in (["export", "members"], ["journal"]):
            for force in ([], ["--force"]):
                refused(ledger, *args, "-o", str(backup), *force)
        assert backup.read_bytes() == before


@pytest.mark.parametrize("args", [["export", "members"], ["export", "summary"], ["journal"]])
def test_an_existing_file_is_replaced_only_with_force(ledger: Cli, tmp_path: Path, args: list[str]) -> None:
    target = tmp_path / "report.csv"
    target.write_text("the funder's own notes\n")
    results = refused(ledger, *args, "-o", str(target))
    assert "--force" in results["en"].err and "--force" in results["cy"].err
    assert target.read_text() == "the funder's own notes\n"
    ledger.ok(*args, "-o", str(target), "--force")
    assert "the funder's own notes" not in target.read_text() and target.read_text()
    assert mode(target) == 0o600


@sqlite_only
def test_backup_replaces_an_older_backup_only_with_force(ledger: Cli, tmp_path: Path) -> None:
    target = tmp_path / "nightly.sqlite3"
    ledger.ok("backup", "-o", str(target))
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    older = target.read_bytes()
    refused(ledger, "backup", "-o", str(target))
    assert target.read_bytes() == older
    ledger.ok("backup", "-o", str(target), "--force")
    assert Cli(target, ledger.capsys).json("exchange", "list")[0]["number"] == 1
    for victim in (Path(ledger.db), Path(str(ledger.db) + "-wal")):
        refused(ledger, "backup", "-o", str(victim), "--force")
    other = tmp_path / "other-ledger.sqlite3"   # another time bank's live ledger
    Cli(other, ledger.capsys).ok("init")
    before = ledger_bytes(other)
    refused(ledger, "backup", "-o", str(other), "--force")
    assert ledger_bytes(other) == before


# Item 9 -----------------------------------------------------------------------------------

def test_a_link_planted_at_the_temporary_name_is_not_followed(ledger: Cli, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    for name, args in (("out.csv", ["export", "members", "--with-names"]), ("out.journal", ["journal"])):
        (tmp_path / f".{name}.partial").symlink_to(victim)
        ledger.ok(*args, "-o", str(tmp_path / name))
        assert victim.read_text() == "precious\n"
        assert not (tmp_path / name).is_symlink() and "Siân" in (tmp_path / name).read_text()


def test_an_output_that_is_a_link_is_refused_even_with_force(ledger: Cli, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link, dangling = tmp_path / "out.csv", tmp_path / "dangling.csv"
    link.symlink_to(victim)
    dangling.symlink_to(tmp_path / "would-be-created.csv")
    for target in (link, dangling):
        for force in ([], ["--force"]):
            results = refused(ledger, "export", "members", "-o", str(target), *force)
            assert "link" in results["en"].err
    assert victim.read_text() == "precious\n" and not (tmp_path / "would-be-created.csv").exists()


@sqlite_only
def test_backup_to_a_dangling_link_writes_nothing(ledger: Cli, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "stolen.sqlite3"
    target.parent.mkdir()
    link = tmp_path / "backup.sqlite3"
    link.symlink_to(target)
    for force in ([], ["--force"]):
        refused(ledger, "backup", "-o", str(link), *force)
    assert not target.exists() and list(target.parent.iterdir()) == []


@sqlite_only
def test_a_linked_backups_folder_is_refused(ledger: Cli, tmp_path: Path) -> None:
    good = tmp_path / "good.sqlite3"
    ledger.ok("backup", "-o", str(good))
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    (Path(ledger.db).parent / "backups").symlink_to(elsewhere, target_is_directory=True)
    for args in (["backup"], ["restore", str(good), "--yes"]):
        results = refused(ledger, *args)
        assert "link" in results["en"].err
    assert list(elsewhere.iterdir()) == []


# Item 13 ----------------------------------------------------------------------------------

@pytest.fixture
def open_umask():  # type: ignore[no-untyped-def]
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@sqlite_only
def test_private_files_and_folders_whatever_the_umask(open_umask: None, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "new" / "deeper" / "ledger.sqlite3"
    cli = Cli(db, capsys)
    cli.ok("init")
    cli.ok("member", "add", "Siân")
    assert mode(tmp_path / "new") == 0o700 and mode(tmp_path / "new" / "deeper") == 0o700
    assert mode(db) == 0o600
    outputs = tmp_path / "out"
    outputs.mkdir()
    os.chmod(outputs, 0o755)  # a folder the user made keeps its own mode
    for name, args in (("m.csv", ["export", "members", "--with-names"]), ("e.csv", ["export", "exchanges"]),
                       ("j.journal", ["journal"]), ("j.beancount", ["journal", "--format", "beancount"])):
        cli.ok(*args, "-o", str(outputs / name))
        assert mode(outputs / name) == 0o600, name
    cli.ok("backup")
    backups = db.parent / "backups"
    assert mode(backups) == 0o700 and all(mode(p) == 0o600 for p in backups.iterdir())
    cli.ok("backup", "-o", str(tmp_path / "usb" / "stick" / "copy.sqlite3"))
    assert mode(tmp_path / "usb") == 0o700 and mode(tmp_path / "usb" / "stick") == 0o700
    assert mode(tmp_path / "usb" / "stick" / "copy.sqlite3") == 0o600
    assert mode(outputs) == 0o755
    assert not [p for p in tmp_path.rglob("*.partial")]
