"""Spreadsheet imports under attack (issue 17, red-team items 12 and 21): our own files
always come back as they went out, whatever the names hold, and a large file is read as a
stream with every guarantee kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli, dump, fresh_db

AWKWARD = ["'Peggy'", "'Cardiff Uni' Volunteers", "O'Brien", '"Bobby" Tables', "Jones, Mair", "Siân; Llinos",
           "'", "Tab's 'x'"]


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
