"""Who has gone quiet: the coordinator's follow-up list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.i18n import sort_key
from timebank.ledger.dates import today
from timebank.ledger.exchanges import live_condition
from timebank.ledger.members import balances_by_member, display_name
from timebank.ledger.models import Entry, Exchange, Member


@dataclass(frozen=True)
class InactiveMember:
    number: int
    name: str
    area: str | None
    last: date | None
    balance_minutes: int
    sort_as: str | None


def inactive_members(session: Session, days: int) -> list[InactiveMember]:
    """Active members with no exchange (that counts) in the last `days` days. Two grouped
    queries, whatever the number of members."""
    since = today() - timedelta(days=days)
    last = {number: on for number, on in session.execute(
        select(Entry.member, func.max(Entry.date))
        .join(Exchange, Exchange.number == Entry.exchange)
        .where(live_condition())
        .group_by(Entry.member))}
    balances = balances_by_member(session)
    rows = [InactiveMember(m.number, display_name(m), m.area, last.get(m.number), balances.get(m.number, 0), m.sort_as)
            for m in session.scalars(select(Member).where(Member.left.is_(None), Member.kind != "pot"))
            if (last.get(m.number) or date.min) <= since and m.joined <= since]
    return sorted(rows, key=lambda r: sort_key(r.sort_as or r.name))
