"""Paper for everyone (issue 27): a statement's text at 11 pt at least and its hours in words
at 10 pt; large print at 16 pt or more, asked for once (`statement --large-print`) or kept for
a member (`member edit --large-print`, honoured by `statement --all`); a plain sentence under
a balance below zero. Sizes are measured in the PDF itself: `pdftotext -bbox` gives each
word's box, whose height is the size of its type."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Cli, dump, execute_sql, fresh_db, query, sqlite_only
from test_migrations import _load_fixture

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")

WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)

# The words that say hours (`said_hours`): the only ones that may be smaller than the body.
SAID = {"hour", "hours", "minute", "minutes", "minus", "awr", "munud", "minws", "0"}

BELOW_ZERO = {"en": "A balance below zero is fine: it means you have received more help than you have given so far.",
              "cy": "Mae balans o dan sero yn iawn: mae'n golygu eich bod wedi derbyn mwy o gymorth nag a roesoch "
                    "hyd yma."}


def pages(path: Path, foot: bool = False) -> list[list[tuple[float, str]]]:
    """Each page's words with the height of their box (the size of their type, in points);
    with `foot`, only the words of its foot (the lowest line)."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for page in PAGE.findall(out):
        words = [(float(top), round(float(bottom) - float(top), 2), word) for top, bottom, word in WORD.findall(page)]
        lowest = max(top for top, _s, _w in words)
        found.append([(size, word) for top, size, word in words if not foot or top > lowest - 2])
    return found


def text(path: Path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


@pytest.fixture
def bank(ledger: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Siân (1, Welsh) ends below zero, Llinos (2, English) above; Lowri (3) has a long note."""
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-20")
    for day, (giver, taker, hours) in enumerate([("2", "1", "4:15"), ("1", "3", "1"), ("3", "2", "2:30"),
                                                 ("2", "1", "0:45")], start=2):
        ledger.ok("record", giver, taker, hours, "--date", f"2026-11-{day:02}", "--allow-overdraft",
                  "--note", "Help with the garden, then a cup of tea and a long talk about the village")
    return ledger


@pytest.mark.parametrize(("member", "lang"), [("1", "cy"), ("2", "en")])
def test_a_statement_is_printed_at_eleven_points_with_hours_in_words_at_ten(bank: Cli, tmp_path: Path,
                                                                            member: str, lang: str) -> None:
    out = tmp_path / f"statement-{lang}.pdf"
    bank.ok("statement", member, "--output", str(out))
    words = [w for page in pages(out) for w in page]
    assert words and min(size for size, _w in words) >= 10
    # Below 11 pt only the hours in words (and their figures: '4 awr 15 munud').
    small = {w for size, w in words if size < 11}
    assert small and all(w.lower() in SAID or w.isdigit() for w in small), small
    assert sum(size >= 11 for size, _w in words) > len(words) / 2


@pytest.mark.parametrize(("member", "lang"), [("1", "cy"), ("2", "en")])
def test_large_print_is_sixteen_points_or_more(bank: Cli, tmp_path: Path, member: str, lang: str) -> None:
    out = tmp_path / f"large-{lang}.pdf"
    bank.ok("statement", member, "--output", str(out), "--large-print")
    words = [w for page in pages(out) for w in page]
    assert words and min(size for size, _w in words) >= 16, sorted(words)[:5]
    # Each exchange, its note included, is there to read, in the member's language.
    printed = text(out)
    assert printed.count("Help with the garden") == 3
    assert ("cyfnewidiad" if lang == "cy" else "exchange") in printed


def test_a_balance_below_zero_is_explained_in_the_members_language(bank: Cli, tmp_path: Path) -> None:
    below, above = tmp_path / "below.pdf", tmp_path / "above.pdf"
    bank.ok("statement", "1", "--output", str(below))           # Siân, Welsh: -4.00
    bank.ok("statement", "2", "--output", str(above))           # Llinos, English: above zero
    assert BELOW_ZERO["cy"] in text(below)
    assert BELOW_ZERO["en"] not in text(above) and BELOW_ZERO["cy"] not in text(above)
    english = tmp_path / "below-en.pdf"
    bank.ok("statement", "1", "--output", str(english), lang="en")
    assert BELOW_ZERO["en"] in text(english)
    large = tmp_path / "below-large.pdf"
    bank.ok("statement", "1", "--output", str(large), "--large-print")
    assert BELOW_ZERO["cy"] in text(large)


def test_a_member_kept_in_large_print_gets_it_in_statement_all(bank: Cli, tmp_path: Path) -> None:
    assert bank.json("member", "show", "2")["large_print"] is False
    assert "Large print" not in bank.ok("member", "show", "2", lang="en").out
    bank.ok("member", "edit", "2", "--large-print")
    assert bank.json("member", "show", "2")["large_print"] is True
    assert "Large print: yes" in bank.ok("member", "show", "2", lang="en").out
    assert "Print bras: ie" in bank.ok("member", "show", "2", lang="cy").out
    out = tmp_path / "all.pdf"
    bank.ok("statement", "--all", "--output", str(out))
    sizes: dict[str, float] = {}
    for page, foot in zip(pages(out), pages(out, foot=True)):
        # Whose page it is: the name at its foot ('Banc Amser Blaengarw · Llinos · member…').
        whose = [name for name in ("Siân", "Llinos", "Lowri") if name in [w for _s, w in foot]]
        assert len(whose) == 1, foot
        sizes[whose[0]] = min(sizes.get(whose[0], 99.0), min(size for size, _w in page))
    assert sizes["Llinos"] >= 16
    assert 10 <= sizes["Siân"] < 16 and 10 <= sizes["Lowri"] < 16
    bank.ok("member", "edit", "2", "--no-large-print")
    assert bank.json("member", "show", "2")["large_print"] is False
    bank.ok("check")


def test_large_print_is_only_for_a_printed_statement(bank: Cli) -> None:
    before = dump(bank.db)
    refused = bank("statement", "1", "--format", "csv", "--large-print", lang="en")
    assert refused.code != 0 and "--large-print is for a printed statement" in refused.err
    assert "Ar gyfer cyfriflen wedi'i hargraffu" in bank("statement", "1", "--large-print", lang="cy").err
    assert dump(bank.db) == before


@sqlite_only
def test_the_upgrade_relinks_every_member_with_large_print(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    """0009: the column enters each member's record digest, so every member already there is
    linked again (without that `check` would find each one changed); then `check` passes and
    the setting is written and checked as any other change."""
    target = fresh_db(tmp_path, "old")
    _load_fixture("0008", target)
    before = query(target, "SELECT count(*) FROM record_links WHERE tbl = 'members'")[0][0]
    members = query(target, "SELECT count(*) FROM members")[0][0]
    cli = Cli(target, capsys)
    cli.ok("check")
    assert query(target, "SELECT count(*) FROM record_links WHERE tbl = 'members'")[0][0] == before + members
    assert query(target, "SELECT DISTINCT large_print FROM members") == [(0,)]
    cli.ok("member", "edit", "5", "--large-print")
    cli.ok("check")
    execute_sql(target, "UPDATE members SET large_print = 0 WHERE number = 5")
    broken = cli("check", lang="en")
    assert broken.code == 1 and "Member 5 has changed behind timebank's back" in broken.out
