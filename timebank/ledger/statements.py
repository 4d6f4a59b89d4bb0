"""A member's statement: opening balance, each exchange with a running balance, closing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.balances import member_balance
from timebank.ledger.categories import CategoryName
from timebank.ledger.exchanges import iter_exchanges
from timebank.ledger.dates import add_months, month_end
from timebank.ledger.models import Entry, Exchange, Member
from timebank.ledger.names import MemberName, alphabetical, member_name


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

    @property
    def given(self) -> int:
        return sum(line.minutes for line in self.lines if line.minutes > 0)

    @property
    def received(self) -> int:
        return -sum(line.minutes for line in self.lines if line.minutes < 0)


def statement(session: Session, member: Member, lang: str, start: date | None = None,
              end: date | None = None) -> Statement:
    """The statement of `member`; the people on each line in the alphabetical order of `lang`."""
    opening = member_balance(session, member.number, start - timedelta(days=1)) if start else 0
    running = opening
    lines: list[StatementLine] = []
    for row in iter_exchanges(session, member=member.number, start=start, end=end):
        amount = row.minutes_for(member.number)
        others = row.receiver_names if member.number in row.givers else row.giver_names
        running += amount
        lines.append(StatementLine(row.date, row.number, alphabetical(others, lang), row.category, row.note,
                                   amount, running))
    # Voided exchanges and their reversals cancel on the same date, so leaving both out
    # of the lines keeps the running balance equal to the balance from the entries.
    return Statement(member.number, member_name(member), member.lang, start, end, opening, lines, running)


@dataclass(frozen=True)
class MonthHours:
    month: date          # the first day of the month
    given: int           # minutes
    received: int


def member_months(session: Session, number: int, last: date, months: int = 12) -> list[MonthHours]:
    """What one member gave and received in each of the `months` months up to the month of
    `last` (exchanges that count), oldest first: the chart beside a statement. One query
    through the member's entries."""
    from timebank.ledger.sql import live_condition, month_key

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
