"""The screen at 80x24 and 120x40, in both languages (issue 27): every list page keeps each
row's number and its hours or balance in view, whatever the names and notes; a wide
report scrolls sideways with the keys at its foot; the foot names keys in words; Enter
opens the first member found; Esc goes back from a statement to the member page; a
refusal wraps at word boundaries. Read from the text drawn on the screen, as a person
sees it (Textual's compositor, the same cells the terminal gets)."""

from __future__ import annotations

import asyncio
import re
from typing import Any, Awaitable, Callable

import pytest

from conftest import Cli

TODAY = "2026-12-07"   # a Monday
LANGS = ["en", "cy"]
SIZES = [(80, 24), (120, 40)]
LONG_NAME = ("Gwenllian ferch Llewelyn ap Gruffudd ap Rhys " * 5)[:179]
LONG_NOTE = ("Cut the hedge at the back and carried the green waste to the tip in two trips, "
             "with tea and bara brith after")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)


@pytest.fixture
def busy(ledger: Cli) -> Cli:
    """Siân (1), Llinos (2), Lowri ap Rhys (3), an organisation (4), a member with a
    179-character name (5); exchanges last month and this one with long notes, a group
    exchange, a void and its reversal, an offer and a request."""
    ledger.ok("member", "add", "Cymdeithas Gymunedol Blaengarw a'r Cylch", "--kind", "organisation",
              "--joined", "2026-01-05")
    ledger.ok("member", "add", LONG_NAME, "--joined", "2026-01-05")
    for month in ("2026-11", "2026-12"):
        ledger.ok("record", "Siân", "Llinos", "1:30", "--date", f"{month}-02", "--category", "gardening",
                  "--note", LONG_NOTE)
        ledger.ok("record", "--giver", "1", "--giver", "2", "--receiver", "4", "--hours", "2", "--date",
                  f"{month}-03", "--category", "companionship", "--note", LONG_NOTE)
        ledger.ok("record", "5", "3", "0:45", "--date", f"{month}-04", "--note", LONG_NOTE)
        ledger.ok("record", "3", "5", "12:15", "--date", f"{month}-05", "--category", "transport",
                  "--allow-overdraft")
    number = max(e["number"] for e in ledger.json("exchange", "list"))
    ledger.ok("exchange", "void", str(number), "--reason", "typed twice")
    ledger.ok("offer", "add", "5", "transport", "--note", LONG_NOTE)
    ledger.ok("request", "add", "4", "gardening", "--note", LONG_NOTE)
    return ledger


def screen(cli: Cli, lang: str, size: tuple[int, int], test: Callable[[Any, Any], Awaitable[None]]) -> None:
    from timebank.i18n import Words, using_language
    from timebank.ledger.storage.db import open_ledger
    from timebank.ui.app import TimebankApp

    ledger = open_ledger(str(cli.db))

    async def run() -> None:
        app = TimebankApp(ledger, "tester", Words(lang))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await test(app, pilot)

    try:
        with using_language(lang):
            asyncio.run(run())
    finally:
        ledger.dispose()


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def press(pilot: Any, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
    await settle(pilot)


def shown(app: Any) -> list[str]:
    """The screen's lines as the terminal gets them."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def words(lang: str) -> Any:
    from timebank.i18n import Words

    return Words(lang)


def hours(minutes: int, signed: bool = False) -> str:
    text = f"{abs(minutes) / 60:.2f}"
    return (("-" if minutes < 0 else "+") + text) if signed else ("-" + text if minutes < 0 else text)


def row_line(lines: list[str], number: int, pattern: str = "") -> str:
    """The one line on screen that starts with this row's number (and then `pattern`)."""
    found = [line for line in lines if re.match(rf"\s*{number}\s{pattern}", line)]
    assert len(found) == 1, (number, found, "\n".join(lines))
    return found[0]


def fits(lines: list[str], width: int) -> None:
    from rich.cells import cell_len

    assert len(lines) and all(cell_len(line) == width for line in lines)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_every_list_keeps_each_rows_number_and_hours(busy: Cli, lang: str, size: tuple[int, int]) -> None:
    w = words(lang)
    members = {m["number"] for m in busy.json("member", "list")}
    balances = {b["number"]: b["balance_minutes"] for b in busy.json("balance") if b["number"] in members}
    assert len(balances) == 5
    this_month = busy.json("exchange", "list", "--month", "2026-12", "--include-void")
    monthly = busy.json("report", "monthly", "--month", "2026-11")
    statement = busy.json("statement", "5", "--month", "2026-11")
    assert len(statement["lines"]) == 2

    async def test(app: Any, pilot: Any) -> None:
        # Members: every member's balance, on the line that starts with their number.
        await press(pilot, "f2")
        lines = shown(app)
        fits(lines, size[0])
        heading = next(line for line in lines if w._("Balance (hours)") in line)
        assert w._("Name") in heading
        rows = lines[lines.index(heading) + 1:]
        for number, minutes in balances.items():
            assert row_line(rows, number).rstrip().endswith(hours(minutes, signed=True)), number
        # Exchanges, voided ones too: each row's hours, and the heading on one line.
        await press(pilot, "f4", "a")
        lines = shown(app)
        assert any(w._("Hours") in line and w._("Date") in line for line in lines)
        for exchange in this_month:
            line = row_line(lines, exchange["number"], r"\s*\d\d/\d\d/\d\d")
            sign = "-" if exchange.get("reverses") else ""   # a reversal's hours are shown below zero
            assert re.search(rf"\s{sign}{re.escape(hours(exchange['minutes']))}(\s|$)", line), (exchange, line)
        # The monthly report of last month: every member's closing balance, the heading whole.
        await press(pilot, "f5")
        body = app.screen.query_one("#body")
        text = body.text.splitlines()
        heading = next(line for line in text if w._("Closing") in line)
        assert w._("Opening") in heading and w._("Received") in heading
        closing_at = heading.index(w._("Closing")) + len(w._("Closing"))
        rows = text[text.index(heading) + 1:]
        for member in monthly["members"]:
            line = row_line(rows, member["number"])
            assert line[:closing_at].rstrip().endswith(hours(member["closing_minutes"], signed=True)), line
        # On screen too, not only in the report's lines: the heading's last word is in view.
        assert any(w._("Closing") in line for line in shown(app))
        # A statement: every line's hours and the running balance.
        await press(pilot, "s", *"5", "enter")
        on_screen = shown(app)
        for entry in statement["lines"]:
            found = [line for line in on_screen if hours(entry["balance_minutes"], signed=True) in line
                     and hours(entry["minutes"], signed=True) in line]
            assert found, (entry, "\n".join(on_screen))
        # The first page: the open request's number on its line.
        await press(pilot, "f1")
        lines = shown(app)
        fits(lines, size[0])
        assert row_line(lines, 2, r"\s*4\s")

    screen(busy, lang, size, test)


@pytest.mark.parametrize("lang", LANGS)
def test_a_member_page_keeps_the_hours_of_each_exchange(busy: Cli, lang: str) -> None:
    recent = [e for e in busy.json("exchange", "list", "--member", "5")]

    async def test(app: Any, pilot: Any) -> None:
        app.open_member(5)
        await settle(pilot)
        text = app.screen.query_one("#page").text
        for exchange in recent[-3:]:
            assert any(exchange["date"][8:10] + "/" + exchange["date"][5:7] in row and
                       f"{exchange['minutes'] / 60:.2f}" in row for row in text.splitlines()), exchange
        assert all(len(row) <= 76 for row in text.splitlines() if re.match(r"\s*\d\d/\d\d/\d\d", row))

    screen(busy, lang, (80, 24), test)


@pytest.mark.parametrize("lang", LANGS)
def test_the_foot_names_keys_in_words(busy: Cli, lang: str) -> None:
    w = words(lang)

    async def test(app: Any, pilot: Any) -> None:
        lines = shown(app)
        foot = " ".join(lines[-3:])
        for key, label in (("Ctrl+Q", "Close"), ("F1", "Overview"), ("F5", "Reports"), ("Ctrl+R", "Refresh")):
            assert f"{key} {w._(label)}" in foot, (key, foot)
        assert "^q" not in foot and "f1 " not in foot
        await press(pilot, "f4")
        foot = " ".join(shown(app)[-3:])
        assert f"[ ] {w._('Month')}" in foot
        assert "[ " + w._("Month") + "  ]" not in foot
        # [ and ] still move a month.
        title = str(app.screen.query_one("#title").render())
        await press(pilot, "left_square_bracket")
        assert str(app.screen.query_one("#title").render()) != title
        await press(pilot, "right_square_bracket")
        assert str(app.screen.query_one("#title").render()) == title

    screen(busy, lang, (80, 24), test)


@pytest.mark.parametrize("lang", LANGS)
def test_a_report_wider_than_the_screen_scrolls_sideways_with_its_keys_shown(busy: Cli, lang: str) -> None:
    w = words(lang)

    async def test(app: Any, pilot: Any) -> None:
        await press(pilot, "f5")
        body = app.screen.query_one("#body")
        sideways = f"← → {w._('Sideways')}"
        # The key is shown exactly when the report is wider than the screen (here: the line
        # naming members below zero holds the 179-character name, and lines are not cut).
        assert (sideways in " ".join(shown(app)[-4:])) == body.wide
        body.show([line for line in body.lines if len(str(line)) < 70])
        await settle(pilot)
        assert not body.wide and sideways not in " ".join(shown(app)[-4:])
        body.show(body.lines + ["x" * 150])
        await settle(pilot)
        assert body.wide and sideways in " ".join(shown(app)[-4:])
        await press(pilot, "right", "right", "right")
        assert body.scroll_offset.x > 0
        await press(pilot, "left", "left", "left")
        assert body.scroll_offset.x == 0

    screen(busy, lang, (80, 24), test)


@pytest.mark.parametrize("lang", LANGS)
def test_enter_opens_the_first_member_found(busy: Cli, lang: str) -> None:
    async def test(app: Any, pilot: Any) -> None:
        await press(pilot, "f2", *"L")   # Llinos, Lowri ap Rhys and more: several found
        found = list(app.screen.query_one("#members").keys)
        assert len(found) > 1
        await press(pilot, "enter")
        assert app.screen.number == int(found[0])

    screen(busy, lang, (80, 24), test)


@pytest.mark.parametrize("lang", LANGS)
def test_esc_goes_back_one_step(busy: Cli, lang: str) -> None:
    from timebank.ui.members import MemberView
    from timebank.ui.record import Record
    from timebank.ui.reports import Reports

    async def test(app: Any, pilot: Any) -> None:
        app.open_member(2)
        await settle(pilot)
        await press(pilot, "s")                 # the member's statement
        assert isinstance(app.screen, Reports) and app.screen.member == "2"
        await press(pilot, "escape")            # back to their page
        assert isinstance(app.screen, MemberView) and app.screen.number == 2
        await press(pilot, "r")                 # the record form, from their page
        assert isinstance(app.screen, Record)
        await press(pilot, "escape")
        assert isinstance(app.screen, MemberView) and app.screen.number == 2
        await press(pilot, "escape")            # and from their page to the list
        assert not isinstance(app.screen, MemberView)
        # A statement asked for on the reports page: Esc goes back to the monthly report.
        await press(pilot, "f5", "s", "1", "enter")
        assert app.screen.member == "1"
        await press(pilot, "escape")
        assert isinstance(app.screen, Reports) and app.screen.member is None

    screen(busy, lang, (80, 24), test)


@pytest.mark.parametrize("lang", LANGS)
def test_a_refusal_wraps_at_word_boundaries(busy: Cli, lang: str) -> None:
    from textual.widgets import Input

    async def test(app: Any, pilot: Any) -> None:
        await press(pilot, "f3")
        for key, value in (("giver", "1"), ("receiver", "2"), ("hours", "1"), ("category", "comp")):
            app.screen.query_one(f"#{key}", Input).value = value
        app.screen.query_one("#giver", Input).focus()
        await press(pilot, "enter")
        said = app.screen.query_one("#notice").text
        assert said
        allowed = set(said.split())
        lines = shown(app)
        # Every word on screen from the notice is one of its whole words.
        # The notice's lines start at the left edge (the field's hint says it too, further right).
        notice_lines = [line.strip() for line in lines if re.match(r" \S", line) and set(line.split()) <= allowed]
        assert " ".join(notice_lines).split() == said.split()

    screen(busy, lang, (80, 24), test)
