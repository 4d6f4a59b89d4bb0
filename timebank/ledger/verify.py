"""One streaming pass over the whole history for `check`: every link of the chain, every
rule an exchange and its entries obey, and the sums the cached balances and monthly
totals must equal -- read once, in order, with memory that grows with the number of
members and months, not of exchanges (a million exchanges, two million entries).

Rows are read with the database driver's own cursors: SQLAlchemy's row objects and type
conversions would cost more than the hashing itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

from sqlalchemy.orm import Session

from timebank.i18n import _, ngettext
from timebank.ledger import canonical
from timebank.ledger.canonical import Seal, SealQuery
from timebank.ledger.chain import AUDIT, EXCHANGE, resealed_in

# How many broken links are named one by one; the rest are counted.
NAMED = 10

EXCHANGES = ("SELECT number, date, category, minutes, note, reverses, recorded_at, recorded_by, link, link_hash, "
             "salt, erased_commitment FROM exchanges ORDER BY number")
ENTRIES = "SELECT exchange, member, role, date, minutes FROM entries ORDER BY exchange, id"
EVENTS = ('SELECT id, at, "by", action, member, exchange, details, link, link_hash, salt, erased_commitment '
          "FROM audit ORDER BY id")


@dataclass
class Walk:
    """What the pass found. Problems are sentences in the interface language."""

    chain: list[str] = field(default_factory=list)
    zero_sum: list[str] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)
    balances: dict[int, int] = field(default_factory=dict)     # member -> sum of their entries
    months: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # live (exchanges, minutes)
    total: int = 0                                              # the sum of every entry
    last: Seal | None = None                                    # the chain's last link, as stored
    first_broken: int | None = None                             # the first link that did not verify
    sealed: bytes | None = None                                 # the stored hash of the link asked about
    broken_links: int = 0


def _stream(session: Session, sql: str) -> Iterator[tuple]:
    """Plain tuples straight from the driver, in the session's snapshot: a server-side
    cursor on PostgreSQL, so a million rows never sit in memory."""
    connection = session.connection()
    dbapi: Any = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        cursor = dbapi.cursor()
        cursor.arraysize = 5000
        cursor.execute(sql)
    else:
        cursor = dbapi.cursor(name=f"timebank_{uuid.uuid4().hex[:12]}")
        cursor.itersize = 20_000
        cursor.execute(sql)
    try:
        while True:
            rows = cursor.fetchmany(5000)
            if not rows:
                return
            yield from rows
    finally:
        cursor.close()


def _grouped_entries(session: Session) -> Iterator[tuple[int, list[tuple]]]:
    current: int | None = None
    rows: list[tuple] = []
    for exchange, member, role, day, minutes in _stream(session, ENTRIES):
        if exchange != current:
            if current is not None:
                yield current, rows
            current, rows = exchange, []
        rows.append((member, role, day, minutes))
    if current is not None:
        yield current, rows


class _Days:
    """Canonical date and moment texts, each worked out once (a million exchanges share a
    few thousand days, and an import's rows one moment)."""

    def __init__(self) -> None:
        self.days: dict[Any, str] = {}
        self.moments: dict[Any, str] = {}

    def day(self, value: Any) -> str:
        text = self.days.get(value)
        if text is None:
            text = self.days[value] = canonical.day_text(value)
        return text

    def moment(self, value: Any) -> str:
        text = self.moments.get(value)
        if text is None:
            text = self.moments[value] = canonical.moment_text(value)
        return text


def walk(session: Session, want: int | None = None) -> Walk:
    """The pass. `want`: a link whose stored hash to report (for `check --seal`)."""
    result = Walk()
    voided = {n for (n,) in _stream(session, "SELECT reverses FROM exchanges WHERE reverses IS NOT NULL")}
    resealed = _resealed(session)
    days = _Days()
    exchanges = _exchanges(session, result, voided, days)
    events = _events(session)
    chain = _Chain(result, want, resealed)
    exchange, event = next(exchanges, None), next(events, None)
    while exchange is not None or event is not None:
        if event is None or (exchange is not None and (exchange[0] or 0) <= (event[0] or 0)):
            link, stored, salt, erased, number, content_of, personal = exchange  # type: ignore[misc]
            chain.add(EXCHANGE, number, None, link, stored, salt, erased, content_of, personal)
            exchange = next(exchanges, None)
        else:
            link, stored, salt, erased, event_id, action, content_of, personal = event
            chain.add(AUDIT, event_id, action, link, stored, salt, erased, content_of, personal)
            event = next(events, None)
    chain.finish()
    return result


def _resealed(session: Session) -> dict[tuple[str, int], tuple[str, int]]:
    """(kind, key) -> (commitment hex, link of the erasure that bound it), the latest."""
    found: dict[tuple[str, int], tuple[str, int]] = {}
    for link, details in _stream(session, "SELECT link, details FROM audit WHERE action = 'member.forget' "
                                          "AND link IS NOT NULL ORDER BY link"):
        for kind, key, digest in resealed_in(details):
            found[(kind, key)] = (digest, link)
    return found


def _exchanges(session: Session, result: Walk, voided: set[int], days: _Days) -> Iterator[tuple]:
    """Each exchange checked against its entries and its figures added up; yields what its
    link needs: (link, stored hash, salt, erased commitment, number, content(link,
    commitment), personal text)."""
    entries = _grouped_entries(session)
    pending = next(entries, None)
    balances, months = result.balances, result.months
    for (number, day, category, minutes, note, reverses, recorded_at, recorded_by, link, stored, salt,
         erased) in _stream(session, EXCHANGES):
        while pending is not None and pending[0] < number:
            _orphans(result, pending)
            pending = next(entries, None)
        rows: list[tuple] = []
        if pending is not None and pending[0] == number:
            rows = pending[1]
            pending = next(entries, None)
        try:
            day_iso = days.day(day)
            moment = days.moment(recorded_at)
        except (ValueError, TypeError):
            day_iso = moment = None  # an unreadable date: the link cannot verify
        _exchange_rules(result, number, day, day_iso, minutes, reverses, rows, days)
        if reverses is None and number not in voided and day_iso is not None:
            key = (day_iso[:7], category)
            count, earned = months.get(key, (0, 0))
            months[key] = (count + 1, earned + sum(r[3] for r in rows if r[3] > 0))
        for member, _role, _day, amount in rows:
            balances[member] = balances.get(member, 0) + amount
            result.total += amount

        def content_of(link: int, committed: bytes, *, number=number, day_iso=day_iso, category=category,
                       minutes=minutes, reverses=reverses, moment=moment, rows=rows) -> bytes | None:
            if day_iso is None or moment is None:
                return None
            try:
                return canonical.exchange_content(link, number, day_iso, category, minutes, reverses, moment,
                                                  [(m, role, days.day(d), amount) for m, role, d, amount in rows],
                                                  committed)
            except (ValueError, TypeError):
                return None

        yield link, stored, salt, erased, number, content_of, (recorded_by, note)
    while pending is not None:
        _orphans(result, pending)
        pending = next(entries, None)


def _orphans(result: Walk, pending: tuple[int, list[tuple]]) -> None:
    exchange, rows = pending
    result.entries.append(ngettext("{count} entry points at exchange {number}, which does not exist.",
                                   "{count} entries point at exchange {number}, which does not exist.",
                                   len(rows)).format(count=len(rows), number=exchange))
    for member, _role, _day, amount in rows:
        result.balances[member] = result.balances.get(member, 0) + amount
        result.total += amount


def _exchange_rules(result: Walk, number: int, day: Any, day_iso: str | None, per_pair: int,
                    reverses: int | None, rows: list[tuple], days: _Days) -> None:
    """Zero-sum, one side single, each entry's amount for its role, each entry's date."""
    if not rows:
        result.zero_sum.append(_("Exchange {number} has no entries.").format(number=number))
        return
    total = sum(r[3] for r in rows)
    if total != 0:
        result.zero_sum.append(_("Exchange {number} does not sum to zero (off by {minutes} minutes).").format(
            number=number, minutes=total))
    givers = sum(1 for r in rows if r[1] == "giver")
    receivers = sum(1 for r in rows if r[1] == "receiver")
    if givers < 1 or receivers < 1 or (givers > 1 and receivers > 1):
        result.entries.append(_("Exchange {number} has {givers} givers and {receivers} receivers.").format(
            number=number, givers=givers, receivers=receivers))
        return
    sign = -1 if reverses is not None else 1
    dated_wrong = False
    for member, role, entry_day, minutes in rows:
        expected = sign * (per_pair * receivers if role == "giver" else -per_pair * givers)
        if minutes != expected:
            result.entries.append(_("Exchange {number}: member {member} has {minutes} minutes, expected "
                                    "{expected}.").format(number=number, member=member, minutes=minutes,
                                                          expected=expected))
        if not dated_wrong and entry_day != day:
            try:
                same = days.day(entry_day) == day_iso
            except (ValueError, TypeError):
                same = False
            if not same:
                dated_wrong = True
                result.entries.append(_("Exchange {number}: an entry is dated {entry}, the exchange {date}.").format(
                    number=number, entry=entry_day, date=day))


def _events(session: Session) -> Iterator[tuple]:
    days = _Days()
    for (event_id, at, by, action, member, exchange, details, link, stored, salt,
         erased) in _stream(session, EVENTS):
        def content_of(link: int, committed: bytes, *, event_id=event_id, at=at, action=action, member=member,
                       exchange=exchange) -> bytes | None:
            try:
                return canonical.audit_content(link, event_id, days.moment(at), action, member, exchange, committed)
            except (ValueError, TypeError):
                return None

        yield link, stored, salt, erased, event_id, action, content_of, (by, details)


class _Chain:
    """Checks each link against its stored predecessor, so that one changed row is named
    once and an independent change further on is named too."""

    def __init__(self, result: Walk, want: int | None, resealed: dict[tuple[str, int], tuple[str, int]]) -> None:
        self.result = result
        self.want = want
        self.resealed = resealed
        self.link = 0
        self.hash = canonical.GENESIS

    def _broken(self, link: int | None, message: str) -> None:
        result = self.result
        result.broken_links += 1
        if link is not None and (result.first_broken is None or link < result.first_broken):
            result.first_broken = link
        if len(result.chain) < NAMED:
            result.chain.append(message)

    def add(self, kind: str, key: int, action: str | None, link: int | None, stored: Any, salt: Any,
            erased: Any, content_of: Any, personal: tuple[str | None, str | None]) -> None:
        if link is None or stored is None or salt is None:
            self._broken(None, _("Exchange {number} is not on the chain: timebank did not write it.").format(
                number=key) if kind == EXCHANGE else _("Audit event {id} ({action}) is not on the chain: timebank "
                                                       "did not write it.").format(id=key, action=action))
            return
        stored = bytes(stored)
        if link <= self.link:
            self._broken(link, _("Exchange {number} is out of place in the chain (link #{link}).").format(
                number=key, link=link) if kind == EXCHANGE else _(
                "Audit event {id} ({action}) is out of place in the chain (link #{link}).").format(
                id=key, action=action, link=link))
            return
        if link > self.link + 1:
            first, last = self.link + 1, link - 1
            self._broken(first, _("Link #{link} of the chain is missing: an exchange or audit event was "
                                  "deleted.").format(link=first) if first == last else _(
                "Links #{first} to #{last} of the chain are missing: exchanges or audit events were deleted.").format(
                first=first, last=last))
            # This link was made from the missing one's hash: it cannot be checked, only
            # taken as the start of what follows.
            self._advance(link, stored)
            return
        committed = canonical.commitment(bytes(salt), personal)
        if erased is not None:
            # Erasure rewrote this row's text: the link was made with the commitment kept
            # beside it, and the text as it is now must be the one the erasure bound.
            bound = self.resealed.get((kind, key))
            if bound is None or bound[1] <= link or committed.hex() != bound[0]:
                self._broken(link, _("Exchange {number} was changed after an erasure (link #{link}).").format(
                    number=key, link=link) if kind == EXCHANGE else _(
                    "Audit event {id} ({action}) was changed after an erasure (link #{link}).").format(
                    id=key, action=action, link=link))
            committed = bytes(erased)
        content = content_of(link, committed)
        if content is None or canonical.link_hash(self.hash, content) != stored:
            self._broken(link, _("Exchange {number} has changed since it was recorded (link #{link} of the chain "
                                 "does not verify).").format(number=key, link=link) if kind == EXCHANGE else _(
                "Audit event {id} ({action}) has changed since it was recorded (link #{link} of the chain does not "
                "verify).").format(id=key, action=action, link=link))
        self._advance(link, stored)

    def _advance(self, link: int, stored: bytes) -> None:
        self.link, self.hash = link, stored
        if link == self.want:
            self.result.sealed = stored

    def finish(self) -> None:
        result = self.result
        if self.link:
            result.last = Seal(self.link, self.hash)
        more = result.broken_links - len(result.chain)
        if more > 0:
            result.chain.append(ngettext("... and {count} more broken link.", "... and {count} more broken links.",
                                         more).format(count=more))


def seal_problems(walk_result: Walk, asked: SealQuery) -> list[str]:
    """Whether the ledger still holds exactly the history sealed as `asked`."""
    last = walk_result.last
    if last is None or asked.link > last.link:
        return [_("The seal {seal} names link #{link}, but the ledger's history ends at link #{last}: "
                  "links were deleted or the ledger was restored from an older copy.").format(
            seal=asked.text, link=asked.link, last=last.link if last else 0)]
    if walk_result.sealed is None or not asked.matches(walk_result.sealed):
        found = Seal(asked.link, walk_result.sealed).text if walk_result.sealed is not None else f"#{asked.link}"
        return [_("The seal {seal} does not match: link #{link} is now {found}. The history up to it has "
                  "changed since the seal was printed.").format(seal=asked.text, link=asked.link, found=found)]
    if walk_result.first_broken is not None and walk_result.first_broken <= asked.link:
        return [_("Link #{link} still carries the sealed hash, but the history before it does not verify "
                  "(from link #{first}).").format(link=asked.link, first=walk_result.first_broken)]
    return []

