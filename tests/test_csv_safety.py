"""Every CSV the program writes goes through one writer: a text cell a spreadsheet would run
as a formula is neutralised wherever it appears, numbers stay numbers, and report CSVs
name members only when asked (`--with-names`)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from conftest import Cli

HOSTILE = ['=HYPERLINK("http://x","y")', "+44 1", "@SUM(1)"]
FORMULA = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

# Every command line that writes CSV (with --format csv, or an export).
CSV_COMMANDS = [
    ["balance", "--format", "csv"],
    ["balance", "1", "--format", "csv"],
    ["member", "list", "--format", "csv"],
    ["member", "list", "--all", "--format", "csv"],
    ["member", "list", "--inactive", "1", "--format", "csv"],
    ["member", "show", "1", "--format", "csv"],
    ["exchange", "list", "--include-void", "--format", "csv"],
    ["exchange", "show", "1", "--format", "csv"],
    ["statement", "1", "--format", "csv"],
    ["report", "monthly", "--month", "2026-10", "--format", "csv"],
    ["report", "monthly", "--month", "2026-10", "--format", "csv", "--with-names"],
    ["report", "period", "--from", "2026-09-01", "--to", "2026-11-20", "--format", "csv"],
    ["offer", "list", "--format", "csv"],
    ["request", "list", "--closed", "--format", "csv"],
    ["match", "--category", "gardening", "--format", "csv"],
    ["settings", "show", "--format", "csv"],
    ["category", "list", "--format", "csv"],
    ["audit", "--format", "csv"],
    ["export", "exchanges"],
    ["export", "exchanges", "--with-names"],
    ["export", "members", "--with-names"],
    ["export", "summary"],
    ["export", "areas", "--min-count", "1"],
]


@pytest.fixture
def hostile(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-24")
    cli.ok("init", "--name", "=cmd|' /C calc'!A0")
    for name in HOSTILE:
        cli.ok("member", "add", name, "--joined", "2026-09-01", "--area", "-CF32", "--note", "=1+1")
    cli.ok("record", "1", "2", "1:30", "--date", "2026-10-05", "--note", "=SUM(A1)")
    cli.ok("record", "2", "3", "2", "--date", "2026-10-06", "--note", "@me")
    cli.ok("record", "3", "1", "0:45", "--date", "2026-10-07")
    cli.ok("exchange", "void", "3", "--reason", "+wrong")
    cli.ok("offer", "add", "1", "gardening", "--note", "-Saturdays")
    cli.ok("request", "add", "2", "gardening", "--note", "=now")
    return cli


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_csv_neutralises_formulas_and_keeps_numbers(hostile: Cli, lang: str) -> None:
    for args in CSV_COMMANDS:
        out = hostile.ok(*args, lang=lang).out
        rows = cells(out)
        assert len(rows) >= 2, (args, out)
        for row in rows:
            for cell in row:
                if NUMBER.match(cell):
                    continue  # a number (a negative balance too) stays a number
                assert not cell.startswith(FORMULA), (args, cell)
    # The names are there, made harmless, where names belong.
    names = {row[1] for row in cells(hostile.ok("member", "list", "--format", "csv", lang=lang).out)[1:]}
    assert names == {"'" + name for name in HOSTILE}


def test_hours_and_counts_stay_numbers(hostile: Cli) -> None:
    rows = cells(hostile.ok("balance", "--format", "csv").out)
    assert rows[0] == ["number", "name", "balance_hours"]
    balances = {row[0]: row[2] for row in rows[1:]}
    assert balances == {"0": "0.00", "1": "1.50", "2": "0.50", "3": "-2.00"}
    exchanges = cells(hostile.ok("exchange", "list", "--format", "csv").out)
    assert [row[4:6] for row in exchanges[1:]] == [["90", "1.50"], ["120", "2.00"]]


def test_report_csv_names_only_when_asked(hostile: Cli) -> None:
    plain = hostile.ok("report", "monthly", "--month", "2026-10", "--format", "csv").out
    assert "HYPERLINK" not in plain and "44 1" not in plain
    # The headline figures, then (after a blank line) a row a member, then the categories.
    headers = [block[0] for block in sections(plain)]
    assert headers == [["figure", "value"],
                       ["month", "member", "opening_hours", "given_hours", "received_hours", "closing_hours"],
                       ["category", "exchanges", "hours"]]
    named = hostile.ok("report", "monthly", "--month", "2026-10", "--format", "csv", "--with-names").out
    assert sections(named)[1][0][:3] == ["month", "member", "name"]
    assert "'=HYPERLINK" in named


def sections(text: str) -> list[list[list[str]]]:
    """The blocks of a report's CSV, each its header row and its rows."""
    blocks: list[list[list[str]]] = [[]]
    for row in cells(text):
        if not row:
            blocks.append([])
        else:
            blocks[-1].append(row)
    return blocks
