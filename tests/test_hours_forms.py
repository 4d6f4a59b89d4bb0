"""Hours as a paper sheet writes them (issue 27): every form gives its whole minutes, and a
slip is refused with one clear line in the reader's language, the ledger unchanged."""

from __future__ import annotations

import pytest

from conftest import Cli
from refusal import refused
from timebank.ledger.basics.hours import parse_hours
from timebank.ledger.errors import InvalidInput

FORMS = [
    # What worked before issue 27.
    ("1.5", 90), ("1,5", 90), ("2", 120), ("1:30", 90), ("90m", 90), ("1h30m", 90), ("1h", 60), ("45m", 45),
    ("0:01", 1), ("1.5h", 90),
    # Hours and minutes with their units, as people write them.
    ("1h30", 90), ("1h 30", 90), ("1 h 30 m", 90), ("1hr", 60), ("1 hr", 60), ("2 hrs", 120), ("2hrs", 120),
    ("90 mins", 90), ("90min", 90), ("90 minutes", 90), ("1 minute", 1), ("1.5hrs", 90), ("1,5 hrs", 90),
    ("1 hour", 60), ("3 hours", 180), ("2 hours 15 minutes", 135), ("2 hours 15", 135),
    ("1 hour and 30 minutes", 90), ("1H30", 90), ("2 HRS", 120), ("  1h   30  ", 90), ("1h\t30", 90),
    # Vulgar fractions.
    ("½", 30), ("1½", 90), ("1¼", 75), ("¾", 45), ("2¾", 165), ("1½ hours", 90), ("1½h", 90), ("½ hour", 30),
    # Welsh.
    ("2 awr", 120), ("2awr", 120), ("1 awr 30 munud", 90), ("1 awr 30", 90), ("45 munud", 45),
    ("1 awr a 30 munud", 90), ("1,5 awr", 90), ("½ awr", 30), ("1½ awr", 90), ("3 oriau", 180),
    ("awr", 60), ("Awr a Hanner", 90), ("awr a hanner", 90), ("awr a chwarter", 75), ("hanner awr", 30),
    ("chwarter awr", 15), ("tri chwarter awr", 45), ("un awr", 60), ("dwy awr", 120), ("tair awr", 180),
    ("pedair awr", 240), ("pum awr", 300), ("deg awr", 600), ("un ar ddeg awr", 660), ("deuddeg awr", 720),
    ("dwy awr a hanner", 150), ("2 awr a hanner", 150), ("tair awr a chwarter", 195),
]


@pytest.mark.parametrize(("text", "minutes"), FORMS)
def test_every_form_gives_its_minutes(text: str, minutes: int) -> None:
    assert parse_hours(text) == minutes


# Each refusal and the message it must give (its English message id, start).
SLIPS = [
    ("abc", "is not an amount"), ("", "is not an amount"), ("1½½", "is not an amount"), ("1.5½", "is not an amount"),
    ("1h70", "is not an amount"),      # 70 minutes after the hours is a slip, not 2h10
    ("1 5", "is not an amount"),       # two numbers, not fifteen hours
    ("1 30", "is not an amount"), ("1.5h30", "is not an amount"), ("h", "is not an amount"),
    ("hours", "is not an amount"), ("and 30", "is not an amount"), ("1h and", "is not an amount"),
    ("1h30.5", "is not an amount"), ("nan", "is not an amount"), ("1e3", "is not an amount"),
    ("٣ awr", "is not an amount"), ("tair", "is not an amount"), ("hanner", "is not an amount"),
    ("ugain awr", "is not an amount"), ("1:60", "is not an amount"),
    ("1.5m", "is not a whole number"), ("90.5 mins", "is not a whole number"), ("0.01 hours", "is not a whole number"),
    ("1.01", "is not a whole number"),
    ("0", "at least one minute"), ("0 awr", "at least one minute"), ("-1", "at least one minute"),
    ("-1 hour", "at least one minute"), ("-½", "at least one minute"), ("0m", "at least one minute"),
]


@pytest.mark.parametrize(("text", "message"), SLIPS)
def test_slips_are_refused_with_their_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        parse_hours(text)
    assert message in refusal.value.phrase.format(text=text).msgid


@pytest.mark.parametrize("text", ["1h70", "abc", "1½½", "-1 hour", "1.5m"])
def test_the_command_line_refuses_a_slip_in_both_languages(ledger: Cli, text: str) -> None:
    results = refused(ledger, "record", "Siân", "Llinos", text)
    assert text in results["en"].err and text in results["cy"].err


@pytest.mark.parametrize("text", ["1h30", "1½", "awr a hanner", "90 mins"])
def test_the_command_line_records_a_paper_form(ledger: Cli, text: str) -> None:
    ledger.ok("record", "Siân", "Llinos", text)
    assert ledger.json("exchange", "list")[0]["minutes"] == 90
