"""Never over a ledger (issue 26, red-team item 4): `backup --output FILE --force` replaced a
live ledger that was not in WAL mode (one copied from a backup, or switched with
`PRAGMA journal_mode=DELETE`), and its latest exchange was lost.

The rule now: a SQLite file holding a timebank schema is a ledger, in any journal mode,
whatever its name or folder, unless it is a backup exactly as `timebank backup` left it
(marked in its header, no commit since). `backup --force` replaces only such a backup;
every other output (CSV, journal, PDF, workbook) refuses a ledger and a backup alike, with
--force or without. Each refusal: one line in the reader's language, exit 1, the target
unchanged byte for byte."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import Cli, sqlite_only
from refusal import refused

pytestmark = sqlite_only

MODES = ["delete", "wal"]


def file_bytes(db: Path) -> dict[str, bytes]:
    """The file and every companion beside it (a refusal must not even create a -shm)."""
    return {p.name: p.read_bytes() for p in db.parent.glob(db.name + "*")}


def journal_mode(db: Path, mode: str) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0] == mode
    finally:
        conn.close()


def another_ledger(path: Path, cli: Cli, mode: str) -> Cli:
    """Another time bank's live ledger with one exchange, in journal mode `mode`."""
    other = Cli(path, cli.capsys)
    other.ok("init")
    other.ok("member", "add", "Gwenllian")
    other.ok("member", "add", "Dafydd")
    other.ok("record", "Gwenllian", "Dafydd", "3")
    journal_mode(path, mode)
    return other


def says_ledger(results: dict) -> None:
    assert "is a timebank ledger, not a backup" in results["en"].err
    assert "Cyfriflyfr timebank yw" in results["cy"].err


@pytest.mark.parametrize("mode", MODES)
def test_backup_force_over_another_ledger_is_refused(ledger: Cli, tmp_path: Path, mode: str) -> None:
    other = another_ledger(tmp_path / "other.sqlite3", ledger, mode)
    before = file_bytes(other.db)
    for force in ([], ["--force"]):
        says_ledger(refused(ledger, "backup", "--output", str(other.db), *force))
        assert file_bytes(other.db) == before
    assert [e["minutes"] for e in other.json("exchange", "list")] == [3 * 60]


def test_backup_force_over_its_own_ledger_in_delete_mode_is_refused(ledger: Cli) -> None:
    ledger.ok("record", "Siân", "Llinos", "1")
    journal_mode(ledger.db, "delete")
    before = file_bytes(ledger.db)
    refused(ledger, "backup", "--output", str(ledger.db), "--force")
    assert file_bytes(ledger.db) == before


@pytest.mark.parametrize("mode", MODES)
def test_a_ledger_copied_from_a_backup_is_a_ledger_once_written(ledger: Cli, tmp_path: Path, mode: str) -> None:
    """The red team's first case: a backup copied into place and used as the ledger."""
    backup = tmp_path / "monday.sqlite3"
    ledger.ok("backup", "--output", str(backup))
    copied = tmp_path / "ledger-from-backup.sqlite3"
    shutil.copyfile(backup, copied)
    user = Cli(copied, ledger.capsys)
    user.ok("record", "Llinos", "Siân", "2")  # its latest exchange: the one that was lost
    if mode == "wal":
        journal_mode(copied, "wal")
    before = file_bytes(copied)
    says_ledger(refused(ledger, "backup", "--output", str(copied), "--force"))
    assert file_bytes(copied) == before
    assert [e["minutes"] for e in user.json("exchange", "list")] == [2 * 60]


def test_a_copy_switched_to_wal_and_back_is_a_ledger(ledger: Cli, tmp_path: Path) -> None:
    """WAL mode does not count its commits in the header; the switches themselves do."""
    backup = tmp_path / "monday.sqlite3"
    ledger.ok("backup", "--output", str(backup))
    journal_mode(backup, "wal")
    Cli(backup, ledger.capsys).ok("record", "Llinos", "Siân", "2")
    journal_mode(backup, "delete")
    before = file_bytes(backup)
    says_ledger(refused(ledger, "backup", "--output", str(backup), "--force"))
    assert file_bytes(backup) == before


def test_a_restored_ledger_is_not_a_backup(ledger: Cli, tmp_path: Path) -> None:
    """A restore puts a backup's pages in a ledger's place: the mark does not come with them."""
    backup = tmp_path / "monday.sqlite3"
    ledger.ok("backup", "--output", str(backup))
    other = Cli(tmp_path / "other.sqlite3", ledger.capsys)
    other.ok("init")
    other.ok("restore", str(backup), "--yes")
    journal_mode(other.db, "delete")
    before = file_bytes(other.db)
    says_ledger(refused(ledger, "backup", "--output", str(other.db), "--force"))
    assert file_bytes(other.db) == before


def test_backup_force_replaces_an_older_backup(ledger: Cli, tmp_path: Path) -> None:
    nightly = tmp_path / "nightly.sqlite3"
    ledger.ok("backup", "--output", str(nightly))
    ledger.ok("record", "Siân", "Llinos", "1")
    ledger.ok("backup", "--output", str(nightly), "--force")
    assert [e["minutes"] for e in Cli(nightly, ledger.capsys).json("exchange", "list")] == [1 * 60]
    # Read by timebank (a list, a check): still a backup, replaced again.
    Cli(nightly, ledger.capsys).ok("check")
    ledger.ok("record", "Llinos", "Siân", "2")
    ledger.ok("backup", "--output", str(nightly), "--force")
    assert len(Cli(nightly, ledger.capsys).json("exchange", "list")) == 2
    # A backup in the backups folder, by its default name, too.
    ledger.ok("backup")
    automatic = next((Path(ledger.db).parent / "backups").glob("*.sqlite3"))
    ledger.ok("backup", "--output", str(automatic), "--force")


def test_backup_force_replaces_nothing_but_a_backup(ledger: Cli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("the coordinator's own notes\n")
    foreign = tmp_path / "recipes.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    for target, words in ((notes, "not a timebank backup"), (foreign, "SQLite database, not a timebank backup")):
        before = target.read_bytes()
        for force in ([], ["--force"]):
            results = refused(ledger, "backup", "--output", str(target), *force)
            assert words in results["en"].err
        assert target.read_bytes() == before


# Every other output: a ledger (any mode) and a backup are refused, --force or not --------

OUTPUTS = {
    "export members": (["export", "members"], "members.csv"),
    "export exchanges": (["export", "exchanges", "--with-names"], "exchanges.csv"),
    "export summary": (["export", "summary"], "summary.csv"),
    "workbook": (["export", "workbook"], "pack.xlsx"),
    "journal": (["journal"], "books.journal"),
    "statement pdf": (["statement", "Siân"], "sian.pdf"),
    "statements pdf": (["statement", "--all"], "everyone.pdf"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("output", list(OUTPUTS))
def test_no_output_is_written_over_a_ledger(ledger: Cli, tmp_path: Path, mode: str, output: str) -> None:
    """A ledger under the output's own file name (a .pdf, a .xlsx): the name decides nothing."""
    args, name = OUTPUTS[output]
    ledger.ok("record", "Siân", "Llinos", "1")
    other = another_ledger(tmp_path / name, ledger, mode)
    before = file_bytes(other.db)
    for force in ([], ["--force"]):
        says_ledger(refused(ledger, *args, "--output", str(other.db), *force))
        assert file_bytes(other.db) == before
    assert [e["minutes"] for e in other.json("exchange", "list")] == [3 * 60]


@pytest.mark.parametrize("args", [["export", "members"], ["journal"], ["statement", "Siân", "--format", "pdf"]])
def test_no_output_is_written_over_the_ledger_itself_in_delete_mode(ledger: Cli, args: list[str]) -> None:
    ledger.ok("record", "Siân", "Llinos", "1")
    journal_mode(ledger.db, "delete")
    before = file_bytes(ledger.db)
    says_ledger(refused(ledger, *args, "--output", str(ledger.db), "--force"))
    assert file_bytes(ledger.db) == before


@pytest.mark.parametrize("output", list(OUTPUTS))
def test_no_output_is_written_over_a_backup(ledger: Cli, tmp_path: Path, output: str) -> None:
    args, name = OUTPUTS[output]
    backup = tmp_path / name
    ledger.ok("backup", "--output", str(backup))
    before = file_bytes(backup)
    results = refused(ledger, *args, "--output", str(backup), "--force")
    assert "is a timebank backup: only a new backup may replace it" in results["en"].err
    assert file_bytes(backup) == before
