"""Dates as a coordinator types them."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from typing import Iterator

from timebank.ledger.errors import InvalidInput
from timebank.ledger.messages import _


# The day a report is made again as it was first made (`made_on`).
_MADE: ContextVar[date | None] = ContextVar("timebank_made", default=None)


@contextmanager
def made_on(day: date | None) -> Iterator[None]:
    """Within the block `today()` is `day` (when given): a report made again at a seal on the
    day it was first made cuts its span and marks its periods partial as it did then."""
    token = _MADE.set(day)
    try:
        yield
    finally:
        _MADE.reset(token)


def today() -> date:
    """The local date. TIMEBANK_TODAY pins it, so tests and demos can be reproduced."""
    made = _MADE.get()
    if made is not None:
        return made
    pinned = os.environ.get("TIMEBANK_TODAY")
    if pinned:
        return _pinned_today(pinned)
    return date.today()


def _pinned_today(text: str) -> date:
    try:
        value = date.fromisoformat(text) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) else None
    except ValueError:
        value = None
    if value is None or not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidInput(_("TIMEBANK_TODAY must be a date written YYYY-MM-DD, between the years {first} and "
                             "{last}.").format(first=FIRST_YEAR, last=LAST_YEAR))
    return value


# Weekday names in both languages (Monday is 0, as date.weekday() counts), with the
# mutated forms a Welsh speaker writes ("ddydd Llun") and the short forms.
WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "thursday": 3, "thu": 3,
    "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
    "llun": 0, "mawrth": 1, "mercher": 2, "iau": 3, "gwener": 4, "sadwrn": 5, "sul": 6,
}


def _weekday(raw: str) -> int | None:
    """'monday', 'dydd llun', 'ddydd llun', 'llun' -> 0."""
    words = raw.replace("'", " ").split()
    if len(words) == 2 and words[0] in ("dydd", "ddydd"):
        words = words[1:]
    return WEEKDAYS.get(words[0]) if len(words) == 1 else None


def parse_date(text: str, *, allow_future: bool = False, now: date | None = None) -> date:
    """'YYYY-MM-DD', 'DD/MM/YYYY' or 'DD/MM/YY' (British order, never American),
    'today'/'heddiw', 'yesterday'/'ddoe', or a weekday in either language ('Monday',
    'dydd Llun'): the last such day before today, so that on a Monday 'Monday' is a week
    ago (today is 'today'). Never in the future, except as the end of a range."""
    raw = " ".join(text.strip().lower().split())
    current = now or today()
    if raw in ("today", "heddiw"):
        return current
    if raw in ("yesterday", "ddoe"):
        return current - timedelta(days=1)
    weekday = _weekday(raw) if raw else None
    if weekday is not None:
        # The last such day before today: one to seven days back (a paper sheet written
        # up on a Monday says "Monday" for last week's, never for today's).
        return current - timedelta(days=(current.weekday() - weekday - 1) % 7 + 1)
    value: date | None = None
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            value = date.fromisoformat(raw)
        elif re.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}/([0-9]{4}|[0-9]{2})", raw):
            day, month, year = (int(part) for part in raw.split("/"))
            if year < 100:
                # Two-digit years are this century's: a time bank records the recent past.
                year += 2000
            value = date(year, month, day)
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput(_("'{text}' is not a date (use YYYY-MM-DD or DD/MM/YYYY, today, yesterday or a "
                             "day of the week).").format(text=text))
    _require_plausible_year(value)
    if value > current and not allow_future:
        # Echoed as it was typed ("25/12/2026"), so the reader sees their own words.
        raise InvalidInput(_("{date} is in the future.").format(date=" ".join(text.split())))
    return value


MONTH_WORDS = {"this": 0, "hwn": 0, "last": -1, "diwethaf": -1}


def parse_month(text: str) -> date:
    """'YYYY-MM' -> the first day of that month; 'this'/'hwn' and 'last'/'diwethaf' name
    this month and the one before."""
    word = text.strip().lower()
    if word in MONTH_WORDS:
        return add_months(today().replace(day=1), MONTH_WORDS[word])
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(_("'{text}' is not a month (use YYYY-MM, this or last).").format(text=text))
    first = date(int(match.group(1)), int(match.group(2)), 1) if int(match.group(1)) else None
    if first is None:
        raise InvalidInput(_("'{text}' is not a month (use YYYY-MM, this or last).").format(text=text))
    _require_plausible_year(first)
    return first


FIRST_YEAR, LAST_YEAR = 1900, 2999


def _require_plausible_year(value: date) -> None:
    # Far outside these years a date is a typing slip, and month arithmetic would overflow.
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidInput(_("{date} is outside the years {first} to {last}.").format(
            date=value.isoformat(), first=FIRST_YEAR, last=LAST_YEAR))


def month_of(day: date) -> str:
    """The month key of a date: 'YYYY-MM' (the key of the cached monthly totals and the
    month of every report)."""
    return day.isoformat()[:7]


def month_end(first: date) -> date:
    return next_month(first) - timedelta(days=1)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def add_months(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def report_end(first: date, last: date) -> date:
    """Where a report's span really ends: today at the latest, since later days hold nothing
    yet (a funder's file must not show empty months to come as if they had happened)."""
    current = today()
    if first > current:
        raise InvalidInput(_("{date} has not come yet: a report covers days up to today.").format(
            date=first.isoformat()))
    return min(last, current)


def check_range(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise InvalidInput(_("The start date {start} is after the end date {end}.").format(
            start=start.isoformat(), end=end.isoformat()))
