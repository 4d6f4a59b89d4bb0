"""`record` reads back what it wrote (issue 27): one sentence in the reader's language with
who gave whom (names and numbers), the hours in figures and in words, the date in words with
its weekday and the category's name; then the balances. The screen says the same lines
(tests/test_ui.py compares them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Cli, fresh_db
from test_hours_forms import FORMS


def lines(out: str) -> list[str]:
    return out.replace("\r\n", "\n").rstrip("\n").split("\n")


def test_the_volunteers_slip_shows(ledger: Cli) -> None:
    """The issue's case: 05/12/2026 typed for 05/11 -- the weekday and month are there to see."""
    out = ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "05/11/2026", lang="en").out
    assert lines(out) == [
        "Recorded exchange 1: on Thursday 5 November 2026 Siân (#1) gave Llinos (#2) 1.50 hours "
        "(1 hour 30 minutes), category Other help.",
        "  Siân (#1): balance +1.50 hours",
        "  Llinos (#2): balance -1.50 hours"]
    out = ledger.ok("record", "Llinos", "Siân", "awr a hanner", "--date", "05/11/2026", "--category", "garddio",
                    lang="cy").out
    assert lines(out) == [
        "Cofnodwyd cyfnewidiad 2: ddydd Iau 5 Tachwedd 2026 rhoddodd Llinos (#2) 1.50 awr (1 awr 30 munud) i "
        "Siân (#1), categori Garddio.",
        "  Llinos (#2): balans 0.00 awr",
        "  Siân (#1): balans 0.00 awr"]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_group_reads_back_as_each(ledger: Cli, lang: str) -> None:
    one_to_two = lines(ledger.ok("record", "--giver", "Siân", "--receiver", "Llinos", "--receiver", "Lowri",
                                 "--hours", "1h", "--date", "2026-11-02", "--category", "transport", lang=lang).out)
    two_to_one = lines(ledger.ok("record", "--giver", "Llinos", "--giver", "Lowri", "--receiver", "Siân",
                                 "--hours", "¾", "--date", "2026-11-03", "--category", "transport", lang=lang).out)
    if lang == "en":
        assert one_to_two[0] == ("Recorded exchange 1: on Monday 2 November 2026 Siân (#1) gave each of Llinos (#2), "
                                 "Lowri ap Rhys (#3) 1.00 hours (1 hour), category Transport and lifts.")
        assert two_to_one[0] == ("Recorded exchange 2: on Tuesday 3 November 2026 Llinos (#2), Lowri ap Rhys (#3) "
                                 "each gave Siân (#1) 0.75 hours (45 minutes), category Transport and lifts.")
    else:
        assert one_to_two[0] == ("Cofnodwyd cyfnewidiad 1: ddydd Llun 2 Tachwedd 2026 rhoddodd Siân (#1) 1.00 awr "
                                 "(1 awr) i bob un o Llinos (#2), Lowri ap Rhys (#3), categori Cludiant a lifftiau.")
        assert two_to_one[0] == ("Cofnodwyd cyfnewidiad 2: ddydd Mawrth 3 Tachwedd 2026 rhoddodd Llinos (#2), "
                                 "Lowri ap Rhys (#3) 0.75 awr (45 munud) yr un i Siân (#1), categori Cludiant a "
                                 "lifftiau.")
    # Then every party's balance, as before.
    assert len(one_to_two) == 4 and len(two_to_one) == 4
    assert one_to_two[1].startswith("  Siân (#1): ") and two_to_one[3].startswith("  Siân (#1): ")


WEEK = [("2026-11-02", "Monday", "Llun"), ("2026-11-03", "Tuesday", "Mawrth"), ("2026-11-04", "Wednesday", "Mercher"),
        ("2026-11-05", "Thursday", "Iau"), ("2026-11-06", "Friday", "Gwener"), ("2026-11-07", "Saturday", "Sadwrn"),
        ("2026-11-08", "Sunday", "Sul")]


def test_every_weekday_in_both_languages(ledger: Cli) -> None:
    for on, english, welsh in WEEK:
        day = int(on[-2:])
        assert f": on {english} {day} November 2026 Siân" in ledger.ok(
            "record", "Siân", "Llinos", "1", "--date", on, "--again", "--allow-overdraft", lang="en").out
        assert f": ddydd {welsh} {day} Tachwedd 2026 rhoddodd Siân" in ledger.ok(
            "record", "Siân", "Llinos", "1", "--date", on, "--again", "--allow-overdraft", lang="cy").out


def said(minutes: int, lang: str) -> str:
    hours, rest = divmod(minutes, 60)
    unit = ("awr", "munud") if lang == "cy" else ("hour" + "s" * (hours != 1), "minute" + "s" * (rest != 1))
    parts = ([f"{hours} {unit[0]}"] if hours else []) + ([f"{rest} {unit[1]}"] if rest else [])
    return " ".join(parts)


def test_every_hour_form_reads_back_in_both_languages(ledger: Cli) -> None:
    """Each form as typed gives its hours in figures and in words, in English and in Welsh."""
    for text, minutes in FORMS:
        for lang, unit in (("en", "hours"), ("cy", "awr")):
            out = ledger.ok("record", "Siân", "Llinos", text, "--date", "2026-11-05", "--again", "--allow-overdraft",
                            lang=lang).out
            figures = f"{minutes // 60}.{round(minutes % 60 * 100 / 60):02d}"
            assert f" {figures} {unit} ({said(minutes, lang)})" in lines(out)[0], (text, lang, out)


@pytest.mark.parametrize(("readme", "heading"), [("README.md", "## A tour of the everyday commands"),
                                                 ("README.cy.md", "## Taith drwy'r gorchmynion bob dydd")])
def test_the_readme_shows_the_read_back_as_it_is(readme: str, heading: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The tour's first two records, run on the day the README says, print its text block."""
    from test_readme import ROOT, tour

    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-05")
    cli = Cli(fresh_db(tmp_path), capsys)
    commands = tour(readme, heading)
    records = [i for i, words in enumerate(commands) if words[0] in ("record", "cofnodi")][:2]
    printed = []
    for index, words in enumerate(commands[:records[1] + 1]):
        out = cli.ok(*words).out
        if index in records:
            printed += lines(out)
    section = (ROOT / readme).read_text(encoding="utf-8").split(heading)[1]
    shown = re.search(r"```text\n(.*?)```", section, re.DOTALL)
    assert shown and shown.group(1).rstrip("\n").split("\n") == printed
