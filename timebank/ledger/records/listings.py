"""Offers and requests: the directory a coordinator brokers from, and matching."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.basics.dates import today
from timebank.ledger.basics.language import sort_key_in
from timebank.ledger.basics.names import MemberName, alphabetical, member_name, message_name
from timebank.ledger.basics.text import MAX_NOTE, clean_text
from timebank.ledger.errors import InvalidInput, NotFound, Refused
from timebank.ledger.messages import _
from timebank.ledger.records import audit
from timebank.ledger.records.categories import CategoryName, category_name, find_category
from timebank.ledger.records.members import require_active
from timebank.ledger.storage.models import Category, Entry, Exchange, Listing, Member
from timebank.ledger.storage.sql import live_condition


@dataclass(frozen=True)
class ListingRow:
    id: int
    kind: str
    member: int
    name: MemberName
    area: str | None
    category: CategoryName
    note: str | None
    opened: date
    closed: date | None
    closed_because: str | None
    exchange: int | None


def _not_found(kind: str, number: int) -> NotFound:
    if kind == "offer":
        return NotFound(_("There is no open offer number {number}.").format(number=number))
    return NotFound(_("There is no open request number {number}.").format(number=number))


def add_listing(session: Session, by: str, kind: str, member: Member, category: str, note: str | None = None,
                on: date | None = None, *, lang: str) -> Listing:
    """A new offer or request (`lang`: the language of a refusal's category names)."""
    if member.kind == "pot":
        raise Refused(_("The time bank pot cannot make offers or requests."))
    require_active(member, on)
    chosen = find_category(session, category, lang)
    code = chosen.code
    duplicate = session.scalar(select(Listing.id).where(
        Listing.kind == kind, Listing.member == member.number, Listing.category == code, Listing.closed.is_(None)))
    if duplicate is not None:
        raise Refused(_("{name} (#{number}) already has an open listing for {category} (number {id}).").format(
            name=message_name(member), number=member.number,
            category=category_name(chosen).name(lang), id=duplicate))
    listing = Listing(kind=kind, member=member.number, category=code,
                      note=clean_text(note, _("note"), limit=MAX_NOTE), opened=on or today())
    session.add(listing)
    session.flush()
    audit.log(session, by, f"{kind}.add", member=member.number, id=listing.id, category=code)
    return listing


def open_listing(session: Session, kind: str, number: int) -> Listing:
    listing = session.get(Listing, number)
    if listing is None or listing.kind != kind or listing.closed is not None:
        raise _not_found(kind, number)
    return listing


def remove_listing(session: Session, by: str, kind: str, number: int) -> Listing:
    listing = open_listing(session, kind, number)
    listing.closed, listing.closed_because = today(), "removed"
    audit.log(session, by, f"{kind}.remove", member=listing.member, id=listing.id)
    return listing


def close_member_listings(session: Session, by: str, member: int, because: str, on: date) -> int:
    """A member who leaves or is erased drops out of the directory (closed, not deleted)."""
    listings = list(session.scalars(select(Listing).where(Listing.member == member, Listing.closed.is_(None))))
    for listing in listings:
        listing.closed, listing.closed_because = on, because
    if listings:
        audit.log(session, by, "listings.close", member=member, ids=[closed.id for closed in listings], because=because)
    return len(listings)


def meet_request(session: Session, by: str, number: int, exchange: int, on: date,
                 receivers: list[int]) -> Listing:
    request = open_listing(session, "request", number)
    if request.member not in receivers:
        raise InvalidInput(_("Request {id} is from member {member}, who is not receiving in this exchange.").format(
            id=number, member=request.member))
    if on < request.opened:
        raise InvalidInput(_("Request {id} was made on {date}, after the exchange.").format(
            id=number, date=request.opened.isoformat()))
    request.closed, request.closed_because, request.exchange = on, "met", exchange
    audit.log(session, by, "request.met", member=request.member, exchange=exchange, id=number)
    return request


def reopen_for_void(session: Session, by: str, exchange: int) -> None:
    """A voided exchange met no request: the request it closed is open again."""
    for request in session.scalars(select(Listing).where(Listing.exchange == exchange)):
        request.closed = request.closed_because = request.exchange = request.closed_link = None
        audit.log(session, by, "request.reopen", member=request.member, exchange=exchange, id=request.id)


def list_listings(session: Session, kind: str, lang: str, *, category: str | None = None, area: str | None = None,
                  member: Member | None = None, include_closed: bool = False) -> list[ListingRow]:
    """Listings by category name, then member, in the alphabetical order of `lang`."""
    query = (select(Listing, Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.area,
                    Category)
             .join(Member, Member.number == Listing.member)
             .join(Category, Category.code == Listing.category)
             .where(Listing.kind == kind))
    if not include_closed:
        query = query.where(Listing.closed.is_(None))
    if category:
        query = query.where(Listing.category == find_category(session, category, lang).code)
    if member is not None:
        query = query.where(Listing.member == member.number)
    rows = []
    for listing, number, member_kind, name, sort_as, forgotten, member_area, cat in session.execute(query):
        if area and (member_area or "").strip().casefold() != area.strip().casefold():
            continue
        rows.append(ListingRow(listing.id, listing.kind, number,
                               MemberName(number, name or "", member_kind, forgotten is not None, sort_as),
                               None if forgotten else member_area, category_name(cat),
                               listing.note, listing.opened, listing.closed, listing.closed_because, listing.exchange))
    rows = alphabetical(rows, lang, key=lambda r: r.name)
    # Stable: within a category, members stay in alphabetical order.
    return sorted(rows, key=lambda r: sort_key_in(r.category.name(lang), lang))


@dataclass(frozen=True)
class Match:
    number: int
    name: MemberName
    area: str | None
    same_area: bool
    last_given: date | None
    balance_minutes: int
    offer: int


def match(session: Session, lang: str, category: str, area: str | None = None,
          exclude: int | None = None) -> list[Match]:
    """Active members who offer `category`, best first: same area first, then whoever gave
    least recently (spreading the work), then the lowest balance (those in debit are asked
    to give). Three queries whatever the number of members."""
    code = find_category(session, category, lang).code
    offers = session.execute(
        select(Listing.id, Member.number, Member.name, Member.kind, Member.forgotten, Member.sort_as, Member.area,
               Member.balance_minutes)
        .join(Member, Member.number == Listing.member)
        .where(Listing.kind == "offer", Listing.category == code, Listing.closed.is_(None),
               Member.left.is_(None), Member.forgotten.is_(None))).all()
    numbers = [row.number for row in offers if row.number != exclude]
    last = dict(session.execute(
        select(Entry.member, func.max(Entry.date))
        .join(Exchange, Exchange.number == Entry.exchange)
        .where(Entry.member.in_(numbers), Entry.minutes > 0, live_condition())
        .group_by(Entry.member)).all()) if numbers else {}
    wanted = (area or "").strip().casefold()
    matches = [Match(row.number, member_name(row), row.area,
                     bool(wanted) and (row.area or "").strip().casefold() == wanted, last.get(row.number),
                     row.balance_minutes, row.id)
               for row in offers if row.number != exclude]
    matches = alphabetical(matches, lang, key=lambda m: m.name)
    return sorted(matches, key=lambda m: (not m.same_area, m.last_given or date.min, m.balance_minutes))


@dataclass(frozen=True)
class RequestFigures:
    opened: int
    met: int
    still_open: int
    median_days_to_meet: float | None


def request_figures(session: Session, start: date, end: date) -> RequestFigures | None:
    """The month's requests, or None while the ledger has no listings at all."""
    if session.scalar(select(Listing.id).limit(1)) is None:
        return None
    requests = session.execute(select(Listing.opened, Listing.closed, Listing.closed_because)
                               .where(Listing.kind == "request", Listing.opened <= end)).all()
    opened = sum(1 for r in requests if start <= r.opened <= end)
    met_days = [(r.closed - r.opened).days for r in requests
                if r.closed_because == "met" and r.closed is not None and start <= r.closed <= end]
    still_open = sum(1 for r in requests if r.closed is None or r.closed > end)
    return RequestFigures(opened, len(met_days), still_open,
                          statistics.median(met_days) if met_days else None)


def matches_for(session: Session, lang: str, *, request: int | None = None, category: str | None = None,
                area: str | None = None) -> tuple[CategoryName, str | None, list[Match]]:
    """Who could meet a request (in its requester's area unless another is given), or who
    offers a category: the category, the area that counted, and the members best first."""
    exclude = None
    if request is not None:
        listing = open_listing(session, "request", request)
        requester = session.get(Member, listing.member)
        code, exclude = listing.category, listing.member
        area = area or (requester.area if requester and requester.forgotten is None else None)
    else:
        code = find_category(session, category or "", lang).code
    chosen = session.get(Category, code)
    assert chosen is not None
    return (category_name(chosen), area or None,
            match(session, lang, code, area, exclude))
