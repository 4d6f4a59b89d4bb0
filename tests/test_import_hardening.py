"""Spreadsheet imports under attack (issue 17, red-team items 12 and 21): our own files
always come back as they went out, whatever the names hold, and a large file is read as a
stream with every guarantee kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Cli, dump, fresh_db, query

AWKWARD = ["'Peggy'", "'Cardiff Uni' Volunteers", "O'Brien", '"Bobby" Tables', "Jones, Mair", "Siân; Llinos",
           "'", "Tab's 'x'"]
SEAL = re.compile(r"#\d+ [0-9a-f]{16}")


def test_names_with_quotes_round_trip(cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli.ok("init")
    cli.ok("settings", "set", "credit_limit", "")
    for index, name in enumerate(AWKWARD):
        cli.ok("member", "add", name, "--joined", "2026-01-05",
               "--kind", "organisation" if "Volunteers" in name else "person")
        if index:
            cli.ok("record", str(index), str(index + 1), "1", "--date", "2026-02-01")
    members, exchanges = tmp_path / "members.csv", tmp_path / "exchanges.csv"
    cli.ok("export", "members", "--with-names", "-o", str(members))
    cli.ok("export", "exchanges", "--with-names", "-o", str(exchanges))
    fresh = Cli(fresh_db(tmp_path, "fresh"), capsys)
    fresh.ok("init")
    fresh.ok("import", "members", str(members))
    fresh.ok("import", "exchanges", str(exchanges))
    assert sorted(m["name"] for m in fresh.json("member", "list")) == sorted(AWKWARD)
    assert fresh.json("balance") == cli.json("balance")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_comes_from_the_header(ledger: Cli, tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "rows.csv"
    rows = [["date", "giver", "receiver", "hours", "note"],
            ["2026-02-01", "1", "2", "1,5" if delimiter != "," else "1.5", "'quoted' by hand"],
            ["2026-02-02", "2", "3", "1", "semi; colon, comma"]]
    def cell(text: str) -> str:
        return f'"{text}"' if any(c in text for c in ",;\t\"") else text
    path.write_text("\n".join(delimiter.join(cell(c) for c in row) for row in rows) + "\n", encoding="utf-8")
    ledger.ok("import", "exchanges", str(path))
    notes = [e["note"] for e in ledger.json("exchange", "list")]
    assert notes == ["'quoted' by hand", "semi; colon, comma"]


# Item 21: streaming ---------------------------------------------------------------------------

def _exchanges_file(path: Path, rows: int, *, grouped: bool) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("exchange,date,giver,receiver,hours\n" if grouped else "date,giver,receiver,hours,category\n")
        for index in range(rows):
            day = f"2021-{index % 12 + 1:02d}-{index % 28 + 1:02d}"
            giver, receiver = (1, 2) if index % 2 else (2, 1)
            if grouped:
                handle.write(f"{index},{day},{giver},{receiver},1\n")
            else:
                handle.write(f"{day},{giver},{receiver},1:30,{'gardening' if index % 3 else ''}\n")
    return path


def _python_peak(db: "Path | str", source: Path) -> int:
    """The most memory Python held during the import (bytes): the rows, parsed cells and
    batches. (SQLite's page cache is its own, bounded by its cache_size.)"""
    import tracemalloc

    from timebank.io.imports import import_file
    from timebank.ledger.storage.db import open_ledger

    ledger = open_ledger(str(db))
    try:
        tracemalloc.start()
        try:
            import_file(ledger, "tester", "exchanges", source)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    finally:
        ledger.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("grouped", [False, True], ids=["one row each", "exchange column"])
def test_memory_does_not_grow_with_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            grouped: bool) -> None:
    """Three times the rows, the same memory (once the write batches are full): the rows are
    never all in memory. (Before they were streamed, 36,000 rows held about 20 MB more than
    12,000.)"""
    peaks = []
    for rows in (12_000, 36_000):
        cli = Cli(fresh_db(tmp_path, f"ledger{rows}"), capsys)
        cli.ok("init")
        cli.ok("settings", "set", "credit_limit", "")
        cli.ok("member", "add", "Siân", "--joined", "2020-01-01")
        cli.ok("member", "add", "Llinos", "--joined", "2020-01-01")
        peaks.append(_python_peak(cli.db, _exchanges_file(tmp_path / f"rows{rows}.csv", rows, grouped=grouped)))
        assert query(cli.db, "SELECT count(*) FROM exchanges")[0][0] == rows
    cli.ok("check")
    assert peaks[1] - peaks[0] < 3_000_000, peaks


def test_rows_of_one_exchange_may_be_anywhere_in_the_file(ledger: Cli, tmp_path: Path) -> None:
    path = tmp_path / "scattered.csv"
    path.write_text("exchange,date,giver,receiver,hours\n"
                    "A,2026-02-01,1,2,1\n"
                    "7,2026-02-02,2,3,1\n"
                    ",2026-02-03,3,1,1\n"
                    "A,2026-02-01,1,3,1\n"
                    "7,2026-02-02,1,3,1\n", encoding="utf-8")
    ledger.ok("import", "exchanges", str(path))
    listed = {e["number"]: e for e in ledger.json("exchange", "list")}
    assert [(e["givers"], e["receivers"]) for e in listed.values()] == [([1], [2, 3]), ([2, 1], [3]), ([3], [1])]
    ledger.ok("check")


def test_a_disagreeing_row_far_from_its_exchange_is_listed(ledger: Cli, tmp_path: Path) -> None:
    path = tmp_path / "scattered.csv"
    path.write_text("exchange,date,giver,receiver,hours\nA,2026-02-01,1,2,1\nB,2026-02-02,2,3,1\n"
                    "A,2026-02-01,1,3,2\nB,2026-02-02,2,1,1\nC,2026-02-03,9,1,1\n", encoding="utf-8")
    before = dump(ledger.db)
    result = ledger("import", "exchanges", str(path))
    assert result.code == 1
    assert [line.split(":")[0] for line in result.err.splitlines()[:2]] == ["Line 4", "Line 6"]
    assert dump(ledger.db) == before


def test_each_row_is_held_to_its_members_days(ledger: Cli, tmp_path: Path) -> None:
    """The import asks about a member's days once and again only for a day outside them
    (issue 28): before joining, after leaving and between leaving and rejoining are still
    refused, each with its reason, and the days around them still pass."""
    ledger.ok("member", "add", "Gwen Gadael", "--joined", "2026-01-05")     # 4
    ledger.ok("member", "add", "Rhys Ailymuno", "--joined", "2026-01-05")   # 5
    ledger.ok("member", "leave", "4", "--date", "2026-03-01")
    ledger.ok("member", "leave", "5", "--date", "2026-02-01")
    ledger.ok("member", "rejoin", "5", "--date", "2026-04-01")
    path = tmp_path / "days.csv"
    good = ("date,giver,receiver,hours\n2026-02-10,4,1,1\n2026-01-20,5,1,1\n2026-04-02,1,5,1\n2026-03-01,4,2,1\n"
            "2026-04-01,5,2,1\n")
    path.write_text(good + "2026-03-10,4,1,1\n2026-03-01,5,1,1\n2026-01-04,2,4,1\n", encoding="utf-8")
    before = dump(ledger.db)
    result = ledger("import", "exchanges", str(path))
    assert result.code == 1
    lines = result.err.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["Line 7", "Line 8", "Line 9"], lines
    assert len(lines) == 4, lines  # and the count of bad rows
    assert "left on 2026-03-01" in lines[0] and "rejoined on 2026-04-01" in lines[1] and "joined on" in lines[2]
    assert dump(ledger.db) == before
    path.write_text(good, encoding="utf-8")
    ledger.ok("import", "exchanges", str(path))
    ledger.ok("check")


def test_the_fingerprint_of_the_rows_is_unchanged(tmp_path: Path) -> None:
    """Files imported before streaming stored a fingerprint of their rows; a re-saved copy
    must still be recognised by it."""
    from timebank.io.imports import CsvRows, content_digest

    path = tmp_path / "rows.csv"
    path.write_text("\ufeffdyddiad;rhoddwr;derbynnydd;oriau;nodyn\r\n2026-02-01;1;2;1;\"Siân's; \"\"cake\"\"\"\r\n\r\n"
                    "2026-02-02;2;3;1:30;'=1+1\r\n", encoding="utf-8")
    source = CsvRows(path)
    rows = list(source.rows())
    assert source.content == content_digest(rows) and len(rows) == 2
    assert rows[0] == (2, {"date": "2026-02-01", "giver": "1", "receiver": "2", "hours": "1",
                           "note": "Siân's; \"cake\""})
    assert rows[1][1]["note"] == "=1+1"


def test_progress_is_reported_to_the_end(ledger: Cli, tmp_path: Path) -> None:
    from timebank.io.imports import import_file
    from timebank.ledger.storage.db import open_ledger

    path = tmp_path / "rows.csv"
    path.write_text("exchange,date,giver,receiver,hours\n" + "".join(f"{n},2026-02-01,{1 + n % 2},{2 - n % 2},1\n"
                                                                    for n in range(3000)), encoding="utf-8")
    ledger.ok("settings", "set", "credit_limit", "")
    seen: list[tuple[int, int]] = []
    opened = open_ledger(str(ledger.db))
    try:
        import_file(opened, "tester", "exchanges", path, progress=lambda done, total: seen.append((done, total)))
    finally:
        opened.dispose()
    assert seen and seen[-1][0] == seen[-1][1] > 0
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)


def test_the_pot_answers_to_its_name_in_either_language(ledger: Cli, tmp_path: Path) -> None:
    """An export made --with-names names member 0 as the catalogues do ("Time bank pot",
    "Pot y banc amser"), never as its stored name: both agree with the number; another name
    is refused, naming the pot in the reader's language."""
    path = tmp_path / "pot.csv"
    path.write_text("exchange,date,giver,receiver,hours,giver_name,receiver_name\n"
                    "A,2026-02-01,0,1,1,Pot y banc amser,\nB,2026-02-01,0,1,1,Time bank pot,\n"
                    "C,2026-02-01,0,1,1,Fred,\n", encoding="utf-8")
    before = dump(ledger.db)
    result = ledger("import", "exchanges", str(path), lang="cy")
    assert result.code == 1 and dump(ledger.db) == before
    assert "Llinell 4: aelod 0 yw Pot y banc amser, nid Fred." in result.err
    assert "nid Pot y banc amser" not in result.err and "nid Time bank pot" not in result.err


def test_an_import_writes_the_same_bytes_whichever_way_its_rows_reach_the_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL's import sends its rows by COPY (issue 28): every row, link, text
    commitment, balance and month total, and so the seal, are those the same import writes
    through INSERT statements (`_executemany`, SQLite's way). Salts, the clock and the ledger's id are fixed,
    so that two ledgers made the same way are the same byte for byte; small batches, so that
    the rows cross several; notes COPY must escape (backslashes, \\N, Welsh letters)."""
    import random
    import uuid
    from datetime import datetime
    from types import SimpleNamespace

    from timebank.ledger import schema
    from timebank.ledger.integrity import canonical
    from timebank.ledger.records import audit, exchanges

    class Seeded(canonical.Salts):
        def __init__(self) -> None:
            super().__init__()
            self.random = random.Random(28)

        def __call__(self) -> bytes:
            return self.random.randbytes(canonical.SALT_BYTES)

        def take(self, count: int) -> bytes:
            return self.random.randbytes(canonical.SALT_BYTES * count)

    monkeypatch.setattr(audit, "now", lambda: datetime(2026, 3, 1, 9, 30))
    monkeypatch.setattr(schema, "uuid", SimpleNamespace(uuid4=lambda: uuid.UUID(int=28)))  # the ledger's id
    monkeypatch.setattr(exchanges, "BATCH_ENTRIES", 7)
    notes = ["", "back\\slash", "\\N", "a\\tb", "Siân a'r ŵyr ŷd", "\\.", "100% \"cake\""]
    rows = "".join(f"{n},2026-02-{1 + n % 27:02d},{1 + n % 5},{1 + (n + 1) % 5},{1 + n % 3}:15,,{notes[n % 7]}\n"
                   for n in range(40))
    # Exchanges of several givers (A) or receivers (B), and one with the pot.
    rows += "A,2026-02-10,1,4,1,,\nA,2026-02-10,2,4,1,,\nB,2026-02-11,3,1,0:30,,many\nB,2026-02-11,3,2,0:30,,many\n"
    rows += "P,2026-02-12,0,5,2,,from the pot\n"
    path = tmp_path / "rows.csv"
    path.write_text('exchange,date,giver,receiver,hours,category,note\n' + rows, encoding="utf-8")

    def imported(name: str) -> tuple[list[tuple], str]:
        monkeypatch.setattr(canonical, "new_salt", Seeded())
        cli = Cli(fresh_db(tmp_path, name), capsys)
        cli.ok("init", "--name", "Banc Amser")
        cli.ok("settings", "set", "credit_limit", "")
        for number in range(1, 6):
            cli.ok("member", "add", f"Aelod {number}", "--joined", "2026-01-05")
        cli.ok("import", "exchanges", str(path))
        seal = SEAL.search(cli.ok("check", lang="en").out)
        assert seal is not None
        return dump(cli.db), seal.group(0)

    written = imported("written")
    monkeypatch.setattr(exchanges, "_copy", exchanges._executemany)
    inserted = imported("inserted")
    assert written == inserted
    notes_written = {row[5] for row in written[0] if row[0] == "exchanges"}
    assert {"back\\slash", "\\N", "a\\tb", "Siân a'r ŵyr ŷd", None} <= notes_written
    assert len([row for row in written[0] if row[0] == "exchanges"]) == 43

