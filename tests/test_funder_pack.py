"""The funder pack (issue 13): the figures evaluators ask for, in JSON, CSV, a workbook and a
one-page report, in both languages, checked against a small ledger whose answers were
worked out on paper and against the demo ledger.

The hand-built ledger (`story`), told day by day (TIMEBANK_TODAY moves with it):

    member  name      kind          lang  area  joined      left
    1       Siân      person        cy    CF32  2025-04-01
    2       Llinos    person        en    CF32  2025-04-01
    3       Canolfan  organisation  cy    CF32  2025-04-01
    4       Rhys      person        cy    CF31  2025-05-10
    5       Mair      person        en    CF31  2025-10-01  2026-02-15
    6       Tom       person        en    -     2026-04-10
    0       the pot

    exchange  date        giver     receivers              each   category
    1         2025-04-15  Siân      Llinos                 2:00   transport
    2         2025-05-20  Llinos    Siân                   1:00   gardening  meets Siân's request 1 (made 2025-05-01)
    3         2025-06-10  Rhys      Canolfan               3:00   events
    4         2025-08-05  Siân      Rhys                   1:30   shopping
    5         2025-11-05  Mair      Siân                   2:00   gardening  voided (6 is its reversal)
    7         2025-11-12  Siân      Mair                   1:00   transport  meets Mair's request 2 (made 2025-10-20)
    8         2026-01-15  Llinos    Siân, Rhys, Mair       1:00   teaching
    9         2026-04-20  Canolfan  Tom                    2:00   events
    10        2026-05-05  the pot   Siân                   0:30   other
    11        2026-05-10  Tom       Llinos                 1:00   gardening
    requests 3 (Rhys, 2026-03-01) and 4 (Tom, 2026-05-12) are never met.

Today is 2026-05-20; hour_value 12.50 (source: "Real Living Wage"); year_start 4. The
report runs from 2025-04-01 to 2026-06-30 by quarter.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from conftest import Cli, dump, fresh_db

TODAY = "2026-05-20"
SPAN = ["--from", "2025-04-01", "--to", "2026-06-30"]
LABELS = ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4", "2026-27 Q1"]

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
needs_libreoffice = pytest.mark.skipif(
    shutil.which("libreoffice") is None and shutil.which("soffice") is None,
    reason="LibreOffice is not installed here (Debian: libreoffice-calc-nogui); .ci/run installs it, so CI runs this")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)


STEPS: list[tuple[str, list[str]]] = [
    ("2025-04-01", ["init", "--name", "Banc Amser Garw", "--lang", "en"]),
    ("2025-04-01", ["member", "add", "Siân Jones", "--lang", "cy", "--area", "CF32", "--joined", "2025-04-01",
                    "--email", "sian@example.org", "--phone", "01656 000001"]),
    ("2025-04-01", ["member", "add", "Llinos Evans", "--lang", "en", "--area", "CF32", "--joined", "2025-04-01"]),
    ("2025-04-01", ["member", "add", "Canolfan Garw", "--kind", "organisation", "--lang", "cy", "--area", "CF32",
                    "--joined", "2025-04-01"]),
    ("2025-04-15", ["record", "Siân", "Llinos", "2", "--category", "transport"]),
    ("2025-05-01", ["request", "add", "Siân", "gardening"]),
    ("2025-05-10", ["member", "add", "Rhys Price", "--lang", "cy", "--area", "CF31", "--joined", "2025-05-10"]),
    ("2025-05-20", ["record", "Llinos", "Siân", "1", "--category", "gardening", "--request", "1"]),
    ("2025-06-10", ["record", "Rhys", "Canolfan", "3", "--category", "events"]),
    ("2025-08-05", ["record", "Siân", "Rhys", "1:30", "--category", "shopping"]),
    ("2025-10-01", ["member", "add", "Mair Thomas", "--lang", "en", "--area", "CF31", "--joined", "2025-10-01"]),
    ("2025-10-20", ["request", "add", "Mair", "transport"]),
    ("2025-11-05", ["record", "Mair", "Siân", "2", "--category", "gardening"]),
    ("2025-11-06", ["exchange", "void", "5", "--reason", "Typed for the wrong member"]),
    ("2025-11-12", ["record", "Siân", "Mair", "1", "--category", "transport", "--request", "2"]),
    ("2026-01-15", ["record", "--giver", "Llinos", "--receiver", "Siân", "--receiver", "Rhys", "--receiver", "Mair",
                    "--hours", "1", "--category", "teaching"]),
    ("2026-02-15", ["member", "leave", "Mair", "--date", "2026-02-15"]),
    ("2026-03-01", ["request", "add", "Rhys", "diy"]),
    ("2026-04-10", ["member", "add", "Tom Smith", "--lang", "en", "--joined", "2026-04-10"]),
    ("2026-04-20", ["record", "Canolfan", "Tom", "2", "--category", "events"]),
    ("2026-05-05", ["record", "#0", "Siân", "0:30", "--category", "other"]),
    ("2026-05-10", ["record", "Tom", "Llinos", "1", "--category", "gardening"]),
    ("2026-05-12", ["request", "add", "Tom", "computers"]),
    ("2026-05-20", ["settings", "set", "hour_value", "12.50"]),
    ("2026-05-20", ["settings", "set", "hour_value_source", "Real Living Wage"]),
]

# What a funder's file must never hold: the members' names and contact details.
PRIVATE = ["Siân", "Llinos", "Canolfan", "Rhys", "Mair", "Tom", "Jones", "Evans", "sian@example.org", "01656"]


@pytest.fixture(scope="module")
def story_db(tmp_path_factory: pytest.TempPathFactory) -> "Path | str":
    from timebank.cli.main import run

    path = fresh_db(tmp_path_factory.mktemp("story"), "story")
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("TIMEBANK_DB", "TIMEBANK_LANG", "LC_ALL", "LANG"):
            patch.delenv(variable, raising=False)
        patch.setenv("TIMEBANK_USER", "tester")
        for day, args in STEPS:
            patch.setenv("TIMEBANK_TODAY", day)
            assert run(["--db", str(path)] + args) == 0, (day, args)
    return path


@pytest.fixture
def story(story_db: "Path | str", capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(story_db, capsys)


# The answers, worked out on paper ------------------------------------------------------------
#
# Exchange 5 is voided: it counts nowhere (Mair gave in it; her first exchange is 7, not 5).
# Minutes per exchange (what the givers earned): 1: 120, 2: 60, 3: 180, 4: 90, 7: 60,
# 8: 3 x 60 = 180, 9: 120, 10: 30, 11: 60. Only 3 (Canolfan), 9 (Canolfan) and 10 (the pot)
# involve someone who is not a person.
# First exchanges: Siân 2025-04-15, Llinos 2025-04-15, Canolfan 2025-06-10, Rhys 2025-06-10,
# Mair 2025-11-12, Tom 2026-04-20 (the pot is never a member).

EXPECTED = {
    # Q1 2025-26, 1 April - 30 June 2025: exchanges 1, 2, 3.
    "2025-26 Q1": {
        "from": "2025-04-01", "to": "2025-06-30",
        "partial": True,                      # starts on 1 April, before the first exchange (15 April)
        "exchanges": 3, "minutes_exchanged": 360, "hours": "6.00",          # 120 + 60 + 180
        "hours_person_to_person": "3.00", "minutes_person_to_person": 180,  # 1 and 2
        "hours_with_organisations": "3.00",                                   # 3 (Canolfan)
        "members_registered": 4, "members_registered_people": 3, "members_registered_organisations": 1,
        "members_total": 4,                   # Siân, Llinos, Canolfan, Rhys on 30 June
        "members_welsh": 3,                   # Siân, Canolfan, Rhys
        "members_new": 4, "members_left": 0,
        "members_trading": 4, "members_active": 4, "members_trading_people": 3, "members_trading_organisations": 1,
        "members_giving": 3, "members_giving_people": 3, "members_giving_organisations": 0,   # Siân, Llinos, Rhys
        "members_receiving": 3, "members_receiving_people": 2, "members_receiving_organisations": 1,  # Ll, S, C
        "members_both": 2, "members_both_people": 2, "members_both_organisations": 0,          # Siân, Llinos
        # Joined in the quarter: Siân 14 days (1 -> 15 April), Llinos 14, Canolfan 70 (1 April
        # -> 10 June: 30 + 31 + 9), Rhys 31 (10 May -> 10 June): median of 14, 14, 31, 70 = 22.5.
        "days_to_first_exchange_median": 22.5,
        # 3 months before 30 June is 30 March: nobody had traded yet.
        "cohort_3m": 0, "retained_3m": 0, "cohort_6m": 0, "retained_6m": 0, "cohort_12m": 0, "retained_12m": 0,
        "requests_opened": 1, "requests_met": 1, "median_days_to_meet": 19,  # 1 May -> 20 May
        "social_value_gbp": "75.00",                                          # 6.00 x 12.50
        "categories": {"events": 180, "gardening": 60, "transport": 120},
    },
    # Q2, 1 July - 30 September 2025: exchange 4.
    "2025-26 Q2": {
        "from": "2025-07-01", "to": "2025-09-30", "partial": False,
        "exchanges": 1, "minutes_exchanged": 90, "hours": "1.50", "hours_person_to_person": "1.50",
        "minutes_person_to_person": 90, "hours_with_organisations": "0.00",
        "members_registered": 4, "members_registered_people": 3, "members_registered_organisations": 1,
        "members_total": 4, "members_welsh": 3, "members_new": 0, "members_left": 0,
        "members_trading": 2, "members_active": 2, "members_trading_people": 2, "members_trading_organisations": 0,
        "members_giving": 1, "members_giving_people": 1, "members_giving_organisations": 0,        # Siân
        "members_receiving": 1, "members_receiving_people": 1, "members_receiving_organisations": 0,  # Rhys
        "members_both": 0, "members_both_people": 0, "members_both_organisations": 0,
        "days_to_first_exchange_median": None,    # nobody joined
        # 3 months before 30 September is 30 June: the four first exchanges were on or before it;
        # of them, Siân and Rhys traded after 30 June (exchange 4). 6 months before: 30 March.
        "cohort_3m": 4, "retained_3m": 2, "cohort_6m": 0, "retained_6m": 0, "cohort_12m": 0, "retained_12m": 0,
        "requests_opened": 0, "requests_met": 0, "median_days_to_meet": None,
        "social_value_gbp": "18.75",             # 1.50 x 12.50
        "categories": {"shopping": 90},
    },
    # Q3, 1 October - 31 December 2025: exchange 7 (5 and its reversal 6 count nowhere).
    "2025-26 Q3": {
        "from": "2025-10-01", "to": "2025-12-31", "partial": False,
        "exchanges": 1, "minutes_exchanged": 60, "hours": "1.00", "hours_person_to_person": "1.00",
        "minutes_person_to_person": 60, "hours_with_organisations": "0.00",
        "members_registered": 5, "members_registered_people": 4, "members_registered_organisations": 1,
        "members_total": 5, "members_welsh": 3, "members_new": 1, "members_left": 0,    # Mair joined
        "members_trading": 2, "members_active": 2, "members_trading_people": 2, "members_trading_organisations": 0,
        "members_giving": 1, "members_giving_people": 1, "members_giving_organisations": 0,        # Siân, not Mair
        "members_receiving": 1, "members_receiving_people": 1, "members_receiving_organisations": 0,  # Mair
        "members_both": 0, "members_both_people": 0, "members_both_organisations": 0,
        "days_to_first_exchange_median": 42,     # Mair: 1 October -> 12 November (5 November was voided)
        # 3 months before 31 December is 30 September: Siân, Llinos, Canolfan, Rhys; of them only
        # Siân traded since. 6 months before is 30 June: the same four, the same one.
        "cohort_3m": 4, "retained_3m": 1, "cohort_6m": 4, "retained_6m": 1, "cohort_12m": 0, "retained_12m": 0,
        "requests_opened": 1, "requests_met": 1, "median_days_to_meet": 23,  # 20 October -> 12 November
        "social_value_gbp": "12.50",
        "categories": {"transport": 60},
    },
    # Q4, 1 January - 31 March 2026: exchange 8 (Llinos to three members, an hour each).
    "2025-26 Q4": {
        "from": "2026-01-01", "to": "2026-03-31", "partial": False,
        "exchanges": 1, "minutes_exchanged": 180, "hours": "3.00", "hours_person_to_person": "3.00",
        "minutes_person_to_person": 180, "hours_with_organisations": "0.00",
        "members_registered": 4, "members_registered_people": 3, "members_registered_organisations": 1,
        "members_total": 4, "members_welsh": 3, "members_new": 0, "members_left": 1,    # Mair left
        "members_trading": 4, "members_active": 4, "members_trading_people": 4, "members_trading_organisations": 0,
        "members_giving": 1, "members_giving_people": 1, "members_giving_organisations": 0,
        "members_receiving": 3, "members_receiving_people": 3, "members_receiving_organisations": 0,
        "members_both": 0, "members_both_people": 0, "members_both_organisations": 0,
        "days_to_first_exchange_median": None,
        # 3 months before 31 March is 31 December: all five who have traded (Mair since 12
        # November); four of them traded since (not Canolfan). 6 months before is 30 September:
        # the first four; three traded since (Siân, Llinos, Rhys). 12 months: 31 March 2025, nobody.
        "cohort_3m": 5, "retained_3m": 4, "cohort_6m": 4, "retained_6m": 3, "cohort_12m": 0, "retained_12m": 0,
        "requests_opened": 1, "requests_met": 0, "median_days_to_meet": None,   # Rhys's, never met
        "social_value_gbp": "37.50",
        "categories": {"teaching": 180},
    },
    # Q1 2026-27, 1 April - 20 May 2026 (today): exchanges 9, 10, 11.
    "2026-27 Q1": {
        "from": "2026-04-01", "to": "2026-05-20",
        "partial": True,                      # it ends on 30 June, after today
        "exchanges": 3, "minutes_exchanged": 210, "hours": "3.50",                 # 120 + 30 + 60
        "hours_person_to_person": "1.00", "minutes_person_to_person": 60,            # 11 only
        "hours_with_organisations": "2.50",                                           # 9 (Canolfan), 10 (pot)
        "members_registered": 5, "members_registered_people": 4, "members_registered_organisations": 1,
        "members_total": 5, "members_welsh": 3, "members_new": 1, "members_left": 0,   # Tom joined
        "members_trading": 4, "members_active": 4, "members_trading_people": 3, "members_trading_organisations": 1,
        "members_giving": 2, "members_giving_people": 1, "members_giving_organisations": 1,  # Canolfan, Tom
        "members_receiving": 3, "members_receiving_people": 3, "members_receiving_organisations": 0,  # Tom, S, Ll
        "members_both": 1, "members_both_people": 1, "members_both_organisations": 0,      # Tom
        "days_to_first_exchange_median": 10,     # Tom: 10 -> 20 April
        # 3 months before 20 May is 20 February: five had traded (not Tom); Canolfan, Siân and
        # Llinos traded since. 6 months before is 20 November: the same five (Mair's first was
        # 12 November), the same three. 12 months before is 20 May 2025: Siân and Llinos, both since.
        "cohort_3m": 5, "retained_3m": 3, "cohort_6m": 5, "retained_6m": 3, "cohort_12m": 2, "retained_12m": 2,
        "requests_opened": 1, "requests_met": 0, "median_days_to_meet": None,   # Tom's, open
        "social_value_gbp": "43.75",             # 3.50 x 12.50
        "categories": {"events": 120, "gardening": 60, "other": 30},
    },
}

EXPECTED_TOTAL = {
    "period": "total", "from": "2025-04-01", "to": "2026-05-20",
    "partial": True,                          # asked to 30 June, after today
    "exchanges": 9, "minutes_exchanged": 900, "hours": "15.00",
    "hours_person_to_person": "9.50", "minutes_person_to_person": 570,    # 180 + 90 + 60 + 180 + 60
    "hours_with_organisations": "5.50", "minutes_with_organisations": 330,
    "hours_with_partners": "0.00", "minutes_with_partners": 0,           # no partner bank
    "members_registered": 5, "members_registered_people": 4, "members_registered_organisations": 1,
    "members_total": 5, "members_welsh": 3, "members_new": 6, "members_left": 1,
    "hours_in_welsh": "0.00", "minutes_in_welsh": 0, "exchanges_in_welsh": 0,   # none recorded --welsh
    "members_trading": 6, "members_active": 6, "members_trading_people": 5, "members_trading_organisations": 1,
    # Givers: Siân, Llinos, Rhys, Canolfan, Tom (Mair only in the voided exchange).
    "members_giving": 5, "members_giving_people": 4, "members_giving_organisations": 1,
    "members_receiving": 6, "members_receiving_people": 5, "members_receiving_organisations": 1,
    "members_both": 5, "members_both_people": 4, "members_both_organisations": 1,
    # Everyone joined in the span: 10, 14, 14, 31, 42, 70 -> (14 + 31) / 2.
    "days_to_first_exchange_median": 22.5,
    "cohort_3m": 5, "retained_3m": 3, "cohort_6m": 5, "retained_6m": 3, "cohort_12m": 2, "retained_12m": 2,
    "requests_opened": 4, "requests_met": 2, "median_days_to_meet": 21,   # 19 and 23
    "social_value_gbp": "187.50",             # 15.00 x 12.50
    "categories": {"events": 300, "gardening": 120, "other": 30, "shopping": 90, "teaching": 180, "transport": 180},
}


def period_json(cli: Cli, *extra: str, lang: str | None = None) -> dict[str, Any]:
    return cli.json("report", "period", *SPAN, "--by", "quarter", *extra, lang=lang)


def test_the_hand_built_ledger_in_json(story: Cli) -> None:
    data = period_json(story)
    assert [p["period"] for p in data["periods"]] == LABELS
    for period in data["periods"]:
        expected = EXPECTED[period["period"]]
        shown = {key: period[key] for key in expected}
        assert shown == expected, period["period"]
    assert {key: data["total"][key] for key in EXPECTED_TOTAL} == EXPECTED_TOTAL
    assert data["hour_value"] == "12.50" and data["hour_value_source"] == "Real Living Wage"
    assert data["year_start"] == 4 and data["by"] == "quarter"
    # JSON keys never change with the language.
    assert period_json(story, lang="cy") == data


def test_the_hand_built_ledger_through_the_core(story_db: "Path | str") -> None:
    from timebank.ledger.storage.db import open_ledger
    from timebank.ledger.reports.period_figures import FIGURES, read_period_report

    ledger = open_ledger(str(story_db))
    try:
        report = read_period_report(ledger, date(2025, 4, 1), date(2026, 6, 30), "quarter")
    finally:
        ledger.dispose()
    assert [p.label for p in report.periods] == LABELS
    from timebank.ledger.basics.hours import format_hours

    in_hours = {"hours", "hours_person_to_person", "hours_with_organisations", "hours_with_partners", "hours_in_welsh"}
    for figures in report.periods + [report.total]:
        expected = EXPECTED_TOTAL if figures.period is None else EXPECTED[figures.label]
        values = figures.values()
        for figure in FIGURES:
            if figure.key not in expected:
                continue
            value = values[figure.key]
            if figure.key in in_hours:
                assert format_hours(value) == expected[figure.key], figure.key
            elif figure.key == "social_value_gbp":
                assert value == Decimal(expected[figure.key])
            else:
                assert value == expected[figure.key], (figures.label, figure.key)
        assert values["partial"] == expected["partial"]
        assert figures.minutes_with_organisations == figures.minutes - figures.minutes_person_to_person
    assert report.first_exchange == date(2025, 4, 15)
    # Hours per month for the chart: April 2025 to May 2026.
    assert [(m.isoformat()[:7], minutes) for m, minutes in report.months if minutes] == [
        ("2025-04", 120), ("2025-05", 60), ("2025-06", 180), ("2025-08", 90), ("2025-11", 60), ("2026-01", 180),
        ("2026-04", 120), ("2026-05", 90)]


# Periods: the financial year and partial periods ------------------------------------------------

def test_quarters_follow_the_financial_year(story: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = read_csv(story.ok("export", "summary", "--by", "quarter", *SPAN).out)
    assert [r["period"] for r in rows] == LABELS
    current = rows[-1]
    assert (current["from"], current["to"], current["partial"]) == ("2026-04-01", "2026-05-20", "true")
    assert [r["partial"] for r in rows] == ["true", "false", "false", "false", "true"]
    # Welsh readers see Ch for the quarter; the JSON code stays the same.
    welsh = read_csv(story.ok("export", "summary", "--by", "quarter", *SPAN, lang="cy").out)
    assert [r["cyfnod"] for r in welsh] == [label.replace("Q", "Ch") for label in LABELS]
    assert welsh[-1]["rhannol"] == "true"
    # Once the quarter is over, 2026-27 Q1 is April to June, whole.
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-07-15")
    later = story.json("report", "period", "--from", "2026-04-01", "--to", "2026-09-30", "--by", "quarter")
    assert [(p["period"], p["from"], p["to"], p["partial"]) for p in later["periods"]] == [
        ("2026-27 Q1", "2026-04-01", "2026-06-30", False), ("2026-27 Q2", "2026-07-01", "2026-07-15", True)]


def test_year_start_moves_quarters_and_years(story: Cli) -> None:
    story.ok("settings", "set", "year_start", "1")
    try:
        quarters = story.json("report", "period", "--from", "2025-01-01", "--to", "2025-12-31", "--by", "quarter")
        assert [(p["period"], p["from"]) for p in quarters["periods"]] == [
            ("2025 Q1", "2025-01-01"), ("2025 Q2", "2025-04-01"), ("2025 Q3", "2025-07-01"), ("2025 Q4", "2025-10-01")]
        years = story.json("report", "period", "--from", "2025-01-01", "--to", "2026-05-20", "--by", "year")
        assert [p["period"] for p in years["periods"]] == ["2025", "2026"]
    finally:
        story.ok("settings", "set", "dechrau_blwyddyn", "4", lang="cy")  # the Welsh key works too
    years = story.json("report", "period", *SPAN, "--by", "year")
    assert [(p["period"], p["from"], p["to"], p["partial"]) for p in years["periods"]] == [
        ("2025-26", "2025-04-01", "2026-03-31", True), ("2026-27", "2026-04-01", "2026-05-20", True)]
    assert sum(p["exchanges"] for p in years["periods"]) == 9
    assert story.json("settings", "show")["year_start"] == "4"


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("key,value", [("year_start", "0"), ("year_start", "13"), ("year_start", "April"),
                                       ("year_start", "4.5"), ("hour_value_source", "Living\twage"),
                                       ("hour_value_source", "Living\nwage"), ("hour_value_source", "x" * 301)])
def test_bad_settings_are_refused(story: Cli, lang: str, key: str, value: str) -> None:
    before = dump(story.db)
    refused = story("settings", "set", key, value, lang=lang)
    assert refused.code == 1 and len(refused.err.strip().splitlines()) == 1, refused
    assert "Traceback" not in refused.err
    assert dump(story.db) == before


# The workbook ------------------------------------------------------------------------------------

def workbook_of(cli: Cli, path: Path, *extra: str, lang: str | None = None) -> Any:
    from openpyxl import load_workbook

    result = cli.ok("export", "workbook", *SPAN, "--by", "quarter", "--output", str(path), *extra, lang=lang)
    assert str(path) in result.err
    return load_workbook(path)


def words_for(lang: str) -> Any:
    from timebank.i18n import Words

    return Words(lang)


def summary_rows(sheet: Any) -> tuple[list[str], list[list[Any]], list[Any]]:
    """The Summary sheet's headers, its rows of periods, and its total row (below a blank row)."""
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    data = []
    index = 1
    while index < len(rows) and rows[index][0] is not None:
        data.append(rows[index])
        index += 1
    assert all(cell is None for cell in rows[index]), "a blank row between the periods and the total"
    return header, data, rows[index + 1]


def json_value_in_sheet(value: Any, unit: str) -> Any:
    """A JSON figure as the workbook holds it: hours and pounds as numbers."""
    if value is None:
        return None
    if unit in ("minutes", "pounds"):
        return float(Decimal(value))
    return value


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_workbook_agrees_with_the_json(story: Cli, tmp_path: Path, lang: str) -> None:
    from timebank.ledger.reports.period_figures import FIGURES, PARTIAL

    words = words_for(lang)
    book = workbook_of(story, tmp_path / "pack.xlsx", lang=lang)
    # The chart of the Summary on a chart sheet of its own, right after it (printed whole).
    # The well-being goals' sheet with its chart on a chart sheet after it too, and the
    # outcome measures' figures last (issue 30).
    assert book.sheetnames == [words._(name) for name in ("About", "Summary", "Hours exchanged", "Categories",
                                                          "Well-being goals", "Hours by well-being goal", "Areas",
                                                          "Outcomes")]
    if lang == "cy":
        assert book.sheetnames == ["Ynghylch", "Crynodeb", "Oriau a gyfnewidiwyd", "Categorïau", "Nodau llesiant",
                                   "Oriau fesul nod llesiant", "Ardaloedd", "Canlyniadau"]
    summary = book[words._("Summary")]
    assert summary.freeze_panes == "B2"
    header, data, total = summary_rows(summary)
    assert header[:4] == [words._("Period"), words._("From"), words._("To"), words._(PARTIAL.label)]
    assert header[4:] == [words._(f.label) for f in FIGURES]
    json_periods = period_json(story)["periods"]
    assert [row[0] for row in data] == [label.replace("Q", words._("Q")) for label in LABELS]
    for row, period in zip(data, json_periods):
        # Dates are dates, yes/no the words in the reader's language, counts and hours are numbers.
        assert row[1] == datetime.fromisoformat(period["from"]) and row[2] == datetime.fromisoformat(period["to"])
        assert row[3] == words._("yes" if period["partial"] else "no")
        for figure, cell in zip(FIGURES, row[4:]):
            expected = json_value_in_sheet(period[figure.key], figure.unit)
            if expected is None:
                assert cell is None, figure.key
            else:
                assert isinstance(cell, (int, float)) and not isinstance(cell, bool), (figure.key, cell)
                assert cell == pytest.approx(expected, abs=0.005), (period["period"], figure.key)
    # The total row: SUM formulas over exactly the rows above, for the figures that add up.
    assert total[0] == words._("Total")
    first, last = 2, 1 + len(data)
    json_total = period_json(story)["total"]
    for index, figure in enumerate(FIGURES, start=4):
        cell = total[index]
        if not figure.additive:
            assert cell is None, figure.key
            continue
        letter = summary.cell(row=1, column=index + 1).column_letter
        assert cell == f"=SUM({letter}{first}:{letter}{last})", figure.key
        added = sum(row[index] for row in data)
        assert added == pytest.approx(json_value_in_sheet(json_total[figure.key], figure.unit), abs=0.011), \
            figure.key
    # The chart of hours per period, drawn from the Summary's hours column.
    assert chart_sources(tmp_path / "pack.xlsx", words._("Hours exchanged")) == [
        f"'{summary.title}'!$F${first}:$F${last}" if " " in summary.title else f"{summary.title}!$F${first}:$F${last}"]


def chart_sources(path: Path, sheet_title: str) -> list[str]:
    """The cell ranges the charts of a sheet draw their values from (openpyxl drops charts
    when it reads a file, so the parts are read from the zip as a spreadsheet would)."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        relations = archive.read("xl/_rels/workbook.xml.rels").decode()
        sheet_id = re.search(r'<sheet name="' + re.escape(sheet_title) + r'" sheetId="\d+" r:id="(rId\d+)"',
                             workbook).group(1)  # type: ignore[union-attr]
        target = re.search(r'Id="' + sheet_id + r'"[^>]*Target="([^"]+)"', relations).group(1)  # type: ignore
        folder, name = ("xl/" + target).rsplit("/", 1)
        sheet_relations = archive.read(f"{folder}/_rels/{name}.rels").decode()
        drawings = re.findall(r'Target="\.\./drawings/([^"]+)"', sheet_relations)
        sources = []
        for drawing in drawings:
            drawing_relations = archive.read(f"xl/drawings/_rels/{drawing}.rels").decode()
            for chart in re.findall(r'Target="\.\./charts/([^"]+)"', drawing_relations):
                xml = archive.read(f"xl/charts/{chart}").decode()
                sources += re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", xml)
        return sources


def test_the_workbook_holds_typed_cells_and_no_names(story: Cli, tmp_path: Path) -> None:
    words = words_for("en")
    book = workbook_of(story, tmp_path / "pack.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not any(private in cell.value for private in PRIVATE), (sheet.title, cell.value)
                    if cell.data_type == "f":
                        assert cell.value.startswith("=SUM("), cell.value
    about = book[words._("About")]
    details = {row[0]: row[1] for row in about.iter_rows(values_only=True) if row[0]}
    assert details["Time bank"] == "Banc Amser Garw"
    assert details["From"] == datetime(2025, 4, 1) and details["To"] == datetime(2026, 5, 20)
    assert details["Value of an hour (£)"] == 12.5
    assert details["Where the value of an hour comes from"] == "Real Living Wage"
    assert details["The year starts in"] == "April"
    # Every figure with its definition, and its value for the whole period.
    from timebank.ledger.reports.period_figures import FIGURES

    definitions = {row[0]: row for row in about.iter_rows(values_only=True) if row[0]}
    for figure in FIGURES:
        label, meaning, value, key = definitions[figure.label]
        assert meaning == figure.meaning and key == figure.key
        assert value == pytest.approx(json_value_in_sheet(EXPECTED_TOTAL.get(figure.key, value), figure.unit))
    # Categories: hours per category per period, names in the reader's language, SUM totals.
    categories = book[words._("Categories")]
    rows = [list(row) for row in categories.iter_rows(values_only=True)]
    by_name = {row[0]: row for row in rows[1:] if row[0]}
    assert by_name["Transport and lifts"][2:] == [2.0, 0, 1.0, 0, 0, 3.0]
    assert by_name["Community events"][2:] == [3.0, 0, 0, 0, 2.0, 5.0]
    assert rows[-1][0] == "Total" and rows[-1][-1] == "=SUM(H2:H13)"


def test_a_hostile_name_stays_text_in_the_workbook(cli: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    cli.ok("init", "--name", "=HYPERLINK(\"http://x\",\"y\")")
    cli.ok("member", "add", "Siân", "--joined", "2026-01-05", "--area", "=1+1")
    cli.ok("member", "add", "Llinos", "--joined", "2026-01-05", "--area", "=1+1")
    cli.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    cli.ok("settings", "set", "hour_value", "10")
    cli.ok("settings", "set", "hour_value_source", "@SUM(1)")
    path = tmp_path / "hostile.xlsx"
    cli.ok("export", "workbook", "--output", str(path), "--min-count", "1")
    book = load_workbook(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert "=HYPERLINK(\"http://x\",\"y\")" in texts and "@SUM(1)" in texts and "=1+1" in texts
    assert all(cell.value.startswith("=SUM(") for cell in cells if cell.data_type == "f")


@needs_libreoffice
@needs_poppler
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_libreoffice_opens_the_workbook(story: Cli, tmp_path: Path, lang: str) -> None:
    words = words_for(lang)
    workbook_of(story, tmp_path / "pack.xlsx", lang=lang)
    pdf = libreoffice(tmp_path, tmp_path / "pack.xlsx", "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for heading in ("What each figure means", "Hours exchanged", "Members trading", "Category",
                    "All areas and the pot"):
        assert words._(heading) in text, heading
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                             check=True).stdout).group(1))  # type: ignore
    assert pages >= 4
    # LibreOffice recalculates every formula (forced, whatever the file says): the total row
    # is the sum of the periods above it.
    rows = list(csv.reader(io.StringIO(libreoffice(tmp_path, tmp_path / "pack.xlsx", "csv", sheet=2).read_text(
        encoding="utf-8"))))
    header, data = rows[0], []
    for row in rows[1:]:
        if not any(row):
            break
        data.append(row)
    total = rows[len(data) + 2]
    assert total[0] == words._("Total")
    from timebank.ledger.reports.period_figures import FIGURES

    for index, figure in enumerate(FIGURES, start=4):
        if figure.additive:
            assert Decimal(total[index]) == sum(Decimal(row[index] or "0") for row in data), figure.key
            assert Decimal(total[index]) == Decimal(str(json_value_in_sheet(EXPECTED_TOTAL[figure.key], figure.unit))
                                                    if figure.key != "social_value_gbp" else "187.50"), figure.key
    assert header[5] == words._("Hours exchanged")


LIBREOFFICE_RECALCULATES = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def libreoffice(folder: Path, source: Path, to: str, sheet: int | None = None) -> Path:
    """Convert with LibreOffice headless, in a profile of its own that recalculates every
    formula on load (so a total proves its formula, not the value stored beside it)."""
    profile = folder / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(LIBREOFFICE_RECALCULATES, encoding="utf-8")
    out = folder / f"lo-{to}"
    target = to if sheet is None else f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet}"
    program = shutil.which("libreoffice") or shutil.which("soffice")
    result = subprocess.run([str(program), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                             target, "--outdir", str(out), str(source)], capture_output=True, text=True, timeout=300,
                            env={k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")})
    made = sorted(out.glob(f"*.{to}"))
    assert made, result.stdout + result.stderr
    return made[0]


# Areas: no blank can be worked out --------------------------------------------------------------

AREA_KEYS = ["members", "members_active", "hours_given", "hours_received"]


def test_areas_add_up_and_hide_what_they_blank(story: Cli, tmp_path: Path) -> None:
    whole = ["--from", "2025-04-01", "--to", "2026-05-20"]
    true = {r["area"]: r for r in read_csv(story.ok("export", "areas", *whole, "--min-count", "1").out)}
    # On paper: CF32 holds Siân, Llinos and Canolfan; CF31 Rhys and Mair; Tom has no area.
    # Given: CF32 2:00 + 1:30 + 1:00 (Siân) + 1:00 + 3:00 (Llinos) + 2:00 (Canolfan) = 10.50;
    # CF31 3:00 (Rhys); Tom 1:00; the pot 0:30. Received: CF32 2:00 + 1:00 (Llinos) + 1:00 +
    # 1:00 + 0:30 (Siân) + 3:00 (Canolfan) = 8.50; CF31 1:30 + 1:00 + 1:00 + 1:00 = 4.50; Tom 2:00.
    assert true == {
        "(no area)": {"area": "(no area)", "members": "1", "members_active": "1", "hours_given": "1.00",
                      "hours_received": "2.00"},
        "CF31": {"area": "CF31", "members": "2", "members_active": "2", "hours_given": "3.00",
                 "hours_received": "4.50"},
        "CF32": {"area": "CF32", "members": "3", "members_active": "3", "hours_given": "10.50",
                 "hours_received": "8.50"},
        "(time bank pot)": {"area": "(time bank pot)", "members": "0", "members_active": "0", "hours_given": "0.50",
                            "hours_received": "0.00"}}
    # The rows add up to the summary: members trading and hours exchanged.
    total = story.json("report", "period", *whole)["total"]
    assert sum(int(r["members_active"]) for r in true.values()) == total["members_trading"] == 6
    assert sum(Decimal(r["hours_given"]) for r in true.values()) == Decimal(total["hours"])
    assert sum(Decimal(r["hours_received"]) for r in true.values()) == Decimal(total["hours"])
    # Under 2, Tom's row is blanked; CF31, the smallest other, with it in every column.
    blanked = {r["area"]: r for r in read_csv(story.ok("export", "areas", *whole, "--min-count", "2").out)}
    assert blanked["(no area)"] | {"area": ""} == blanked["CF31"] | {"area": ""} == {
        "area": "", "members": "", "members_active": "", "hours_given": "", "hours_received": ""}
    assert blanked["CF32"] == true["CF32"] and blanked["(time bank pot)"] == true["(time bank pot)"]
    totals = {"members": Decimal(6), "members_active": Decimal(6), "hours_given": Decimal(total["hours"]),
              "hours_received": Decimal(total["hours"])}
    assert_no_single_subtraction(list(blanked.values()), true, totals)
    # The workbook's Areas sheet blanks the same cells, and its total row is the true total.
    from openpyxl import load_workbook

    path = tmp_path / "areas.xlsx"
    story.ok("export", "workbook", *whole, "--min-count", "2", "--output", str(path))
    sheet = load_workbook(path)["Areas"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Area", "Members", "Members trading", "Hours given", "Hours received"]
    cells = {row[0]: row[1:] for row in rows[1:] if row[0]}
    assert cells["(no area)"] == cells["CF31"] == [None, None, None, None]
    assert cells["CF32"] == [3, 3, 10.5, 8.5] and cells["(time bank pot)"] == [0, 0, 0.5, 0]
    assert cells["All areas and the pot"] == [6, 6, 15, 15]


def assert_no_single_subtraction(shown: list[dict[str, str]], true: dict[str, dict[str, str]],
                                 totals: dict[str, Decimal]) -> None:
    """Try every single subtraction: each column's total less every shown cell of it. If
    what is left belongs to one blank cell, that cell is recovered; it must belong to two or
    more (and so tell none of them)."""
    for key in AREA_KEYS:
        blank = [row["area"] for row in shown if row[key] == ""]
        left = totals[key] - sum(Decimal(row[key]) for row in shown if row[key] != "")
        assert left == sum(Decimal(true[area][key]) for area in blank), key
        for area in blank:
            assert len(blank) >= 2, (key, area, f"{totals[key]} less the rest gives {left}")


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["", "CF31", "CF32", "CF33", "CF34", "CF35", "SA1"]),
                       st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 900), st.integers(0, 900)),
                       min_size=1, max_size=7),
       st.one_of(st.none(), st.tuples(st.integers(0, 300), st.integers(0, 300))),
       st.integers(1, 8))
def test_no_blank_is_the_total_less_the_rest(areas: dict, pot: Any, min_count: int) -> None:
    """Any areas, any pot, any threshold: in every column, a blank cell never stands alone
    (unless the total is blanked too), the cells shown are true, and the total is true."""
    from timebank.ledger.reports.figures import AREA_COLUMNS, blank_small

    true = {area: {"members": max(m, a), "members_active": a, "minutes_given": g, "minutes_received": r}
            for area, (m, a, g, r) in areas.items()}
    pot_cells = None if pot is None else {"members": 0, "members_active": 0, "minutes_given": pot[0],
                                          "minutes_received": pot[1]}
    figures = blank_small(true, pot_cells, min_count)
    for column in AREA_COLUMNS:
        cells = [getattr(row, column) for row in figures.rows]
        total = getattr(figures.total, column)
        true_total = sum(v[column] for v in true.values()) + (pot_cells or {}).get(column, 0)
        assert total in (None, true_total)
        blanks = [c for c in cells if c is None]
        if total is not None:
            assert len(blanks) != 1, (column, figures)
        for row in figures.rows:
            value = getattr(row, column)
            expected = pot_cells[column] if row.pot else true[row.area][column]  # type: ignore[index]
            assert value in (None, expected)
            if not row.pot and column in ("members", "members_active") and true[row.area][column] < min_count:
                assert value is None


# The one-page report -----------------------------------------------------------------------------

def pdf_pages(path: Path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+(.+)$", info, re.M).group(1)  # type: ignore[union-attr]
    return pages, size


def headline_in_pdf(text: str, label: str) -> str:
    match = re.search(re.escape(label) + r"\s+(£?[\d,]+(?:\.\d+)?|none|dim)\b", text)
    assert match, (label, text[:3000])
    return match.group(1)


def check_one_page(cli: Cli, tmp_path: Path, lang: str, *span: str) -> dict[str, Any]:
    from timebank.render.figures import RETENTION_LABELS
    from timebank.ledger.reports.period_figures import BY_KEY

    words = words_for(lang)
    path = tmp_path / f"page-{lang}-{span[1] if span else 'all'}.pdf"
    result = cli.ok("report", "period", *span, "--output", str(path), lang=lang)
    assert str(path) in result.err
    pages, size = pdf_pages(path)
    assert pages == 1 and size.startswith("841.89 x 595.2"), size  # A4 landscape
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    data = cli.json("report", "period", *span)
    total = data["total"]
    labels = {key: words._(BY_KEY[key].label) for key in (
        "exchanges", "hours", "hours_person_to_person", "hours_with_organisations", "members_registered",
        "members_trading", "members_giving", "members_receiving", "members_both", "members_new", "members_left",
        "members_welsh", "days_to_first_exchange_median", "requests_opened", "requests_met", "median_days_to_meet")}
    labels |= {f"retained_{months}m": words._(RETENTION_LABELS[months]) for months in (3, 6, 12)}
    for key, label in labels.items():
        shown = headline_in_pdf(text, label)
        expected = total[key]
        if expected is None:
            assert shown == words._("none"), key
        else:
            assert shown == (f"{expected:g}" if isinstance(expected, float) else str(expected)), key
    if data["hour_value"] is not None:
        assert headline_in_pdf(text, words._("Social value")) == f"£{Decimal(total['social_value_gbp']):,.2f}"
        assert data["hour_value"] in text
    return {"text": text, "total": total}


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_one_page_shows_the_json_figures(story: Cli, tmp_path: Path, lang: str) -> None:
    words = words_for(lang)
    page = check_one_page(story, tmp_path, lang, *SPAN)
    text = page["text"]
    assert "Banc Amser Garw" in text
    assert words._("Top categories") in text and words._("Hours exchanged each month") in text
    assert "Real Living Wage" in text
    # The top categories, by hours, in the reader's language.
    first = "Community events" if lang == "en" else "Digwyddiadau cymunedol"
    assert re.search(re.escape(first) + r"\s+5\.00\s+33%", text), text
    assert not any(private in text for private in PRIVATE)


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_one_page_on_the_demo_ledger(cli: Cli, tmp_path: Path, lang: str) -> None:
    cli.ok("demo", "--members", "40", "--seed", "5")
    cli.ok("settings", "set", "hour_value", "12.50")
    cli.ok("settings", "set", "hour_value_source", "Real Living Wage 2026-27 (Living Wage Foundation), "
                                                   "the rate the county council uses in its own reports")
    check_one_page(cli, tmp_path, lang, "--from", "2025-04-01", "--to", "2026-03-31")
    # Three years of months are drawn as quarters, and still on one page.
    check_one_page(cli, tmp_path, lang, "--from", "2023-04-01", "--to", "2026-05-20")


@needs_poppler
def test_a_page_that_would_run_over_is_made_compact(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--name", "Banc Amser " + "Cwm Garw a'r Cylch " * 9)
    cli.ok("member", "add", "Siân", "--joined", "2026-01-05")
    cli.ok("member", "add", "Llinos", "--joined", "2026-01-05")
    for index in range(14):
        code = f"help{index}"
        cli.ok("category", "add", code, "--en", f"Help of the {index}th kind, " + "with many words " * 4,
               "--cy", f"Cymorth rhif {index}, " + "gyda llawer o eiriau " * 4)
        cli.ok("record", "Siân", "Llinos", f"{index + 1}", "--date", "2026-02-01", "--category", code,
               "--allow-overdraft")
    check_one_page(cli, tmp_path, "en", "--from", "2026-01-01", "--to", "2026-03-31")


# The demo ledger ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> "Path | str":
    from timebank.cli.main import run

    path = fresh_db(tmp_path_factory.mktemp("demo"), "demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIMEBANK_TODAY", TODAY)
        patch.setenv("TIMEBANK_USER", "tester")
        assert run(["--db", str(path), "--lang", "en", "demo", "--members", "40", "--seed", "11"]) == 0
        assert run(["--db", str(path), "settings", "set", "hour_value", "11.90"]) == 0
    return path


def test_the_demo_figures_hang_together(demo_db: "Path | str", capsys: pytest.CaptureFixture[str]) -> None:
    demo = Cli(demo_db, capsys)
    span = ["--from", "2025-04-01", "--to", "2026-05-20"]
    months = demo.json("report", "period", *span)
    quarters = demo.json("report", "period", *span, "--by", "quarter")
    years = demo.json("report", "period", *span, "--by", "year")
    assert months["total"] == quarters["total"] == years["total"]
    exchanges = demo.json("exchange", "list", "--from", span[1], "--to", span[3])
    members = {m["number"]: m for m in demo.json("member", "list", "--all")}
    total = months["total"]
    assert total["exchanges"] == len(exchanges)
    assert total["minutes_exchanged"] == sum(e["minutes"] * len(e["givers"]) * len(e["receivers"]) for e in exchanges)
    between_people = sum(e["minutes"] * len(e["givers"]) * len(e["receivers"]) for e in exchanges
                         if all(members.get(n, {}).get("kind") == "person" for n in e["givers"] + e["receivers"]))
    assert total["minutes_person_to_person"] == between_people
    givers = {n for e in exchanges for n in e["givers"] if n != 0}
    receivers = {n for e in exchanges for n in e["receivers"] if n != 0}
    assert total["members_giving"] == len(givers) and total["members_receiving"] == len(receivers)
    assert total["members_trading"] == len(givers | receivers) and total["members_both"] == len(givers & receivers)
    for report in (months, quarters, years):
        for line in report["periods"] + [report["total"]]:
            for key in ("members_registered", "members_trading", "members_giving", "members_receiving",
                        "members_both"):
                assert line[key] == line[f"{key}_people"] + line[f"{key}_organisations"], key
            assert line["members_both"] <= min(line["members_giving"], line["members_receiving"])
            assert line["members_trading"] <= line["members_giving"] + line["members_receiving"]
            assert line["members_welsh"] <= line["members_registered"]
            for n in (3, 6, 12):
                assert line[f"retained_{n}m"] <= line[f"cohort_{n}m"]
            assert Decimal(line["hours_person_to_person"]) + Decimal(line["hours_with_organisations"]) == \
                Decimal(line["hours"])
        for key in ("exchanges", "minutes_exchanged", "members_new", "members_left", "requests_opened",
                    "requests_met"):
            assert sum(p[key] for p in report["periods"]) == report["total"][key], key
    # Each month agrees with the monthly report, the one definition of its headline figures.
    for line in months["periods"][:-1]:
        monthly = demo.json("report", "monthly", "--month", line["period"])
        for key in ("exchanges", "minutes_exchanged", "members_active", "members_new", "members_left",
                    "members_total", "requests_opened", "requests_met", "median_days_to_meet"):
            assert line[key] == monthly[key], (line["period"], key)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_demo_workbook_agrees_with_the_json(demo_db: "Path | str", capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path, lang: str) -> None:
    from openpyxl import load_workbook
    from timebank.ledger.reports.period_figures import FIGURES

    demo = Cli(demo_db, capsys)
    words = words_for(lang)
    path = tmp_path / "demo.xlsx"
    demo.ok("export", "workbook", "--from", "2025-04-01", "--to", "2026-05-20", "--output", str(path), lang=lang)
    header, data, total = summary_rows(load_workbook(path)[words._("Summary")])
    periods = demo.json("report", "period", "--from", "2025-04-01", "--to", "2026-05-20")["periods"]
    assert len(data) == len(periods) == 14
    for row, period in zip(data, periods):
        for figure, cell in zip(FIGURES, row[4:]):
            expected = json_value_in_sheet(period[figure.key], figure.unit)
            assert (cell is None) if expected is None else cell == pytest.approx(expected, abs=0.005), figure.key
    csv_rows = read_csv(demo.ok("export", "summary", "--from", "2025-04-01", "--to", "2026-05-20").out)
    for row, period in zip(csv_rows, periods):
        assert row["members_trading"] == str(period["members_trading"])
        assert row["retained_6m"] == str(period["retained_6m"])
        assert row["social_value_gbp"] == period["social_value_gbp"]


# Report CSVs: --output, --excel, the headline figures ---------------------------------------------

def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def sections(text: str) -> list[list[list[str]]]:
    blocks: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        if not row:
            blocks.append([])
        else:
            blocks[-1].append(row)
    return blocks


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_report_csvs_carry_the_headline_figures(story: Cli, tmp_path: Path, lang: str) -> None:
    words = words_for(lang)
    path = tmp_path / "period.csv"
    story.ok("report", "period", *SPAN, "--by", "quarter", "--output", str(path), "--excel", lang=lang)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    headline, periods = sections(raw.decode("utf-8"))
    assert headline[0] == [words._("figure"), words._("value")]
    figures = {row[0]: row[1] for row in headline[1:]}
    for key in ("exchanges", "hours", "members_trading", "members_both_people", "retained_12m", "requests_met",
                "social_value_gbp", "median_days_to_meet", "days_to_first_exchange_median", "partial"):
        expected = EXPECTED_TOTAL[key]
        shown = {True: "true", False: "false"}.get(expected, f"{expected:g}" if isinstance(expected, float)
                                                   else str(expected))
        assert figures[words._(key)] == shown, key
    assert figures[words._("hour_value_source")] == "Real Living Wage"
    # Then the periods, as export summary has them (in hours, no total row).
    assert periods[0] == next(csv.reader(io.StringIO(story.ok("export", "summary", *SPAN, "--by", "quarter",
                                                              lang=lang).out)))
    assert [row[0] for row in periods[1:]] == [label.replace("Q", words._("Q")) for label in LABELS]
    # The monthly report: its headline figures, a row a member (in hours, the month on each,
    # a total row), then the categories.
    monthly = tmp_path / "monthly.csv"
    story.ok("report", "monthly", "--month", "2026-01", "--output", str(monthly), lang=lang)
    figures_block, members_block, categories_block = sections(monthly.read_text(encoding="utf-8"))
    assert dict(figures_block[1:])[words._("hours")] == "3.00"
    assert members_block[0][:2] == [words._("month"), words._("member")]
    assert members_block[-1][:2] == ["2026-01", words._("total")] and members_block[-1][3:5] == ["3.00", "3.00"]
    assert categories_block[1] == [{"en": "teaching", "cy": "addysgu"}[lang], "1", "3.00"]


@pytest.mark.parametrize("args,code", [
    (["export", "workbook"], 2),                                              # no --output
    (["export", "workbook", "--output", "pack.csv"], 2),                      # not .xlsx
    (["export", "workbook", "--output", "pack.xlsx", "--with-names"], 2),     # never names
    (["export", "workbook", "--output", "pack.xlsx", "--excel"], 2),
    (["export", "workbook", "--output", "pack.xlsx", "--from", "2027-01-01"], 1),  # has not come yet
    (["report", "period", *SPAN, "--format", "pdf"], 2),                      # a PDF needs a file
    (["report", "period", *SPAN, "--excel", "--format", "json"], 2),
    (["report", "period", *SPAN, "--output", "p.txt"], 2),
    (["report", "period", *SPAN, "--by", "week"], 2),
    (["report", "monthly", "--month", "2026-01", "--output", "m.pdf"], 2),
    (["report", "monthly", "--month", "2026-01", "--format", "table", "--output", "m.csv"], 2),
])
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_refusals_write_nothing(story: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str],
                                code: int, lang: str) -> None:
    monkeypatch.chdir(tmp_path)
    before = dump(story.db)
    refused = story(*args, lang=lang)
    assert refused.code == code, refused
    assert refused.err.strip() and "Traceback" not in refused.err
    if code == 1:
        assert len(refused.err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
    assert dump(story.db) == before


def test_period_figures_use_a_fixed_number_of_queries(tmp_path: Path) -> None:
    from sqlalchemy import event

    from timebank.ledger.records import settings as settings_module
    from timebank.ledger.storage.db import open_ledger, reading, writing
    from timebank.ledger.records.exchanges import record_exchange
    from timebank.ledger.records.members import add_member
    from timebank.ledger.reports.period_figures import period_report
    from timebank.ledger.schema import initialise

    def count(name: str, members: int) -> int:
        ledger = open_ledger(str(fresh_db(tmp_path, name)), create=True)
        initialise(ledger, "t", name=None, lang="en")
        with writing(ledger) as session:
            settings = settings_module.load(session)
            people = [add_member(session, "t", name=f"Person {i}", joined=date(2025, 1, 1)) for i in range(members)]
            for index, person in enumerate(people[1:]):
                record_exchange(session, "t", settings, givers=[people[0]], receivers=[person], minutes=60,
                                on=date(2025, 1 + index % 12, 1 + index % 28), category="other", lang="en")
        statements: list[str] = []
        event.listen(ledger.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        with reading(ledger) as session:
            period_report(session, settings_module.load(session), date(2025, 1, 1), date(2026, 5, 20), "quarter")
        ledger.dispose()
        return len(statements)

    assert count("small", 3) == count("large", 80)


@pytest.mark.parametrize("readme,heading", [("README.md", "## The funder pack"),
                                            ("README.cy.md", "## Pecyn y cyllidwyr")])
def test_the_readmes_funder_pack_runs_as_written(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 readme: str, heading: str) -> None:
    import shlex

    text = (Path(__file__).resolve().parent.parent / readme).read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text[text.index(heading):], re.DOTALL).group(1)  # type: ignore
    commands = [shlex.split(line, comments=True)[1:] for line in block.splitlines() if line.startswith("timebank")]
    assert len(commands) >= 7
    monkeypatch.chdir(tmp_path)
    cli.ok("demo", "--members", "20")
    for words in commands:
        result = cli(*words)
        assert result.code == 0, (readme, words, result.err)
    written = sorted(path.suffix for path in tmp_path.iterdir() if path.suffix in (".pdf", ".xlsx", ".csv"))
    assert written == [".csv", ".pdf", ".xlsx"]
    if shutil.which("pdfinfo"):
        assert pdf_pages(next(tmp_path.glob("*.pdf")))[0] == 1


# The seal (issue 17) ----------------------------------------------------------------------------

@needs_poppler
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_funder_files_carry_the_seal_of_their_period(ledger: Cli, tmp_path: Path, lang: str) -> None:
    """The one-page report and the workbook's About sheet print the seal of the history their
    figures were made from; `check --seal` proves it, `--seal` makes the same figures again after
    later writes, and a later change to that history breaks it."""
    from conftest import execute_sql

    words = words_for(lang)
    ledger.ok("record", "1", "2", "1.5", "--date", "2026-02-10")
    ledger.ok("record", "2", "3", "2", "--date", "2026-03-05")
    span = ["--from", "2026-01-01", "--to", "2026-03-31"]
    page = tmp_path / "page.pdf"
    ledger.ok("report", "period", *span, "--output", str(page), lang=lang)
    text = subprocess.run(["pdftotext", "-layout", str(page), "-"], capture_output=True, text=True,
                          check=True).stdout
    label = words._("Seal of the history these figures were made from: {seal}").split("{seal}")[0]
    on_page = re.search(re.escape(label) + r"(#\d+ [0-9a-f]{16})", text)
    assert on_page, text[:2000]
    seal = on_page.group(1)
    ledger.ok("export", "workbook", *span, "--output", str(tmp_path / "book.xlsx"), lang=lang)
    from openpyxl import load_workbook

    about = {row[0]: row[1] for row in load_workbook(tmp_path / "book.xlsx").worksheets[0].iter_rows(values_only=True)
             if row and row[0]}
    assert about[words._("Seal of the history these figures were made from")] == seal
    # What is recorded since, even back-dated into the period, leaves the seal standing, and the
    # figures made at it are the figures sent.
    sent = ledger.ok("report", "period", *span, "--format", "csv", lang=lang).out
    ledger.ok("record", "3", "1", "1", "--date", "2026-03-20")
    assert ledger.ok("report", "period", *span, "--format", "csv", lang=lang).out != sent
    assert ledger.ok("report", "period", *span, "--format", "csv", "--seal", seal, lang=lang).out == sent
    assert ledger("check", "--seal", seal).code == 0
    execute_sql(ledger.db, "UPDATE exchanges SET minutes = 150 WHERE number = 2")
    assert ledger("check", "--seal", seal).code == 1


# Figures that add up as shown (issue 25) ---------------------------------------------------------
#
# A ledger of odd minutes, where rounding each month to two decimals moves the sum of the
# months away from the whole year's hours rounded once (the auditor's 1549.16 against
# 1549.17), and an hour value (12.60) that makes pennies of it.

ODD_SPAN = ["--from", "2025-04-01", "--to", "2026-03-31"]
HOUR_VALUE = Decimal("12.60")


@pytest.fixture(scope="module")
def odd_db(tmp_path_factory: pytest.TempPathFactory) -> "Path | str":
    from timebank.cli.main import run

    path = fresh_db(tmp_path_factory.mktemp("odd"), "odd")
    steps = [["init", "--name", "Banc Munudau"],
             ["member", "add", "Siân", "--joined", "2025-04-01"], ["member", "add", "Llinos", "--joined", "2025-04-01"],
             ["member", "add", "Canolfan", "--kind", "organisation", "--joined", "2025-04-01"]]
    for index in range(24):
        month = 4 + index // 2
        day = f"{'2025' if month <= 12 else '2026'}-{(month - 1) % 12 + 1:02d}-{10 + index % 2 * 7:02d}"
        steps.append(["record", "Siân", "Llinos", f"0:{index * 7 % 59 + 1:02d}", "--date", day])
        steps.append(["record", "Llinos", "Canolfan", f"0:{index * 13 % 59 + 1:02d}", "--date", day])
    steps += [["exchange", "void", "3", "--reason", "Typed twice"], ["settings", "set", "hour_value", str(HOUR_VALUE)]]
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("TIMEBANK_DB", "TIMEBANK_LANG", "LC_ALL", "LANG"):
            patch.delenv(variable, raising=False)
        patch.setenv("TIMEBANK_USER", "tester")
        patch.setenv("TIMEBANK_TODAY", TODAY)
        for args in steps:
            assert run(["--db", str(path)] + args) == 0, args
    return path


@pytest.fixture
def odd(odd_db: "Path | str", capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(odd_db, capsys)


def exact(value: Any) -> Decimal:
    """A cell's number as the decimal it was written from (a float's shortest repr)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def about_values(book: Any, words: Any) -> dict[str, Any]:
    """About's 'The whole period' column by figure label, and its details by label."""
    rows = [row for row in book[words._("About")].iter_rows(values_only=True) if row and row[0]]
    return {row[0]: (row[2] if len(row) > 2 and row[2] is not None else row[1]) for row in rows}


@pytest.mark.parametrize("by", ["month", "quarter"])
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_total_is_the_sum_of_the_figures_shown(odd: Cli, tmp_path: Path, lang: str, by: str) -> None:
    from openpyxl import load_workbook
    from timebank.ledger.basics.hours import format_hours
    from timebank.ledger.reports.period_figures import FIGURES

    words = words_for(lang)
    path = tmp_path / "odd.xlsx"
    odd.ok("export", "workbook", *ODD_SPAN, "--by", by, "--output", str(path), lang=lang)
    book = load_workbook(path)
    header, data, total = summary_rows(book[words._("Summary")])
    about = about_values(book, words)
    json = odd.json("report", "period", *ODD_SPAN, "--by", by)
    # The ledger bites: the periods rounded one by one do not add up to the whole rounded once.
    assert sum(Decimal(format_hours(p["minutes_exchanged"])) for p in json["periods"]) != \
        Decimal(json["total"]["hours"])
    column = {figure.key: header.index(words._(figure.label)) for figure in FIGURES}
    for figure in FIGURES:
        if not figure.additive:
            continue
        cells = [exact(row[column[figure.key]]) for row in data]
        if figure.unit in ("minutes", "pounds"):
            # Stored as shown: no hidden third decimal for a SUM to find.
            assert all(cell == cell.quantize(Decimal("0.01")) for cell in cells), figure.key
        # The SUM below the periods and About's whole period: the sum of the cells, exactly.
        assert sum(cells) == exact(about[words._(figure.label)]), figure.key
        letter = book[words._("Summary")].cell(row=1, column=column[figure.key] + 1).column_letter
        assert total[column[figure.key]] == f"=SUM({letter}2:{letter}{1 + len(data)})"
    hours = [exact(row[column["hours"]]) for row in data]
    # Each period's hours as JSON shows them; the parts of the hours add up in every row.
    assert hours == [Decimal(p["hours"]) for p in json["periods"]]
    for row in data:
        assert exact(row[column["hours_person_to_person"]]) + exact(row[column["hours_with_organisations"]]) == \
            exact(row[column["hours"]])
    # Social value: the hours total times the value of an hour, to the penny, and the sum of
    # the periods' values; each period within a penny of its own hours times the value.
    social = [exact(row[column["social_value_gbp"]]) for row in data]
    whole = exact(about[words._("Social value (£)")])
    assert whole == (sum(hours) * HOUR_VALUE).quantize(Decimal("0.01")) == sum(social)
    assert all(abs(value - h * HOUR_VALUE) < Decimal("0.01") for value, h in zip(social, hours))
    # Categories: each row's whole period is the sum of its periods, each total the sum above.
    rows = [list(row) for row in book[words._("Categories")].iter_rows(values_only=True)]
    body = [row for row in rows[1:] if row[0] and row[0] != words._("Total")]
    for row in body:
        assert exact(row[-1]) == sum(exact(cell) for cell in row[2:-1]), row[0]
    assert sum(exact(row[-1]) for row in body) == sum(hours)
    # The rule is said on About, in the reader's language.
    from timebank.render.figures import ROUNDING_RULE

    assert words._(ROUNDING_RULE) in about
    if lang == "cy":
        assert any(isinstance(k, str) and k.startswith("Cedwir pob ffigur fel y'i dangosir") for k in about)


@needs_poppler
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_page_agrees_with_the_workbook_and_says_how_to_reproduce_it(odd: Cli, tmp_path: Path,
                                                                          lang: str) -> None:
    from openpyxl import load_workbook

    words = words_for(lang)
    odd.ok("export", "workbook", *ODD_SPAN, "--by", "quarter", "--output", str(tmp_path / "odd.xlsx"), lang=lang)
    about = about_values(load_workbook(tmp_path / "odd.xlsx"), words)
    page = tmp_path / "odd.pdf"
    odd.ok("report", "period", *ODD_SPAN, "--by", "quarter", "--output", str(page), lang=lang)
    assert pdf_pages(page)[0] == 1
    text = subprocess.run(["pdftotext", "-layout", str(page), "-"], capture_output=True, text=True,
                          check=True).stdout
    for key in ("Hours exchanged", "Hours between people", "Hours with organisations"):
        assert Decimal(headline_in_pdf(text, words._(key))) == exact(about[words._(key)]), key
    assert headline_in_pdf(text, words._("Social value")) == f"£{exact(about[words._('Social value (£)')]):,.2f}"
    # The bars (by quarter, as the report) add up to the total printed.
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if words._("Hours exchanged each quarter") in line)
    bottom = next(i for i, line in enumerate(lines) if "2025-26 " in line and i > top)
    bars = [Decimal(v) for line in lines[top + 1:bottom] for v in re.findall(r"\d+\.\d\d", line[60:])]
    assert len(bars) == 4, lines[top:bottom]
    assert sum(bars) == Decimal(headline_in_pdf(text, words._("Hours exchanged")))
    # How to reproduce it: the seal and the command that computes the figures at that seal,
    # on the day they were made; run as printed after a later write, it gives them again.
    seal = about[words._("Seal of the history these figures were made from")]
    made = about[words._("Made on")]
    made = made.date().isoformat() if hasattr(made, "date") else str(made)
    command = (f'timebank report period --from 2025-04-01 --to 2026-03-31 --by quarter --seal "{seal}" '
               f'--made {made}')
    flat = " ".join(text.split())
    assert words._("To reproduce these figures: {command}").format(command=command) in flat, flat[:1500]
    assert about[words._("To reproduce this workbook")] == (
        f'timebank export workbook --from 2025-04-01 --to 2026-03-31 --by quarter --min-count 5 --seal "{seal}" '
        f'--made {made} --output figures.xlsx')
    import shlex

    sent = odd.ok("report", "period", *ODD_SPAN, "--by", "quarter", "--format", "json").out
    odd.ok("record", "1", "2", "1", "--date", "2025-05-05", "--again")
    assert odd.ok("report", "period", *ODD_SPAN, "--by", "quarter", "--format", "json").out != sent
    assert odd.ok(*shlex.split(command)[1:], "--format", "json").out == sent
    if lang == "cy":
        assert "I atgynhyrchu'r ffigurau hyn: timebank report period" in flat


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_partial_is_in_words_and_every_sheet_prints_a4_landscape_one_page_wide(story: Cli, tmp_path: Path,
                                                                                lang: str) -> None:
    words = words_for(lang)
    path = tmp_path / "pack.xlsx"
    book = workbook_of(story, path, lang=lang)
    _header, data, _total = summary_rows(book[words._("Summary")])
    assert [row[3] for row in data] == ({"en": ["yes", "no", "no", "no", "yes"], "cy": ["ie", "na", "na", "na", "ie"]}
                                        [lang])
    assert about_values(book, words)[words._("Partial")] == {"en": "yes", "cy": "ie"}[lang]
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9), sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # One page wide (1 is the file format's default when the attribute is left out), any number tall.
        assert setup.fitToWidth in (None, 1) and int(setup.fitToHeight) == 0, sheet.title
    with zipfile.ZipFile(path) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        chartsheets = [name for name in archive.namelist() if re.fullmatch(r"xl/chartsheets/sheet\d+\.xml", name)]
        assert charts and len(chartsheets) == len(charts)
        for name in charts:
            value_axis = re.search(r"<c:valAx>.*?</c:valAx>", archive.read(name).decode(), re.S).group(0)  # type: ignore
            assert re.search(r'<c:scaling>.*<c:min val="0"/>.*</c:scaling>', value_axis, re.S), value_axis
        for name in chartsheets:
            xml = archive.read(name).decode()
            assert 'paperSize="9"' in xml and 'orientation="landscape"' in xml, xml


@needs_libreoffice
@needs_poppler
@pytest.mark.slow
def test_libreoffice_recalculates_the_totals_to_about_and_prints_the_chart_whole(odd: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    words = words_for("en")
    odd.ok("export", "workbook", *ODD_SPAN, "--output", str(tmp_path / "odd.xlsx"))
    about = about_values(load_workbook(tmp_path / "odd.xlsx"), words)
    rows = list(csv.reader(io.StringIO(libreoffice(tmp_path, tmp_path / "odd.xlsx", "csv", sheet=2).read_text(
        encoding="utf-8"))))
    header, total = rows[0], next(row for row in rows if row and row[0] == "Total")
    for label in ("Hours exchanged", "Hours between people", "Hours with organisations", "Social value (£)"):
        # Recalculated by LibreOffice, shown to two decimals: About's figure to the penny.
        assert Decimal(total[header.index(label)].replace(",", "")) == exact(about[label]), label
    pdf = libreoffice(tmp_path, tmp_path / "odd.xlsx", "pdf")
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    # The Summary is one page wide: its first column and its last (social value) on one page.
    last = f"{exact(about['Social value (£)']):,.2f}"
    assert any("Period" in page and "Total" in page and last in page for page in pages), last
    # The chart on a page of its own: its title and every month, nothing of the tables.
    chart = [page for page in pages if all(f"2025-{month:02d}" in page for month in range(5, 13))
             and "Total" not in page and "A prosperous Wales" not in page]
    assert len(chart) == 1 and "Hours exchanged" in chart[0], pages


@given(st.lists(st.integers(0, 100_000), min_size=1, max_size=40), st.integers(1, 5_000))
@hypothesis_settings(max_examples=300, deadline=None)
def test_shares_of_social_value_add_up_to_the_total(hundredths: list[int], pence: int) -> None:
    from timebank.render.figures import pennies

    hours = [Decimal(h) / 100 for h in hundredths]
    value = Decimal(pence) / 100
    total = (sum(hours) * value).quantize(Decimal("0.01"))
    shares = pennies([h * value for h in hours], total)
    assert sum(shares) == total
    assert all(share == share.quantize(Decimal("0.01")) and abs(share - h * value) < Decimal("0.01")
               for share, h in zip(shares, hours))
