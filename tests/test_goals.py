"""The seven well-being goals (issue 30, item 1): `category goals CATEGORY GOAL…` links a
category to the goals of the Well-being of Future Generations (Wales) Act 2015 it serves,
`category list` shows them, and the funder pack gains `hours_by_goal`: for each goal, the
hours of help given in the categories that serve it, never added up across goals.

The hand-worked fixture (TimeOverflow's ledger moved in with an opening balance of one hour,
Siân (1) to the pot, in "other", on the day of the import, 15 December 2026):

    goals set:  transport -> healthier, equal     gardening -> resilient, healthier
                events    -> cohesive, culture    other     -> global (the opening balance's)
    A  2 -> 4  1:30  transport  2 Dec    90 min
    B  4 -> 2  2:00  gardening  3 Dec   120 min
    C  2 -> 6  0:45  events     4 Dec    45 min
    D  6 -> 2  3:00  events     5 Dec   180 min, voided: counts nowhere
    the opening balance, 60 min in "other": an opening balance counts in no activity figure

    hours exchanged: A + B + C = 255 min = 4.25
    prosperous 0 | resilient B = 120 (2.00) | healthier A + B = 210 (3.50) | equal A = 90 (1.50)
    cohesive C = 45 (0.75) | culture C = 45 (0.75) | global 0 (the opening balance is not help)

The goals' hours add up to 510 minutes, twice the hours exchanged: an hour serves several goals.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, query
from refusal import refused

DATA = Path(__file__).parent / "data" / "timeoverflow" / "en"
TODAY = "2026-12-15"
SPAN = ("--from", "2026-12-01", "--to", "2026-12-15")
EXPECTED = {"prosperous": 0, "resilient": 120, "healthier": 210, "equal": 90, "cohesive": 45, "culture": 45,
            "global": 0}
HOURS = {"prosperous": "0.00", "resilient": "2.00", "healthier": "3.50", "equal": "1.50", "cohesive": "0.75",
         "culture": "0.75", "global": "0.00"}
WELSH = {"prosperous": "llewyrchus", "resilient": "cydnerth", "healthier": "iachach", "equal": "cyfartal",
         "cohesive": "cydlynus", "culture": "diwylliant", "global": "byd-eang"}
SEAL = re.compile(r"#\d+ [0-9a-f]{16,}")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)


@pytest.fixture
def goals(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("init")
    copies = []
    for path in sorted(DATA.glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        if "_Users_" in path.name:  # Siân's balance not what her transfers say: an opening balance of 1 hour
            text = text.replace(",en,-900\n2,", ",en,2700\n2,")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
        copies.append(tmp_path / path.name)
    cli.ok("import", "timeoverflow", *map(str, copies), "--opening-balances")
    cli.ok("category", "goals", "transport", "healthier", "equal")
    cli.ok("categori", "nodau", "garddio", "cydnerth", "iachach", lang="cy")  # Welsh codes, Welsh words
    cli.ok("category", "goals", "events", "culture", "cohesive")             # stored in the Act's order
    cli.ok("category", "goals", "other", "global")
    cli.ok("record", "2", "4", "1:30", "--date", "2026-12-02", "--category", "transport")
    cli.ok("record", "4", "2", "2", "--date", "2026-12-03", "--category", "gardening")
    cli.ok("record", "2", "6", "0:45", "--date", "2026-12-04", "--category", "events")
    cli.ok("record", "6", "2", "3", "--date", "2026-12-05", "--category", "events", "--allow-overdraft")
    voided = max(e["number"] for e in cli.json("exchange", "list"))
    cli.ok("exchange", "void", str(voided), "--reason", "typed twice")
    return cli


def _total(cli: Cli, *extra: str, lang: str = "en") -> dict[str, Any]:
    return cli.json("report", "period", *SPAN, *extra, lang=lang)["total"]


def test_the_goals_are_set_stored_in_the_acts_order_and_audited(goals: Cli) -> None:
    stored = dict(query(goals.db, "SELECT code, goals FROM categories"))
    assert stored["transport"] == "healthier equal"
    assert stored["gardening"] == "resilient healthier"  # typed in Welsh, kept as the English codes
    assert stored["events"] == "cohesive culture"
    listed = {c["code"]: c["goals"] for c in goals.json("category", "list")}
    assert listed["events"] == ["cohesive", "culture"] and listed["diy"] == ["prosperous", "cohesive"]  # a default
    rows = list(csv.DictReader(io.StringIO(goals.ok("category", "list", "--format", "csv").out)))
    assert {r["code"]: r["goals"] for r in rows}["gardening"] == "resilient healthier"
    welsh_rows = list(csv.reader(io.StringIO(goals.ok("category", "list", "--format", "csv", lang="cy").out)))
    assert welsh_rows[0][-1] == "nodau"
    table = goals.ok("categori", "rhestr", lang="cy").out
    assert "Nodau llesiant" in table and "cydnerth" in table and "resilient" not in table
    assert "Category's goals changed" in goals.ok("audit").out
    assert "Mae'r categori Garddio yn gwasanaethu'r nodau llesiant: cydnerth, iachach" in goals.ok(
        "archwilio", lang="cy").out
    goals.ok("check")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_goals_are_cleared_with_none(goals: Cli, lang: str) -> None:
    said = goals.ok("category", "goals", "diy", "--none", lang=lang).out
    assert ("serves none" in said) == (lang == "en") and ("trwsio" in said) == (lang == "cy")
    assert query(goals.db, "SELECT goals FROM categories WHERE code = 'diy'") == [(None,)]
    assert {c["code"]: c["goals"] for c in goals.json("category", "list")}["diy"] == []
    goals.ok("check")


@pytest.mark.parametrize("args", [
    ("category", "goals", "transport", "wealthier"),            # no such goal
    ("category", "goals", "transport", "healthier", "nope"),    # one bad goal among good ones: nothing changes
    ("category", "goals", "nowhere", "healthier"),              # no such category
    ("category", "goals", "transport"),                         # neither goals nor --none
    ("category", "goals", "transport", "equal", "--none"),      # both
])
def test_refusals_change_nothing(goals: Cli, args: tuple[str, ...]) -> None:
    said = refused(goals, *args)
    if "wealthier" in args:
        assert "llewyrchus" in said["cy"].err and "prosperous" in said["en"].err


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_hours_by_goal_in_json(goals: Cli, lang: str) -> None:
    total = _total(goals, lang=lang)
    assert total["minutes_exchanged"] == 255
    assert total["minutes_by_goal"] == EXPECTED
    assert total["hours_by_goal"] == HOURS
    assert list(total["hours_by_goal"]) == list(EXPECTED)  # the Act's order, every goal
    # An hour serves several goals: their sum is not the hours exchanged, and no total is given.
    assert sum(total["minutes_by_goal"].values()) == 510
    assert not any(key.startswith("hours_goal") or key == "goal_total" for key in total)


def test_hours_by_goal_in_the_summary_csv(goals: Cli) -> None:
    for lang in ("en", "cy"):
        rows = list(csv.reader(io.StringIO(goals.ok("export", "summary", *SPAN, lang=lang).out)))
        header, row = rows[0], rows[1]
        names = [f"hours_goal_{g}" for g in EXPECTED] if lang == "en" else [f"oriau_nod_{WELSH[g]}" for g in EXPECTED]
        first = header.index(names[0])
        assert header[first:first + 7] == names
        # After the categories' hours, before social value (when there is one) and the rest.
        assert header[first - 1] == ("hours_transport" if lang == "en" else "oriau_cludiant")
        assert [row[first + i] for i in range(7)] == list(HOURS.values())


def test_hours_by_goal_in_the_workbook(goals: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    for lang, sheet, name in (("en", "Well-being goals", "A more equal Wales"),
                              ("cy", "Nodau llesiant", "Cymru sy'n fwy cyfartal")):
        path = tmp_path / f"{lang}.xlsx"
        goals.ok("export", "workbook", *SPAN, "--output", str(path), lang=lang)
        book = load_workbook(path)
        rows = [r for r in book[sheet].iter_rows(values_only=True) if r and r[0]]
        by_code = {r[1]: r for r in rows[1:8]}
        codes = list(EXPECTED) if lang == "en" else [WELSH[g] for g in EXPECTED]
        assert list(by_code) == codes
        assert [float(by_code[c][-1]) for c in codes] == [m / 60 for m in EXPECTED.values()]
        assert by_code[codes[3]][0] == name
        assert not any(str(r[0]) in ("Total", "Cyfanswm") for r in rows)  # goals are not added up
        definitions = " ".join(str(c) for r in book.worksheets[0].iter_rows(values_only=True) for c in r if c)
        assert ("not added up" in definitions) == (lang == "en")
        assert len(book.chartsheets) == 2  # hours exchanged, and hours by goal


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_hours_by_goal_on_the_one_page_report(goals: Cli, tmp_path: Path, lang: str) -> None:
    path = tmp_path / "page.pdf"
    goals.ok("report", "period", *SPAN, "--output", str(path), lang=lang)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    if lang == "en":
        assert "Hours by well-being goal (an hour may serve several goals, so they are not added up)" in text
        assert "healthier 3.50, equal 1.50" in text and "global 0.00" in text
    else:
        assert "Oriau fesul nod llesiant" in text and "iachach 3.50, cyfartal 1.50" in text
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", pages), pages  # still one page


def test_a_centre_counts_the_goals_of_its_own_exchanges(goals: Cli) -> None:
    """Ana (6) at the centre: of the exchanges that count, only C (events, 45 minutes) is hers."""
    goals.ok("centre", "add", "Canolfan", "--code", "can")
    goals.ok("member", "edit", "6", "--centre", "can")
    total = _total(goals, "--centre", "can")
    assert total["minutes_exchanged"] == 45
    assert total["minutes_by_goal"] == dict.fromkeys(EXPECTED, 0) | {"cohesive": 45, "culture": 45}


def test_at_a_seal_the_goals_are_those_of_now_and_the_restatement_names_each_goal(goals: Cli) -> None:
    seal = SEAL.search(goals.ok("check").out)
    assert seal
    sealed = _total(goals, "--seal", seal.group(0))
    assert sealed["minutes_by_goal"] == EXPECTED
    # Later: a gardening exchange back-dated into the span, and transport serving prosperous too.
    goals.ok("record", "4", "2", "1", "--date", "2026-12-06", "--category", "gardening")
    goals.ok("category", "goals", "transport", "prosperous", "healthier", "equal")
    again = _total(goals, "--seal", seal.group(0))
    assert again["minutes_by_goal"] == EXPECTED | {"prosperous": 90}  # the goals as they are now
    assert _total(goals)["minutes_by_goal"] == EXPECTED | {"prosperous": 90, "resilient": 180, "healthier": 270}
    changes = goals.json("report", "period", *SPAN, "--changes-since", seal.group(0))
    assert [p["period"] for p in changes["periods"]] == ["2026-12", "total"]
    found = {c["figure"]: (c["was"], c["now"]) for c in changes["periods"][-1]["changes"]}
    assert found["hours_goal_resilient"] == ("2.00", "3.00")
    assert found["hours_goal_healthier"] == ("3.50", "4.50")
    # Both histories read today's goals: a change of goals alone restates nothing.
    assert "hours_goal_prosperous" not in found
    for lang, label in (("en", "Hours: A resilient Wales"), ("cy", "Oriau: Cymru gydnerth")):
        assert label in goals.ok("report", "period", *SPAN, "--changes-since", seal.group(0), lang=lang).out
    restated = goals.ok("report", "period", *SPAN, "--changes-since", seal.group(0), "--format", "csv").out
    assert "hours_goal_resilient" in restated
