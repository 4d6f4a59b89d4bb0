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
import json
from dataclasses import dataclass, field
from itertools import chain as chain_iterables
from itertools import islice
from json.encoder import encode_basestring
from typing import Any, Iterable, Iterator

from sqlalchemy.orm import Session

from timebank.ledger.integrity import canonical, records
from timebank.ledger.integrity.canonical import (AUDIT_FORMAT, EXCHANGE_FORMAT, HELP, PAIR_FORMAT, VERSION,
                                                 VERSION_1, Seal, SealQuery, TextCache, Unfit, with_purpose)
from timebank.ledger.integrity.chain import AUDIT, EXCHANGE, erased_in, resealed_in
from timebank.ledger.messages import Phrase, _, ngettext
from timebank.ledger.storage.sql import driver_batches as _batches

# How many broken links are named one by one; the rest are counted.
NAMED = 10

EXCHANGES = ("SELECT number, date, category, minutes, note, reverses, recorded_at, recorded_by, link, link_hash, "
             "salt, erased_commitment, purpose, text_commitment, redaction, centre, welsh FROM exchanges "
             "ORDER BY number")
ENTRIES = "SELECT exchange, member, role, date, minutes FROM entries ORDER BY exchange, id"
EVENTS = ('SELECT id, at, "by", action, member, exchange, details, link, link_hash, salt, erased_commitment, '
          "text_commitment, redaction FROM audit ORDER BY id")

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
    # Erasure since the link asked about (`check --seal`): (kind, key) -> parts taken out
    # since, and the records a version 1 erasure rewrote since.
    erased_since: dict[tuple[str, int], int] = field(default_factory=dict)
    rewritten_since: set[tuple[str, int]] = field(default_factory=set)
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
    texts = _Texts(session, result, want)
    previous, previous_hash = 0, canonical.GENESIS
    for link, stored, content, kind, key, action in _merged(_exchange_links(session, result, voided, texts),
                                                            _with_records(session, result,
                                                                          _event_links(session, result, texts))):
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
    texts.finish()
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


class _Texts:
    """The personal text of every linked row, proven by its parts (`canonical`): the
    erasures that took parts out, the upgrade's event that bound the texts of version 1
    links, and what was erased since the link asked about."""

    def __init__(self, session: Session, result: Walk, want: int | None) -> None:
        self.result = result
        self.want = want
        self.erasures: dict[tuple[str, int, int, int], int] = {}
        self.rewritten: dict[tuple[str, int], int] = {}
        self.upgrade: tuple[int, str, int] | None = None   # (link, bound hex, texts) of the upgrade
        for link, details in _stream(session, "SELECT link, details FROM audit WHERE action = 'member.forget' "
                                              "AND link IS NOT NULL ORDER BY link"):
            for part in erased_in(details):
                self.erasures.setdefault(part, link)
            for kind, key, _digest in resealed_in(details):
                self.rewritten[(kind, key)] = link
        for link, event_id, details in _stream(session, "SELECT link, id, details FROM audit WHERE action = "
                                                        "'ledger.chain' AND link IS NOT NULL ORDER BY link"):
            try:
                said = json.loads(details)
            except ValueError:
                continue
            if isinstance(said, dict) and said.get("canonical") == VERSION and isinstance(said.get("bound"), str):
                self.upgrade = (link, said["bound"], event_id)
        # The text commitments of version 1 links: the exchanges' in number order, the events'
        # in id order (the order each is read in), as `upgrade_v2.bound_digest` takes them.
        self.older = {EXCHANGE: hashlib.sha256(), AUDIT: hashlib.sha256()}
        self.older_count = 0
        self.shapes: dict[str, list[bytes | str]] = {}

    def recorded_only(self, by: str, salt: Any) -> bytes | None:
        """The commitment of the common exchange's text: who recorded it, no note, nothing
        erased (the short path: a million exchanges share a few recorders). None when it
        does not fit (the general path then names what is wrong)."""
        shape = self.shapes.get(by)
        if shape is None:
            if len(self.shapes) > 10_000:
                self.shapes.clear()
            try:
                shape = self.shapes[by] = [token.encode("utf-8") if is_word else encode_basestring(token)
                                           for is_word, token in canonical.split(by)]
            except (TypeError, AttributeError):
                return None
        try:
            salt = bytes(salt)
        except TypeError:
            return None
        items: list[str] = []
        at = 0
        sha = _sha256
        for piece in shape:
            if isinstance(piece, bytes):
                items.append('"' + sha(salt[at:at + 16] + piece).hexdigest() + '"')
                at += 16
            else:
                items.append(piece)
        if at != len(salt):
            return None
        return sha(("[[" + ",".join(items) + "],null]").encode("utf-8")).digest()

    def commitment(self, kind: str, key: int, action: str | None, link: int, personal: tuple[Any, Any], salt: Any,
                   erased: Any, text_commitment: Any, redaction: Any) -> tuple[bytes | None, int]:
        """(The commitment the link was made with -- None if it cannot be worked out --, the
        version of its link)."""
        try:
            gone = canonical.read_redaction(redaction) if redaction else None
            committed = canonical.parts_commitment(personal, salt, gone)
        except (Unfit, TypeError, ValueError, AttributeError):
            committed = None
        if gone:
            self._taken_out(kind, key, action, link, gone)
        if text_commitment is None:
            return committed, VERSION
        # A link of version 1: the text proven against what the upgrade bound.
        self.older[kind].update(bytes(text_commitment))
        self.older_count += 1
        if committed is None or committed != bytes(text_commitment):
            self.result.broken(link, _changed_text(kind, key, action, link))
        if self.want is not None and link <= self.want < self.rewritten.get((kind, key), 0):
            self.result.rewritten_since.add((kind, key))
        return (bytes(erased) if erased is not None else None), VERSION_1

    def _taken_out(self, kind: str, key: int, action: str | None, link: int,
                   gone: dict[tuple[int, int], str]) -> None:
        unlisted = 0
        for field_number, index in gone:
            by = self.erasures.get((kind, key, field_number, index))
            if by is None or by <= link:
                unlisted += 1
            elif self.want is not None and link <= self.want < by:
                self.result.erased_since[(kind, key)] = self.result.erased_since.get((kind, key), 0) + 1
        if unlisted:
            self.result.broken(link, ngettext(
                "Exchange {number}: {count} word of its text was taken out with no erasure that says so.",
                "Exchange {number}: {count} words of its text were taken out with no erasure that says so.",
                unlisted).format(number=key, count=unlisted) if kind == EXCHANGE else ngettext(
                "Audit event {id} ({action}): {count} word of its text was taken out with no erasure that says so.",
                "Audit event {id} ({action}): {count} words of its text were taken out with no erasure that says "
                "so.", unlisted).format(id=key, action=action, count=unlisted))

    def finish(self) -> None:
        """The texts of the version 1 links, as the upgrade's event bound them."""
        if not self.older_count and self.upgrade is None:
            return
        bound = hashlib.sha256(self.older[EXCHANGE].digest() + self.older[AUDIT].digest()).hexdigest()
        if self.upgrade is None:
            self.result.broken(None, _("The texts of the history written before the upgrade to version 2 of the "
                                       "chain cannot be proven: the upgrade's audit event is missing."))
        elif bound != self.upgrade[1]:
            self.result.broken(self.upgrade[0], _(
                "The texts of the history written before the upgrade to version 2 of the chain are not those its "
                "audit event {id} bound.").format(id=self.upgrade[2]))


def _changed_text(kind: str, key: int, action: str | None, link: int) -> Phrase:
    return _("Exchange {number}: its text has changed since it was recorded (link #{link}).").format(
        number=key, link=link) if kind == EXCHANGE else _(
        "Audit event {id} ({action}): its text has changed since it was recorded (link #{link}).").format(
        id=key, action=action, link=link)


def _not_on_chain(result: Walk, kind: str, key: int, action: str | None) -> None:
    result.broken(None, _("Exchange {number} is not on the chain: timebank did not write it.").format(
        number=key) if kind == EXCHANGE else _("Audit event {id} ({action}) is not on the chain: timebank did not "
                                               "write it.").format(id=key, action=action))


def _exchange_links(session: Session, result: Walk, voided: set[int], proof: _Texts) -> Iterator[list[tuple]]:
    """Each exchange checked against its entries and its figures added up; yields batches
    of links: (link, stored hash, content bytes -- False if unreadable, None if not on the
    chain --, kind, number, None). The loop is written out for speed: it runs a million
    times."""
    texts = TextCache()
    balances, months = result.balances, result.months
    balance_of, month_of, day_of = balances.get, months.get, texts.days.get
    recorded_only = proof.recorded_only
    quoted_of = texts.quoted.get
    moment_raw: Any = None
    moment = ""
    entries = _stream(session, ENTRIES)
    pending = next(entries, None)
    for batch in _batches(session, EXCHANGES):
        out: list[tuple] = []
        append = out.append
        for (number, day, category, minutes, note, reverses, recorded_at, recorded_by, link, stored, salt,
             erased, purpose, text_commitment, redaction, centre, welsh) in batch:
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
            version = VERSION
            committed: bytes | None = None
            if note is None and text_commitment is None and redaction is None and recorded_by is not None:
                committed = recorded_only(recorded_by, salt)
            if committed is None:
                committed, version = proof.commitment(EXCHANGE, number, None, link, (recorded_by, note), salt, erased,
                                                      text_commitment, redaction)
            try:
                if committed is None:
                    raise ValueError("no commitment")
                quoted_category = quoted_of(category) or texts.quote(category)
                if recorded_at != moment_raw or moment_raw is None:
                    moment_raw, moment = recorded_at, texts.moment(recorded_at)
                if common is not None:
                    content: bytes | bool = (PAIR_FORMAT % (
                        version, link, number, quoted_day, quoted_category, minutes,
                        "null" if reverses is None else reverses, moment, *common,
                        committed.hex())).encode("utf-8")
                elif entries_text is not False and quoted_day:
                    content = (EXCHANGE_FORMAT % (
                        version, link, number, quoted_day, quoted_category, minutes,
                        "null" if reverses is None else reverses, moment, entries_text,
                        committed.hex())).encode("utf-8")
                else:
                    content = False
                if (not helps or centre is not None or welsh) and isinstance(content, bytes):
                    # `welsh` as the database gives it: 1 or True when set.
                    content = with_purpose(content, purpose, centre, bool(welsh))
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


def _event_links(session: Session, result: Walk, proof: _Texts) -> Iterator[list[tuple]]:
    texts = TextCache()
    for batch in _batches(session, EVENTS):
        out: list[tuple] = []
        for row in batch:
            _event_link(result, texts, proof, row, out)
        yield out


def _event_link(result: Walk, texts: TextCache, proof: _Texts, row: tuple, out: list[tuple]) -> None:
    (event_id, at, by, action, member, exchange, details, link, stored, salt, erased, text_commitment,
     redaction) = row
    if link is None or stored is None or salt is None:
        _not_on_chain(result, AUDIT, event_id, action)
        out.append((-1, None, None, AUDIT, event_id, action))
        return
    committed, version = proof.commitment(AUDIT, event_id, action, link, (by, details), salt, erased,
                                          text_commitment, redaction)
    try:
        if committed is None:
            raise ValueError("no commitment")
        content: bytes | bool = (AUDIT_FORMAT % (
            version, link, event_id, texts.moment(at), texts.quote(action), "null" if member is None else member,
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


SHOWN = 20  # records named one by one in what erasure took out since a seal


def erased_since_seal(walk_result: Walk) -> list[Phrase]:
    """What erasure took out of the sealed history since the seal: the parts and the records
    (never "nothing changed" when something did)."""
    said: list[Phrase] = []
    if walk_result.erased_since:
        parts = sum(walk_result.erased_since.values())
        said.append(ngettext("Erasure since the seal took out {count} part of the text of {records}.",
                             "Erasure since the seal took out {count} parts of the text of {records}.",
                             parts).format(count=parts, records=_records(walk_result.erased_since)))
    if walk_result.rewritten_since:
        count = len(walk_result.rewritten_since)
        said.append(ngettext("An erasure before the upgrade to version 2 of the chain rewrote the text of {count} "
                             "record since the seal: {records}.",
                             "An erasure before the upgrade to version 2 of the chain rewrote the text of {count} "
                             "records since the seal: {records}.",
                             count).format(count=count, records=_records(walk_result.rewritten_since)))
    return said


def _records(found: Iterable[tuple[str, int]]) -> Phrase:
    keys = sorted(found, key=_exchanges_first)
    named: Phrase | None = None
    for kind, key in keys[:SHOWN]:
        one = _("exchange {number}").format(number=key) if kind == EXCHANGE else _("audit event {id}").format(id=key)
        named = one if named is None else named + ", " + one
    assert named is not None
    if len(keys) > SHOWN:
        named = named + ", " + ngettext("and {count} more", "and {count} more", len(keys) - SHOWN).format(
            count=len(keys) - SHOWN)
    return named


def _exchanges_first(record: tuple[str, int]) -> tuple[bool, int]:
    return record[0] != EXCHANGE, record[1]
