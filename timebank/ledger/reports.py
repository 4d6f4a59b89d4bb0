"""The monthly report: computed once here, rendered as table, CSV or JSON by the face.

A fixed number of queries whatever the number of members: each figure is one grouped
query over the entries or exchanges of the month (plus one for opening balances).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import Session

from timebank.i18n import sort_key
from timebank.ledger.categories import category_name, list_categories
from timebank.ledger.dates import add_months, month_end, today
from timebank.ledger.exchanges import live_condition
from timebank.ledger.members import display_name
from timebank.ledger.listings import RequestFigures, request_figures
from timebank.ledger.models import Entry, Exchange, Member, MonthTotal
from timebank.ledger.settings import Settings


@dataclass(frozen=True)
class MemberLine:
    number: int
    name: str
    opening_minutes: int
    given_minutes: int
    received_minutes: int
    closing_minutes: int
    sort_as: str | None = None


@dataclass(frozen=True)
class CategoryLine:
    code: str
    name: str
    exchanges: int
    minutes: int


@dataclass(frozen=True)
class TrendPoint:
    month: date
    exchanges: int
    minutes: int


@dataclass(frozen=True)
class MonthlyReport:
    month: date
    exchanges: int
    minutes_exchanged: int
    members_active: int
    members_new: int
    members_left: int
    members_total: int
    members: list[MemberLine]
    categories: list[CategoryLine]
    trend: list[TrendPoint]
    over_limit: list[MemberLine]
    credit_limit_minutes: int | None
    requests: "RequestFigures | None" = None


def last_complete_month() -> date:
    first_this_month = today().replace(day=1)
    return (first_this_month - timedelta(days=1)).replace(day=1)


def _month_key(column):  # type: ignore[no-untyped-def]
    # 'YYYY-MM' from a date column, the same on SQLite (text dates) and PostgreSQL.
    return func.substr(cast(column, String), 1, 7)


def monthly_report(session: Session, settings: Settings, month: date) -> MonthlyReport:
    start, end = month, month_end(month)
    live = live_condition()

    # Grouped by `member + 0` so that SQLite reads the month from the date index rather
    # than skip-scanning every member's entries in member order.
    who = (Entry.member + 0).label("who")
    activity = session.execute(
        select(who,
               func.sum(case((Entry.minutes > 0, Entry.minutes), else_=0)),
               func.sum(case((Entry.minutes < 0, -Entry.minutes), else_=0)))
        .join(Exchange, Exchange.number == Entry.exchange)
        .where(Entry.date.between(start, end), live)
        .group_by(who)).all()
    given = {number: int(g) for number, g, _r in activity}
    received = {number: int(r) for number, _g, r in activity}

    # Plain rows, not ORM objects: a ledger may have ten thousand members.
    members = session.execute(select(*MEMBER_COLUMNS).where(Member.joined <= end)).all()
    opening = opening_balances(session, members, start)
    people = [m for m in members if m.kind != "pot"]
    lines: list[MemberLine] = []
    for m in members:
        o, g, r = opening.get(m.number, 0), given.get(m.number, 0), received.get(m.number, 0)
        lines.append(MemberLine(m.number, display_name(m), o, g, r, o + g - r, m.sort_as))
    pot_lines = [line for line in lines if line.number == 0]
    person_lines = sorted((line for line in lines if line.number != 0), key=lambda l: sort_key(l.sort_as or l.name))
    shown = [line for line in pot_lines + person_lines
             if line.given_minutes or line.received_minutes or line.opening_minutes or line.closing_minutes]

    first = add_months(month, -11)
    totals = month_totals(session, first, month)
    category_rows: dict[str, tuple[int, int]] = {}
    for (key, code), (n, minutes) in totals.items():
        if key == month.isoformat()[:7]:
            category_rows[code] = (n, minutes)
    categories = [CategoryLine(c.code, category_name(c), *category_rows[c.code])
                  for c in list_categories(session) if c.code in category_rows]
    categories.sort(key=lambda c: (-c.minutes, sort_key(c.name)))
    counts = sum(n for n, _m in category_rows.values())

    trend_rows: dict[str, tuple[int, int]] = {}
    for (key, _code), (n, minutes) in totals.items():
        count, total = trend_rows.get(key, (0, 0))
        trend_rows[key] = (count + n, total + minutes)
    trend = []
    for offset in range(12):
        point = add_months(first, offset)
        n, minutes = trend_rows.get(point.isoformat()[:7], (0, 0))
        trend.append(TrendPoint(point, n, minutes))

    limit = settings.credit_limit_minutes
    kinds = {m.number: m.kind for m in members}
    over = [line for line in person_lines
            if limit is not None and kinds[line.number] == "person" and line.closing_minutes < -limit]

    return MonthlyReport(
        month=month,
        exchanges=int(counts),
        minutes_exchanged=sum(given.values()),
        members_active=sum(1 for number in given.keys() | received.keys() if number != 0
                           and (given.get(number) or received.get(number))),
        members_new=sum(1 for m in people if start <= m.joined <= end),
        members_left=sum(1 for m in people if m.left is not None and start <= m.left <= end),
        members_total=sum(1 for m in people if m.left is None or m.left > end),
        members=shown,
        categories=categories,
        trend=trend,
        over_limit=over,
        credit_limit_minutes=limit,
        requests=request_figures(session, start, end),
    )


def month_totals(session: Session, first: date, last: date) -> dict[tuple[str, str], tuple[int, int]]:
    """Counting exchanges and minutes per (month, category) from the cached totals."""
    return {(m, c): (int(n), int(minutes)) for m, c, n, minutes in session.execute(
        select(MonthTotal.month, MonthTotal.category, MonthTotal.exchanges, MonthTotal.minutes)
        .where(MonthTotal.month.between(first.isoformat()[:7], last.isoformat()[:7]), MonthTotal.exchanges != 0))}


MEMBER_COLUMNS = (Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.joined,
                  Member.left, Member.balance_minutes)


def opening_balances(session: Session, members: list, start: date) -> dict[int, int]:
    """Each member's balance at the start of a day. For a recent day, the cached balance
    less what moved since (a few months of entries); for an early day, the sum of what
    came before. Either way the scan is the shorter side of the ledger."""
    # Two queries: SQLite answers a lone min() or max() from the index at once.
    low = session.scalar(select(func.min(Entry.date)))
    high = session.scalar(select(func.max(Entry.date)))
    if low is None or start <= low:
        return {}
    if high is not None and start > high:
        return {m.number: m.balance_minutes for m in members}
    if (start - low) <= (high - start):
        return {number: int(total) for number, total in session.execute(
            select(Entry.member, func.sum(Entry.minutes)).where(Entry.date < start).group_by(Entry.member))}
    since = {number: int(total) for number, total in session.execute(
        select(Entry.member, func.sum(Entry.minutes)).where(Entry.date >= start).group_by(Entry.member))}
    return {m.number: m.balance_minutes - since.get(m.number, 0) for m in members}


def _earned():  # type: ignore[no-untyped-def]
    """What the givers earned: each minute exchanged counted once."""
    return func.sum(case((Entry.minutes > 0, Entry.minutes), else_=0))


@dataclass(frozen=True)
class PeriodLine:
    label: str            # '2026-10' or '2026-Q4', or 'total'
    start: date
    end: date
    exchanges: int
    minutes_exchanged: int
    members_active: int
    members_new: int
    members_left: int
    members_total: int
    category_minutes: dict[str, int]


def period_key(day: date, by: str) -> date:
    """The first day of the month or quarter that `day` falls in."""
    if by == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def period_label(first: date, by: str) -> str:
    if by == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return first.isoformat()[:7]


def period_report(session: Session, start: date, end: date, by: str = "month") -> tuple[list[PeriodLine], PeriodLine]:
    """The report's figures for each month or quarter between start and end, and for the
    whole span. Four grouped queries, whatever the size of the ledger or the span."""
    live = live_condition()
    # Grouped by the label, so that PostgreSQL sees one expression (not two with
    # separately bound parameters).
    month = _month_key(Exchange.date).label("month")
    per_month = session.execute(
        select(month, Exchange.category, func.count(func.distinct(Exchange.number)), _earned())
        .join(Entry, Entry.exchange == Exchange.number)
        .where(Exchange.date.between(start, end), live)
        .group_by(month, Exchange.category)).all()
    active_pairs = session.execute(
        select(month, Entry.member)
        .join(Exchange, Exchange.number == Entry.exchange)
        .where(Exchange.date.between(start, end), live, Entry.member != 0)
        .group_by(month, Entry.member)).all()
    people = list(session.scalars(select(Member).where(Member.kind != "pot", Member.joined <= end)))

    periods: list[date] = []
    cursor = period_key(start, by)
    while cursor <= end:
        periods.append(cursor)
        cursor = add_months(cursor, 3 if by == "quarter" else 1)

    def bounds(first: date) -> tuple[date, date]:
        last = month_end(add_months(first, 2 if by == "quarter" else 0))
        return max(first, start), min(last, end)

    def key_of(month_text: str) -> date:
        return period_key(date.fromisoformat(month_text + "-01"), by)

    counts: dict[date, int] = {}
    minutes: dict[date, int] = {}
    categories: dict[date, dict[str, int]] = {}
    for month_text, code, n, earned in per_month:
        key = key_of(month_text)
        counts[key] = counts.get(key, 0) + int(n)
        minutes[key] = minutes.get(key, 0) + int(earned or 0)
        categories.setdefault(key, {})
        categories[key][code] = categories[key].get(code, 0) + int(earned or 0)
    active: dict[date, set[int]] = {}
    for month_text, member in active_pairs:
        active.setdefault(key_of(month_text), set()).add(member)

    def line(label: str, first: date, last: date, keys: list[date]) -> PeriodLine:
        merged: dict[str, int] = {}
        for key in keys:
            for code, value in categories.get(key, {}).items():
                merged[code] = merged.get(code, 0) + value
        return PeriodLine(
            label=label, start=first, end=last,
            exchanges=sum(counts.get(k, 0) for k in keys),
            minutes_exchanged=sum(minutes.get(k, 0) for k in keys),
            members_active=len(set().union(*[active.get(k, set()) for k in keys])) if keys else 0,
            members_new=sum(1 for m in people if first <= m.joined <= last),
            members_left=sum(1 for m in people if m.left is not None and first <= m.left <= last),
            members_total=sum(1 for m in people if m.joined <= last and (m.left is None or m.left > last)),
            category_minutes=merged)

    lines = [line(period_label(p, by), *bounds(p), [p]) for p in periods]
    return lines, line("total", start, end, periods)
