"""UK GDPR erasure: a member's name, contact details and notes go from wherever the ledger
keeps them (their row, their listings' notes, the audit's stored details, other people's
free text that mentions them); their number, dates and exchanges stay, so every balance
still adds up. Closing their listings and scrubbing the SQLite WAL are the `forget`
action's other steps (`actions`)."""

from __future__ import annotations

import json
import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from timebank.i18n import _
from timebank.ledger import audit
from timebank.ledger.errors import Refused
from timebank.ledger.models import AuditEvent, Exchange, Listing, Member
from timebank.ledger.text import ERASED


def forget_member(session: Session, by: str, member: Member) -> int:
    """UK GDPR erasure: the name, contact details, notes and sort-as name go, from the
    member row, from exchange and listing notes and from the audit's stored details. The
    number, dates and exchanges stay, so every balance still adds up. Returns how many
    stored texts were scrubbed."""
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
    return scrubbed


def erased_numbers(session: Session) -> set[int]:
    return set(session.scalars(select(Member.number).where(Member.forgotten.is_not(None))))


def not_yet_erased(session: Session, numbers: set[int]) -> list[Member]:
    """Of these members, the ones whose details are in the ledger (a restored backup brings
    back people erased since it was made)."""
    return list(session.scalars(select(Member).where(Member.number.in_(numbers), Member.forgotten.is_(None))
                                .order_by(Member.number)))


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
