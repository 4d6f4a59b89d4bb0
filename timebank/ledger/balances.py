"""Balances: each member's hours given minus hours received, from the entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
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
    query = select(Member).where(Member.left.is_(None))
    if as_of is not None:
        query = query.where(Member.joined <= as_of)
    everyone = list(session.scalars(query))
    pot = [m for m in everyone if m.kind == "pot"]
    people = sorted((m for m in everyone if m.kind != "pot"), key=lambda m: sort_key(m.sort_as or display_name(m)))
    return [BalanceRow(m.number, display_name(m), totals.get(m.number, 0)) for m in pot + people]
