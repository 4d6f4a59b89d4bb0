"""Numbers never go first (issue 27): every list the command line prints, at 80 columns and
wider, in both languages, shows each row's number and each of its figures whole on the
row's first line, no line wider than the terminal, and names whole (wrapped in their cell,
never cut), on a ledger with an organisation, a group exchange, a void, long notes, a long
category and a member whose name is 179 characters long. The figures expected are read from
the same command's JSON, not from the table."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
import pytest
from rich.cells import cell_len

from conftest import Cli
from timebank.ledger.basics.hours import format_hours

LONG_NAME = ("Gwenllian Angharad ferch Llywelyn ap Gruffudd ap Cynan o Aberffraw " * 3)[:179].strip()
ORGANISATION = "Canolfan Gymunedol Cwm Tawe a Dyffryn Aman (Elusen Gofrestredig)"
NOTE = ("Helped with the garden, cut the hedge along the lane, cleared the gutters and took the green waste "
        "to the tip at Cwmgors")
WIDTHS = [80, 120]
LANGS = ["en", "cy"]
# What the Status column of `exchange list --include-void` says of a void and of its reversal.
MARKS = {"en": ("voided by {n}", "voids {n}"), "cy": ("diddymwyd gan {n}", "yn diddymu {n}")}
ROW = re.compile(r"^\s*(\d+)\s")


_built: list[Path] = []


@pytest.fixture
def bank(cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The ledger, built once (fifteen commands) and copied for each test that reads it."""
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-12-07")
    if not isinstance(cli.db, Path):  # a database URL: built afresh each time
        return _build(cli)
    if not _built:
        template = tmp_path_factory.mktemp("eighty") / "ledger.sqlite3"
        _build(Cli(template, cli.capsys))
        _built.append(template)
    shutil.copy2(_built[0], cli.db)
    return cli


def _build(cli: Cli) -> Cli:
    assert len(LONG_NAME) == 179
    cli.ok("init", "--name", "Banc Amser Blaengarw")
    cli.ok("member", "add", "Siân Llewellyn-Jones", "--joined", "2026-01-05", "--lang", "cy", "--area", "SA9 1AB")
    cli.ok("member", "add", "Llinos", "--joined", "2026-01-05")
    cli.ok("member", "add", ORGANISATION, "--kind", "organisation", "--joined", "2026-01-05", "--area", "Ystalyfera")
    cli.ok("member", "add", LONG_NAME, "--joined", "2026-01-05")
    cli.ok("member", "add", "Lowri ap Rhys", "--joined", "2026-01-05")
    cli.ok("category", "add", "walks", "--en", "Accompanied walks in the countryside and along the canal towpath",
           "--cy", "Teithiau cerdded yng nghwmni ar hyd y wlad a llwybr y gamlas", "--cy-code", "teithiau")
    cli.ok("record", "1", "2", "1:30", "--date", "2026-11-03", "--category", "gardening", "--note", NOTE)
    cli.ok("record", "3", "1", "2.25", "--date", "2026-11-04", "--category", "walks", "--note", NOTE)
    cli.ok("record", "4", "5", "0:45", "--date", "2026-11-06", "--category", "companionship")
    cli.ok("record", "5", "2", "3", "--date", "2026-11-07", "--category", "diy", "--note", "Shelves")
    cli.ok("record", "--giver", "3", "--receiver", "2", "--receiver", "4", "--receiver", "1", "--receiver", "5",
           "--hours", "1", "--date", "2026-11-05", "--category", "events", "--note", NOTE)
    cli.ok("exchange", "void", "2", "--reason", "Wrong member: " + NOTE)
    cli.ok("offer", "add", "4", "walks", "--note", NOTE)
    cli.ok("request", "add", "3", "computers", "--note", NOTE)
    return cli


def table(cli: Cli, width: int, lang: str, *args: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(width))
    lines = cli.ok(*args, lang=lang).out.splitlines()
    too_wide = [line for line in lines if cell_len(line) > width]
    assert not too_wide, (args, lang, width, too_wide)
    return lines


def blocks(lines: list[str]) -> dict[int, list[str]]:
    """Each row of the (first) table under its number: its first line and the lines its
    wrapped cells take below it, up to the next row or the table's end."""
    rule = next(i for i, line in enumerate(lines) if line.startswith("━"))
    found: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in lines[rule + 1:]:
        if line.startswith("━") or not line.startswith(" ") and not ROW.match(line):
            break
        match = ROW.match(line)
        if match:
            current = found.setdefault(int(match.group(1)), [])
        if current is not None:
            current.append(line)
    return found


def heading_start(lines: list[str], *headings: str) -> int:
    """Where a left-aligned column starts: where its heading starts on the heading line."""
    rule = next(i for i, line in enumerate(lines) if line.startswith("━"))
    for line in reversed(lines[:rule]):
        for heading in headings:
            found = re.search(rf"(?<!\S){re.escape(heading)}(?!\S)", line)
            if found:
                return found.start()
    raise AssertionError((headings, lines[:rule]))


def column(block: list[str], start: int, end: int | None = None) -> str:
    """A cell's text across the lines it wraps over, spaces dropped (a wrapped line may break
    a long word where the line ends, so only the letters are compared)."""
    return "".join(line[start:end] for line in block).replace(" ", "")


def whole(name: str) -> str:
    return name.replace(" ", "")


def tokens(line: str) -> list[str]:
    return line.split()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_exchange_list(bank: Cli, lang: str, width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = {r["number"]: r for r in bank.json("exchange", "list", "--include-void")}
    names = {m["number"]: m["name"] for m in bank.json("member", "list")}
    lines = table(bank, width, lang, "exchange", "list", "--include-void", monkeypatch=monkeypatch)
    found = blocks(lines)
    assert set(found) == set(rows) == {1, 2, 3, 4, 5, 6}
    giver = heading_start(lines, "Giver", "Rhoddwr")
    receiver = heading_start(lines, "Receiver", "Derbynnydd")
    hours = heading_start(lines, "Hours", "Oriau")
    status = heading_start(lines, "Status", "Statws")
    voided, reverses = MARKS[lang]
    for number, row in rows.items():
        block = found[number]
        shown = format_hours(-row["minutes"] if row["reverses"] else row["minutes"])
        assert shown in tokens(block[0]), (number, shown, block)
        assert column(block, giver, receiver) == whole(", ".join(names[g] for g in row["givers"])), block
        assert column(block, receiver, hours) == whole(", ".join(names[r] for r in row["receivers"])), block
        if row["reverses"]:
            assert column(block, status) == whole(reverses.format(n=row["reverses"])), block
        elif row["void"]:
            reversal = next(n for n, r in rows.items() if r["reverses"] == number)
            assert column(block, status) == whole(voided.format(n=reversal)), block
        else:
            assert column(block, status) == "", block
    # Category and note stay (shortened), beside the hours.
    for heading in (("Category", "Categori"), ("Note", "Nodyn")):
        heading_start(lines, *heading)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("command", [["balance"], ["member", "list"]])
def test_balances_and_members(bank: Cli, lang: str, width: int, command: list[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    rows = {r["number"]: r for r in bank.json(*command)}
    lines = table(bank, width, lang, *command, monkeypatch=monkeypatch)
    found = blocks(lines)
    assert set(found) == set(rows) and LONG_NAME in {r["name"] for r in rows.values()}
    name = heading_start(lines, "Name", "Enw")
    for number, row in rows.items():
        block = found[number]
        balance = tokens(block[0])[-1]
        assert balance.replace("+", "") == format_hours(row["balance_minutes"]), (number, block)
        if number == 0:
            continue  # the pot is named in the reader's language, not as JSON names it
        if command == ["balance"]:
            text = [block[0][name:].rsplit(balance, 1)[0]] + [line[name:] for line in block[1:]]
            assert column(text, 0) == whole(row["name"]), block
        else:
            kind = heading_start(lines, "Kind", "Math")
            assert column(block, name, kind) == whole(row["name"]), block


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ["offer", "request"])
def test_listings(bank: Cli, lang: str, width: int, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = {r["id"]: r for r in bank.json(kind, "list")}
    lines = table(bank, width, lang, kind, "list", monkeypatch=monkeypatch)
    found = blocks(lines)
    assert set(found) == set(rows) and rows
    for number, row in rows.items():
        first = tokens(found[number][0])
        assert first[1] == str(row["member"]) and first[-1] == "07/12/26", found[number]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_monthly_report(bank: Cli, lang: str, width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    report = bank.json("report", "monthly", "--month", "2026-11")
    lines = table(bank, width, lang, "report", "monthly", "--month", "2026-11", monkeypatch=monkeypatch)
    found = blocks(lines)
    assert set(found) == {m["number"] for m in report["members"]}
    for member in report["members"]:
        figures = tokens(found[member["number"]][0])[-4:]
        assert [f.replace("+", "") for f in figures] == [
            format_hours(member[key]) for key in ("opening_minutes", "given_minutes", "received_minutes",
                                                  "closing_minutes")], found[member["number"]]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("member", ["1", "3", "4"])
def test_statement(bank: Cli, lang: str, width: int, member: str, monkeypatch: pytest.MonkeyPatch) -> None:
    lines_json = bank.json("statement", member)["lines"]
    lines = table(bank, width, lang, "statement", member, monkeypatch=monkeypatch)
    rule = next(i for i, line in enumerate(lines) if line.startswith("━"))
    rows = [line for line in lines[rule + 1:] if re.match(r"\d\d/\d\d/\d\d ", line)]
    assert len(rows) == len(lines_json)
    for line, expected in zip(rows, lines_json):
        words = tokens(line)
        assert int(words[1]) == expected["exchange"], line
        assert [w.replace("+", "") for w in words[-2:]] == [format_hours(expected["minutes"]),
                                                            format_hours(expected["balance_minutes"])], line


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_audit_settings_categories(bank: Cli, lang: str, width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    events = bank.json("audit")
    lines = table(bank, width, lang, "audit", monkeypatch=monkeypatch)
    found = blocks(lines)
    assert set(found) == {e["id"] for e in events}
    recorded = [e for e in events if e["action"] == "exchange.record"]
    what = heading_start(lines, "What", "Beth")
    for event in recorded:
        # The hours an exchange was recorded with are in what the audit says of it, whole.
        assert whole(format_hours(event["details"]["minutes"])) in column(found[event["id"]], what), event

    settings = bank.json("settings", "show")
    lines = table(bank, width, lang, "settings", "show", monkeypatch=monkeypatch)
    text = whole(" ".join(lines))
    for value in settings.values():
        assert whole(str(value)) in text
    # The meaning is wrapped, never cut short.
    assert not any("…" in line for line in lines)

    codes = bank.json("category", "list")
    lines = table(bank, width, lang, "category", "list", monkeypatch=monkeypatch)
    for category in codes:
        assert any(tokens(line)[:1] == [category["code"]] for line in lines), category
    # A category's names are what the list is for: wrapped in their cells, whole.
    first = next(i for i, line in enumerate(lines) if line.startswith("walks "))
    block = lines[first:first + 1 + next((n for n, line in enumerate(lines[first + 1:]) if not line.startswith(" ")),
                                          0)]
    # Up to the goals' column (issue 30), the last.
    goals = heading_start(lines, "Well-being", "Nodau")
    assert column(block, heading_start(lines, "English", "Saesneg"), goals) == whole(
        "Accompanied walks in the countryside and along the canal towpath"), block


@pytest.mark.parametrize("lang", LANGS)
def test_long_lists_plain_text(bank: Cli, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list too long for Rich is laid out the same way in plain text: names wrapped, the
    figures on each row's first line."""
    from timebank.render import table as drawing

    monkeypatch.setattr(drawing, "RICH_TABLE_LIMIT", 0)
    test_exchange_list(bank, lang, 80, monkeypatch)
    test_balances_and_members(bank, lang, 80, ["balance"], monkeypatch)
    test_balances_and_members(bank, lang, 80, ["member", "list"], monkeypatch)


def test_layout_gives_way_in_order() -> None:
    """Notes go narrow before categories, categories before names; numbers never do; a
    column marked `drop` is left out only when the floors cannot fit."""
    from timebank.render.sheet import CATEGORY, HOURS, INT, MEMBER, col
    from timebank.render.table import layout

    columns = [col("number", "#", INT), col("name", "Name", MEMBER), col("category", "Category", CATEGORY),
               col("note", "Note", drop=1), col("hours", "Hours", HOURS)]
    heads = ["#", "Name", "Category", "Note", "Hours"]
    cells = [["12", "A" * 30, "C" * 30, "N" * 30, "123.25"]]
    keep, widths = layout(columns, heads, cells, None, 80)
    assert keep == [0, 1, 2, 3, 4] and widths == [2, 30, 28, 6, 6]
    keep, widths = layout(columns, heads, cells, None, 60)
    assert keep == [0, 1, 2, 3, 4] and widths == [2, 30, 8, 6, 6]
    keep, widths = layout(columns, heads, cells, None, 40)
    assert keep == [0, 1, 2, 4] and [widths[i] for i in keep] == [2, 18, 8, 6]
