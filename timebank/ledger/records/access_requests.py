"""Members' requests for a copy of their data (UK GDPR Article 15, subject access requests):
the log a time bank keeps to show it answered each within the month the law gives it.

A request is logged on the day it was received (`member access-request MEMBER --received
DATE`) and closed on the day it was answered (`... done N`). Its answer is due one calendar
month after it was received (the ICO's rule: `due_date`); `check` names every open request
past its due day. A member who left may still ask; an erased one has no data left to give.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from timebank.ledger.basics.dates import today
from timebank.ledger.basics.names import MemberName, member_name
from timebank.ledger.errors import InvalidInput, NotFound, Refused
from timebank.ledger.messages import Phrase, _, ngettext
from timebank.ledger.records import audit
from timebank.ledger.storage.models import AccessRequest, Member


@dataclass(frozen=True, slots=True)
class AccessRequestRow:
    """A request as lists and the member's own export carry it."""

    number: int
    member: MemberName
    received: date
    due: date
    done: date | None        # None while it is open
    days_overdue: int        # days past its due day, open ones only (0: not overdue)

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def due_date(received: date) -> date:
    """One calendar month after `received`, the same day of the next month (3 January: 3
    February); when that month has no such day, its last day (31 January: 28 or 29 February),
    as the ICO counts a month."""
    year, month = (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    return date(year, month, min(received.day, calendar.monthrange(year, month)[1]))


def _row(request: AccessRequest, member: Member, on: date) -> AccessRequestRow:
    late = (on - request.due).days if request.done is None else 0
    return AccessRequestRow(request.id, member_name(member), request.received, request.due, request.done,
                            max(late, 0))


def _not_future(day: date) -> None:
    if day > today():
        raise InvalidInput(_("{date} is in the future.").format(date=day.isoformat()))


def log_request(session: Session, by: str, member: Member, received: date) -> AccessRequestRow:
    """A request received from `member` on `received` (not in the future). Anyone who is or
    was a member may ask; the pot is no person and an erased member has nothing left."""
    if member.kind == "pot":
        raise Refused(_("The time bank pot cannot ask for a copy of its data: it is not a person."))
    if member.forgotten is not None:
        raise Refused(_("Member {number} has been erased: the ledger holds none of their details any more, so "
                        "there is nothing to give them.").format(number=member.number))
    _not_future(received)
    request = AccessRequest(member=member.number, received=received, due=due_date(received), created_at=audit.now())
    session.add(request)
    session.flush()
    audit.log(session, by, "access_request.log", member=member.number, number=request.id,
              received=received.isoformat(), due=request.due.isoformat())
    return _row(request, member, today())


def close_request(session: Session, by: str, number: int, on: date) -> AccessRequestRow:
    """Request `number` answered on `on`: not before it was received, not in the future, and
    only once."""
    request = session.get(AccessRequest, number) if 0 < number < 2**63 else None
    if request is None:
        raise NotFound(_("There is no access request {number}.").format(number=number))
    if request.done is not None:
        raise Refused(_("Access request {number} was already done on {date}.").format(
            number=number, date=request.done.isoformat()))
    if on < request.received:
        raise Refused(_("Access request {number} was received on {received}: it cannot be done on {date}, "
                        "before that.").format(number=number, received=request.received.isoformat(),
                                               date=on.isoformat()))
    _not_future(on)
    request.done = on
    session.flush()
    audit.log(session, by, "access_request.done", member=request.member, number=request.id, done=on.isoformat())
    member = session.get(Member, request.member)
    assert member is not None  # a reference the database keeps
    return _row(request, member, today())


def list_requests(session: Session, include_done: bool = False, member: int | None = None,
                  on: date | None = None) -> list[AccessRequestRow]:
    """Open requests (with `include_done` the answered ones too), of every member or of one,
    the soonest due first; overdue as of `on` (today)."""
    query = select(AccessRequest, Member).join(Member, Member.number == AccessRequest.member)
    if not include_done:
        query = query.where(AccessRequest.done.is_(None))
    if member is not None:
        query = query.where(AccessRequest.member == member)
    query = query.order_by(AccessRequest.due, AccessRequest.id)
    day = on or today()
    return [_row(request, who, day) for request, who in session.execute(query).all()]


def overdue_warnings(session: Session, on: date | None = None) -> list[Phrase]:
    """One line for each open request past its due day (`check` says them as warnings)."""
    return [ngettext("Access request {number} of member {member} was due on {due}: it is {days} day overdue.",
                     "Access request {number} of member {member} was due on {due}: it is {days} days overdue.",
                     row.days_overdue).format(number=row.number, member=row.member.number,
                                              due=row.due.isoformat(), days=row.days_overdue)
            for row in list_requests(session, on=on) if row.overdue]
