"""One streaming pass over the whole history for `check`: every link of the chain, every
rule an exchange and its entries obey, and the sums the cached balances and monthly
totals must equal -- read once, in order, with memory that grows with the number of
members and months, not of exchanges (a million exchanges, two million entries, a million
audit events).

Written for speed: rows straight from the database driver (SQLAlchemy's row objects and
type conversions would cost more than the hashing), each link's content filled into the
templates of `canonical` with the day, category and action texts worked out once, and the
common exchange (one giver, one receiver) checked on a short path. The general path and
the reference functions of `canonical` give the same bytes (tests prove it on every
ledger they check).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from itertools import chain as chain_iterables
from itertools import islice
from typing import Any, Iterator

from sqlalchemy.orm import Session

from timebank.ledger.integrity import canonical, records
from timebank.ledger.integrity.canonical import (AUDIT_FORMAT, EXCHANGE_FORMAT, HELP, PAIR_FORMAT, VERSION, Seal,
                                                 SealQuery, TextCache, with_purpose)
from timebank.ledger.integrity.chain import AUDIT, EXCHANGE, resealed_in
from timebank.ledger.messages import Phrase, _, ngettext
from timebank.ledger.storage.sql import driver_batches as _batches

# How many broken links are named one by one; the rest are counted.
NAMED = 10

EXCHANGES = ("SELECT number, date, category, minutes, note, reverses, recorded_at, recorded_by, link, link_hash, "
             "salt, erased_commitment, purpose FROM exchanges ORDER BY number")
ENTRIES = "SELECT exchange, member, role, date, minutes FROM entries ORDER BY exchange, id"
EVENTS = ('SELECT id, at, "by", action, member, exchange, details, link, link_hash, salt, erased_commitment '
          "FROM audit ORDER BY id")

_sha256 = hashlib.sha256
BATCH = 10_000
chain_batches = chain_iterables.from_iterable


@dataclass
class Walk:
    """What the pass found. Problems are sentences the face says in the interface language."""

    chain: list[Phrase] = field(default_factory=list)
    zero_sum: list[Phrase] = field(default_factory=list)
    entries: list[Phrase] = field(default_factory=list)
    balances: dict[int, int] = field(default_factory=dict)     # member -> sum of their entries
    months: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # live (exchanges, minutes)
    total: int = 0                                              # the sum of every entry
    last: Seal | None = None                                    # the chain's last link, as stored
    first_broken: int | None = None                             # the first link that did not verify
    sealed: bytes | None = None                                 # the stored hash of the link asked about
    broken_links: int = 0
    # (table, key) -> (link, digest) of each record's latest record link (`records`)
    records: dict[tuple[str, str], tuple[int, bytes | None]] = field(default_factory=dict)

    def broken(self, link: int | None, message: Phrase) -> None:
        self.broken_links += 1
        if link is not None and (self.first_broken is None or link < self.first_broken):
            self.first_broken = link
        if len(self.chain) < NAMED:
            self.chain.append(message)


def _stream(session: Session, sql: str) -> Iterator[tuple]:
    return chain_batches(_batches(session, sql))


def walk(session: Session, want: int | None = None) -> Walk:
    """The pass. `want`: a link whose stored hash to report (for `check --seal`)."""
    result = Walk()
    voided = {n for (n,) in _stream(session, "SELECT reverses FROM exchanges WHERE reverses IS NOT NULL")}
    resealed = _resealed(session)
    previous, previous_hash = 0, canonical.GENESIS
    for link, stored, content, kind, key, action in _merged(_exchange_links(session, result, voided, resealed),
                                                            _with_records(session, result,
                                                                          _event_links(session, result, resealed))):
        if content is None:
            continue  # named already (not on the chain)
        if link == previous + 1:
            if content is False or _sha256(previous_hash + content).digest() != stored:
                result.broken(link, _changed(kind, key, action, link))
        elif link <= previous:
            result.broken(link, records.misplaced_link(key, link) if kind == records.RECORD else _(
                "Exchange {number} is out of place in the chain (link #{link}).").format(
                number=key, link=link) if kind == EXCHANGE else _(
                "Audit event {id} ({action}) is out of place in the chain (link #{link}).").format(
                id=key, action=action, link=link))
            continue
        else:
            first, last = previous + 1, link - 1
            # This link was made from the missing one's hash: it cannot be checked, only
            # taken as the start of what follows.
            result.broken(first, _("Link #{link} of the chain is missing: an exchange or audit event was "
                                   "deleted.").format(link=first) if first == last else _(
                "Links #{first} to #{last} of the chain are missing: exchanges or audit events were deleted.").format(
                first=first, last=last))
        previous, previous_hash = link, stored
        if link == want:
            result.sealed = stored
    if previous:
        result.last = Seal(previous, previous_hash)
    more = result.broken_links - len(result.chain)
    if more > 0:
        result.chain.append(ngettext("... and {count} more broken link.", "... and {count} more broken links.",
                                     more).format(count=more))
    return result


def _merged(first: Iterator[list[tuple]], second: Iterator[list[tuple]]) -> Iterator[tuple]:
    """Two streams of links, each in link order and in batches, as one."""
    a, b = next(first, []), next(second, [])
    i = j = 0
    while True:
        if i == len(a):
            a, i = next(first, []), 0
        if j == len(b):
            b, j = next(second, []), 0
        if not a or not b:
            break
        # Most batches hold long runs of one kind (an import's exchanges, or a day's events
        # between records): a run that ends before the other stream's next link goes at once.
        if a[-1][0] <= b[j][0]:
            yield from a[i:] if i else a
            i = len(a)
            continue
        if b[-1][0] < a[i][0]:
            yield from b[j:] if j else b
            j = len(b)
            continue
        if a[i][0] <= b[j][0]:
            yield a[i]
            i += 1
        else:
            yield b[j]
            j += 1
    yield from a[i:]
    yield from b[j:]
    for rest in (first, second):
        for batch in rest:
            yield from batch


def _with_records(session: Session, result: Walk, events: Iterator[list[tuple]]) -> Iterator[list[tuple]]:
    """The audit events' links and the record links (`records`) as one stream, in batches:
    both are few beside the exchanges, whose path this leaves as it was."""
    merged = _merged(events, records.record_links(_batches(session, records.RECORD_LINKS), result.records))
    while batch := list(islice(merged, BATCH)):
        yield batch


def _changed(kind: str, key: Any, action: str | None, link: int) -> Phrase:
    if kind == records.RECORD:
        return records.changed_link(key, link)
    if kind == EXCHANGE:
        return _("Exchange {number} has changed since it was recorded (link #{link} of the chain does not "
                 "verify).").format(number=key, link=link)
    return _("Audit event {id} ({action}) has changed since it was recorded (link #{link} of the chain does not "
             "verify).").format(id=key, action=action, link=link)


def _resealed(session: Session) -> dict[tuple[str, int], tuple[str, int]]:
    """(kind, key) -> (commitment hex, link of the erasure that bound it), the latest."""
    found: dict[tuple[str, int], tuple[str, int]] = {}
    for link, details in _stream(session, "SELECT link, details FROM audit WHERE action = 'member.forget' "
                                          "AND link IS NOT NULL ORDER BY link"):
        for kind, key, digest in resealed_in(details):
            found[(kind, key)] = (digest, link)
    return found


def _commitment(result: Walk, kind: str, key: int, action: str | None, link: int, salt: Any, personal: bytes,
                erased: Any, resealed: dict[tuple[str, int], tuple[str, int]]) -> bytes:
    """The commitment a link was made with. For a row erasure rewrote, the one kept beside
    it -- and the text as it is now must be what the erasure bound."""
    committed = _sha256(salt + personal).digest()
    if erased is None:
        return committed
    bound = resealed.get((kind, key))
    if bound is None or bound[1] <= link or committed.hex() != bound[0]:
        result.broken(link, _("Exchange {number} was changed after an erasure (link #{link}).").format(
            number=key, link=link) if kind == EXCHANGE else _(
            "Audit event {id} ({action}) was changed after an erasure (link #{link}).").format(
            id=key, action=action, link=link))
    return bytes(erased)


def _not_on_chain(result: Walk, kind: str, key: int, action: str | None) -> None:
    result.broken(None, _("Exchange {number} is not on the chain: timebank did not write it.").format(
        number=key) if kind == EXCHANGE else _("Audit event {id} ({action}) is not on the chain: timebank did not "
                                               "write it.").format(id=key, action=action))


def _exchange_links(session: Session, result: Walk, voided: set[int],
                    resealed: dict[tuple[str, int], tuple[str, int]]) -> Iterator[list[tuple]]:
    """Each exchange checked against its entries and its figures added up; yields batches
    of links: (link, stored hash, content bytes -- False if unreadable, None if not on the
    chain --, kind, number, None). The loop is written out for speed: it runs a million
    times."""
    texts = TextCache()
    balances, months = result.balances, result.months
    balance_of, month_of, day_of, recorder = balances.get, months.get, texts.days.get, texts.personal.get
    quoted_of = texts.quoted.get
    moment_raw: Any = None
    moment = ""
    sha = _sha256
    entries = _stream(session, ENTRIES)
    pending = next(entries, None)
    for batch in _batches(session, EXCHANGES):
        out: list[tuple] = []
        append = out.append
        for (number, day, category, minutes, note, reverses, recorded_at, recorded_by, link, stored, salt,
             erased, purpose) in batch:
            helps = purpose == HELP
            rows = []
            while pending is not None and pending[0] <= number:
                if pending[0] == number:
                    rows.append(pending)
                else:
                    _orphan(result, pending)
                pending = next(entries, None)
            known: tuple[str | None, str | None] | None = day_of(day)
            if known is None:
                try:
                    known = texts.day(day)
                except (ValueError, TypeError):
                    known = (None, None)  # an unreadable date: the link cannot verify
            day_iso, quoted_day = known
            entries_text: str | bool | None = None
            common = None
            if len(rows) == 2 and day_iso is not None and quoted_day is not None:
                (_x, giver, role1, day1, given), (_y, receiver, role2, day2, taken) = rows
                if (role1 == "giver" and role2 == "receiver" and taken == -given and day1 == day and day2 == day
                        and given == (minutes if reverses is None else -minutes)):
                    # The common exchange, in canonical order already: its whole content
                    # is one template filled in (below).
                    common = (giver, quoted_day, given, receiver, quoted_day, taken)
                    entries_text = ""
                    balances[giver] = balance_of(giver, 0) + given
                    balances[receiver] = balance_of(receiver, 0) + taken
                    if reverses is None and number not in voided and helps:
                        month = (day_iso[:7], category)
                        count, earned = month_of(month, (0, 0))
                        months[month] = (count + 1, earned + given)
            if entries_text is None:
                entries_text = _exchange_rules(result, texts, number, day, day_iso, minutes, reverses, category,
                                               [r[1:] for r in rows], voided, helps)
            if link is None or stored is None or salt is None:
                _not_on_chain(result, EXCHANGE, number, None)
                append((-1, None, None, EXCHANGE, number, None))
                continue
            personal = recorder(recorded_by) if note is None else None
            if personal is None:
                personal = texts.recorder(recorded_by, note)
            if erased is None:
                committed = sha(salt + personal).digest()
            else:
                committed = _commitment(result, EXCHANGE, number, None, link, salt, personal, erased, resealed)
            try:
                quoted_category = quoted_of(category) or texts.quote(category)
                if recorded_at != moment_raw or moment_raw is None:
                    moment_raw, moment = recorded_at, texts.moment(recorded_at)
                if common is not None:
                    content: bytes | bool = (PAIR_FORMAT % (
                        VERSION, link, number, quoted_day, quoted_category, minutes,
                        "null" if reverses is None else reverses, moment, *common,
                        committed.hex())).encode("utf-8")
                elif entries_text is not False and quoted_day:
                    content = (EXCHANGE_FORMAT % (
                        VERSION, link, number, quoted_day, quoted_category, minutes,
                        "null" if reverses is None else reverses, moment, entries_text,
                        committed.hex())).encode("utf-8")
                else:
                    content = False
                if not helps and isinstance(content, bytes):
                    content = with_purpose(content, purpose)
            except (ValueError, TypeError, AttributeError):  # a damaged value: this link cannot verify
                moment_raw, content = None, False
            append((link, stored, content, EXCHANGE, number, None))
        yield out
    while pending is not None:
        _orphan(result, pending)
        pending = next(entries, None)


def _orphan(result: Walk, entry: tuple) -> None:
    exchange, member, _role, _day, amount = entry
    result.entries.append(_("Entries point at exchange {number}, which does not exist.").format(number=exchange))
    result.balances[member] = result.balances.get(member, 0) + amount
    result.total += amount


def _exchange_rules(result: Walk, texts: TextCache, number: int, day: Any, day_iso: str | None, per_pair: int,
                    reverses: int | None, category: str, rows: list[tuple], voided: set[int],
                    helps: bool = True) -> str | bool:
    """Any exchange: zero-sum, one side single, each entry's amount for its role and date,
    its figures added up (the monthly totals: help only). Returns its entries' canonical
    text (False if unreadable)."""
    for member, _role, _day, amount in rows:
        result.balances[member] = result.balances.get(member, 0) + amount
        result.total += amount
    if reverses is None and number not in voided and day_iso is not None and helps:
        month = (day_iso[:7], category)
        count, earned = result.months.get(month, (0, 0))
        result.months[month] = (count + 1, earned + sum(r[3] for r in rows if r[3] > 0))
    if not rows:
        result.zero_sum.append(_("Exchange {number} has no entries.").format(number=number))
    else:
        total = sum(r[3] for r in rows)
        if total != 0:
            result.zero_sum.append(_("Exchange {number} does not sum to zero (off by {minutes} minutes).").format(
                number=number, minutes=total))
        givers = sum(1 for r in rows if r[1] == "giver")
        receivers = sum(1 for r in rows if r[1] == "receiver")
        if givers < 1 or receivers < 1 or (givers > 1 and receivers > 1):
            result.entries.append(_("Exchange {number} has {givers} givers and {receivers} receivers.").format(
                number=number, givers=givers, receivers=receivers))
        else:
            sign = -1 if reverses is not None else 1
            for member, role, _entry_day, minutes in rows:
                expected = sign * (per_pair * receivers if role == "giver" else -per_pair * givers)
                if minutes != expected:
                    result.entries.append(_("Exchange {number}: member {member} has {minutes} minutes, expected "
                                            "{expected}.").format(number=number, member=member, minutes=minutes,
                                                                  expected=expected))
    canonical_rows = []
    dated_wrong = False
    for member, role, entry_day, minutes in rows:
        try:
            entry_iso = texts.day(entry_day)[0]
        except (ValueError, TypeError):
            return False
        if entry_iso != day_iso and not dated_wrong:
            dated_wrong = True
            result.entries.append(_("Exchange {number}: an entry is dated {entry}, the exchange {date}.").format(
                number=number, entry=entry_day, date=day))
        canonical_rows.append((member, role, entry_iso, minutes))
    if day_iso is None:
        return False
    return canonical.entries_text(canonical_rows, day_iso)


def _event_links(session: Session, result: Walk, resealed: dict[tuple[str, int], tuple[str, int]]
                 ) -> Iterator[list[tuple]]:
    texts = TextCache()
    for batch in _batches(session, EVENTS):
        out: list[tuple] = []
        for row in batch:
            _event_link(result, texts, resealed, row, out)
        yield out


def _event_link(result: Walk, texts: TextCache, resealed: dict, row: tuple, out: list[tuple]) -> None:
    (event_id, at, by, action, member, exchange, details, link, stored, salt, erased) = row
    if link is None or stored is None or salt is None:
        _not_on_chain(result, AUDIT, event_id, action)
        out.append((-1, None, None, AUDIT, event_id, action))
        return
    try:
        personal = ("[" + texts.quote(by) + "," + canonical.string(details) + "]").encode("utf-8")
    except (TypeError, AttributeError):
        personal = canonical.personal_bytes((by, details))
    committed = _commitment(result, AUDIT, event_id, action, link, salt, personal, erased, resealed)
    try:
        content: bytes | bool = (AUDIT_FORMAT % (
            VERSION, link, event_id, texts.moment(at), texts.quote(action), "null" if member is None else member,
            "null" if exchange is None else exchange, committed.hex())).encode("utf-8")
    except (ValueError, TypeError):
        content = False
    out.append((link, stored, content, AUDIT, event_id, action))


def seal_problems(walk_result: Walk, asked: SealQuery) -> list[Phrase]:
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
