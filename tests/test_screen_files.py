"""The screen's file writer says why a file could not be written in the interface
language, as the command line does (the operating system's own words are English)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
from test_ui import TODAY, notice, screen, settle, type_text
from timebank.i18n import Words

CY = Words("cy")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)


async def _statement_pdf(app: Any, pilot: Any) -> None:
    """Reports, Siân's statement on screen, then p: write it as a PDF."""
    await pilot.press("f5")
    await settle(pilot)
    await pilot.press("s")
    await type_text(pilot, "sian")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)


@pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps the folder a program works in")
def test_a_folder_gone_is_said_in_welsh(ledger: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-10-03")
    folder = tmp_path / "gone"
    folder.mkdir()
    monkeypatch.chdir(folder)
    folder.rmdir()  # the screen's folder is removed under it (another window, a USB stick pulled out)
    # As in a fresh process: the printing modules not yet loaded (ReportLab asks for the
    # current folder as it is imported). The refusal comes before they are needed, so none is
    # loaded here and the worker's own copies are put back as they were.
    for name in [n for n in sys.modules if n.startswith(("reportlab", "timebank.render.printing"))]:
        monkeypatch.delitem(sys.modules, name)
    said: list[str] = []

    async def test(app: Any, pilot: Any) -> None:
        await _statement_pdf(app, pilot)
        said.append(notice(app))

    screen(ledger, "cy", test)
    name = CY._("statement-{number}-{month}").format(number=1, month="2026-10")
    assert said == [CY._("Cannot write {path}: {reason}").format(
        path=f"{name}.pdf", reason="nid oes ffeil na ffolder o'r fath")]
    assert "No such file" not in said[0]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root may write into any folder")
def test_a_folder_that_may_not_be_written_is_said_in_welsh(ledger: Cli, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-10-03")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    monkeypatch.chdir(folder)
    said: list[str] = []

    async def test(app: Any, pilot: Any) -> None:
        await _statement_pdf(app, pilot)
        said.append(notice(app))

    try:
        screen(ledger, "cy", test)
    finally:
        folder.chmod(0o700)
    name = CY._("statement-{number}-{month}").format(number=1, month="2026-10")
    assert said == [CY._("Cannot write {path}: {reason}").format(
        path=str(folder / f"{name}.pdf"), reason="gwrthodwyd caniatâd")]
    assert not list(folder.iterdir())
