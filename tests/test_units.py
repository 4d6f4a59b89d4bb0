"""Small pure functions: hours, dates, sorting."""

from __future__ import annotations

import pytest

from timebank.i18n import fold, sort_key
from timebank.ledger.errors import InvalidInput
from timebank.ledger.basics.hours import format_hours, parse_hours


@pytest.mark.parametrize(("text", "minutes"), [
    ("1.5", 90), ("1,5", 90), ("2", 120), ("1:30", 90), ("90m", 90), ("1h30m", 90), ("1h", 60), ("45m", 45),
    ("0.25", 15), ("1.75", 105), ("0:01", 1), (" 2 ", 120), ("1.5h", 90),
])
def test_parse_hours(text: str, minutes: int) -> None:
    assert parse_hours(text) == minutes


@pytest.mark.parametrize("text", ["0", "-1", "abc", "1.01", "", "0m", "1:60", "1h70", "h", "1..5", "nan", "inf",
                                  "1e3"])
def test_parse_hours_refuses(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_hours(text)


@pytest.mark.parametrize(("minutes", "text"), [(90, "1.50"), (-90, "-1.50"), (0, "0.00"), (20, "0.33"),
                                               (1, "0.02"), (-20, "-0.33"), (6000, "100.00")])
def test_format_hours(minutes: int, text: str) -> None:
    assert format_hours(minutes) == text


def test_welsh_order() -> None:
    names = "Llinos Lloyd Lowri Luned Rhian Rhodri Robert Thomas Tomos".split()
    assert sorted(names, key=lambda n: sort_key(n, "cy")) == \
        "Lowri Luned Llinos Lloyd Robert Rhian Rhodri Tomos Thomas".split()
    assert sorted(names, key=lambda n: sort_key(n, "en")) == names
    assert sorted(["Ŵyn", "Wyn", "Zoe", "Yvonne"], key=lambda n: sort_key(n, "cy"))[:2] in (["Wyn", "Ŵyn"],
                                                                                             ["Ŵyn", "Wyn"])
    assert fold("Gwenllïan LLŶR Siân") == "gwenllian llyr sian"
