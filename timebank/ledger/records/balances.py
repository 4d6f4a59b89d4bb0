"""Every balance read: one member's, several members', everyone's, now or as of a date.

A balance now is the cached sum kept on the member row (proved by `check`); a balance as
of a date is a sum of entries through the member-and-date index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from timebank.ledger.storage.models import PARTNER_KIND, Entry, Exchange, Member, MemberPeriod
from timebank.ledger.basics.names import MemberName, alphabetical, member_name
from timebank.ledger.storage.sql import NAME_COLUMNS, live_condition


def member_balance(session: Session, number: int, as_of: date | None = None) -> int:
    if as_of is None:
        return int(session.scalar(select(Member.balance_minutes).where(Member.number == number)) or 0)
    query = select(func.coalesce(func.sum(Entry.minutes), 0)).where(Entry.member == number, Entry.date <= as_of)
    return int(session.scalar(query) or 0)


def balances_of(session: Session, numbers: Iterable[int]) -> dict[int, int]:
    """The cached balances of a few members, in one query."""
    query = select(Member.number, Member.balance_minutes).where(Member.number.in_(list(numbers)))
    return {n: int(t) for n, t in session.execute(query)}


def balances_by_member(session: Session, as_of: date | None = None) -> dict[int, int]:
    """Every member's balance: the cached totals, or (as of a date) a sum of entries."""
    if as_of is None:
        return {number: int(total) for number, total in session.execute(
            select(Member.number, Member.balance_minutes))}
    query = select(Entry.member, func.sum(Entry.minutes)).where(Entry.date <= as_of).group_by(Entry.member)
    return {number: int(total) for number, total in session.execute(query)}


@dataclass(frozen=True)
class BalanceRow:
    number: int
    name: MemberName
    balance_minutes: int


def balances(session: Session, lang: str, members: list[Member] | None = None,
             as_of: date | None = None) -> list[BalanceRow]:
    """The named members in the order given, or every active member (and the pot) in the
    alphabetical order of `lang`. One query either way."""
    if members:
        return [BalanceRow(m.number, member_name(m), member_balance(session, m.number, as_of)) for m in members]
    totals = balances_by_member(session, as_of)
    if as_of is None:
        query = select(*NAME_COLUMNS).where(Member.left.is_(None), Member.kind != PARTNER_KIND)
    else:
        # Members as they stood that day, by their periods of membership (a member who left
        # and rejoined is not listed for a day between); the pot always stands; an erased
        # member is on no list.
        belonged = exists().where(MemberPeriod.member == Member.number, MemberPeriod.joined <= as_of,
                                  or_(MemberPeriod.left.is_(None), MemberPeriod.left > as_of))
        query = select(*NAME_COLUMNS).where(or_(Member.kind == "pot", and_(belonged, Member.forgotten.is_(None))))
    names = alphabetical([member_name(m) for m in session.execute(query)], lang)
    return [BalanceRow(n.number, n, totals.get(n.number, 0)) for n in names]


def given_received(session: Session, number: int, start: date, end: date) -> tuple[int, int]:
    """What one member gave and received between two dates, in minutes, counting the
    exchanges that count (a voided one and its reversal count in neither), as a statement
    of the same days adds them up. One query over the member's entries."""
    given, received = session.execute(
        select(func.coalesce(func.sum(case((Entry.minutes > 0, Entry.minutes), else_=0)), 0),
               func.coalesce(func.sum(case((Entry.minutes < 0, -Entry.minutes), else_=0)), 0))
        .join(Exchange, Exchange.number == Entry.exchange)
        .where(Entry.member == number, Entry.date.between(start, end), live_condition())).one()
    return int(given), int(received)
