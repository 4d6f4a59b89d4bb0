"""Members: adding, finding by number or name, listing, editing, leaving and rejoining.

Erasure (`member forget`) is in `erasure`; what a leaving member's listings become is the
`leave` action's business (`actions`), so members know nothing of listings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from timebank.ledger.basics.dates import today
from timebank.ledger.basics.language import fold, normalise_language
from timebank.ledger.basics.names import MemberName, alphabetical, member_name, message_name
from timebank.ledger.basics.text import MAX_NOTE, clean_text
from timebank.ledger.errors import Duplicate, InvalidInput, NotFound, Refused
from timebank.ledger.messages import Joined, Phrase, _, join, ngettext
from timebank.ledger.records import audit, membership
from timebank.ledger.records.centres import find_centre
from timebank.ledger.storage.models import Entry, Member

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
        wanted = fold(member.name)
        for number, name in session.execute(select(Member.number, Member.name).where(
                Member.left.is_(None), Member.forgotten.is_(None), Member.kind != "pot")):
            if fold(name) == wanted:
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


def _candidates_message(matches: list[Member], text: str) -> Phrase:
    shown = sorted(matches, key=lambda m: m.number)[:10]
    listing = join(", ", [_listed(m) for m in shown])
    more = len(matches) - len(shown)
    message: Phrase = ngettext("'{text}' matches {count} member: {listing}",
                               "'{text}' matches {count} members: {listing}", len(matches)).format(
        text=text, count=len(matches), listing=listing)
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


def lookup_names(member: Member) -> tuple[str, ...]:
    return POT_NAMES if member.kind == "pot" else (member.name,)


class MemberIndex:
    """Finds members by number or name; built once when many lookups follow (imports)."""

    def __init__(self, members: list[Member]) -> None:
        self.by_number = {m.number: m for m in members}
        named = [(fold(name), m) for m in members if m.forgotten is None for name in lookup_names(m)]
        # Members who have left are found only when no active member answers to the name.
        self.pools = [[(n, m) for n, m in named if m.left is None], [(n, m) for n, m in named if m.left is not None]]

    def find(self, text: str) -> Member:
        """By number ('17', '#17') or by name: exact, then unique prefix, then unique
        substring, ignoring case and accents; active members first."""
        raw = text.strip()
        number_match = re.fullmatch(r"#?\s*([0-9]+)", raw)
        if number_match:
            member = self.by_number.get(int(number_match.group(1)))
            if member is None:
                raise NotFound(_("There is no member number {number}.").format(number=number_match.group(1)))
            return member
        wanted = fold(raw)
        if not wanted:
            raise InvalidInput(_("Give a member number or name."))
        for pool in self.pools:
            for test in (lambda n: n == wanted, lambda n: n.startswith(wanted), lambda n: wanted in n):
                matches = list(dict.fromkeys(m for n, m in pool if test(n)))  # the pot has two names
                if len(matches) == 1:
                    return matches[0]
                if len(matches) > 1:
                    raise Refused(_candidates_message(matches, raw))
        close = self.closest(wanted)
        if close:
            raise NotFound(_("No member matches '{text}'. Did you mean {names}?").format(
                text=raw, names=join(", ", [_listed(m) for m in close])))
        raise NotFound(_("No member matches '{text}'.").format(text=raw))

    def closest(self, wanted: str, most: int = 3) -> list[Member]:
        """Members whose name, or a word of it, is a slip of the keys from `wanted`: active
        members, or members who have left when no active one is close."""
        limit = max(1, len(wanted) // 3)
        for pool in self.pools:
            scored = []
            for name, member in pool:
                distance = min(edit_distance(wanted, part, limit) for part in [name, *name.split()])
                if distance <= limit:
                    scored.append((distance, name, member))
            if scored:
                ranked = dict.fromkeys(member for _d, _n, member in sorted(scored, key=lambda s: (s[0], s[1])))
                return list(ranked)[:most]
        return []


def member_index(session: Session) -> MemberIndex:
    """Every member, read once, to be found by the same rule as `find_member` many times
    over (the screen names members as they are typed)."""
    return MemberIndex(list(session.scalars(select(Member))))


def find_member(session: Session, text: str) -> Member:
    """One lookup: a number is one primary-key read; a name reads the members once."""
    number_match = re.fullmatch(r"#?\s*([0-9]+)", text.strip())
    if number_match:
        number = int(number_match.group(1))
        # Beyond the database's 64-bit integers no member can have the number.
        member = session.get(Member, number) if number < 2**63 else None
        return MemberIndex([member] if member else []).find(text)
    return member_index(session).find(text)


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
                   ).where(Member.forgotten.is_(None))
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
