"""Exchanges: recording help given, listing it, and voiding a mistake by its reversal.

Nothing here updates or deletes an entry. A void appends a new exchange whose entries
negate the original's, dated on the original's date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterator

from sqlalchemy import and_, exists, func, insert, select
from sqlalchemy.orm import Session, aliased

from timebank.i18n import _
from timebank.ledger import audit, totals
from timebank.ledger.categories import category_name, find_category
from timebank.ledger.dates import today
from timebank.ledger.errors import InvalidInput, NotFound, Refused
from timebank.ledger.hours import format_hours
from timebank.ledger.members import clean_text, display_name, require_active, MAX_NOTE
from timebank.ledger.models import Category, Entry, Exchange, Member
from timebank.ledger.settings import Settings


@dataclass(frozen=True)
class RecordResult:
    number: int
    balances: list[tuple[int, str, int]]  # (member number, name, balance in minutes)
    overdraft: list[int] = field(default_factory=list)


def member_balance(session: Session, number: int, as_of: date | None = None) -> int:
    if as_of is None:
        return int(session.scalar(select(Member.balance_minutes).where(Member.number == number)) or 0)
    query = select(func.coalesce(func.sum(Entry.minutes), 0)).where(Entry.member == number)
    if as_of is not None:
        query = query.where(Entry.date <= as_of)
    return int(session.scalar(query) or 0)


def first_exchange_date(session: Session) -> date | None:
    return session.scalar(select(func.min(Exchange.date)))


def next_exchange_number(session: Session) -> int:
    return (session.scalar(select(func.max(Exchange.number))) or 0) + 1


def check_exchange(settings: Settings, givers: list[Member], receivers: list[Member], minutes: int, on: date,
                   *, historical: bool = False, now: date | None = None) -> None:
    """The rules every exchange obeys, whether typed or imported. `historical` (imports)
    asks that members belonged on the day rather than that they belong now."""
    if not givers or not receivers:
        raise InvalidInput(_("An exchange needs at least one giver and one receiver."))
    if len(givers) > 1 and len(receivers) > 1:
        raise InvalidInput(_("One side of an exchange must be a single member."))
    numbers = [m.number for m in givers + receivers]
    if len(set(numbers)) != len(numbers):
        raise InvalidInput(_("The same member cannot be on both sides, or named twice."))
    if on > (now or today()):
        raise InvalidInput(_("{date} is in the future.").format(date=on.isoformat()))
    for member in givers + receivers:
        if historical:
            require_member_on(member, on)
        else:
            require_active(member, on)
    if minutes < 1:
        raise InvalidInput(_("The hours must be at least one minute."))
    per_receiver = minutes * len(givers)
    if per_receiver > settings.max_minutes:
        raise InvalidInput(_("{hours} hours for one receiver is more than the limit of {limit} hours "
                             "(setting max_hours).").format(hours=format_hours(per_receiver),
                                                            limit=format_hours(settings.max_minutes)))


def require_member_on(member: Member, on: date) -> None:
    if member.forgotten is not None:
        raise Refused(_("Member {number} has been erased.").format(number=member.number))
    if on < member.joined:
        raise Refused(_("{name} (#{number}) joined on {joined}, after {date}.").format(
            name=display_name(member), number=member.number, joined=member.joined.isoformat(), date=on.isoformat()))
    if member.left is not None and on > member.left:
        raise Refused(_("{name} (#{number}) left on {date}.").format(
            name=display_name(member), number=member.number, date=member.left.isoformat()))


def entry_rows(number: int, givers: list[int], receivers: list[int], minutes: int, on: date) -> list[dict]:
    """The entries of one exchange: each giver earns minutes per receiver, each receiver
    is charged minutes per giver; they sum to zero."""
    rows = [{"exchange": number, "member": g, "role": "giver", "date": on, "minutes": minutes * len(receivers)}
            for g in givers]
    rows += [{"exchange": number, "member": r, "role": "receiver", "date": on, "minutes": -minutes * len(givers)}
             for r in receivers]
    assert sum(row["minutes"] for row in rows) == 0
    return rows


def record_exchange(session: Session, by: str, settings: Settings, *, givers: list[Member],
                    receivers: list[Member], minutes: int, on: date | None = None,
                    category: str | None = None, note: str | None = None,
                    allow_overdraft: bool = False) -> RecordResult:
    """Record one exchange: each giver/receiver pair is worth `minutes`."""
    on = on or today()
    check_exchange(settings, givers, receivers, minutes, on)
    note = clean_text(note, _("note"), limit=MAX_NOTE)
    code = find_category(session, category).code if category else "other"
    per_receiver = minutes * len(givers)

    overdrawn: list[int] = []
    if settings.credit_limit_minutes is not None:
        for receiver in receivers:
            if receiver.kind != "person":
                continue
            after = member_balance(session, receiver.number) - per_receiver
            if after < -settings.credit_limit_minutes:
                if not allow_overdraft:
                    raise Refused(_("{name} (#{number}) would have a balance of {after} hours, below the credit "
                                    "limit of -{limit} hours. Use --allow-overdraft to record it anyway.").format(
                        name=display_name(receiver), number=receiver.number, after=format_hours(after),
                        limit=format_hours(settings.credit_limit_minutes)))
                overdrawn.append(receiver.number)

    number = next_exchange_number(session)
    session.add(Exchange(number=number, date=on, category=code, minutes=minutes, note=note,
                         reverses=None, recorded_at=audit.now(), recorded_by=by))
    session.flush()
    entries = entry_rows(number, [g.number for g in givers], [r.number for r in receivers], minutes, on)
    session.execute(insert(Entry), entries)
    totals.apply_entries(session, entries)
    totals.add_to_months(session, {(totals.month_of(on), code): (1, totals.earned(entries))})
    audit.log(session, by, "exchange.record", exchange=number, date=on.isoformat(), minutes=minutes,
              givers=[g.number for g in givers], receivers=[r.number for r in receivers], category=code)
    for member_number in overdrawn:
        audit.log(session, by, "exchange.overdraft", exchange=number, member=member_number)
    balances = balances_by_member_subset(session, [m.number for m in givers + receivers])
    return RecordResult(number, [(m.number, display_name(m), balances.get(m.number, 0))
                                 for m in givers + receivers], overdrawn)


def balances_by_member_subset(session: Session, numbers: list[int]) -> dict[int, int]:
    query = select(Member.number, Member.balance_minutes).where(Member.number.in_(numbers))
    return {n: int(t) for n, t in session.execute(query)}


@dataclass(frozen=True)
class ExchangeRow:
    number: int
    date: date
    givers: list[int]
    receivers: list[int]
    minutes: int
    category: str
    note: str | None
    void: bool
    reverses: int | None
    giver_names: list[str] = field(default_factory=list)
    receiver_names: list[str] = field(default_factory=list)
    category_name: str = ""
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    voided_by: int | None = None

    @property
    def pairs(self) -> int:
        return len(self.givers) * len(self.receivers)


def _reversal_of():  # type: ignore[no-untyped-def]
    return aliased(Exchange, name="reversal")


def not_a_reversal():  # type: ignore[no-untyped-def]
    # Written so that SQLite cannot use the index on `reverses` for it: nearly every
    # exchange has none, and planning from that index scans the whole table.
    return func.coalesce(Exchange.reverses, 0) == 0


def live_condition():  # type: ignore[no-untyped-def]
    """Exchanges that count: neither a reversal nor voided by one."""
    reversal = _reversal_of()
    return and_(not_a_reversal(), ~exists().where(reversal.reverses == Exchange.number))


def iter_exchanges(session: Session, *, member: int | None = None, start: date | None = None,
                   end: date | None = None, category: str | None = None,
                   include_void: bool = False) -> Iterator[ExchangeRow]:
    """Exchanges in date order, streamed: one query, grouped as it is read."""
    reversal = _reversal_of()
    query = (select(Exchange.number, Exchange.date, Exchange.minutes, Exchange.category, Exchange.note,
                    Exchange.reverses, Exchange.recorded_at, Exchange.recorded_by, reversal.number,
                    Entry.member, Entry.role)
             .join(Entry, Entry.exchange == Exchange.number)
             .outerjoin(reversal, reversal.reverses == Exchange.number))
    if start:
        query = query.where(Exchange.date >= start)
    if end:
        query = query.where(Exchange.date <= end)
    if category:
        query = query.where(Exchange.category == category)
    if member is not None:
        query = query.where(Exchange.number.in_(select(Entry.exchange).where(Entry.member == member)))
    if not include_void:
        query = query.where(not_a_reversal(), reversal.number.is_(None))
    query = query.order_by(Exchange.date, Exchange.number, Entry.id)
    names = _names(session)
    categories = _category_names(session)
    current: dict | None = None
    for (number, on, minutes, code, note, reverses, at, by, voided_by, who, role) in \
            session.execute(query.execution_options(yield_per=5000)):
        if current is None or current["number"] != number:
            if current is not None:
                yield _row(current, names, categories)
            current = {"number": number, "date": on, "minutes": minutes, "category": code, "note": note,
                       "reverses": reverses, "recorded_at": at, "recorded_by": by, "voided_by": voided_by,
                       "givers": [], "receivers": []}
        (current["givers"] if role == "giver" else current["receivers"]).append(who)
    if current is not None:
        yield _row(current, names, categories)


def _row(data: dict, names: dict[int, str], categories: dict[str, str]) -> ExchangeRow:
    return ExchangeRow(
        number=data["number"], date=data["date"], givers=data["givers"], receivers=data["receivers"],
        minutes=data["minutes"], category=data["category"], note=data["note"],
        void=data["reverses"] is not None or data["voided_by"] is not None, reverses=data["reverses"],
        giver_names=[names.get(n, str(n)) for n in data["givers"]],
        receiver_names=[names.get(n, str(n)) for n in data["receivers"]],
        category_name=categories.get(data["category"], data["category"]),
        recorded_at=data["recorded_at"], recorded_by=data["recorded_by"], voided_by=data["voided_by"])


def _names(session: Session) -> dict[int, str]:
    # Plain rows, not ORM objects: building ten thousand Member instances took 0.14 s.
    return {m.number: display_name(m) for m in session.execute(
        select(Member.number, Member.kind, Member.name, Member.forgotten))}


def _category_names(session: Session) -> dict[str, str]:
    return {c.code: category_name(c) for c in session.scalars(select(Category))}


def get_exchange(session: Session, number: int) -> ExchangeRow:
    exchange = session.get(Exchange, number)
    if exchange is None:
        raise NotFound(_("There is no exchange number {number}.").format(number=number))
    rows = list(iter_exchanges(session, start=exchange.date, end=exchange.date, include_void=True))
    return next(row for row in rows if row.number == number)


def void_exchange(session: Session, by: str, number: int, reason: str) -> int:
    """Append the reversal of exchange `number`; returns the reversal's number."""
    reason_text = clean_text(reason, _("reason"), limit=MAX_NOTE, required=True)
    original = session.get(Exchange, number)
    if original is None:
        raise NotFound(_("There is no exchange number {number}.").format(number=number))
    if original.reverses is not None:
        raise Refused(_("Exchange {number} is a reversal (of exchange {original}) and cannot be voided.").format(
            number=number, original=original.reverses))
    already = session.scalar(select(Exchange.number).where(Exchange.reverses == number))
    if already is not None:
        raise Refused(_("Exchange {number} was already voided by exchange {reversal}.").format(
            number=number, reversal=already))
    reversal = next_exchange_number(session)
    session.add(Exchange(number=reversal, date=original.date, category=original.category,
                         minutes=original.minutes, note=reason_text, reverses=number,
                         recorded_at=audit.now(), recorded_by=by))
    session.flush()
    originals = session.execute(select(Entry.member, Entry.role, Entry.minutes)
                                .where(Entry.exchange == number).order_by(Entry.id)).all()
    entries = [{"exchange": reversal, "member": m, "role": role, "date": original.date, "minutes": -minutes}
               for m, role, minutes in originals]
    session.execute(insert(Entry), entries)
    totals.apply_entries(session, entries)
    # The original no longer counts in its month; the reversal never does.
    totals.add_to_months(session, {(totals.month_of(original.date), original.category):
                                   (-1, -totals.earned([{"minutes": -e["minutes"]} for e in entries]))})
    audit.log(session, by, "exchange.void", exchange=number, reversal=reversal, reason=reason_text)
    from timebank.ledger.listings import reopen_for_void

    reopen_for_void(session, by, number)
    return reversal
