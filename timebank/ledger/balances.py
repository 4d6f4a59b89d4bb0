"""Balances: each member's hours given minus hours received, from the entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from timebank.i18n import sort_key
from timebank.ledger.exchanges import member_balance
from timebank.ledger.members import balances_by_member, display_name
from timebank.ledger.models import Member


@dataclass(frozen=True)
class BalanceRow:
    number: int
    name: str
    balance_minutes: int


def balances(session: Session, members: list[Member] | None = None, as_of: date | None = None) -> list[BalanceRow]:
    """The named members in the order given, or every active member (and the pot) in
    alphabetical order. One query either way."""
    if members:
        return [BalanceRow(m.number, display_name(m), member_balance(session, m.number, as_of)) for m in members]
    totals = balances_by_member(session, as_of)
    columns = (Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten)
    if as_of is None:
        query = select(*columns).where(Member.left.is_(None))
    else:
        # Members as they stood that day; the pot always stands.
        query = select(*columns).where(or_(Member.kind == "pot", and_(
            Member.joined <= as_of, or_(Member.left.is_(None), Member.left > as_of))))
    everyone = session.execute(query).all()
    pot = [m for m in everyone if m.kind == "pot"]
    people = sorted((m for m in everyone if m.kind != "pot"), key=lambda m: sort_key(m.sort_as or display_name(m)))
    return [BalanceRow(m.number, display_name(m), totals.get(m.number, 0)) for m in pot + people]
