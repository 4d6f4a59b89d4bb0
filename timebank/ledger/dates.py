"""Dates as a coordinator types them."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

from timebank.i18n import _
from timebank.ledger.errors import InvalidInput


def today() -> date:
    """The local date. TIMEBANK_TODAY pins it, so tests and demos can be reproduced."""
    pinned = os.environ.get("TIMEBANK_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return date.today()


def parse_date(text: str, *, allow_uk: bool = False, allow_future: bool = False,
               now: date | None = None) -> date:
    """'YYYY-MM-DD', 'today'/'heddiw', 'yesterday'/'ddoe' (and DD/MM/YYYY for imports).

    Never in the future, except as the end of a report's range.
    """
    raw = text.strip().lower()
    current = now or today()
    if raw in ("today", "heddiw"):
        return current
    if raw in ("yesterday", "ddoe"):
        return current - timedelta(days=1)
    value: date | None = None
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            value = date.fromisoformat(raw)
        elif allow_uk and re.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", raw):
            day, month, year = (int(part) for part in raw.split("/"))
            value = date(year, month, day)
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput(_("'{text}' is not a date (use YYYY-MM-DD, today or yesterday).").format(text=text))
    _require_plausible_year(value)
    if value > current and not allow_future:
        raise InvalidInput(_("{date} is in the future.").format(date=value.isoformat()))
    return value


def parse_month(text: str) -> date:
    """'YYYY-MM' -> the first day of that month."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(_("'{text}' is not a month (use YYYY-MM).").format(text=text))
    first = date(int(match.group(1)), int(match.group(2)), 1) if int(match.group(1)) else None
    if first is None:
        raise InvalidInput(_("'{text}' is not a month (use YYYY-MM).").format(text=text))
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
