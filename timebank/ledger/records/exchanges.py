"""Exchanges: the rules every exchange obeys, the one path that writes them (typed,
imported or reversed), and reading them back.

Nothing here updates or deletes an entry. A void appends a new exchange whose entries
negate the original's, dated on the original's date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Sequence

from sqlalchemy import String, and_, case, cast, exists, func, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased

from timebank.ledger.records import audit, partners
from timebank.ledger.records import settings as settings_module
from timebank.ledger.records import totals
from timebank.ledger.records.balances import balances_of
from timebank.ledger.records.categories import CategoryName, category_name, category_names, find_category
from timebank.ledger.basics.dates import today
from timebank.ledger.errors import Duplicate, InvalidInput, NotFound, OverLimit, Refused
from timebank.ledger.messages import _
from timebank.ledger.basics.hours import format_hours
from timebank.ledger.records.members import POT, require_member_on
from timebank.ledger.storage.models import ACCOUNT_KINDS, HELP, OPENING, Entry, Exchange, Member
from timebank.ledger.basics.names import MemberName, member_name, message_name
from timebank.ledger.records.settings import Settings
from timebank.ledger.storage.sql import (NAME_COLUMNS, driver_batches, live_condition, month_of,
                                 is_a_reversal, not_a_reversal, reversal_alias)
from timebank.ledger.basics.text import MAX_NOTE, clean_text


def first_exchange_date(session: Session) -> date | None:
    return session.scalar(select(func.min(Exchange.date)))


def next_exchange_number(session: Session) -> int:
    return (session.scalar(select(func.max(Exchange.number))) or 0) + 1


# Rules ---------------------------------------------------------------------------------

def check_exchange(settings: Settings, givers: list[Member], receivers: list[Member], minutes: int, on: date,
                   *, now: date | None = None,
                   member_on: Callable[[Member, date], None] = require_member_on) -> None:
    """The rules every exchange obeys, whether typed or imported (an import passes its own
    `member_on`, `require_member_on` asked once a member)."""
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
        # Members on the day of the help: a paper sheet from last week may name someone
        # who has left since. The pot has no joining day: it exists from the first day a
        # record needs it (`write_exchanges` moves its `joined` back to that day).
        if member.kind not in ACCOUNT_KINDS:  # a partner's member: their bank's business
            member_on(member, on)
    if minutes < 1:
        raise InvalidInput(_("The hours must be at least one minute."))
    per_receiver = minutes * len(givers)
    if per_receiver > settings.max_minutes:
        raise InvalidInput(_("{hours} hours for one receiver is more than the limit of {limit} hours "
                             "(setting max_hours).").format(hours=format_hours(per_receiver),
                                                            limit=format_hours(settings.max_minutes)))


def overdrawn_receivers(session: Session, settings: Settings, receivers: list[Member], per_receiver: int,
                        allow_overdraft: bool) -> list[int]:
    """Receivers this exchange takes below the credit limit: refused, or (allowed) listed."""
    if settings.credit_limit_minutes is None:
        return []
    current = balances_of(session, [r.number for r in receivers])
    overdrawn: list[int] = []
    for receiver in receivers:
        after = current.get(receiver.number, 0) - per_receiver
        if settings_module.below_limit(settings, receiver.kind, after):
            if not allow_overdraft:
                reason = _("{name} (#{number}) would have a balance of {after} hours, below the credit limit of "
                           "-{limit} hours.").format(name=message_name(receiver), number=receiver.number,
                                                     after=format_hours(after),
                                                     limit=format_hours(settings.credit_limit_minutes))
                # The command line adds how to record it all the same (--allow-overdraft).
                raise OverLimit(reason, reason + " " + _("Record it anyway?"), reason)
            overdrawn.append(receiver.number)
    return overdrawn


# The one write path ----------------------------------------------------------------------

class NewExchange(NamedTuple):
    """An exchange about to be written: each giver/receiver pair is worth `minutes`. A
    reversal names the exchange it `reverses` and carries that exchange's parties. (A
    named tuple: an import makes a hundred thousand, and a frozen dataclass takes three
    times as long to make.)"""

    on: date
    category: str
    minutes: int
    note: str | None
    givers: tuple[int, ...]
    receivers: tuple[int, ...]
    reverses: int | None = None
    purpose: str = HELP  # OPENING: an opening balance, which counts in no activity figure
    centre: str | None = None  # the code of the centre it was recorded at (a reversal: its original's)
    welsh: bool = False  # carried out in Welsh (a reversal: its original's mark)


def entry_rows(givers: Sequence[int], receivers: Sequence[int], minutes: int, *,
               sign: int = 1) -> list[tuple[int, str, int]]:
    """The entries of one exchange, (member, role, minutes): each giver earns minutes per
    receiver, each receiver is charged minutes per giver; they sum to zero. A reversal's
    are the same, negated."""
    given, taken = sign * minutes * len(receivers), -sign * minutes * len(givers)
    rows = [(g, "giver", given) for g in givers] + [(r, "receiver", taken) for r in receivers]
    assert given * len(givers) + taken * len(receivers) == 0
    return rows


EXCHANGE_COLUMNS = ("number", "date", "category", "minutes", "note", "reverses", "recorded_at", "recorded_by",
                    "link", "link_hash", "salt", "purpose", "centre", "welsh")
ENTRY_COLUMNS = ("exchange", "member", "role", "date", "minutes")
BATCH_ENTRIES = 20_000


def write_exchanges(session: Session, by: str, exchanges: Iterable[NewExchange],
                    progress: Callable[[int], object] | None = None) -> tuple[int, int]:
    """Append exchanges with their entries, each a link of the chain, and keep the cached
    balances and monthly totals in step, in the caller's transaction. Returns (first
    number, count).

    Rows go to the driver in batches (SQLAlchemy's per-row parameter processing costs more
    than the database's own work for a hundred thousand rows): SQLite's executemany,
    PostgreSQL's COPY (`_copy`)."""
    from timebank.ledger.integrity import chain  # here: commands that only read never load the chain

    first = next_exchange_number(session)
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"

    def stored(value: date | datetime) -> object:
        # SQLAlchemy keeps SQLite dates as ISO text ('2026-11-24', '2026-11-24 10:00:00');
        # PostgreSQL's driver takes the objects.
        return str(value) if sqlite else value

    moment = audit.now()
    recorded_at = stored(moment)
    links = chain.writer(session)
    day_text: dict[date, object] = {}
    month_key: dict[date, str] = {}
    balance_changes: dict[int, int] = {}
    month_changes: dict[tuple[str, str], tuple[int, int]] = {}
    exchange_rows: list[tuple] = []
    entries: list[tuple] = []
    pot_from: date | None = None  # the earliest day this write needs the pot
    count = 0
    pair = links.pair
    add_exchange, add_entry = exchange_rows.append, entries.append
    for count, exchange in enumerate(exchanges, 1):
        number = first + count - 1
        on, category, minutes, note, givers, receivers, reverses, purpose, centre, welsh = exchange
        day = day_text.get(on) or day_text.setdefault(on, stored(on))
        sign = -1 if reverses is not None else 1
        if len(givers) == 1 and len(receivers) == 1:
            # The common exchange (every row of most imports): `entry_rows` written out.
            giver, receiver = givers[0], receivers[0]
            given = sign * minutes
            link, digest, salt = pair(number, on, category, minutes, reverses, moment, giver, given, receiver, by,
                                      note, None, purpose, centre, welsh)
            add_exchange((number, day, category, minutes, note, reverses, recorded_at, by, link, digest, salt,
                          purpose, centre, welsh))
            add_entry((number, giver, "giver", day, given))
            add_entry((number, receiver, "receiver", day, -given))
            balance_changes[giver] = balance_changes.get(giver, 0) + given
            balance_changes[receiver] = balance_changes.get(receiver, 0) - given
            helped = minutes
        else:
            rows = entry_rows(givers, receivers, minutes, sign=sign)
            link, digest, salt = links.exchange(
                number, on, category, minutes, reverses, moment,
                [(member, role, on, amount) for member, role, amount in rows], by, note, purpose=purpose,
                centre=centre, welsh=welsh)
            add_exchange((number, day, category, minutes, note, reverses, recorded_at, by, link, digest, salt,
                          purpose, centre, welsh))
            for member, role, amount in rows:
                add_entry((number, member, role, day, amount))
                balance_changes[member] = balance_changes.get(member, 0) + amount
            # What the givers earned (`earned` of the entries before the sign): each giver earns
            # the minutes once per receiver.
            helped = minutes * len(givers) * len(receivers)
        if POT in givers or POT in receivers:
            if pot_from is None or on < pot_from:
                pot_from = on
        # A reversal takes its original out of the month's figures; it never counts itself.
        # An exchange that is not help (an opening balance) is in no month's figures, nor its reversal.
        if purpose == HELP:
            key = (month_key.get(on) or month_key.setdefault(on, month_of(on)), category)
            n, total = month_changes.get(key, (0, 0))
            month_changes[key] = (n + sign, total + sign * helped)
        if len(entries) >= BATCH_ENTRIES:
            _insert(session, exchange_rows, entries)
            if progress:
                progress(count)
    _insert(session, exchange_rows, entries)
    totals.add_to_balances(session, balance_changes)
    totals.add_to_months(session, month_changes)
    if pot_from is not None:
        # The pot exists from the first day any record needs it: a back-dated exchange with
        # the pot moves its joining day back, so that reports of that day list it.
        moved = session.execute(update(Member).where(Member.number == POT, Member.joined > pot_from)
                                .values(joined=pot_from).execution_options(synchronize_session="fetch"))
        if moved.rowcount:  # type: ignore[attr-defined]
            from timebank.ledger.integrity import records

            records.link_rows(session, "members", [POT])
    return first, count


def _insert(session: Session, exchanges: list[tuple], entries: list[tuple]) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, exchanges, entries)
    else:
        _executemany(connection, exchanges, entries)


def _executemany(connection: Connection, exchanges: list[tuple], entries: list[tuple]) -> None:
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    for table, columns, rows in (("exchanges", EXCHANGE_COLUMNS, exchanges), ("entries", ENTRY_COLUMNS, entries)):
        if rows:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
            connection.exec_driver_sql(sql, rows)
            rows.clear()


def _copy(connection: Connection, exchanges: list[tuple], entries: list[tuple]) -> None:
    """PostgreSQL: the rows through COPY, in the caller's transaction. An INSERT a row, even
    pipelined by the driver's executemany, costs the server a statement each (parse, bind,
    executor start and end for every one of a million rows): two thirds of an import's time.
    COPY takes the same values, converted by the columns' types as an INSERT's parameters
    are, with the same defaults (an entry's id from its sequence, in row order), and the
    same constraints and foreign keys checked for every row."""
    driver = connection.connection.driver_connection
    assert driver is not None  # the live connection of the session's transaction
    with driver.cursor() as cursor:
        for table, columns, rows in (("exchanges", EXCHANGE_COLUMNS, exchanges), ("entries", ENTRY_COLUMNS, entries)):
            if rows:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
                rows.clear()


@dataclass(frozen=True)
class RecordResult:
    number: int
    balances: list[tuple[MemberName, int]]  # each party and their balance afterwards, in minutes
    # What was written, for the read-back ("on Thursday ... Siân gave Llinos 1.50 hours").
    on: date
    minutes: int                            # per giver/receiver pair
    category: CategoryName
    givers: list[MemberName]
    receivers: list[MemberName]
    overdraft: list[int] = field(default_factory=list)
    # Each partner bank traded with: its code, its name and this ledger's balance with it after.
    partners: list[tuple[str, str, int]] = field(default_factory=list)


DUPLICATE_DAYS = 14


def recent_duplicate(session: Session, givers: list[int], receivers: list[int], minutes: int, on: date,
                     category: str) -> int | None:
    """An exchange that counts, recorded in the last 14 days, with the same givers,
    receivers, minutes, date and category: what a paper sheet typed twice looks like."""
    since = audit.now() - timedelta(days=DUPLICATE_DAYS)
    reversal = reversal_alias()
    candidates = session.execute(
        select(Exchange.number, Entry.member, Entry.role)
        .join(Entry, Entry.exchange == Exchange.number)
        .outerjoin(reversal, reversal.reverses == Exchange.number)
        .where(Exchange.date == on, Exchange.minutes == minutes, Exchange.category == category,
               Exchange.recorded_at >= since, not_a_reversal(), reversal.number.is_(None))
        .order_by(Exchange.number)).all()
    parties: dict[int, tuple[set[int], set[int]]] = {}
    for number, member, role in candidates:
        parties.setdefault(number, (set(), set()))[0 if role == "giver" else 1].add(member)
    wanted = (set(givers), set(receivers))
    return next((number for number, found in parties.items() if found == wanted), None)


def record_exchange(session: Session, by: str, settings: Settings, *, givers: list[Member],
                    receivers: list[Member], minutes: int, on: date | None = None,
                    category: str | None = None, note: str | None = None,
                    allow_overdraft: bool = False, again: bool = False, lang: str,
                    centre: str | None = None, welsh: bool = False) -> RecordResult:
    """Record one exchange: each giver/receiver pair is worth `minutes`. One that repeats an
    exchange recorded in the last 14 days is refused as a `Duplicate` unless `again`.
    (`lang`: the language of a refusal's category codes; `centre`: the code of the centre
    it is recorded at, if any -- refused if there is no such centre; `welsh`: the help was
    carried out in Welsh.)"""
    on = on or today()
    check_exchange(settings, givers, receivers, minutes, on)
    note = clean_text(note, _("note"), limit=MAX_NOTE)
    if centre is not None:
        from timebank.ledger.records.centres import find_centre

        centre = find_centre(session, centre).code
    found = find_category(session, category or "other", lang)
    code = found.code
    if not again:
        earlier = recent_duplicate(session, [g.number for g in givers], [r.number for r in receivers], minutes,
                                   on, code)
        if earlier is not None:
            # The command line adds how to say it is meant (--again).
            raise Duplicate(_("Exchange {number} already records this help (the same members, hours, date and "
                              "category).").format(number=earlier),
                            _("Exchange {number} already records this help. Record it again?").format(number=earlier))
    trading = partners.check_trade(session, givers, receivers, minutes, allow_overdraft)
    overdrawn = overdrawn_receivers(session, settings, receivers, minutes * len(givers), allow_overdraft)
    number, _count = write_exchanges(session, by, [NewExchange(
        on, code, minutes, note, tuple(g.number for g in givers), tuple(r.number for r in receivers),
        centre=centre, welsh=welsh)])
    partners.stamp(session, number, trading.values())
    at: dict[str, Any] = {"centre": centre} if centre is not None else {}
    if welsh:
        at["welsh"] = True
    audit.log(session, by, "exchange.record", exchange=number, date=on.isoformat(), minutes=minutes,
              givers=[g.number for g in givers], receivers=[r.number for r in receivers], category=code, **at)
    for member_number in overdrawn:
        audit.log(session, by, "exchange.overdraft", exchange=number, member=member_number)
    parties = givers + receivers
    after = balances_of(session, [m.number for m in parties])
    return RecordResult(number, [(member_name(m), after.get(m.number, 0)) for m in parties], on, minutes,
                        category_name(found), [member_name(g) for g in givers], [member_name(r) for r in receivers],
                        overdrawn, partners.traded(session, trading.values()))


def void_exchange(session: Session, by: str, number: int, reason: str, *, stamp: bool = True) -> int:
    """Append the reversal of exchange `number`; returns the reversal's number. (`stamp`: a void
    of a trade is this bank's own, to travel to its partners; a void a partner's file brings
    is stamped with the partner's id by whoever takes the file.)"""
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
    parties = session.execute(select(Entry.member, Entry.role).where(Entry.exchange == number)
                              .order_by(Entry.id)).all()
    reversal, _count = write_exchanges(session, by, [NewExchange(
        original.date, original.category, original.minutes, reason_text,
        tuple(m for m, role in parties if role == "giver"), tuple(m for m, role in parties if role == "receiver"),
        reverses=number, purpose=original.purpose, centre=original.centre, welsh=bool(original.welsh))])
    # The void of a trade with a partner bank travels to it as the trade did.
    if stamp:
        partners.stamp(session, reversal, partners.trades_of(session, number))
    audit.log(session, by, "exchange.void", exchange=number, reversal=reversal, reason=reason_text)
    return reversal


# Reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExchangeRow:
    number: int
    date: date
    givers: list[int]
    receivers: list[int]
    minutes: int          # per giver/receiver pair
    category: CategoryName
    note: str | None
    reverses: int | None
    voided_by: int | None
    giver_names: list[MemberName] = field(default_factory=list)
    receiver_names: list[MemberName] = field(default_factory=list)
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    purpose: str = HELP   # OPENING: an opening balance (a reversal carries its original's)
    welsh: bool = False   # carried out in Welsh (a reversal carries its original's mark)

    @property
    def opening(self) -> bool:
        return self.purpose == OPENING

    @property
    def void(self) -> bool:
        return self.reverses is not None or self.voided_by is not None

    def minutes_for(self, member: int) -> int:
        """What this exchange moved for one party: + earned as a giver, - as a receiver
        (a reversal's parties carry the original's roles, so its signs are the opposite)."""
        sign = -1 if self.reverses is not None else 1
        if member in self.givers:
            return sign * self.minutes * len(self.receivers)
        return -sign * self.minutes * len(self.givers)


def names_by_number(session: Session, partners_of: int | None = None) -> dict[int, MemberName]:
    """Every member's name, or (`partners_of`) only the names of the members who share an
    exchange with that member: a member's page or statement on a ledger of ten thousand
    members names a few dozen of them."""
    query = select(*NAME_COLUMNS)
    if partners_of is not None:
        shared = select(Entry.exchange).where(Entry.member == partners_of)
        query = query.where(Member.number.in_(select(Entry.member).where(Entry.exchange.in_(shared))))
    return {m.number: member_name(m) for m in session.execute(query)}


def iter_exchanges(session: Session, *, member: int | None = None, start: date | None = None,
                   end: date | None = None, category: str | None = None,
                   include_void: bool = False, latest: int | None = None) -> Iterator[ExchangeRow]:
    """Exchanges in date order, streamed: one query, grouped as it is read. With `latest`,
    only the last so many of them (still oldest first): a member's page shows ten."""
    reversal = reversal_alias()
    conditions = []
    if start:
        conditions.append(Exchange.date >= start)
    if end:
        conditions.append(Exchange.date <= end)
    if category:
        conditions.append(Exchange.category == category)
    if member is not None:
        conditions.append(Exchange.number.in_(select(Entry.exchange).where(Entry.member == member)))
    if not include_void:
        conditions += [not_a_reversal(), reversal.number.is_(None)]
    if latest is not None:
        last = (select(Exchange.number).outerjoin(reversal, reversal.reverses == Exchange.number)
                .where(*conditions).order_by(Exchange.date.desc(), Exchange.number.desc()).limit(latest))
        conditions = [Exchange.number.in_(last)]
    query = (select(Exchange.number, Exchange.date, Exchange.minutes, Exchange.category, Exchange.note,
                    Exchange.reverses, Exchange.recorded_at, Exchange.recorded_by, reversal.number,
                    Entry.member, Entry.role, Exchange.purpose, Exchange.welsh)
             .join(Entry, Entry.exchange == Exchange.number)
             .outerjoin(reversal, reversal.reverses == Exchange.number)
             .where(*conditions)
             .order_by(Exchange.date, Exchange.number, Entry.id))
    names = names_by_number(session, partners_of=member)
    categories = category_names(session)
    current: dict | None = None
    for (number, on, minutes, code, note, reverses, at, by, voided_by, who, role, purpose, welsh) in \
            session.execute(query.execution_options(yield_per=5000)):
        if current is None or current["number"] != number:
            if current is not None:
                yield _row(current, names, categories)
            current = {"number": number, "date": on, "minutes": minutes, "category": code, "note": note,
                       "reverses": reverses, "recorded_at": at, "recorded_by": by, "voided_by": voided_by,
                       "givers": [], "receivers": [], "purpose": purpose, "welsh": bool(welsh)}
        (current["givers"] if role == "giver" else current["receivers"]).append(who)
    if current is not None:
        yield _row(current, names, categories)


def _row(data: dict, names: dict[int, MemberName], categories: dict[str, CategoryName]) -> ExchangeRow:
    code = data["category"]
    return ExchangeRow(
        number=data["number"], date=data["date"], givers=data["givers"], receivers=data["receivers"],
        minutes=data["minutes"], category=categories.get(code) or CategoryName(code, code, code), note=data["note"],
        reverses=data["reverses"], voided_by=data["voided_by"],
        giver_names=[names[n] for n in data["givers"]], receiver_names=[names[n] for n in data["receivers"]],
        recorded_at=data["recorded_at"], recorded_by=data["recorded_by"], purpose=data["purpose"],
        welsh=data["welsh"])


def get_exchange(session: Session, number: int) -> ExchangeRow:
    exchange = session.get(Exchange, number) if number < 2**63 else None
    if exchange is None:
        raise NotFound(_("There is no exchange number {number}.").format(number=number))
    rows = iter_exchanges(session, start=exchange.date, end=exchange.date, include_void=True)
    return next(row for row in rows if row.number == number)


def iter_pairs(session: Session, start: date | None, end: date | None, include_void: bool = False
               ) -> Iterator[tuple]:
    """(exchange, ISO date, giver, receiver, minutes, category, welsh) for every giver/receiver pair
    of every exchange that counts, streamed from one query (a million rows never sit in
    memory). With `include_void`, voided exchanges and their reversals too, each row ending
    in its status: 'void', 'reversal' (its minutes negative, as its entries carry them, so
    that a column's sum is the hours that count) or '' for an exchange that counts."""
    giver, receiver = aliased(Entry, name="giver"), aliased(Entry, name="receiver")
    columns: list[Any] = [Exchange.number, cast(Exchange.date, String(10)), giver.member, receiver.member,
                          Exchange.minutes, Exchange.category, Exchange.welsh]
    if include_void:
        reversal = reversal_alias()
        is_reversal = is_a_reversal()
        columns[4] = case((is_reversal, -Exchange.minutes), else_=Exchange.minutes)
        columns.append(case((is_reversal, literal("reversal")),
                            (exists().where(reversal.reverses == Exchange.number), literal("void")),
                            else_=literal("")))
    # The date as text: ISO already, and parsing a million dates only to print them is waste.
    query = (select(*columns)
             .join(giver, and_(giver.exchange == Exchange.number, giver.role == "giver"))
             .join(receiver, and_(receiver.exchange == Exchange.number, receiver.role == "receiver"))
             .order_by(Exchange.date, Exchange.number, giver.id, receiver.id))
    if not include_void:
        query = query.where(live_condition())
    if start:
        query = query.where(Exchange.date >= start)
    if end:
        query = query.where(Exchange.date <= end)
    # Straight from the driver: SQLAlchemy's rows cost a fifth of a million-row export. The
    # only values bound are the roles and two dates, written into the statement.
    sql = str(query.compile(dialect=session.connection().dialect, compile_kwargs={"literal_binds": True}))
    for batch in driver_batches(session, sql):
        yield from batch
