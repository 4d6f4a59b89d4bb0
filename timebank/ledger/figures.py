"""Figures for funders: members as a funder's file lists them, and activity by area with
small counts suppressed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.balances import balances_by_member
from timebank.ledger.members import MemberRow
from timebank.ledger.models import Entry, Exchange, Member
from timebank.ledger.names import member_name
from timebank.ledger.sql import live_condition


def members_by_number(session: Session, as_of: date | None = None) -> list[MemberRow]:
    """Every member but the pot, by number, with the balance at the end of `as_of`."""
    balances = balances_by_member(session, as_of)
    query = select(Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.area,
                   Member.lang, Member.joined, Member.left).where(Member.kind != "pot").order_by(Member.number)
    return [MemberRow(m.number, member_name(m), m.kind, None if m.forgotten else m.area, m.lang, m.joined, m.left,
                      balances.get(m.number, 0)) for m in session.execute(query)]


@dataclass(frozen=True)
class AreaRow:
    area: str                      # "" for members with no area
    members: int | None            # None where the count is suppressed
    members_active: int | None
    minutes_given: int | None
    minutes_received: int | None


def areas(session: Session, start: date | None, end: date | None, min_count: int) -> list[AreaRow]:
    """Members, active members and hours per area; counts under `min_count` are blanked,
    and with them the area's hours."""
    end_day = end or date.max
    people = session.execute(select(Member.number, Member.area, Member.left)
                             .where(Member.kind != "pot", Member.joined <= end_day)).all()
    area_of = {m.number: (m.area or "").strip() for m in people}
    # One grouped query: each member's minutes given and received in the span.
    is_given = (Entry.minutes > 0).label("is_given")
    flows = select(Entry.member, is_given, func.sum(Entry.minutes)) \
        .join(Exchange, Exchange.number == Entry.exchange).where(live_condition())
    if start:
        flows = flows.where(Entry.date >= start)
    if end:
        flows = flows.where(Entry.date <= end)
    flows = flows.group_by(Entry.member, is_given)
    given: dict[str, int] = {}
    received: dict[str, int] = {}
    active: dict[str, set[int]] = {}
    for member, given_side, minutes in session.execute(flows):
        if member not in area_of:
            continue
        area = area_of[member]
        active.setdefault(area, set()).add(member)
        if given_side:
            given[area] = given.get(area, 0) + int(minutes)
        else:
            received[area] = received.get(area, 0) - int(minutes)
    # Members of the area at any time in the span, so that every active member is one of them.
    counted: dict[str, int] = {}
    for m in people:
        if m.left is None or start is None or m.left >= start:
            counted[area_of[m.number]] = counted.get(area_of[m.number], 0) + 1
    rows = []
    for area in sorted(set(counted) | set(active)):
        total, busy = counted.get(area, 0), len(active.get(area, set()))
        small = total < min_count or busy < min_count
        rows.append(AreaRow(area, None if total < min_count else total, None if busy < min_count else busy,
                            None if small else given.get(area, 0), None if small else received.get(area, 0)))
    return rows
