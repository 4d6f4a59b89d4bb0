"""Snapshots of the screen (issue 18): the start page, a member's page and the record form,
at 80x24 and 120x40, in English and in Welsh, compared as SVG with pytest-textual-snapshot.
The date is pinned (TIMEBANK_TODAY) and the ledger is built the same way every time.

After a change that is meant to alter what the screen shows, look at the new pictures
(`pytest tests/test_ui_snapshots.py --snapshot-update`, then view the SVGs in
tests/__snapshots__/test_ui_snapshots/) before committing them."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Cli

TODAY = "2026-11-26"
SIZES = [(80, 24), (120, 40)]
LANGS = ["en", "cy"]


@pytest.fixture
def bank(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)
    cli.ok("init", "--name", "Banc Amser Blaengarw", "--lang", "en")
    for name, area, phone, lang in (("Siân Jones", "CF32", "01656 123456", "cy"),
                                    ("Llinos Evans", "CF32", "01656 654321", "en"),
                                    ("Lowri ap Rhys", "CF31", "07700 900123", "cy"),
                                    ("Gareth Price", "CF34", "07700 900456", "en"),
                                    ("Canolfan Gymunedol", "CF32", "01656 000111", "cy")):
        cli.ok("member", "add", name, "--area", area, "--phone", phone, "--lang", lang, "--joined", "2026-01-05")
    cli.ok("member", "edit", "1", "--email", "sian@example.org", "--note", "Gyrru ar ddydd Iau")
    for giver, receiver, hours, day, category in (
            ("Siân", "Llinos", "1:30", "2026-11-03", "transport"), ("Lowri", "Siân", "2", "2026-11-10", "gardening"),
            ("Siân", "Canolfan", "1", "2026-11-20", "events"), ("Llinos", "Lowri", "45m", "2026-10-14", "shopping"),
            ("Gareth", "Siân", "3", "2026-08-01", "diy"), ("Siân", "Gareth", "1", "2026-06-12", "computers")):
        cli.ok("record", giver, receiver, hours, "--date", day, "--category", category)
    cli.ok("offer", "add", "Siân", "transport", "--note", "Thursdays")
    cli.ok("request", "add", "Siân", "gardening")
    cli.ok("request", "add", "Gareth", "computers", "--note", "A new phone")
    return cli


def app_for(bank: Cli, lang: str) -> Any:
    from timebank.i18n import Words
    from timebank.ledger.storage.db import open_ledger
    from timebank.ui.app import TimebankApp

    return TimebankApp(open_ledger(str(bank.db)), "tester", Words(lang))


def compare(snap_compare: Any, bank: Cli, lang: str, size: tuple[int, int], run_before: Any = None) -> bool:
    from timebank.i18n import using_language

    app = app_for(bank, lang)
    try:
        with using_language(lang):
            return bool(snap_compare(app, terminal_size=size, run_before=run_before))
    finally:
        app.ledger.dispose()


async def settle(pilot: Any) -> None:
    """Let the screen finish: reads in the background, then every message."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", LANGS)
def test_start_page(snap_compare: Any, bank: Cli, lang: str, size: tuple[int, int]) -> None:
    async def opened(pilot: Any) -> None:
        await settle(pilot)

    assert compare(snap_compare, bank, lang, size, opened)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", LANGS)
def test_member_page(snap_compare: Any, bank: Cli, lang: str, size: tuple[int, int]) -> None:
    async def sian(pilot: Any) -> None:
        await pilot.press("f2")
        await settle(pilot)
        for char in "sian":
            await pilot.press(char)
        await pilot.press("enter")
        await settle(pilot)

    assert compare(snap_compare, bank, lang, size, sian)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("lang", LANGS)
def test_record_form(snap_compare: Any, bank: Cli, lang: str, size: tuple[int, int]) -> None:
    async def typed(pilot: Any) -> None:
        await pilot.press("f3")
        await settle(pilot)
        for text in ("sian", "tab", "llinos, gar", "tab", "1:30", "tab", "31/10/2026", "tab", "trans"):
            if text == "tab":
                await pilot.press("tab")
            else:
                for char in text:
                    await pilot.press(char)
        await settle(pilot)

    assert compare(snap_compare, bank, lang, size, typed)
