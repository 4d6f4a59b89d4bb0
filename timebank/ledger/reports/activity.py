"""Who has gone quiet: the coordinator's follow-up list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.basics.dates import today
from timebank.ledger.storage.models import ACCOUNT_KINDS, Entry, Exchange, Member
from timebank.ledger.basics.names import MemberName, alphabetical, member_name
from timebank.ledger.storage.sql import live_condition


@dataclass(frozen=True)
class InactiveMember:
    number: int
    name: MemberName
    area: str | None
    last: date | None
    balance_minutes: int
    phone: str | None
    email: str | None


def inactive_members(session: Session, days: int, lang: str) -> list[InactiveMember]:
    """Active members with no exchange (that counts) in the last `days` days, with how to
    reach them. Whatever the size of the ledger it reads only the recent entries (through
    the date index) and then the entries of the quiet members (through the member index):
    grouping every entry of a million exchanges took 15 s."""
    since = today() - timedelta(days=days)
    # `member + 0`: read by date, not by member (see reports.month_activity).
    recent = set(session.scalars(
        select((Entry.member + 0).label("who"))
        .join(Exchange, Exchange.number == Entry.exchange)
        .where(Entry.date > since, live_condition())
        .distinct()))
    quiet = [m for m in session.execute(
        select(Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.area,
               Member.joined, Member.balance_minutes, Member.phone, Member.email)
        .where(Member.left.is_(None), Member.kind.not_in(ACCOUNT_KINDS), Member.joined <= since))
        if m.number not in recent]
    last: dict[int, date] = {}
    numbers = [m.number for m in quiet]
    for start in range(0, len(numbers), 5000):
        last.update({number: on for number, on in session.execute(
            select(Entry.member, func.max(Entry.date))
            .join(Exchange, Exchange.number == Entry.exchange)
            .where(Entry.member.in_(numbers[start:start + 5000]), live_condition())
            .group_by(Entry.member))})
    rows = [InactiveMember(m.number, member_name(m), m.area, last.get(m.number), m.balance_minutes, m.phone, m.email)
            for m in quiet]
    return alphabetical(rows, lang, key=lambda r: r.name)
