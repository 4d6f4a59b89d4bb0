"""Membership as history: each member's periods of belonging, from joining or rejoining to
leaving or erasure. Figures for a day count a member as they were on that day; a rejoin opens
a new period and leaves the old one as it was, so a past period's figures never move."""

from __future__ import annotations

from datetime import date
from typing import Iterable, NamedTuple, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.storage import links
from timebank.ledger.storage.models import Member, MemberPeriod

LEFT = "left"
ERASED = "erased"


class Period(NamedTuple):
    joined: date
    left: date | None
    ended_by: str | None   # 'left', 'erased' or None while the period is open


class Belonging(NamedTuple):
    """One period of one member, as the figures read it (the pot is never counted)."""

    number: int
    kind: str
    lang: str
    joined: date
    left: date | None
    first: bool            # the member's first period (their joining, not a rejoining)


_SEVERAL = "timebank_several_periods"


def open_period(session: Session, member: int, day: date) -> None:
    session.add(MemberPeriod(member=member, joined=day))
    links.waiting(session)
    session.info.pop(_SEVERAL, None)


def close_period(session: Session, member: int, day: date, ended_by: str) -> bool:
    """End the member's open period on `day`; False if none is open."""
    period = session.scalars(select(MemberPeriod).where(MemberPeriod.member == member,
                                                        MemberPeriod.left.is_(None))).first()
    if period is None:
        return False
    period.left, period.ended_by = day, ended_by
    links.waiting(session)
    session.info.pop(_SEVERAL, None)
    return True


def several_periods(session: Session) -> dict[int, list[Period]]:
    """The periods of the members who have more than one (who left and rejoined): few, read
    once a session, so that an import of a hundred thousand exchanges asks about no one else."""
    found = session.info.get(_SEVERAL)
    if found is None:
        several = select(MemberPeriod.member).group_by(MemberPeriod.member).having(func.count() > 1)
        found = {}
        for member, joined, left, ended_by in session.execute(
                select(MemberPeriod.member, MemberPeriod.joined, MemberPeriod.left, MemberPeriod.ended_by)
                .where(MemberPeriod.member.in_(several)).order_by(MemberPeriod.member, MemberPeriod.joined)):
            found.setdefault(member, []).append(Period(joined, left, ended_by))
        session.info[_SEVERAL] = found
    return found


def gap_holding(periods: Sequence[Period], day: date) -> tuple[Period, Period] | None:
    """The two periods between which `day` falls (a member may trade on the day they leave),
    or None if one of the periods holds it or it is before the first."""
    for earlier, later in zip(periods, periods[1:]):
        if earlier.left is not None and earlier.left < day < later.joined:
            return earlier, later
    return None


def periods_of(session: Session, member: int) -> list[Period]:
    return [Period(p.joined, p.left, p.ended_by) for p in session.scalars(
        select(MemberPeriod).where(MemberPeriod.member == member).order_by(MemberPeriod.joined, MemberPeriod.id))]


def open_since(session: Session, member: int) -> date | None:
    """The start of the member's open period (None if they have left)."""
    return session.scalar(select(MemberPeriod.joined).where(MemberPeriod.member == member,
                                                           MemberPeriod.left.is_(None)))


def belonging(session: Session) -> list[Belonging]:
    """Every period of every member but the pot, in one query."""
    rows = session.execute(
        select(MemberPeriod.member, Member.kind, Member.lang, MemberPeriod.joined, MemberPeriod.left)
        .join(Member, Member.number == MemberPeriod.member)
        .where(Member.kind != "pot").order_by(MemberPeriod.member, MemberPeriod.joined, MemberPeriod.id)).all()
    out: list[Belonging] = []
    previous = None
    for number, kind, lang, joined, left in rows:
        out.append(Belonging(number, kind, lang, joined, left, number != previous))
        previous = number
    return out


def member_on(periods: Iterable[Period | Belonging], day: date) -> bool:
    """Whether one of these periods holds `day` (the day a member leaves, they no longer belong)."""
    return any(p.joined <= day and (p.left is None or p.left > day) for p in periods)


def registered(periods: Sequence[Belonging], day: date) -> list[Belonging]:
    """The periods that hold `day`: one for each member who belonged on it."""
    return [p for p in periods if p.joined <= day and (p.left is None or p.left > day)]
