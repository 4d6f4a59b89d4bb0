"""Who has gone quiet: the coordinator's follow-up list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.dates import today
from timebank.ledger.models import Entry, Exchange, Member
from timebank.ledger.names import MemberName, alphabetical, member_name
from timebank.ledger.sql import live_condition


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
    reach them. Two grouped queries, whatever the number of members."""
    since = today() - timedelta(days=days)
    last = {number: on for number, on in session.execute(
        select(Entry.member, func.max(Entry.date))
        .join(Exchange, Exchange.number == Entry.exchange)
        .where(live_condition())
        .group_by(Entry.member))}
    rows = [InactiveMember(m.number, member_name(m), m.area, last.get(m.number), m.balance_minutes, m.phone, m.email)
            for m in session.execute(
                select(Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.area,
                       Member.joined, Member.balance_minutes, Member.phone, Member.email)
                .where(Member.left.is_(None), Member.kind != "pot"))
            if (last.get(m.number) or date.min) <= since and m.joined <= since]
    return alphabetical(rows, lang, key=lambda r: r.name)
