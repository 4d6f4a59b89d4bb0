"""The screen (`timebank ui`, issue 18), driven headless with Textual's Pilot in both
languages: search, recording, the duplicate and credit-limit questions, refusals that write
nothing, void after a y/N question, members' pages, others' changes, and bare `timebank`.
Snapshots of the start page, a member's page and the record form are in test_ui_snapshots.py."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

from conftest import Cli, dump, env_without_timebank, query, sqlite_only

TODAY = "2026-11-26"
LANGS = ["en", "cy"]


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)


def screen(cli: Cli, lang: str, test: Callable[[Any, Any], Awaitable[None]], size: tuple[int, int] = (100, 40)) -> None:
    """Run the screen on the test's ledger in `lang`, headless, and drive it with `test`."""
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
    """Let the screen finish: reads in the background, then every message."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_text(pilot: Any, text: str) -> None:
    for char in text:
        await pilot.press(char)
    await settle(pilot)


async def fill(app: Any, pilot: Any, **fields: str) -> None:
    """Type into the record form's fields (giver, receiver, hours, date, category, note, request)."""
    from textual.widgets import Input

    for key, value in fields.items():
        field = app.screen.query_one(f"#{key}", Input)
        field.focus()
        field.value = ""
        await type_text(pilot, value)


def notice(app: Any) -> str:
    from timebank.ui.base import Notice

    return app.screen.query_one(Notice).text


def rows(app: Any, table: str) -> list[str]:
    """The row keys of a table on the page, in order (member or exchange numbers)."""
    return list(app.screen.query_one(table).keys)


def words(lang: str) -> Any:
    from timebank.i18n import Words

    return Words(lang)


@pytest.fixture
def people(ledger: Cli) -> Cli:
    """Siân (1, Welsh), Llinos (2), Lowri ap Rhys (3), with an exchange this month."""
    ledger.ok("member", "edit", "1", "--phone", "01656 123456", "--area", "CF32")
    ledger.ok("member", "edit", "2", "--phone", "01656 654321", "--email", "llinos@example.org")
    ledger.ok("record", "Lowri", "Siân", "2", "--category", "gardening", "--date", "2026-11-02")
    return ledger


# Members --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_search_as_you_type_finds_sian_in_the_languages_order(people: Cli, lang: str) -> None:
    async def test(app: Any, pilot: Any) -> None:
        await pilot.press("f2")
        await settle(pilot)
        # Welsh order: Ll is a letter after L, so Lowri comes before Llinos.
        expected = ["3", "2", "1"] if lang == "cy" else ["2", "3", "1"]
        assert rows(app, "#members") == expected
        await type_text(pilot, "sian")
        assert rows(app, "#members") == ["1"]
        for search, found in (("SIÂN", ["1"]), ("#2", ["2"]), ("#3", ["3"]), ("2", ["2", "1"]), ("ap rh", ["3"]), ("cf32", ["1"]),
                              ("zz", [])):
            app.screen.query_one("#search").value = ""
            await type_text(pilot, search)
            assert rows(app, "#members") == found, search
        app.screen.query_one("#search").value = ""
        await type_text(pilot, "sian")
        await pilot.press("enter")        # one member found: Enter opens her page
        await settle(pilot)
        assert type(app.screen).__name__ == "MemberView"
        title = str(app.screen.query_one("#title").render())
        assert title.startswith("Siân (#1)")
        page = app.screen.query_one("#page").text
        assert "01656 123456" in page
        assert words(lang)._("Balance: {hours} hours").format(hours="-2.00") in page
        assert words(lang)._("Since {date}: given {given} hours, received {received} hours.").format(
            date=words(lang).date(__import__("datetime").date(2026, 1, 1)), given="0.00", received="2.00") in page

    screen(people, lang, test)


@pytest.mark.parametrize("lang", LANGS)
def test_member_page_edit_leave_and_rejoin(people: Cli, lang: str) -> None:
    async def test(app: Any, pilot: Any) -> None:
        w = words(lang)
        app.open_member(2)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        area = app.screen.query_one("#edit-area")
        area.focus()
        await type_text(pilot, "CF31")
        await pilot.press("enter")
        await settle(pilot)
        assert words(lang)._("area") in notice(app)
        # A refusal from the core stays in the form: an email that is no address.
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#edit-email").value = "not an address"
        app.screen.query_one("#edit-email").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "EditMember"
        assert "not an address" in str(app.screen.query_one("#edit-notice").render())
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("enter")            # no date: today
        await settle(pilot)
        assert "2026" in notice(app) and "(#2)" in notice(app)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("n")               # No: nothing changes
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("i" if lang == "cy" else "y")
        await settle(pilot)
        assert "(#2)" in notice(app)
        # From the page: record with them (named as the giver), and their statement.
        await pilot.press("r")
        await settle(pilot)
        assert type(app.screen).__name__ == "Record"
        assert app.screen.query_one("#giver").value == "2" and app.focused is app.screen.query_one("#receiver")
        assert "Llinos (#2)" in str(app.screen.query_one("#giver-hint").render())
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert type(app.screen).__name__ == "Reports"
        assert w._("Statement for {name} (#{number})").format(name="Llinos", number=2) in \
            app.screen.query_one("#body").text

    screen(people, lang, test)
    member = people.json("member", "show", "2")
    assert member["area"] == "CF31" and member["left"] is None and member["email"] == "llinos@example.org"
    actions = [event["action"] for event in people.json("audit")]
    assert actions[-3:] == ["member.edit", "member.leave", "member.rejoin"]


# Recording ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_record_from_the_form_changes_balances_as_record_does(people: Cli, tmp_path: Path, lang: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import fresh_db

    twin = Cli(fresh_db(tmp_path, "twin"), capsys)
    for args in (["init", "--name", "Banc Amser Blaengarw"], ["member", "add", "Siân", "--joined", "2026-01-05",
                                                             "--lang", "cy"],
                 ["member", "add", "Llinos", "--joined", "2026-01-05"],
                 ["member", "add", "Lowri ap Rhys", "--joined", "2026-01-05"],
                 ["member", "edit", "1", "--phone", "01656 123456", "--area", "CF32"],
                 ["member", "edit", "2", "--phone", "01656 654321", "--email", "llinos@example.org"],
                 ["record", "Lowri", "Siân", "2", "--category", "gardening", "--date", "2026-11-02"],
                 ["record", "--giver", "Siân", "--receiver", "Llinos", "--receiver", "3", "--hours", "1:30",
                  "--date", "31/10/2026", "--category", "transport", "--note", "Lifts"],
                 ["record", "Llinos", "Siân", "45m", "--date", "31/10/2026", "--category", "transport"]):
        said = twin.ok(*args, lang=lang if args[0] == "record" else None).out
    # The command line's read-back of the last two records, exactly as the screen must say them.
    read_back = said.replace("\r\n", "\n").rstrip("\n")

    async def test(app: Any, pilot: Any) -> None:
        await pilot.press("f3")
        await settle(pilot)
        w = words(lang)
        await fill(app, pilot, giver="sian", receiver="Llinos, 3", hours="1:30")
        hint = str(app.screen.query_one("#hours-hint").render())
        assert hint == w._("{words} ({hours} hours)").format(words=("1 awr 30 munud" if lang == "cy"
                                                                   else "1 hour 30 minutes"), hours="1.50")
        assert "Siân (#1)" in str(app.screen.query_one("#giver-hint").render())
        await fill(app, pilot, date="31/10/2026", category="cludiant" if lang == "cy" else "transport", note="Lifts")
        assert str(app.screen.query_one("#date-hint").render()) == w.date(__import__("datetime").date(2026, 10, 31))
        await pilot.press("enter")
        await settle(pilot)
        # The read-back the command line gives too (timebank.render.read_back), in the form's language:
        # who gave whom with their numbers, the hours in figures and words, the date with its weekday.
        on = w._("on Saturday {date}").format(date=w.date(__import__("datetime").date(2026, 10, 31)))
        assert notice(app).startswith(w._(
            "Recorded exchange {number}: {on} {giver} gave each of {receivers} {hours} hours ({words}), category "
            "{category}.").format(number=2, on=on, giver="Siân (#1)", receivers="Llinos (#2), Lowri ap Rhys (#3)",
                                  hours="1.50", words="1 awr 30 munud" if lang == "cy" else "1 hour 30 minutes",
                                  category="Cludiant a lifftiau" if lang == "cy" else "Transport and lifts"))
        # Ready for the next line of the paper sheet: date and category kept, the rest cleared.
        assert app.screen.query_one("#giver").value == "" and app.screen.query_one("#hours").value == ""
        assert app.screen.query_one("#date").value == "31/10/2026"
        assert app.focused is app.screen.query_one("#giver")
        await fill(app, pilot, giver="Llinos", receiver="1", hours="45m")
        await pilot.press("enter")
        await settle(pilot)
        assert notice(app) == read_back

    screen(people, lang, test)
    assert people.json("balance") == twin.json("balance")
    strip = lambda rows: [{k: v for k, v in row.items()} for row in rows]  # noqa: E731
    assert strip(people.json("exchange", "list")) == strip(twin.json("exchange", "list"))


@pytest.mark.parametrize("lang", LANGS)
def test_a_duplicate_asks(people: Cli, lang: str) -> None:
    people.ok("record", "Siân", "Llinos", "1", "--category", "transport")
    before = dump(people.db)

    async def test(app: Any, pilot: Any) -> None:
        w = words(lang)
        await pilot.press("f3")
        await settle(pilot)
        await fill(app, pilot, giver="Siân", receiver="Llinos", hours="1", category="transport")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "Question"
        assert w._("Exchange {number} already records this help. Record it again?").format(number=2) in str(
            app.screen.query_one("#question").render())
        await pilot.press("n")
        await settle(pilot)
        assert notice(app) == w._("Nothing was recorded.")
        assert dump(people.db) == before
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("i" if lang == "cy" else "y")
        await settle(pilot)
        assert notice(app).startswith(w._("Recorded exchange {number}: {on} {giver} gave {receiver} {hours} hours "
                                          "({words}), category {category}.").split("{on}")[0].format(number=3))

    screen(people, lang, test)
    assert len(people.json("exchange", "list")) == 3


@pytest.mark.parametrize("lang", LANGS)
def test_refusals_show_their_message_in_the_form_and_write_nothing(people: Cli, lang: str) -> None:
    people.ok("settings", "set", "credit_limit", "1")
    before = dump(people.db)

    async def test(app: Any, pilot: Any) -> None:
        w = words(lang)
        await pilot.press("f3")
        await settle(pilot)
        await fill(app, pilot, giver="Siân", receiver="Llinos", hours="1", date="2026-11-27")
        assert w._("{date} is in the future.").format(date="2026-11-27") in str(
            app.screen.query_one("#date-hint").render())
        await pilot.press("enter")
        await settle(pilot)
        assert notice(app) == w._("{date} is in the future.").format(date="2026-11-27")
        assert "error" in app.screen.query_one("#notice").classes
        # Over the credit limit: asked; No leaves the reason in the form and nothing written.
        await fill(app, pilot, date="", hours="2")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "Question"
        await pilot.press("n")
        await settle(pilot)
        reason = w._("{name} (#{number}) would have a balance of {after} hours, below the credit limit of "
                     "-{limit} hours.").format(name="Llinos", number=2, after="-2.00", limit="1.00")
        assert notice(app) == reason + " " + w._("Nothing was recorded.")
        assert "--allow-overdraft" not in notice(app)
        # Every other kind of bad input: one line in the form, nothing written, no crash.
        for field, value in (("giver", "Nobody"), ("hours", "0"), ("hours", "abc"), ("receiver", "1"),
                             ("category", "knitting"), ("request", "99")):
            await fill(app, pilot, giver="Siân", receiver="Llinos", hours="1", category="", request="")
            await fill(app, pilot, **{field: value})
            await pilot.press("enter")
            await settle(pilot)
            assert type(app.screen).__name__ == "Record"
            assert notice(app) and "error" in app.screen.query_one("#notice").classes, (field, value)
            assert "Traceback" not in notice(app) and "Unexpected" not in notice(app)
        assert dump(people.db) == before

    screen(people, lang, test)


def test_the_screen_records_at_the_centre_of_timebank_centre(people: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    people.ok("centre", "add", "Canolfan Blaengarw", "--code", "BLA")
    monkeypatch.setenv("TIMEBANK_CENTRE", "XYZ")
    before = dump(people.db)

    async def record(app: Any, pilot: Any) -> None:
        await pilot.press("f3")
        await settle(pilot)
        await fill(app, pilot, giver="Siân", receiver="Llinos", hours="1")
        await pilot.press("enter")
        await settle(pilot)

    async def unknown(app: Any, pilot: Any) -> None:
        await record(app, pilot)
        assert "XYZ" in notice(app) and "BLA" in notice(app) and "error" in app.screen.query_one("#notice").classes

    screen(people, "en", unknown)
    assert dump(people.db) == before
    monkeypatch.setenv("TIMEBANK_CENTRE", "bla")

    async def known(app: Any, pilot: Any) -> None:
        await record(app, pilot)
        assert "error" not in app.screen.query_one("#notice").classes, notice(app)

    screen(people, "cy", known)
    assert query(people.db, "SELECT centre FROM exchanges ORDER BY number DESC LIMIT 1") == [("BLA",)]


def test_over_the_limit_recorded_when_the_coordinator_says_yes(people: Cli) -> None:
    people.ok("settings", "set", "credit_limit", "1")

    async def test(app: Any, pilot: Any) -> None:
        await pilot.press("f3")
        await settle(pilot)
        await fill(app, pilot, giver="Siân", receiver="Llinos", hours="2")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "below the credit limit (allowed)" in notice(app)

    screen(people, "en", test)
    assert "exchange.overdraft" in [event["action"] for event in people.json("audit")]


def test_a_request_met_from_the_form(people: Cli) -> None:
    people.ok("request", "add", "Llinos", "transport")

    async def test(app: Any, pilot: Any) -> None:
        await pilot.press("f3")
        await settle(pilot)
        await fill(app, pilot, giver="Siân", receiver="Llinos", hours="1", request="1")
        assert "Llinos (#2)" in str(app.screen.query_one("#request-hint").render())
        await pilot.press("enter")
        await settle(pilot)
        assert "Request 1 is met." in notice(app)

    screen(people, "en", test)
    assert people.json("request", "list") == []


# Exchanges ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_void_asks_yes_or_no(people: Cli, lang: str) -> None:
    people.ok("record", "Siân", "Llinos", "1", "--category", "transport")
    before = dump(people.db)

    async def test(app: Any, pilot: Any) -> None:
        w = words(lang)
        await pilot.press("f4")
        await settle(pilot)
        assert rows(app, "#exchanges") == ["2", "1"]          # this month, newest first
        await pilot.press("v")
        await settle(pilot)
        await type_text(pilot, "Typed twice")
        await pilot.press("enter")
        await settle(pilot)
        assert w._("Void exchange {number}?").format(number=2) in str(app.screen.query_one("#question").render())
        await pilot.press("n")
        await settle(pilot)
        assert notice(app) == w._("Nothing was voided.")
        assert dump(people.db) == before
        await pilot.press("v")
        await settle(pilot)
        await type_text(pilot, "Typed twice")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("i" if lang == "cy" else "y")
        await settle(pilot)
        assert notice(app) == w._("Voided exchange {number}: its reversal is exchange {reversal}.").format(
            number=2, reversal=3)
        assert rows(app, "#exchanges") == ["1"]
        await pilot.press("a")                                # voided ones too
        await settle(pilot)
        assert rows(app, "#exchanges") == ["3", "2", "1"]
        # Voiding again is refused by the core, in the page's message line. (The chosen row
        # stays chosen when the list is read again: exchange 1, so up to exchange 2.)
        await pilot.press("up")
        await pilot.press("v")
        await settle(pilot)
        await type_text(pilot, "again")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert notice(app) == w._("Exchange {number} was already voided by exchange {reversal}.").format(
            number=2, reversal=3)
        # Filters: by member, by category; a member who is not there is said so.
        await pilot.press("escape")
        await type_text(pilot, "Lowri")
        await pilot.press("enter")
        await settle(pilot)
        assert rows(app, "#exchanges") == ["1"]
        app.screen.query_one("#member").value = "Nobody"
        app.screen.query_one("#member").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "Nobody" in notice(app)
        app.screen.query_one("#member").value = ""
        app.screen.query_one("#category").value = "garddio"
        app.screen.query_one("#category").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert rows(app, "#exchanges") == ["1"]

    screen(people, lang, test)
    assert [e["number"] for e in people.json("exchange", "list")] == [1]


# Reports ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_reports_monthly_and_statement_with_the_chart(people: Cli, lang: str) -> None:
    async def test(app: Any, pilot: Any) -> None:
        w = words(lang)
        await pilot.press("f5")
        await settle(pilot)
        text = app.screen.query_one("#body").text
        # The last complete month by default, as at the command line.
        assert w._("Monthly report: {month}").format(month=w.month(__import__("datetime").date(2026, 10, 1))) in text
        assert w._("Hours exchanged, last 12 months") in text
        await pilot.press("right_square_bracket")
        await settle(pilot)
        text = app.screen.query_one("#body").text
        assert w._("Hours exchanged: {hours}").format(hours="2.00") in text
        await pilot.press("right_square_bracket")                 # no month to come
        await pilot.press("s")
        await type_text(pilot, "sian")
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen.query_one("#body").text
        assert w._("Statement for {name} (#{number})").format(name="Siân", number=1) in text
        assert w._("Closing balance: {hours} hours").format(hours="-2.00") in text
        assert w._("Hours given and received, last 12 months") in text
        # A member who is not there: the core's message, no crash.
        await pilot.press("s")
        app.screen.query_one("#member").value = "Nobody"
        await pilot.press("enter")
        await settle(pilot)
        assert "Nobody" in notice(app)
        # The keys for the files, in the interface language.
        keys = " ".join(chunk.plain for chunk in app.screen.query_one("KeyBar").chunks())
        assert w._("Statement PDF") in keys and w._("Funder workbook") in keys

    screen(people, lang, test)



@pytest.mark.parametrize("lang", LANGS)
def test_monthly_figures_first_then_every_member_and_no_stale_month(people: Cli, lang: str) -> None:
    """The monthly report comes in two steps from one read: the month's figures with a line
    saying the members' lines are coming, then the whole report; a read that comes after
    another month was asked for is not shown."""
    from datetime import date

    from timebank.ledger.reports.reports import read_monthly

    people.ok("record", "Siân", "Llinos", "1.5", "--date", "2026-10-10")

    async def test(app: Any, pilot: Any) -> None:
        w = words(lang)
        await pilot.press("f5")
        await settle(pilot)
        page, body = app.screen, app.screen.query_one("#body")
        assert page.whole and w._("Reading each member's figures…") not in body.text
        assert "Siân" in body.text and w._("Total") in body.text
        handed: list[Any] = []
        report = read_monthly(app.ledger, date(2026, 10, 1), lang, handed.append)
        page.show_monthly(handed[0], page.asked, False)
        await settle(pilot)
        text = body.text
        assert not page.whole and w._("Reading each member's figures…") in text
        assert w._("Monthly report: {month}").format(month=w.month(date(2026, 10, 1))) in text
        assert "Siân" not in text and w._("Hours exchanged, last 12 months") in text
        page.show_monthly(report, page.asked)
        await settle(pilot)
        assert page.whole and "Siân" in body.text
        await pilot.press("left_square_bracket")                  # September asked for
        await settle(pilot)
        september = body.text
        assert w.month(date(2026, 9, 1)) in september
        page.show_monthly(report, page.asked - 1)                  # October's read, come late
        await settle(pilot)
        assert body.text == september

    screen(people, lang, test)


def test_control_characters_stored_in_an_old_ledger_are_shown_as_escapes(people: Cli) -> None:
    """Names are refused with control characters now, but an older ledger may hold one: the
    screen shows it as an escape, and never sends it to the terminal."""
    from conftest import execute_sql

    execute_sql(people.db, "UPDATE members SET name = 'Llinos\x1b[2J\x1b[31m' WHERE number = 2")

    async def test(app: Any, pilot: Any) -> None:
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("s")
        await type_text(pilot, "2")
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen.query_one("#body").text
        assert "Llinos\\x1b[2J\\x1b[31m" in text and "\x1b" not in text

    screen(people, "en", test)


# The whole screen --------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_start_page_and_keys_in_the_interface_language(people: Cli, lang: str) -> None:
    people.ok("member", "add", "Gareth", "--joined", "2026-01-05", "--phone", "07700 900123")
    people.ok("request", "add", "Llinos", "transport")

    async def test(app: Any, pilot: Any) -> None:
        w = words(lang)
        title = str(app.screen.query_one("#title").render())
        assert title == w._("{name}: {month} so far").format(name="Banc Amser Blaengarw",
                                                              month=w.month(__import__("datetime").date(2026, 11, 1)))
        figures = str(app.screen.query_one("#figures").render())
        assert w.ngettext("{count} exchange", "{count} exchanges", 1).format(count=1) in figures
        assert w._("Hours exchanged: {hours}").format(hours="2.00") in figures
        assert w.ngettext("{count} member active", "{count} members active", 2).format(count=2) in figures
        assert rows(app, "#ring") == ["4", "2"] if lang == "en" else ["4", "2"]
        assert rows(app, "#requests") == ["1"]
        keys = [chunk.plain for chunk in app.screen.query_one("KeyBar").chunks()]
        for label in ("Overview", "Members", "Record", "Exchanges", "Reports", "Close"):
            assert any(k.endswith(" " + w._(label)) for k in keys), (label, keys)
        # Ctrl-C, a reflex from the command line, says how to close, in the interface language.
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert [n.message for n in app._notifications] == [w._("Press Ctrl-Q to close the screen.")]
        # Enter on someone to ring opens their page.
        app.screen.query_one("#ring").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert str(app.screen.query_one("#title").render()).startswith("Gareth (#4)")

    screen(people, lang, test)


def test_each_page_shows_what_others_wrote_when_it_is_shown_again(people: Cli) -> None:
    async def test(app: Any, pilot: Any) -> None:
        assert "1 exchange" in str(app.screen.query_one("#figures").render())
        people.ok("record", "Siân", "Llinos", "3")          # another coordinator, another process
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert "2 exchanges" in str(app.screen.query_one("#figures").render())
        people.ok("member", "add", "Gareth", "--joined", "2026-01-05")
        await pilot.press("f2")
        await settle(pilot)
        assert "4" in rows(app, "#members")
        people.ok("record", "Llinos", "Lowri", "1")
        await pilot.press("f4")
        await settle(pilot)
        people.ok("record", "Lowri", "Llinos", "1")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert rows(app, "#exchanges")[:2] == ["4", "3"]

    screen(people, "en", test)


def test_a_failure_inside_the_screen_is_a_message_not_a_crash(people: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from timebank.ledger import queries

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(queries, "members", broken)

    async def test(app: Any, pilot: Any) -> None:
        await pilot.press("f2")
        await settle(pilot)
        assert "RuntimeError" in notice(app) and "Nothing was changed" in notice(app)

    screen(people, "en", test)


# The command ------------------------------------------------------------------------------

def test_bare_timebank_in_a_script_prints_help(people: Cli) -> None:
    env = dict(env_without_timebank(), TIMEBANK_DB=str(people.db))
    result = subprocess.run([sys.executable, "-m", "timebank"], capture_output=True, text=True, env=env,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0 and "Usage" in result.stdout and result.stderr == ""
    result = subprocess.run([sys.executable, "-m", "timebank", "--db", str(people.db)], capture_output=True,
                            text=True, env=env_without_timebank(), stdin=subprocess.DEVNULL)
    assert result.returncode == 0 and "Usage" in result.stdout


@pytest.mark.parametrize("lang", LANGS)
def test_ui_in_a_script_says_it_needs_a_terminal(people: Cli, lang: str) -> None:
    for command in ("ui", "sgrin"):
        result = people(command, lang=lang)
        assert result.code == 1 and result.out == ""
        assert result.err.strip() == words(lang)._(
            "The screen needs a terminal: run timebank ui in a terminal window.")


def test_bare_timebank_at_a_terminal_opens_the_screen_in_process(people: Cli,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook in `run`: at a terminal, bare `timebank` (with --db and --lang) is `timebank ui`."""
    import timebank.cli.common as common
    import timebank.ui.app as ui_app

    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(common, "interactive", lambda: True)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(ui_app, "run_screen", lambda ledger, by, w: opened.append((by, w.lang)))
    from timebank.cli.main import run

    assert run(["--db", str(people.db), "--lang", "cy"]) == 0
    assert opened == [("tester", "cy")]
    assert run(["--db", str(people.db), "member"]) == 0      # a bare group still prints its help
    assert len(opened) == 1


@sqlite_only
@pytest.mark.parametrize("lang", LANGS)
def test_bare_timebank_at_a_real_terminal(people: Cli, lang: str) -> None:
    """In a pseudo-terminal: the screen opens on the start page, Ctrl-Q closes it, exit 0."""
    env = dict(env_without_timebank(), TIMEBANK_DB=str(people.db), TIMEBANK_LANG=lang, TIMEBANK_TODAY=TODAY,
               TERM="xterm-256color", COLUMNS="80", LINES="24")
    env.pop("CI", None)
    leader, follower = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "timebank"], stdin=follower, stdout=follower,
                               stderr=follower, env=env, close_fds=True)
    os.close(follower)
    seen = b""
    wanted = words(lang)._("Overview").encode()
    deadline = time.time() + 60
    sent = False
    while time.time() < deadline:
        ready, _w, _x = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if wanted in seen and not sent:
                os.write(leader, b"\x11")       # Ctrl-Q
                sent = True
        elif process.poll() is not None:
            break
    process.wait(timeout=20)
    os.close(leader)
    assert sent, seen[-2000:]
    assert process.returncode == 0
    assert b"Banc Amser Blaengarw" in seen


def test_a_key_is_shown_only_for_a_file_this_build_can_write(people: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files plug into `reports.WRITERS`; a writer that is not there has no key."""
    import timebank.ui.reports as reports

    written: list[tuple[Any, Any]] = []

    def workbook(app: Any, month: Any, member: Any) -> str:
        written.append((month, member))
        return f"Wrote {month:%Y-%m}.xlsx"

    monkeypatch.setitem(reports.WRITERS, "workbook", workbook)
    monkeypatch.setitem(reports.WRITERS, "statement_pdf", None)
    monkeypatch.setitem(reports.WRITERS, "month_pdfs", None)

    async def test(app: Any, pilot: Any) -> None:
        await pilot.press("f5")
        await settle(pilot)
        keys = " ".join(chunk.plain for chunk in app.screen.query_one("KeyBar").chunks())
        assert "Funder workbook" in keys and "PDF" not in keys
        await pilot.press("w")
        await settle(pilot)
        assert notice(app) == "Wrote 2026-10.xlsx"

    screen(people, "en", test)
    assert written and written[0][1] is None


@pytest.mark.parametrize("lang", LANGS)
def test_the_screen_writes_statements_and_the_workbook(people: Cli, tmp_path: Path, lang: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """p: the statement on screen as a PDF in the member's language; P: the month's statements;
    w: the funder workbook for the financial year to the month's end. Into the folder the screen
    was started in, never over a file that is there."""
    people.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-10-03")
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.chdir(folder)
    w = words(lang)
    before = dump(people.db)

    async def test(app: Any, pilot: Any) -> None:
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("p")                      # no statement on screen yet: a message, no file
        await settle(pilot)
        assert notice(app) == w._("Show a member's statement first (s), then write it as a PDF.")
        assert not list(folder.iterdir())
        await pilot.press("s")
        await type_text(pilot, "sian")
        await pilot.press("enter")
        await settle(pilot)
        for _ in range(2):
            await pilot.press("p")
            await settle(pilot)
        assert str(folder) in notice(app)
        await pilot.press("P")
        await settle(pilot)
        assert w.ngettext("{count} statement", "{count} statements", 3).format(count=3) in notice(app)
        await pilot.press("w")
        await settle(pilot)
        # About, Summary and its chart, Categories, Well-being goals and their chart, Areas and
        # Outcomes: as `export workbook` writes them.
        assert w.ngettext("Wrote a workbook of {count} sheet to {path}.", "Wrote a workbook of {count} sheets to {path}.",
                          8).split("{path}")[0].format(count=8) in notice(app)

    screen(people, lang, test)
    one = w._("statement-{number}-{month}").format(number=1, month="2026-10")
    every = w._("statements-{month}").format(month="2026-10")
    book = w._("funders-{start}-to-{end}").format(start="2026-04-01", end="2026-10-31")
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [f"{one}.pdf", f"{one} (2).pdf", f"{every}.pdf", f"{book}.xlsx"])
    for path in folder.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600
    text = subprocess.run(["pdftotext", str(folder / f"{one}.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Siân" in text and "Cyfriflen" in text      # Siân's language is Welsh, whatever the screen's
    assert (folder / f"{one}.pdf").read_bytes()[:5] == b"%PDF-"
    from openpyxl import load_workbook

    assert len(load_workbook(folder / f"{book}.xlsx").worksheets) == 6  # and two chart sheets
    assert dump(people.db) == before                # writing files changes nothing in the ledger

def test_a_bug_in_a_handler_is_a_message_at_a_terminal_and_raised_under_test(monkeypatch: pytest.MonkeyPatch) -> None:
    from timebank.ui.base import guarded

    said: list[str] = []

    class App:
        is_headless = False
        words = words("cy")

        def notify(self, message: str, **_options: Any) -> None:
            said.append(message)

    class Page:
        app = App()

        @guarded
        def action_break(self) -> None:
            raise KeyError("oops")

    assert Page().action_break() is None
    assert said[0].startswith("Gwall annisgwyl (KeyError)")
    Page.app.is_headless = True
    with pytest.raises(KeyError):
        Page().action_break()
