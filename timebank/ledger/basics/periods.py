"""Periods a funder counts in: months, and the quarters and years of a financial year that
starts in any month (`year_start`: 4, April, for the UK's).

A period's label is a code, the same in JSON and every file: '2026-04' for a month,
'2026-27 Q1' for the first quarter of the year that starts in April 2026, '2026-27' for
that year ('2026 Q1' and '2026' when the year starts in January). A Welsh reader sees Ch
for Q (`timebank.render.sheet.period_words`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from timebank.ledger.basics.dates import add_months, month_end, month_of

BY = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    kind: str            # month, quarter, year
    first: date          # its first day, whatever the dates asked for
    last: date           # its last day
    label: str           # '2026-04', '2026-27 Q1', '2026-27'
    year: str            # the financial year it falls in: '2026-27' ('2026' when years start in January)
    quarter: int | None  # 1-4 for a quarter


def year_of(day: date, year_start: int) -> int:
    """The calendar year in which the financial year holding `day` began."""
    return day.year if day.month >= year_start else day.year - 1


def year_label(first_year: int, year_start: int) -> str:
    """'2026-27' for a year that starts in April 2026; '2026' for one that starts in January."""
    if year_start == 1:
        return str(first_year)
    return f"{first_year}-{(first_year + 1) % 100:02d}"


def period_of(day: date, by: str, year_start: int = 4) -> Period:
    """The month, quarter or year that `day` falls in."""
    fy = year_of(day, year_start)
    year = year_label(fy, year_start)
    if by == "month":
        first = day.replace(day=1)
        return Period("month", first, month_end(first), month_of(first), year, None)
    year_first = date(fy, year_start, 1)
    if by == "quarter":
        index = ((day.month - year_start) % 12) // 3
        first = add_months(year_first, 3 * index)
        return Period("quarter", first, month_end(add_months(first, 2)), f"{year} Q{index + 1}", year, index + 1)
    if by == "year":
        return Period("year", year_first, month_end(add_months(year_first, 11)), year, year, None)
    raise ValueError(by)


def split(start: date, end: date, by: str, year_start: int = 4) -> list[Period]:
    """Every month, quarter or year that overlaps `start`..`end`, in order."""
    periods: list[Period] = []
    cursor = start
    while cursor <= end:
        period = period_of(cursor, by, year_start)
        periods.append(period)
        cursor = period.last + timedelta(days=1)
    return periods


def months_before(day: date, count: int) -> date:
    """The same day `count` months earlier, or the last day of that month if it is shorter
    (31 May -> 28 February, three months before)."""
    first = add_months(day.replace(day=1), -count)
    return first.replace(day=min(day.day, month_end(first).day))


def months_in(start: date, end: date) -> list[str]:
    """The month keys ('YYYY-MM') of every month that overlaps `start`..`end`."""
    keys = []
    cursor = start.replace(day=1)
    while cursor <= end:
        keys.append(month_of(cursor))
        cursor = add_months(cursor, 1)
    return keys
