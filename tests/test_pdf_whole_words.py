"""A statement's table at 11 pt keeps every word whole (issue 27): at the normal size the
narrowest columns were wider than the page, every column was scaled down alike, and the
heading 'Received' printed as 'Receive' over 'd', 'Gymunedol' broke inside the 'With'
column. Now a date puts its year on a second line, hours in words break between words and
a hyphenated name after its hyphen, before any word is cut."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Cli

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")

ORGANISATION = "Canolfan Gymunedol Blaengarw"  # in the demo ledger
LONG_NAMES = ["Gwenllïan Angharad Prŷs-Llewellyn", "Bartholomew Fitzgerald-Montgomery"]
HEADINGS = ["Date", "With", "Category and note", "Given", "Received", "Balance", "Exchanges"]


@pytest.fixture
def ledger_with_long_names(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-20")
    cli.ok("demo")
    cli.ok("member", "add", LONG_NAMES[0], "--lang", "cy", "--joined", "2026-09-01")
    cli.ok("member", "add", LONG_NAMES[1], "--lang", "en", "--joined", "2026-09-01")
    cli.ok("record", ORGANISATION, LONG_NAMES[1], "2:30", "--date", "2026-11-05", "--category", "gardening",
           "--note", "Torri'r gwair yn yr ardd gymunedol")
    cli.ok("record", LONG_NAMES[1], LONG_NAMES[0], "1:15", "--date", "2026-11-06", "--category", "transport")
    cli.ok("record", LONG_NAMES[0], ORGANISATION, "12:45", "--date", "2026-11-07", "--allow-overdraft")
    cli.ok("record", LONG_NAMES[1], ORGANISATION, "3:00", "--date", "2026-11-08",
           "--note", "Helping at the community centre's coffee morning")
    return cli


def runs(path: Path) -> set[str]:
    """Every run of letters the PDF holds between spaces and line ends, as pdftotext reads it
    (laid out: else it joins a word broken after a hyphen, dropping the hyphen)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def broken(word: str, found: set[str]) -> bool:
    # A hyphenated name may break after its hyphen, as typesetters break it.
    return word not in found and not all(piece in found for piece in re.split(r"(?<=\w-)(?=\w)", word))


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("member", [ORGANISATION, LONG_NAMES[1], "Tegwen Hughes"])
def test_no_word_breaks_in_a_statements_table(ledger_with_long_names: Cli, tmp_path: Path, lang: str,
                                              member: str) -> None:
    """Every word of the headings, of the names in the table (the organisation's among them)
    and of the notes is whole in the PDF's text, in both languages."""
    from timebank.i18n import words

    out = tmp_path / "statement.pdf"
    ledger_with_long_names.ok("statement", member, "--format", "pdf", "--output", str(out), lang=lang)
    rows = ledger_with_long_names.json("statement", member, "--format", "json", lang=lang)["lines"]
    assert rows, member
    texts = [words(lang)._(heading) for heading in HEADINGS] + [member]
    texts += [name for row in rows for name in row["others"]] + [row["note"] for row in rows if row["note"]]
    found = runs(out)
    missing = sorted({word for text in texts for word in text.split() if broken(word, found)})
    assert not missing, missing
