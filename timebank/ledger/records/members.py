"""Members: adding, finding by number or name, listing, editing, leaving and rejoining.

Erasure (`member forget`) is in `erasure`; what a leaving member's listings become is the
`leave` action's business (`actions`), so members know nothing of listings.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Protocol

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, object_session

from timebank.ledger.basics.dates import today
from timebank.ledger.basics.language import fold, normalise_language
from timebank.ledger.basics.names import MemberName, alphabetical, member_name, message_name
from timebank.ledger.basics.text import MAX_NOTE, clean_text
from timebank.ledger.errors import Duplicate, InvalidInput, NotFound, Refused
from timebank.ledger.messages import Joined, Phrase, _, join, ngettext
from timebank.ledger.records import audit, membership
from timebank.ledger.records.centres import find_centre
from timebank.ledger.storage.models import ACCOUNT_KINDS, PARTNER_KIND, Entry, Member

POT = 0
KINDS = ("person", "organisation")


def check_lang(value: str | None) -> str | None:
    if value is None:
        return None
    lang = normalise_language(value)
    if lang is None or lang != value.strip().lower():
        raise InvalidInput(_("'{value}' is not a language: use cy or en.").format(value=value))
    return lang


def check_kind(value: str) -> str:
    if value not in KINDS:
        raise InvalidInput(_("'{value}' is not a kind of member: use person or organisation.").format(value=value))
    return value


def check_email(value: str | None) -> str | None:
    value = clean_text(value, _("email"))
    if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise InvalidInput(_("'{value}' is not an email address.").format(value=value))
    return value


def next_number(session: Session) -> int:
    return (session.scalar(select(func.max(Member.number))) or 0) + 1


def create_pot(session: Session, joined: date, lang: str) -> None:
    session.add(Member(number=POT, kind="pot", name="pot", lang=lang, joined=joined, created_at=audit.now()))


def add_member(session: Session, by: str, *, name: str, kind: str = "person", area: str | None = None,
               email: str | None = None, phone: str | None = None, lang: str | None = None,
               joined: date | None = None, note: str | None = None, sort_as: str | None = None,
               default_lang: str = "en", again: bool = False, centre: str | None = None) -> Member:
    """Add a member. A name an active member already has is refused as a `Duplicate`
    unless `again` (two people can share a name; one person typed twice is a mistake).
    `centre`: the code of their home centre (refused if there is no such centre)."""
    member = Member(
        number=next_number(session),
        kind=check_kind(kind),
        name=clean_text(name, _("name"), required=True),
        sort_as=clean_text(sort_as, _("sort-as name")),
        area=clean_text(area, _("area")),
        email=check_email(email),
        phone=clean_text(phone, _("phone number")),
        lang=check_lang(lang) or default_lang,
        note=clean_text(note, _("note"), limit=MAX_NOTE),
        joined=joined or today(),
        created_at=audit.now(),
        centre=None if centre is None else find_centre(session, centre).code,
    )
    if re.fullmatch(r"#?\d+", member.name):
        raise InvalidInput(_("A name cannot be only a number: numbers name members."))
    if not again:
        # Through the index of folded names (`Member.folded`): the one row, if any.
        same = session.execute(select(Member.number, Member.name).where(
            Member.folded == fold(member.name), Member.left.is_(None), Member.forgotten.is_(None),
            Member.kind.not_in(ACCOUNT_KINDS)).order_by(Member.number).limit(1)).first()
        if same is not None:
            number, name = same
            # The command line adds how to say it is meant (--again).
            raise Duplicate(_("{name} (#{number}) is already an active member.").format(name=name, number=number),
                            _("{name} (#{number}) is already an active member. Add another with the same "
                              "name?").format(name=name, number=number))
    session.add(member)
    session.flush()
    membership.open_period(session, member.number, member.joined)
    # A centre only where there is one: the events of a ledger with none read as they did.
    at: dict[str, Any] = {"centre": member.centre} if member.centre is not None else {}
    audit.log(session, by, "member.add", member=member.number, name=member.name, kind=member.kind,
              area=member.area, lang=member.lang, joined=member.joined.isoformat(), **at)
    return member


def _listed(member: Member) -> Phrase:
    """'#17 Siân Jones', and '(left)' after a member who has left, for a refusal."""
    text = Joined((f"#{member.number} ", message_name(member)))
    return text + " " + _("(left)") if member.left is not None else text


def _candidates_message(shown: list[Member], count: int, text: str) -> Phrase:
    """`text` matches `count` members: the first of them by number are `shown`."""
    listing = join(", ", [_listed(m) for m in shown])
    more = count - len(shown)
    message: Phrase = ngettext("'{text}' matches {count} member: {listing}",
                               "'{text}' matches {count} members: {listing}", count).format(
        text=text, count=count, listing=listing)
    if more > 0:
        message = Joined((message, " ", ngettext("(and {count} more)", "(and {count} more)", more).format(count=more)))
    return Joined((message, ". ", _("Use the member number.")))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two letters counts one), or limit + 1
    once it is certain to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


# The pot answers to its name in either language, as a member's stored name does (the core
# has no catalogue: tests/test_catalogues.py checks these against cy.po and en.po).
POT_NAMES = ("Time bank pot", "Pot y banc amser")
_POT_FOLDED = tuple(fold(name) for name in POT_NAMES)


def lookup_names(member: Member) -> tuple[str, ...]:
    return POT_NAMES if member.kind == "pot" else (member.name,)


# How a folded name can match the folded text typed, strongest first.
EXACT, PREFIX, SUBSTRING = "exact", "prefix", "substring"
_MATCHES: dict[str, Callable[[str, str], bool]] = {
    EXACT: lambda name, wanted: name == wanted,
    PREFIX: lambda name, wanted: name.startswith(wanted),
    SUBSTRING: lambda name, wanted: wanted in name,
}

# A member as a name lookup weighs them: number, one folded name, and whether they have left.
Named = tuple[int, str, bool]


class Names(Protocol):
    """Where a name lookup finds its candidates: the members in memory (`MemberIndex`) or the
    ledger's index of folded names (`LedgerNames`). Erased members answer to no name."""

    def matching(self, how: str, wanted: str) -> list[Named]:
        """The members with a name that matches `wanted` (folded) `how`, active or not."""

    def everyone(self) -> list[Named]:
        """Every member and their names, for a did-you-mean after no match (the error path)."""

    def member(self, number: int) -> Member:
        """One of the members these names gave."""


def find_by_name(names: Names, text: str) -> Member:
    """The rule of a name typed: exact, then unique prefix, then unique substring, ignoring
    case and accents; active members first, members who have left only when no active one
    answers at all. Each kind of match is asked of `names` only when the stronger ones found
    no one, so a name typed in full reads the one row it names."""
    raw = text.strip()
    wanted = fold(raw)
    if not wanted:
        raise InvalidInput(_("Give a member number or name."))
    found: dict[str, list[Named]] = {}
    for left in (False, True):
        for how in (EXACT, PREFIX, SUBSTRING):
            if how not in found:
                # Only what truly matches: the source may narrow in SQL, the rule decides here.
                test = _MATCHES[how]
                found[how] = [row for row in names.matching(how, wanted) if test(row[1], wanted)]
            matches = sorted(dict.fromkeys(number for number, _name, gone in found[how] if gone == left))
            if len(matches) == 1:
                return names.member(matches[0])
            if len(matches) > 1:
                raise Refused(_candidates_message([names.member(number) for number in matches[:10]], len(matches),
                                                  raw))
    close = closest(names.everyone(), wanted)
    if close:
        raise NotFound(_("No member matches '{text}'. Did you mean {names}?").format(
            text=raw, names=join(", ", [_listed(names.member(number)) for number in close])))
    raise NotFound(_("No member matches '{text}'.").format(text=raw))


def closest(named: list[Named], wanted: str, most: int = 3) -> list[int]:
    """The numbers of the members whose name, or a word of it, is a slip of the keys from
    `wanted`: active members, or members who have left when no active one is close."""
    limit = max(1, len(wanted) // 3)
    size, letters, counts = len(wanted), set(wanted), Counter(wanted)
    known: dict[str, int] = {}  # first names and surnames recur: each weighed once

    def distance_to(part: str) -> int:
        found = known.get(part)
        if found is None:
            # Certainly further than `limit` without the costly distance: lengths, or letters
            # one has and the other lacks, that differ by more (each slip adds or takes away
            # one letter at most; a swap neither).
            ours = set(part)
            if abs(len(part) - size) > limit or len(letters - ours) > limit or len(ours - letters) > limit:
                found = limit + 1
            else:
                counted = Counter(part)
                if (counts - counted).total() > limit or (counted - counts).total() > limit:
                    found = limit + 1
                else:
                    found = edit_distance(wanted, part, limit)
            known[part] = found
        return found

    for left in (False, True):
        scored = []
        for number, name, gone in named:
            if gone != left:
                continue
            distance = min([distance_to(part) for part in [name, *name.split()]])
            if distance <= limit:
                scored.append((distance, name, number))
        if scored:
            ranked = dict.fromkeys(number for _d, _n, number in sorted(scored, key=lambda s: (s[0], s[1])))
            return list(ranked)[:most]
    return []


def _number_asked(text: str) -> int | None:
    """The number in '17' or '#17', or None for a name."""
    number_match = re.fullmatch(r"#?\s*([0-9]+)", text.strip())
    return int(number_match.group(1)) if number_match else None


def _no_number(text: str) -> NotFound:
    return NotFound(_("There is no member number {number}.").format(number=text.strip().lstrip("#").strip()))


class MemberIndex:
    """Every member read once, to be found by number or name many times over (imports, the
    screen), by the same rule as `find_member` (`find_by_name`)."""

    def __init__(self, members: list[Member]) -> None:
        # A partner bank's member's account is named `CODE:NUMBER`, never by a name.
        self.by_number = {m.number: m for m in members if m.kind != PARTNER_KIND}
        self.named: list[Named] = [(m.number, folded, m.left is not None) for m in self.by_number.values()
                                   if m.forgotten is None
                                   for folded in (_POT_FOLDED if m.kind == "pot" else (fold(m.name),))]

    def active(self) -> list[Member]:
        """The members who belong (not the pot, no one who has left or was erased)."""
        return [m for m in self.by_number.values() if m.kind not in ACCOUNT_KINDS and m.left is None
                and m.forgotten is None]

    def matching(self, how: str, wanted: str) -> list[Named]:
        test = _MATCHES[how]
        return [row for row in self.named if test(row[1], wanted)]

    def everyone(self) -> list[Named]:
        return self.named

    def member(self, number: int) -> Member:
        return self.by_number[number]

    def find(self, text: str) -> Member:
        """By number ('17', '#17') or by name (`find_by_name`)."""
        number = _number_asked(text)
        if number is None:
            return find_by_name(self, text)
        member = self.by_number.get(number)
        if member is None:
            raise _no_number(text)
        return member


class LedgerNames:
    """The members' names as the ledger keeps them folded and indexed (`members.folded`):
    each question reads only the members that answer it. An exact name is one lookup in the
    index and a prefix one range of it (the column compares bytes on both databases, so
    everything that starts with the text lies between it and the text with its last
    character advanced); a part of a name is a scan that returns only the rows holding it.
    The pot, whose names are words in either language, is matched here in Python."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _named(self, condition: ColumnElement[bool] | None) -> list[Named]:
        query = select(Member.number, Member.folded, Member.left).where(
            Member.forgotten.is_(None), Member.kind.not_in(ACCOUNT_KINDS))
        if condition is not None:
            query = query.where(condition)
        return [(number, folded or "", left is not None) for number, folded, left in self.session.execute(query)]

    def _pot(self, how: str, wanted: str | None) -> list[Named]:
        test = _MATCHES[how]
        return [(POT, name, False) for name in _POT_FOLDED if wanted is None or test(name, wanted)]

    def matching(self, how: str, wanted: str) -> list[Named]:
        if how == EXACT:
            condition: ColumnElement[bool] = Member.folded == wanted
        elif how == PREFIX:
            after = _after_prefix(wanted)
            condition = Member.folded >= wanted
            if after is not None:
                condition = and_(condition, Member.folded < after)
        else:
            condition = Member.folded.contains(wanted, autoescape=True)
        pot = self._pot(how, wanted)
        if pot and self.session.get(Member, POT) is None:
            pot = []
        return self._named(condition) + pot

    def everyone(self) -> list[Named]:
        # The error path: tuples, never a member object each.
        return self._named(None) + self._pot(EXACT, None)

    def member(self, number: int) -> Member:
        member = self.session.get(Member, number)
        assert member is not None  # it was just read
        return member


def _after_prefix(text: str) -> str | None:
    """The least text after every text that starts with `text`, in code-point order (which is
    UTF-8's byte order): `text` with its last character advanced, or None if none follows."""
    while text:
        code = ord(text[-1]) + 1
        if code == 0xD800:  # surrogates are no characters: UTF-8 skips them
            code = 0xE000
        if code <= 0x10FFFF:
            return text[:-1] + chr(code)
        text = text[:-1]
    return None


def member_index(session: Session) -> MemberIndex:
    """Every member, read once, to be found by the same rule as `find_member` many times
    over (the screen names members as they are typed; imports)."""
    return MemberIndex(list(session.scalars(select(Member))))


def find_member(session: Session, text: str) -> Member:
    """One lookup: a number is one primary-key read; a name reads the members whose folded
    name answers (`LedgerNames`), never all of them."""
    number = _number_asked(text)
    if number is None:
        return find_by_name(LedgerNames(session), text)
    # Beyond the database's 64-bit integers no member can have the number.
    member = session.get(Member, number) if number < 2**63 else None
    if member is None:
        raise _no_number(text)
    return member


def require_active(member: Member, on: date | None = None) -> None:
    if member.left is not None:
        raise Refused(_("{name} (#{number}) left on {date}.").format(
            name=message_name(member), number=member.number, date=member.left.isoformat()))
    if member.forgotten is not None:
        raise Refused(_("Member {number} has been erased.").format(number=member.number))
    if on is not None and on < member.joined:
        raise Refused(_("{name} (#{number}) joined on {joined}, after {date}.").format(
            name=message_name(member), number=member.number, joined=member.joined.isoformat(), date=on.isoformat()))


def require_member_on(member: Member, on: date) -> None:
    """A member on a given day: joined by then, not yet left, never erased (imports, and
    history typed in late)."""
    if member.forgotten is not None:
        raise Refused(_("Member {number} has been erased.").format(number=member.number))
    if on < member.joined:
        raise Refused(_("{name} (#{number}) joined on {joined}, after {date}.").format(
            name=message_name(member), number=member.number, joined=member.joined.isoformat(), date=on.isoformat()))
    if member.left is not None and on > member.left:
        raise Refused(_("{name} (#{number}) left on {date}.").format(
            name=message_name(member), number=member.number, date=member.left.isoformat()))
    session = object_session(member)
    periods = membership.several_periods(session).get(member.number) if session is not None else None
    gap = membership.gap_holding(periods, on) if periods else None
    if gap is not None:
        raise Refused(_("{name} (#{number}) was not a member on {date}: they left on {left} and rejoined on "
                        "{joined}.").format(name=message_name(member), number=member.number, date=on.isoformat(),
                                            left=gap[0].left.isoformat() if gap[0].left else "",
                                            joined=gap[1].joined.isoformat()))


def member_days(member: Member) -> tuple[date, date] | None:
    """The days on which `require_member_on` passes for the member when they are one run,
    from joining to leaving (or to any day); None when it must be asked day by day (an
    erased member, or one who left and rejoined). An import asks once a member, not once a row."""
    if member.forgotten is not None:
        return None
    session = object_session(member)
    if session is not None and member.number in membership.several_periods(session):
        return None
    return member.joined, member.left or date.max


@dataclass(frozen=True)
class MemberRow:
    number: int
    name: MemberName
    kind: str
    area: str | None
    lang: str
    joined: date
    left: date | None
    balance_minutes: int
    email: str | None = None
    phone: str | None = None


def list_members(session: Session, lang: str, *, which: str = "active", search: str | None = None,
                 include_pot: bool = False) -> list[MemberRow]:
    """Members in the alphabetical order of `lang`, with their balances. An erased member is
    on no list (`member show` still finds them by number)."""
    query = select(Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.area,
                   Member.lang, Member.joined, Member.left, Member.balance_minutes, Member.email, Member.phone
                   ).where(Member.forgotten.is_(None), Member.kind != PARTNER_KIND)
    if not include_pot:
        query = query.where(Member.kind != "pot")
    if which == "active":
        query = query.where(Member.left.is_(None))
    elif which == "left":
        query = query.where(Member.left.is_not(None))
    rows = [MemberRow(m.number, member_name(m), m.kind, None if m.forgotten else m.area, m.lang, m.joined, m.left,
                      m.balance_minutes, None if m.forgotten else m.email, None if m.forgotten else m.phone)
            for m in session.execute(query)]
    return alphabetical(matching(rows, search), lang, key=lambda r: r.name)


def matching(rows: list[MemberRow], search: str | None) -> list[MemberRow]:
    """The rows whose name or area contains `search` (ignoring case and accents), or whose
    number it is ('17' or '#17'), in the order given: `member list --search`."""
    return MemberSearch(rows).find(search)


class MemberSearch:
    """The one search rule over members read once: the screen's search as you type folds
    every name once, not at each keystroke (ten thousand names take 30 ms to fold)."""

    def __init__(self, rows: list[MemberRow]) -> None:
        self.every = [(fold(r.name.name), fold(r.area or ""), str(r.number), r) for r in rows]
        self.active = [entry for entry in self.every if entry[3].left is None]

    def find(self, search: str | None, *, everyone: bool = True) -> list[MemberRow]:
        """Rows that match `search` (all of them for none): every member, or (not
        `everyone`) only those who have not left."""
        pool = self.every if everyone else self.active
        if not search or not search.strip():
            return [row for *_folded, row in pool]
        wanted = fold(search.strip())
        number = wanted[1:].strip() if wanted.startswith("#") else wanted
        return [row for name, area, own, row in pool if wanted in name or wanted in area or number == own]


def edit_member(session: Session, by: str, member: Member, **changes: str | bool | None) -> dict[str, tuple]:
    """Change descriptive details (never amounts) and how their statements print (`large_print`,
    true or false); returns what changed."""
    if member.kind == "pot":
        raise Refused(_("The time bank pot cannot be edited."))
    if member.forgotten is not None:
        raise Refused(_("Member {number} has been erased.").format(number=member.number))
    checks: dict[str, Any] = {
        "large_print": bool,
        "name": lambda v: clean_text(v, _("name"), required=True),
        "area": lambda v: clean_text(v, _("area")),
        "email": check_email,
        "phone": lambda v: clean_text(v, _("phone number")),
        "lang": check_lang,
        "note": lambda v: clean_text(v, _("note"), limit=MAX_NOTE),
        "sort_as": lambda v: clean_text(v, _("sort-as name")),
        "centre": lambda v: find_centre(session, v).code,
    }
    changed: dict[str, tuple] = {}
    for field, value in changes.items():
        if value is None:
            continue
        new = checks[field](value)
        if field == "name" and new is not None and re.fullmatch(r"#?\d+", new):
            raise InvalidInput(_("A name cannot be only a number: numbers name members."))
        if field == "lang" and new is None:
            continue
        old = getattr(member, field)
        if new != old:
            setattr(member, field, new)
            changed[field] = (old, new)
    if not changed:
        raise InvalidInput(_("Nothing to change: give at least one new detail."))
    audit.log(session, by, "member.edit", member=member.number,
              changes={k: {"old": v[0], "new": v[1]} for k, v in changed.items()})
    return changed


def leave_member(session: Session, by: str, member: Member, on: date | None = None) -> date:
    if member.kind == "pot":
        raise Refused(_("The time bank pot cannot leave."))
    if member.forgotten is not None:
        raise Refused(_("Member {number} has been erased.").format(number=member.number))
    if member.left is not None:
        raise Refused(_("{name} (#{number}) already left on {date}.").format(
            name=message_name(member), number=member.number, date=member.left.isoformat()))
    on = on or today()
    since = membership.open_since(session, member.number) or member.joined
    if on < since:
        raise InvalidInput(_("{name} (#{number}) joined on {joined}, after {date}.").format(
            name=message_name(member), number=member.number, joined=since.isoformat(), date=on.isoformat()))
    last = session.scalar(select(func.max(Entry.date)).where(Entry.member == member.number))
    if last is not None and on < last:
        raise InvalidInput(_("{name} (#{number}) has an exchange on {last}, after {date}.").format(
            name=message_name(member), number=member.number, last=last.isoformat(), date=on.isoformat()))
    member.left = on
    membership.close_period(session, member.number, on, membership.LEFT)
    audit.log(session, by, "member.leave", member=member.number, date=on.isoformat())
    return on


def rejoin_member(session: Session, by: str, member: Member, on: date | None = None) -> date:
    """A member who left belongs again from `on` (today by default): a new period, the
    one that ended kept as it was."""
    if member.forgotten is not None:
        raise Refused(_("Member {number} has been erased.").format(number=member.number))
    if member.left is None:
        raise Refused(_("{name} (#{number}) has not left.").format(name=message_name(member), number=member.number))
    on = on or today()
    if on < member.left:
        raise InvalidInput(_("{name} (#{number}) left on {left}, after {date}: a rejoining starts on or after "
                             "the day they left.").format(name=message_name(member), number=member.number,
                                                         left=member.left.isoformat(), date=on.isoformat()))
    membership.open_period(session, member.number, on)
    audit.log(session, by, "member.rejoin", member=member.number, left=member.left.isoformat(), date=on.isoformat())
    member.left = None
    return on
