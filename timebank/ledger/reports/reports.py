"""The monthly report: computed once here, rendered as table, CSV or JSON by the face.

A fixed number of queries whatever the number of members: each figure is one grouped
query over the entries or exchanges of the month (plus one for opening balances).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable, Sequence

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from timebank.ledger.records import settings as settings_module
from timebank.ledger.integrity.canonical import Seal
from timebank.ledger.integrity.chain import current_seal
from timebank.ledger.records.categories import CategoryName, category_names
from timebank.ledger.records.centres import CentreName
from timebank.ledger.basics.dates import add_months, month_end, today
from timebank.ledger.basics.language import sort_key_in
from timebank.ledger.records.listings import RequestFigures, request_figures
from timebank.ledger.records.membership import Belonging
from timebank.ledger.storage.models import PARTNER_KIND, Entry, Member, MemberPeriod, MonthTotal
from timebank.ledger.basics.names import MemberName, alphabetical
from timebank.ledger.records.settings import Settings
from timebank.ledger.reports.centre_view import member_numbers
from timebank.ledger.storage.sql import month_of, dead_exchanges, moves_of_balance

if TYPE_CHECKING:
    from timebank.ledger.storage.db import Ledger


@dataclass(frozen=True)
class MemberLine:
    number: int
    name: MemberName
    opening_minutes: int
    given_minutes: int
    received_minutes: int
    closing_minutes: int


@dataclass(frozen=True)
class CategoryLine:
    category: CategoryName
    exchanges: int
    minutes: int


@dataclass(frozen=True)
class TrendPoint:
    month: date
    exchanges: int
    minutes: int


@dataclass(frozen=True)
class MonthFigures:
    """The monthly report without its line for each member (nor the members over the credit
    limit): what `monthly_report` hands to `figures_first`, and makes its report from, so
    the two never disagree."""

    month: date
    exchanges: int
    minutes_exchanged: int
    members_active: int
    members_new: int
    members_left: int
    members_total: int
    categories: list[CategoryLine]
    trend: list[TrendPoint]
    credit_limit_minutes: int | None
    requests: "RequestFigures | None" = None
    # The seal of the history the figures were made from (the chain's last link then):
    # `--seal` makes them again from that history, whatever was written since.
    seal: "Seal | None" = None
    # Opening balances dated in the month (moved in from another system, with the pot): in
    # the members' closing balances, in no activity figure. How many, and their minutes.
    opening_balances: int = 0
    opening_balances_minutes: int = 0
    # The centre the figures are for (`--centre`; `reports.centre_view`), or None: the network's.
    centre: "CentreName | None" = None


@dataclass(frozen=True, kw_only=True)
class MonthlyReport(MonthFigures):
    """The month's figures with a line for each member who had a balance or an exchange,
    and the members over the credit limit at its end."""

    members: list[MemberLine]
    over_limit: list[MemberLine]

    @cached_property
    def members_given_minutes(self) -> int:
        """What the members' lines gave, together (their table's total row)."""
        return sum(line.given_minutes for line in self.members)

    @cached_property
    def members_received_minutes(self) -> int:
        return sum(line.received_minutes for line in self.members)


def last_complete_month() -> date:
    first_this_month = today().replace(day=1)
    return (first_this_month - timedelta(days=1)).replace(day=1)


def monthly_report(session: Session, settings: Settings, month: date, lang: str,
                   figures_first: "Callable[[MonthFigures], None] | None" = None) -> MonthlyReport:
    """The month's figures; member and category lines in the alphabetical order of `lang`.
    `figures_first`, if given, is handed the month's figures as soon as they are known,
    before the line of each member is made (most of the time on a ledger of ten thousand
    members): a screen shows them while the rest is read, from the same snapshot."""
    start, end = month, month_end(month)
    sums = entry_sums(session, start, end)
    given, received = month_activity(session, start, end, sums)

    # Plain tuples through the connection, not the ORM's result machinery: fifty thousand
    # members' rows cost a third less read this way (the same rows, the same snapshot).
    members = session.connection().execute(select(*LINE_COLUMNS).where(Member.joined <= end,
                                                                        Member.kind != PARTNER_KIND)).all()
    moves, moved_minutes, moved = moves_of_balance(session, start, end)
    figures = _month_figures(session, settings, month, lang, given, received, joinings_in(session, start, end),
                             (moves, moved_minutes))
    if figures_first is not None:
        figures_first(figures)
    # What every entry of the month moved, each member's: read once, for the month's
    # figures and for the opening balances (which then read only the days after the month).
    opening = opening_balances(session, members, start, (end, {number: g - r for number, (g, r) in sums.items()}))
    lines = member_lines(members, opening, given, received, moved, settings)
    lines = alphabetical(lines, lang, key=lambda line: line.name)
    shown = [line for line in lines
             if line.given_minutes or line.received_minutes or line.opening_minutes or line.closing_minutes]
    over = over_limit(lines, settings)
    return MonthlyReport(members=shown, over_limit=over,
                         **{field.name: getattr(figures, field.name) for field in fields(MonthFigures)})


def over_limit(lines: list[MemberLine], settings: Settings) -> list[MemberLine]:
    """The lines of the members below the credit limit (`settings.below_limit`, asked only of
    the balances below minus the limit: fifty thousand calls cost more than the rule)."""
    limit = settings.credit_limit_minutes
    if limit is None:
        return []
    below = settings_module.below_limit
    return [line for line in lines
            if line.closing_minutes < -limit and below(settings, line.name.kind, line.closing_minutes)]


def member_lines(members: Sequence[Any], opening: dict[int, int], given: dict[int, int], received: dict[int, int],
                 moved: dict[int, int], settings: Settings) -> list[MemberLine]:
    """A line for each member (rows of `LINE_COLUMNS`) with something to show -- a balance
    or an exchange -- or over the credit limit: the others are in neither list of the report,
    and fifty thousand members' lines cost more to make and sort than to read."""
    lines: list[MemberLine] = []
    opened, gave, took, shifted = opening.get, given.get, received.get, moved.get
    below = settings_module.below_limit
    # No balance is below this, when there is no limit (below_limit is asked only under it).
    floor = -settings.credit_limit_minutes if settings.credit_limit_minutes is not None else None
    for number, kind, name, sort_as, forgotten, _balance in members:
        o, g, r = opened(number, 0), gave(number, 0), took(number, 0)
        closing = o + g - r + shifted(number, 0)
        if g or r or o or closing or (floor is not None and closing < floor and below(settings, kind, closing)):
            lines.append(MemberLine(number, MemberName(number, name or "", kind, forgotten is not None, sort_as),
                                    o, g, r, closing))
    return lines


def _month_figures(session: Session, settings: Settings, month: date, lang: str, given: dict[int, int],
                   received: dict[int, int], joinings: dict[str, int], moves: tuple[int, int] = (0, 0)
                   ) -> MonthFigures:
    start, end = month, month_end(month)
    first = add_months(month, -11)
    totals = month_totals(session, first, month)
    category_rows: dict[str, tuple[int, int]] = {}
    for (key, code), (n, minutes) in totals.items():
        if key == month_of(month):
            category_rows[code] = (n, minutes)
    names = category_names(session)
    categories = [CategoryLine(names[code], *figures) for code, figures in category_rows.items()]
    categories.sort(key=lambda c: (-c.minutes, sort_key_in(c.category.name(lang), lang)))
    counts = sum(n for n, _m in category_rows.values())

    trend_rows: dict[str, tuple[int, int]] = {}
    for (key, _code), (n, minutes) in totals.items():
        count, total = trend_rows.get(key, (0, 0))
        trend_rows[key] = (count + n, total + minutes)
    trend = []
    for offset in range(12):
        point = add_months(first, offset)
        n, minutes = trend_rows.get(month_of(point), (0, 0))
        trend.append(TrendPoint(point, n, minutes))

    return MonthFigures(
        month=month,
        exchanges=int(counts),
        minutes_exchanged=sum(given.values()),
        members_active=members_active(given, received, member_numbers(session)),
        members_new=joinings["members_new"], members_left=joinings["members_left"],
        members_total=joinings["members_total"],
        categories=categories,
        trend=trend,
        credit_limit_minutes=settings.credit_limit_minutes,
        requests=request_figures(session, start, end),
        seal=current_seal(session),
        opening_balances=moves[0],
        opening_balances_minutes=moves[1],
    )


def entry_sums(session: Session, start: date, end: date) -> dict[int, tuple[int, int]]:
    """What every entry between two dates gave and took, each member's (minutes, both
    positive), whether its exchange counts or not."""
    # Every entry of the span through the date index alone (no join: joining each entry to
    # its exchange to ask whether it counts cost three lookups an entry, 80 ms a month on a
    # million exchanges). Grouped by `member + 0` so that SQLite reads the span from the
    # date index rather than skip-scanning every member's entries in member order.
    who = (Entry.member + 0).label("who")
    given_sum = func.sum(case((Entry.minutes > 0, Entry.minutes), else_=0))
    received_sum = func.sum(case((Entry.minutes < 0, -Entry.minutes), else_=0))
    return {number: (int(g), int(r)) for number, g, r in session.connection().execute(
        select(who, given_sum, received_sum).where(Entry.date.between(start, end)).group_by(who)).all()}


def month_activity(session: Session, start: date, end: date, sums: dict[int, tuple[int, int]] | None = None
                   ) -> tuple[dict[int, int], dict[int, int]]:
    """What each member gave and received between two dates, in minutes (exchanges that
    count only). `sums`: `entry_sums` of the same dates, when already read."""
    # Every entry of the span, less the entries of the few exchanges that do not count.
    if sums is None:
        sums = entry_sums(session, start, end)
    given = {number: g for number, (g, _r) in sums.items()}
    received = {number: r for number, (_g, r) in sums.items()}
    for number, minutes in session.execute(
            select(Entry.member, Entry.minutes).where(Entry.exchange.in_(
                dead_exchanges(start, end, postgres=session.connection().dialect.name == "postgresql")))):
        if minutes > 0:
            given[number] -= minutes
        else:
            received[number] += minutes
    # Only the members with something that counts, as a grouped query over live exchanges gives.
    counted = [number for number in given if given[number] or received[number]]
    return ({number: given[number] for number in counted}, {number: received[number] for number in counted})


def members_active(given: dict[int, int], received: dict[int, int], only: set[int] | None = None) -> int:
    """Members (not the pot) who gave or received anything: the one definition of active.
    `only`: a centre's members (the other side of an exchange with another centre is not one)."""
    # The pot is 0 and a partner bank's members' accounts are below it: neither is a member.
    return sum(1 for number in given.keys() | received.keys() if number > 0
               and (given.get(number) or received.get(number)) and (only is None or number in only))


@dataclass(frozen=True)
class MonthSoFar:
    """The figures of a month at a glance (the screen's first page): the month's summary
    lines of the monthly report, without the per-member opening balances."""

    month: date
    end: date
    exchanges: int
    minutes_exchanged: int
    members_active: int


def month_so_far(session: Session, month: date) -> MonthSoFar:
    """This month (or any month) up to today: exchanges, hours and members active, by the
    same definitions as the monthly report. Two small queries."""
    end = min(month_end(month), max(today(), month))
    given, received = month_activity(session, month, end)
    figures = month_totals(session, month, month)
    return MonthSoFar(month, end, sum(n for n, _m in figures.values()), sum(given.values()),
                      members_active(given, received))


def member_counts(people: Sequence[Belonging], first: date, last: date) -> dict[str, int]:
    """Members who joined (or rejoined) and who left (or were erased) between first and last,
    and members at the end of last (the pot is no member), from every period of every member:
    the one definition for monthly and period reports. A member who rejoins counts as new in
    the period they rejoin, so members at the end = at the start + new - left, always."""
    new = gone = total = 0
    # One pass, each row's dates read once: ten thousand members on every monthly report.
    for m in people:
        joined, left = m.joined, m.left
        if first <= joined <= last:
            new += 1
        if left is not None and first <= left <= last:
            gone += 1
        if joined <= last and (left is None or left > last):
            total += 1
    return {"members_new": new, "members_left": gone, "members_total": total}


def joinings_in(session: Session, first: date, last: date) -> dict[str, int]:
    """`member_counts` of every period of every member but the pot, counted by the database
    in one row (the monthly report's fifty thousand members' periods are not read to be
    counted): the same definitions, the same figures."""
    joined, left = MemberPeriod.joined, MemberPeriod.left

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    new, gone, total = session.execute(
        select(count(joined.between(first, last)), count(and_(left.is_not(None), left.between(first, last))),
               count(and_(joined <= last, or_(left.is_(None), left > last))))
        .join(Member, Member.number == MemberPeriod.member).where(Member.kind != "pot")).one()
    return {"members_new": int(new), "members_left": int(gone), "members_total": int(total)}


def month_totals(session: Session, first: date, last: date) -> dict[tuple[str, str], tuple[int, int]]:
    """Counting exchanges and minutes per (month, category) from the cached totals."""
    return {(m, c): (int(n), int(minutes)) for m, c, n, minutes in session.execute(
        select(MonthTotal.month, MonthTotal.category, MonthTotal.exchanges, MonthTotal.minutes)
        .where(MonthTotal.month.between(month_of(first), month_of(last)), MonthTotal.exchanges != 0))}


MEMBER_COLUMNS = (Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.joined,
                  Member.left, Member.balance_minutes)
# What a member's line of the monthly report needs (its name, and its balance for the
# opening one): ten thousand members' dates are not read to be left unread.
LINE_COLUMNS = (Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.balance_minutes)


def opening_balances(session: Session, members: Sequence[Any], start: date,
                     known: tuple[date, dict[int, int]] | None = None) -> dict[int, int]:
    """Each member's balance at the start of a day. For a recent day, the cached balance
    less what moved since (a few months of entries); for an early day, the sum of what
    came before. Either way the scan is the shorter side of the ledger. `known`: (a last
    day, what every entry from `start` to it moved, each member's), already read: then
    only the entries after it are read."""
    # Two queries: SQLite answers a lone min() or max() from the index at once.
    low = session.scalar(select(func.min(Entry.date)))
    high = session.scalar(select(func.max(Entry.date)))
    if low is None or high is None or start <= low:  # no entries at all, or none before the day
        return {}
    if start > high:
        return {m.number: m.balance_minutes for m in members}
    if (start - low) <= (high - start):
        return {number: int(total) for number, total in session.connection().execute(
            select(Entry.member, func.sum(Entry.minutes)).where(Entry.date < start).group_by(Entry.member)).all()}
    if known is None:
        since = {number: int(total) for number, total in session.connection().execute(
            select(Entry.member, func.sum(Entry.minutes)).where(Entry.date >= start).group_by(Entry.member)).all()}
    else:
        last, since = known[0], dict(known[1])
        # `member + 0`: the days after `last` through the date index (as `entry_sums`).
        who = (Entry.member + 0).label("who")
        for number, total in session.connection().execute(
                select(who, func.sum(Entry.minutes)).where(Entry.date > last).group_by(who)).all():
            since[number] = since.get(number, 0) + int(total)
    return {m.number: m.balance_minutes - since.get(m.number, 0) for m in members}


def read_monthly(ledger: "Ledger", month: date, lang: str,
                 figures_first: "Callable[[MonthFigures], None] | None" = None) -> MonthlyReport:
    """The monthly report from one snapshot of the ledger (`figures_first`: as for
    `monthly_report`)."""
    from timebank.ledger.storage.db import reading

    with reading(ledger) as session:
        return monthly_report(session, settings_module.load(session), month, lang, figures_first)

