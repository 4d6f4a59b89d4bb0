"""Members: adding, finding by number or name, listing, editing, leaving and rejoining."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from timebank.i18n import _, fold, ngettext, normalise_language, sort_key
from timebank.ledger import audit
from timebank.ledger.dates import today
from timebank.ledger.errors import InvalidInput, NotFound, Refused
from timebank.ledger.models import Entry, Member
from timebank.ledger.text import ERASED, has_control_characters

POT = 0
KINDS = ("person", "organisation")
MAX_TEXT = 200
MAX_NOTE = 2000


def display_name(member: Member) -> str:
    """The name to show: the pot and erased members get a name in the output language."""
    if member.kind == "pot":
        return _("Time bank pot")
    if member.forgotten is not None:
        return _("Member {number} (erased)").format(number=member.number)
    return member.name


def clean_text(value: str | None, label: str, *, limit: int = MAX_TEXT, required: bool = False) -> str | None:
    """Trim a text field and refuse control characters or excessive length."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        if required:
            raise InvalidInput(_("The {field} cannot be empty.").format(field=label))
        return None
    if has_control_characters(value):
        raise InvalidInput(_("The {field} contains control characters.").format(field=label))
    if len(value) > limit:
        raise InvalidInput(_("The {field} is too long (at most {count} characters).").format(field=label, count=limit))
    return value


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
               default_lang: str = "en") -> Member:
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
    )
    if re.fullmatch(r"#?\d+", member.name):
        raise InvalidInput(_("A name cannot be only a number: numbers name members."))
    session.add(member)
    session.flush()
    audit.log(session, by, "member.add", member=member.number, name=member.name, kind=member.kind,
              area=member.area, lang=member.lang, joined=member.joined.isoformat())
    return member


def _candidates_message(matches: list[Member], text: str) -> str:
    shown = sorted(matches, key=lambda m: m.number)[:10]
    listing = ", ".join(f"#{m.number} {display_name(m)}" for m in shown)
    more = len(matches) - len(shown)
    message = ngettext("'{text}' matches {count} member: {listing}",
                       "'{text}' matches {count} members: {listing}", len(matches)).format(
        text=text, count=len(matches), listing=listing)
    if more > 0:
        message += " " + ngettext("(and {count} more)", "(and {count} more)", more).format(count=more)
    return message + ". " + _("Use the member number.")


class MemberIndex:
    """Finds members by number or name; built once when many lookups follow (imports)."""

    def __init__(self, members: list[Member]) -> None:
        self.by_number = {m.number: m for m in members}
        self.named = [(fold(display_name(m)), m) for m in members if m.forgotten is None]

    def find(self, text: str) -> Member:
        """By number ('17', '#17') or by name: exact, then unique prefix, then unique
        substring, ignoring case and accents."""
        raw = text.strip()
        number_match = re.fullmatch(r"#?\s*(\d+)", raw)
        if number_match:
            member = self.by_number.get(int(number_match.group(1)))
            if member is None:
                raise NotFound(_("There is no member number {number}.").format(number=number_match.group(1)))
            return member
        wanted = fold(raw)
        if not wanted:
            raise InvalidInput(_("Give a member number or name."))
        for test in (lambda n: n == wanted, lambda n: n.startswith(wanted), lambda n: wanted in n):
            matches = [m for n, m in self.named if test(n)]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise Refused(_candidates_message(matches, raw))
        raise NotFound(_("No member matches '{text}'.").format(text=raw))


def find_member(session: Session, text: str) -> Member:
    """One lookup: a number is one primary-key read; a name reads the members once."""
    number_match = re.fullmatch(r"#?\s*(\d+)", text.strip())
    if number_match:
        number = int(number_match.group(1))
        # Beyond the database's 64-bit integers no member can have the number.
        member = session.get(Member, number) if number < 2**63 else None
        return MemberIndex([member] if member else []).find(text)
    return MemberIndex(list(session.scalars(select(Member)))).find(text)


def require_active(member: Member, on: date | None = None) -> None:
    if member.left is not None:
        raise Refused(_("{name} (#{number}) left on {date}.").format(
            name=display_name(member), number=member.number, date=member.left.isoformat()))
    if member.forgotten is not None:
        raise Refused(_("Member {number} has been erased.").format(number=member.number))
    if on is not None and on < member.joined:
        raise Refused(_("{name} (#{number}) joined on {joined}, after {date}.").format(
            name=display_name(member), number=member.number, joined=member.joined.isoformat(), date=on.isoformat()))


@dataclass(frozen=True)
class MemberRow:
    number: int
    name: str
    kind: str
    area: str | None
    lang: str
    joined: date
    left: date | None
    balance_minutes: int
    sort_as: str | None = None


def balances_by_member(session: Session, as_of: date | None = None) -> dict[int, int]:
    """Every member's balance: the cached totals, or (as of a date) a sum of entries."""
    if as_of is None:
        return {number: int(total) for number, total in session.execute(
            select(Member.number, Member.balance_minutes))}
    query = select(Entry.member, func.sum(Entry.minutes)).where(Entry.date <= as_of).group_by(Entry.member)
    return {number: int(total) for number, total in session.execute(query)}


def list_members(session: Session, *, which: str = "active", search: str | None = None,
                 include_pot: bool = False) -> list[MemberRow]:
    """Members in the alphabetical order of the output language, with their balances."""
    query = select(Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.area,
                   Member.lang, Member.joined, Member.left, Member.balance_minutes)
    if not include_pot:
        query = query.where(Member.kind != "pot")
    if which == "active":
        query = query.where(Member.left.is_(None))
    elif which == "left":
        query = query.where(Member.left.is_not(None))
    rows = [MemberRow(m.number, display_name(m), m.kind, m.area, m.lang, m.joined, m.left, m.balance_minutes,
                      m.sort_as)
            for m in session.execute(query)]
    if search:
        wanted = fold(search.strip())
        rows = [r for r in rows if wanted in fold(r.name) or wanted in fold(r.area or "")
                or wanted == str(r.number)]
    return sorted(rows, key=lambda r: sort_key(r.sort_as or r.name))


def edit_member(session: Session, by: str, member: Member, **changes: str | None) -> dict[str, tuple]:
    """Change descriptive details (never amounts); returns what changed."""
    if member.kind == "pot":
        raise Refused(_("The time bank pot cannot be edited."))
    if member.forgotten is not None:
        raise Refused(_("Member {number} has been erased.").format(number=member.number))
    checks = {
        "name": lambda v: clean_text(v, _("name"), required=True),
        "area": lambda v: clean_text(v, _("area")),
        "email": check_email,
        "phone": lambda v: clean_text(v, _("phone number")),
        "lang": check_lang,
        "note": lambda v: clean_text(v, _("note"), limit=MAX_NOTE),
        "sort_as": lambda v: clean_text(v, _("sort-as name")),
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
    if member.left is not None:
        raise Refused(_("{name} (#{number}) already left on {date}.").format(
            name=display_name(member), number=member.number, date=member.left.isoformat()))
    on = on or today()
    if on < member.joined:
        raise InvalidInput(_("{name} (#{number}) joined on {joined}, after {date}.").format(
            name=display_name(member), number=member.number, joined=member.joined.isoformat(), date=on.isoformat()))
    last = session.scalar(select(func.max(Entry.date)).where(Entry.member == member.number))
    if last is not None and on < last:
        raise InvalidInput(_("{name} (#{number}) has an exchange on {last}, after {date}.").format(
            name=display_name(member), number=member.number, last=last.isoformat(), date=on.isoformat()))
    member.left = on
    audit.log(session, by, "member.leave", member=member.number, date=on.isoformat())
    from timebank.ledger.listings import close_member_listings

    close_member_listings(session, by, member.number, "left", on)
    return on


def rejoin_member(session: Session, by: str, member: Member) -> None:
    if member.forgotten is not None:
        raise Refused(_("Member {number} has been erased.").format(number=member.number))
    if member.left is None:
        raise Refused(_("{name} (#{number}) has not left.").format(name=display_name(member), number=member.number))
    audit.log(session, by, "member.rejoin", member=member.number, left=member.left.isoformat())
    member.left = None




def forget_member(session: Session, by: str, member: Member) -> int:
    """UK GDPR erasure: the name, contact details, notes and sort-as name go, from the
    member row, from exchange and listing notes and from the audit's stored details. The
    number, dates and exchanges stay, so every balance still adds up. Returns how many
    stored texts were scrubbed."""
    from timebank.ledger.models import AuditEvent, Exchange, Listing

    if member.kind == "pot":
        raise Refused(_("The time bank pot cannot be erased."))
    if member.forgotten is not None:
        raise Refused(_("Member {number} has already been erased.").format(number=member.number))
    # What the member was called and how to reach them before any edit: the audit of
    # their own `member add` and `member edit` holds the earlier values too.
    own_events = list(session.scalars(select(AuditEvent).where(AuditEvent.member == member.number)))
    earlier = [(key, value) for event in own_events for key, value in _personal_values(json.loads(event.details))
               if value != ERASED]
    # Words that identify them, to be found in other people's free text. (Their own notes
    # are erased where they are kept, not searched for: "Saturdays" identifies nobody.)
    identifying = {member.name, member.sort_as, member.email, member.phone,
                   *(value for key, value in earlier if key in IDENTIFYING_FIELDS)}
    secrets = sorted({text.strip() for text in identifying if text and len(text.strip()) >= 2}, key=len, reverse=True)
    member.name = ""
    member.sort_as = member.email = member.phone = member.note = None
    member.forgotten = audit.now()
    scrubbed = 0
    for event in own_events:
        details = json.loads(event.details)
        if _erase_personal(details):
            event.details = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
            scrubbed += 1
    for listing in session.scalars(select(Listing).where(Listing.member == member.number, Listing.note.is_not(None))):
        listing.note = None
        scrubbed += 1
    if secrets:
        mention = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(secret) for secret in secrets) + r")(?!\w)",
                             re.IGNORECASE)
        for event in session.scalars(select(AuditEvent).where(
                AuditEvent.member.is_distinct_from(member.number), _may_mention(AuditEvent.details, secrets))):
            details = json.loads(event.details)
            # Another member's own details are theirs, whatever they happen to share with these.
            keep = DIGEST_KEYS | (set(PERSONAL_FIELDS) | {"changes"} if event.action.startswith("member.") else set())
            cleaned = _scrub_values(details, mention, keep)
            if cleaned != details:
                event.details = json.dumps(cleaned, ensure_ascii=False, sort_keys=True, default=str)
                scrubbed += 1
        for row in (*session.scalars(select(Exchange).where(_may_mention(Exchange.note, secrets))),
                    *session.scalars(select(Listing).where(_may_mention(Listing.note, secrets)))):
            text = mention.sub(ERASED, row.note or "")
            if text != row.note:
                row.note = text
                scrubbed += 1
    audit.log(session, by, "member.forget", member=member.number)
    from timebank.ledger.dates import today as today_
    from timebank.ledger.listings import close_member_listings

    close_member_listings(session, by, member.number, "erased", today_())
    return scrubbed


def erased_numbers(session: Session) -> set[int]:
    return set(session.scalars(select(Member.number).where(Member.forgotten.is_not(None))))


def erase_again(session: Session, by: str, numbers: set[int]) -> list[int]:
    """After a restore: erase once more everyone who had been erased in the ledger that was
    replaced. An older backup still holds their details, and an erasure must not be undone."""
    again = []
    for member in session.scalars(select(Member).where(Member.number.in_(numbers), Member.forgotten.is_(None))):
        forget_member(session, by, member)
        again.append(member.number)
    return sorted(again)


PERSONAL_FIELDS = ("name", "sort_as", "email", "phone", "note")
IDENTIFYING_FIELDS = ("name", "sort_as", "email", "phone")
DIGEST_KEYS = frozenset({"sha256", "content", "ledger"})


def _personal_values(details: dict) -> list[tuple[str, str]]:
    """(field, text) of the personal texts in one audit event's details: `member add` stores
    the name, `member edit` the old and new value of each changed field."""
    values = [(key, details[key]) for key in PERSONAL_FIELDS if isinstance(details.get(key), str)]
    for field, change in (details.get("changes") or {}).items():
        if field in PERSONAL_FIELDS and isinstance(change, dict):
            values += [(field, v) for v in (change.get("old"), change.get("new")) if isinstance(v, str)]
    return values


def _erase_personal(details: dict) -> bool:
    """Blank the personal fields of one audit event's details; True if any were there."""
    found = False
    for key in PERSONAL_FIELDS:
        if isinstance(details.get(key), str) and details[key] != ERASED:
            details[key] = ERASED
            found = True
    for field, change in (details.get("changes") or {}).items():
        if field in PERSONAL_FIELDS and isinstance(change, dict):
            for side in ("old", "new"):
                if change.get(side) not in (None, ERASED):
                    change[side] = ERASED
                    found = True
    return found


def _scrub_values(value: object, mention: "re.Pattern[str]", keep: "frozenset[str] | set[str]" = frozenset()) -> object:
    """The same JSON value with every mention replaced in its strings (never in its keys),
    leaving the entries named in `keep` as they are."""
    if isinstance(value, str):
        return mention.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub_values(item, mention) for item in value]
    if isinstance(value, dict):
        return {key: item if key in keep else _scrub_values(item, mention) for key, item in value.items()}
    return value


def _may_mention(column, secrets: list[str]):  # type: ignore[no-untyped-def]
    """A cheap SQL filter for rows that might mention one of `secrets`, in any case: each
    secret's longest run of plain ASCII, which both databases compare without case
    (SQLite's lower() and LIKE fold only ASCII). Python then decides on whole words."""
    runs = []
    for secret in secrets:
        parts = re.findall(r"[A-Za-z0-9@.+-]{2,}", secret)
        if not parts:
            return column.is_not(None)  # nothing plain to look for: read every row
        runs.append(max(parts, key=len))
    return or_(*[column.icontains(run, autoescape=True) for run in runs])
