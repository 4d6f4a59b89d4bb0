"""A member's statement: opening balance, each exchange with a running balance, closing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from timebank.i18n import sort_key
from timebank.ledger.exchanges import iter_exchanges, member_balance
from timebank.ledger.members import display_name
from timebank.ledger.models import Member
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class StatementLine:
    date: date
    exchange: int
    others: list[str]
    category: str
    category_name: str
    note: str | None
    minutes: int  # + given, - received
    balance: int


@dataclass(frozen=True)
class Statement:
    number: int
    name: str
    lang: str
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


def statement(session: Session, member: Member, start: date | None = None, end: date | None = None) -> Statement:
    opening = member_balance(session, member.number, start - timedelta(days=1)) if start else 0
    running = opening
    lines: list[StatementLine] = []
    for row in iter_exchanges(session, member=member.number, start=start, end=end):
        if member.number in row.givers:
            amount = row.minutes * len(row.receivers)
            others = row.receiver_names
        else:
            amount = -row.minutes * len(row.givers)
            others = row.giver_names
        running += amount
        lines.append(StatementLine(row.date, row.number, sorted(others, key=sort_key), row.category,
                                   row.category_name, row.note, amount, running))
    # Voided exchanges and their reversals cancel on the same date, so leaving both out
    # of the lines keeps the running balance equal to the balance from the entries.
    return Statement(member.number, display_name(member), member.lang, start, end, opening, lines, running)
