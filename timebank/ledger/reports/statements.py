"""Members' statements: opening balance, each exchange with a running balance, closing.

`statement` reads one member's; `statements` reads every member's for a period in a fixed
number of queries (the members, their opening balances, the period's exchanges), so a
thousand printed statements cost about as much to read as one monthly report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from timebank.ledger.records.balances import member_balance
from timebank.ledger.records.categories import CategoryName
from timebank.ledger.basics.dates import add_months, month_end, today
from timebank.ledger.records.exchanges import ExchangeRow, iter_exchanges
from timebank.ledger.storage.models import ACCOUNT_KINDS, Entry, Exchange, Member
from timebank.ledger.basics.names import MemberName, alphabetical, member_name
from timebank.ledger.reports.reports import MEMBER_COLUMNS, opening_balances
from timebank.ledger.records.settings import Settings, credit_limit_applies


@dataclass(frozen=True)
class StatementLine:
    date: date
    exchange: int
    others: list[MemberName]
    category: CategoryName
    note: str | None
    minutes: int  # + given, - received
    balance: int


@dataclass(frozen=True)
class Statement:
    number: int
    name: MemberName
    lang: str            # the member's own language: the one their statement is read in
    start: date | None
    end: date | None
    opening: int
    lines: list[StatementLine]
    closing: int
    credit_limit: int | None = None  # minutes this member may go below zero; None: no limit binds them
    large_print: bool = False        # the member asked for their statements in large print

    @property
    def given(self) -> int:
        return sum(line.minutes for line in self.lines if line.minutes > 0)

    @property
    def received(self) -> int:
        return -sum(line.minutes for line in self.lines if line.minutes < 0)


@dataclass(frozen=True)
class StatementSet:
    """Statements to print: what heads every page (the time bank's name and contact line),
    the day they were made, and the statements in the order they are to be read."""

    bank_name: str
    contact: str
    made: date
    statements: list[Statement]


def _line(row: ExchangeRow, number: int, lang: str, running: int) -> StatementLine:
    amount = row.minutes_for(number)
    others = row.receiver_names if number in row.givers else row.giver_names
    return StatementLine(row.date, row.number, alphabetical(others, lang) if len(others) > 1 else list(others),
                         row.category, row.note, amount, running + amount)


def _limit(settings: Settings | None, kind: str) -> int | None:
    if settings is None or not credit_limit_applies(kind):
        return None
    return settings.credit_limit_minutes


def statement(session: Session, member: Member, lang: str, start: date | None = None,
              end: date | None = None, settings: Settings | None = None) -> Statement:
    """The statement of `member`; the people on each line in the alphabetical order of `lang`.
    With `settings`, it carries the credit limit that binds the member."""
    opening = member_balance(session, member.number, start - timedelta(days=1)) if start else 0
    running = opening
    lines: list[StatementLine] = []
    for row in iter_exchanges(session, member=member.number, start=start, end=end):
        line = _line(row, member.number, lang, running)
        running = line.balance
        lines.append(line)
    # Voided exchanges and their reversals cancel on the same date, so leaving both out
    # of the lines keeps the running balance equal to the balance from the entries.
    return Statement(member.number, member_name(member), member.lang, start, end, opening, lines, running,
                     _limit(settings, member.kind), bool(member.large_print))


def statements(session: Session, settings: Settings, lang: str, start: date | None = None,
               end: date | None = None, centre: str | None = None) -> list[Statement]:
    """The statement of everyone who was a member at some time between start and end (the
    pot is no member), each with the people on its lines in that member's own language's
    order, the statements in the alphabetical order of `lang`; with `centre`, of that
    centre's members only.

    Three reads whatever the number of members: the members, their opening balances, and
    the period's exchanges (one streamed query), each exchange dealt to its parties."""
    query = select(*MEMBER_COLUMNS, Member.lang, Member.large_print).where(Member.kind.not_in(ACCOUNT_KINDS))
    if end is not None:
        query = query.where(Member.joined <= end)
    if start is not None:
        query = query.where(or_(Member.left.is_(None), Member.left >= start))
    if centre is not None:
        query = query.where(Member.centre == centre)
    members = session.execute(query).all()
    opening = opening_balances(session, members, start) if start is not None else {}
    running = {m.number: opening.get(m.number, 0) for m in members}
    langs = {m.number: m.lang for m in members}
    lines: dict[int, list[StatementLine]] = {m.number: [] for m in members}
    for row in iter_exchanges(session, start=start, end=end):
        for number in (*row.givers, *row.receivers):
            mine = lines.get(number)
            if mine is None:  # the pot
                continue
            line = _line(row, number, langs[number], running[number])
            running[number] = line.balance
            mine.append(line)
    result = [Statement(m.number, member_name(m), m.lang, start, end, opening.get(m.number, 0), lines[m.number],
                        running[m.number], _limit(settings, m.kind), bool(m.large_print)) for m in members]
    return alphabetical(result, lang, key=lambda s: s.name)


def statement_set(settings: Settings, chosen: list[Statement]) -> StatementSet:
    """Statements with the heading every printed page carries, made today."""
    return StatementSet(settings.name, settings.contact, today(), chosen)


@dataclass(frozen=True)
class MonthHours:
    month: date          # the first day of the month
    given: int           # minutes
    received: int

    @property
    def minutes(self) -> int:
        """Given and received together: the member's bar in the month."""
        return self.given + self.received


def member_months(session: Session, number: int, last: date, months: int = 12) -> list[MonthHours]:
    """What one member gave and received in each of the `months` months up to the month of
    `last` (exchanges that count), oldest first: the chart beside a statement. One query
    through the member's entries."""
    from timebank.ledger.storage.sql import live_condition, month_key

    first = add_months(last.replace(day=1), -(months - 1))
    month = month_key(Entry.date).label("month")
    found = {key: (int(given or 0), int(received or 0)) for key, given, received in session.execute(
        select(month, func.sum(Entry.minutes).filter(Entry.minutes > 0),
               -func.sum(Entry.minutes).filter(Entry.minutes < 0))
        .join(Exchange, Exchange.number == Entry.exchange)
        .where(Entry.member == number, Entry.date.between(first, month_end(last.replace(day=1))), live_condition())
        .group_by(month))}
    points = []
    for offset in range(months):
        start = add_months(first, offset)
        given, received = found.get(start.isoformat()[:7], (0, 0))
        points.append(MonthHours(start, given, received))
    return points
