"""A member's own data: everything the ledger holds about one member, for their copy of it
(UK GDPR Article 15, the right of access, and Article 20, portability; `member export`).

What is theirs: their record (every field), every period of membership, every exchange they
took part in (with or without a void), their offers and requests, their requests for their
data, and every audit event about them -- the events that name them, and those of exchanges
they took part in -- or made by them (an event whose maker's name is theirs).

What is not theirs never enters the copy: another member appears only by name, as the other
party of an exchange; no other member's contact details, notes or own events. Free text that
a coordinator typed (a note, a reason) may name someone else's email or phone: every contact
detail in it that is not the member's own is taken out and marked (`basics.contact`). An event
made by them about another member (they keyed in a change to someone else's record) is
listed by what and when, its details withheld.

Read in one snapshot with a fixed number of queries: the member, their periods, their
exchanges (one streamed query), their listings, every member's contact details (to look for
them in text: one pass over the members table), and the audit events (one pass over the audit
table, whose member, exchange and maker columns have no index: a rare request, so two scans in
the database, one for the makers' names and one for the events).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from timebank.ledger.basics.contact import ContactFilter, Parts, removed, removed_anywhere
from timebank.ledger.basics.language import fold
from timebank.ledger.basics.names import MemberName, alphabetical
from timebank.ledger.errors import Refused
from timebank.ledger.messages import _
from timebank.ledger.records.categories import CategoryName, category_names
from timebank.ledger.records.centres import CentreName, centre_names
from timebank.ledger.records.exchanges import iter_exchanges
from timebank.ledger.records.members import find_member
from timebank.ledger.records.membership import Period, periods_of
from timebank.ledger.records.settings import load as load_settings
from timebank.ledger.storage.models import AuditEvent, Entry, Listing, Member

# Events whose details are the member's own record as typed (a new member's fields, an edit's
# old and new values): the email and phone in them are theirs (a former number too), given as
# they are; every other text in them is free text like any note.
_OWN_RECORD_ACTIONS = frozenset({"member.add", "member.edit"})
_THEIR_CONTACTS = frozenset({"email", "phone"})


@dataclass(frozen=True)
class MemberRecord:
    """Every field of the member's record, as stored."""

    number: int
    name: str
    sort_as: str | None
    kind: str
    area: str | None
    email: str | None
    phone: str | None
    lang: str
    note: Parts | None           # a coordinator's note: anyone else's contact details taken out
    joined: date
    left: date | None
    centre: CentreName | None
    large_print: bool
    created_at: datetime
    balance: int  # minutes


@dataclass(frozen=True)
class CopyExchange:
    """One exchange the member took part in, as they took part in it."""

    number: int
    date: date
    role: str                    # giver or receiver
    others: list[MemberName]     # the other party (the receivers of a giver, the givers of a receiver)
    minutes: int                 # per giver/receiver pair, as recorded
    amount: int                  # what it moved for this member: + given, - received (a reversal: the opposite)
    category: CategoryName
    note: Parts | None
    reverses: int | None         # a reversal: the exchange it voids
    voided_by: int | None        # a voided exchange: its reversal
    purpose: str                 # help, or opening (a balance moved in)
    recorded_at: datetime | None
    welsh: bool = False          # carried out in Welsh (`record --welsh`)

    @property
    def void(self) -> bool:
        return self.reverses is not None or self.voided_by is not None


@dataclass(frozen=True)
class CopyListing:
    id: int
    kind: str                    # offer or request
    category: CategoryName
    note: Parts | None
    opened: date
    closed: date | None
    closed_because: str | None
    exchange: int | None


@dataclass(frozen=True)
class CopyEvent:
    """An audit event about the member or made by them. `details` is None where withheld (an
    event made by them about another member); text in it may have parts taken out."""

    id: int
    at: datetime
    by: str
    action: str
    member: int | None
    exchange: int | None
    about: bool                  # about the member (it names them, or an exchange of theirs)
    made_by: bool                # made by the member (its maker's name is theirs)
    details: dict[str, Any] | None


@dataclass(frozen=True)
class CopyRequest:
    """A request the member made for their data (`member access-request`)."""

    number: int
    received: date
    due: date
    done: date | None


@dataclass(frozen=True)
class CopyOutcome:
    """A score recorded for the member on an outcome measure (health data): as answered
    (`raw`) and as counted (`score`, after the measure's conversion table, if any)."""

    measure: str
    day: date
    raw: Decimal
    score: Decimal
    assisted: bool


@dataclass(frozen=True)
class MemberCopy:
    """Everything for a member's copy of their data, and what the letter with it says about
    the time bank (its name, contact line, data controller and retention)."""

    bank_name: str
    contact: str
    controller: str
    retention: str
    made: datetime
    member: MemberRecord
    periods: list[Period]
    exchanges: list[CopyExchange]
    listings: list[CopyListing]
    events: list[CopyEvent]
    requests: list[CopyRequest] = field(default_factory=list)
    # Outcome scores (wellbeing measures) recorded for them, by day.
    outcomes: list[CopyOutcome] = field(default_factory=list)

    @property
    def removals(self) -> int:
        """How many texts of the copy had someone else's contact details taken out."""
        count = int(self.member.note is not None and removed(self.member.note))
        count += sum(1 for e in self.exchanges if e.note is not None and removed(e.note))
        count += sum(1 for item in self.listings if item.note is not None and removed(item.note))
        return count + sum(1 for event in self.events if event.details is not None and removed_anywhere(event.details))


def member_copy(session: Session, text: str, made: datetime) -> MemberCopy:
    """The copy of the member named by `text`. An erased member is refused: nothing the ledger
    still holds names them."""
    member = find_member(session, text)
    if member.forgotten is not None:
        raise Refused(_("Member {number} was erased on {date}: the ledger no longer holds anything that names "
                        "them, so there is no copy of their data to give.").format(
            number=member.number, date=member.forgotten.date()))
    settings = load_settings(session)
    centres = centre_names(session)
    others = session.execute(select(Member.email, Member.phone).where(
        Member.number != member.number, or_(Member.email.is_not(None), Member.phone.is_not(None))))
    filter_ = ContactFilter(member.email, member.phone, ((email, phone) for email, phone in others))

    def cleaned(text: str | None) -> Parts | None:
        return None if text is None else filter_.parts(text)

    record = MemberRecord(member.number, member.name, member.sort_as, member.kind, member.area, member.email,
                          member.phone, member.lang, cleaned(member.note), member.joined, member.left,
                          centres.get(member.centre) if member.centre else None, bool(member.large_print),
                          member.created_at, member.balance_minutes)

    exchanges = []
    for row in iter_exchanges(session, member=member.number, include_void=True):
        giver = member.number in row.givers
        others_named = row.receiver_names if giver else row.giver_names
        exchanges.append(CopyExchange(
            row.number, row.date, "giver" if giver else "receiver",
            alphabetical(others_named, member.lang) if len(others_named) > 1 else list(others_named),
            row.minutes, row.minutes_for(member.number), row.category, cleaned(row.note), row.reverses,
            row.voided_by, row.purpose, row.recorded_at, row.welsh))
    categories = category_names(session)
    listings = [CopyListing(item.id, item.kind, categories.get(item.category) or CategoryName(
        item.category, item.category, item.category), cleaned(item.note), item.opened, item.closed,
        item.closed_because, item.exchange)
        for item in session.scalars(select(Listing).where(Listing.member == member.number).order_by(Listing.id))]
    theirs = {e.number for e in exchanges}
    events = _events(session, member, theirs, filter_)
    return MemberCopy(settings.name, settings.contact, settings.controller, settings.retention, made, record,
                      periods_of(session, member.number), exchanges, listings, events,
                      _requests(session, member.number), _outcomes(session, member.number))


def _events(session: Session, member: Member, theirs: set[int], filter_: ContactFilter) -> list[CopyEvent]:
    """The events about the member or made by them, oldest first, in one pass over the audit."""
    names = {fold(name) for name in (member.name, member.sort_as) if name}
    # The makers' names are few (the coordinators): those that are the member's, folded as
    # names are compared everywhere, are found among them, then one query reads the events.
    makers = [by for (by,) in session.execute(select(AuditEvent.by).distinct()) if fold(by) in names]
    own_exchange = select(Entry.exchange).where(Entry.member == member.number)
    conditions = [AuditEvent.member == member.number, AuditEvent.exchange.in_(own_exchange)]
    if makers:
        conditions.append(AuditEvent.by.in_(makers))
    query = (select(AuditEvent.id, AuditEvent.at, AuditEvent.by, AuditEvent.action, AuditEvent.member,
                    AuditEvent.exchange, AuditEvent.details)
             .where(or_(*conditions)).order_by(AuditEvent.id))
    out: list[CopyEvent] = []
    for id_, at, by, action, about_member, exchange, details in session.execute(query.execution_options(
            yield_per=5000)):
        made_by = fold(by) in names
        if about_member is not None:
            about = about_member == member.number
        else:
            about = exchange is not None and exchange in theirs
        if not (about or made_by):
            continue
        shown: dict[str, Any] | None = None
        if about:
            shown = _cleaned_details(json.loads(details), filter_,
                                     _THEIR_CONTACTS if action in _OWN_RECORD_ACTIONS else frozenset())
        out.append(CopyEvent(id_, at, by, action, about_member, exchange, about, made_by, shown))
    return out


def _cleaned_details(value: Any, filter_: ContactFilter, kept: frozenset[str] = frozenset()) -> Any:
    """An event's details with someone else's contact details taken out of every text in them:
    a text with nothing taken out stays text, one with something taken out becomes its parts.
    What is under a key in `kept` (at any depth) is given as it is."""
    if isinstance(value, str):
        parts = filter_.parts(value)
        return parts if removed(parts) else value
    if isinstance(value, dict):
        return {key: inner if key in kept else _cleaned_details(inner, filter_, kept) for key, inner in value.items()}
    if isinstance(value, list):
        return [_cleaned_details(inner, filter_, kept) for inner in value]
    return value


def _requests(session: Session, number: int) -> list[CopyRequest]:
    """The member's requests for their data (`member access-request`), in the order they came."""
    from timebank.ledger.records.access_requests import list_requests

    rows = list_requests(session, include_done=True, member=number)
    return [CopyRequest(row.number, row.received, row.due, row.done)
            for row in sorted(rows, key=lambda row: (row.received, row.number))]


def _outcomes(session: Session, number: int) -> list[CopyOutcome]:
    from timebank.ledger.records.outcomes import member_scores

    return [CopyOutcome(row.measure, row.day, row.raw, row.score, row.assisted)
            for row in member_scores(session, number)]


__all__ = ["MemberCopy", "CopyOutcome", "MemberRecord", "CopyExchange", "CopyListing", "CopyEvent", "CopyRequest",
           "member_copy"]
