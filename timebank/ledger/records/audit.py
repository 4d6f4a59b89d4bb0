"""The audit trail: one row for every change, with who made it and when."""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from timebank.ledger.errors import InvalidInput
from timebank.ledger.messages import _
from timebank.ledger.storage import links
from timebank.ledger.storage.models import AuditEvent
from timebank.ledger.basics.text import has_control_characters


def current_user(by: str | None = None) -> str:
    """--by NAME, else TIMEBANK_USER, else the login name."""
    if by and by.strip():
        return _checked_user(by.strip())
    env = os.environ.get("TIMEBANK_USER")
    if env and env.strip():
        return _checked_user(env.strip())
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


MAX_USER = 200


def _checked_user(name: str) -> str:
    # The name is printed back by `audit`: escape codes in it would reach the terminal.
    if has_control_characters(name) or len(name) > MAX_USER:
        # No flag named here: the command line says it with its own words (--by).
        raise InvalidInput(_("The name of whoever makes a change must be at most {count} characters, "
                             "with no control characters.").format(count=MAX_USER))
    return name


def now() -> datetime:
    """UTC wall time without tzinfo (SQLite has no time zones), to the second."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


# Every kind of event the ledger records. A new action is added here, and a test then asks
# for its description in both languages (timebank.render.views.describe_event).
ACTIONS = frozenset({
    "ledger.init", "ledger.restore", "settings.set", "category.add", "category.goals", "centre.add",
    "partner.add", "partner.edit", "partner.leave", "partner.export", "partner.import",
    "member.add", "member.edit", "member.leave", "member.rejoin", "member.forget", "member.export",
    "access_request.log", "access_request.done", "outcome.measure", "outcome.record",
    "exchange.record", "exchange.void", "exchange.overdraft",
    "offer.add", "offer.remove", "request.add", "request.remove", "request.met", "request.reopen", "listings.close",
    "import.members", "import.exchanges", "import.timeoverflow", "ledger.chain",
})


def log(session: Session, by: str, action: str, *, member: int | None = None,
        exchange: int | None = None, **details: Any) -> AuditEvent:
    """Record an event, as the next link of the chain."""
    from timebank.ledger.integrity import chain  # here: commands that only read never load the chain

    assert action in ACTIONS, action
    event = AuditEvent(at=now(), by=by, action=action, member=member, exchange=exchange,
                       details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str))
    session.add(event)
    session.flush()  # its id is part of its link
    event.link, event.link_hash, event.salt = chain.writer(session).audit(
        event.id, event.at, event.action, event.member, event.exchange, event.by, event.details)
    links.stamp(session, event.link)
    return event


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    by: str
    action: str
    member: int | None
    exchange: int | None
    details: dict[str, Any]


def list_events(session: Session, start: date | None = None, end: date | None = None) -> list[AuditRow]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if start:
        query = query.where(AuditEvent.at >= datetime.combine(start, time.min))
    if end:
        query = query.where(AuditEvent.at <= datetime.combine(end, time.max))
    return [AuditRow(e.id, e.at, e.by, e.action, e.member, e.exchange, json.loads(e.details))
            for e in session.scalars(query)]


def origin(session: Session) -> object:
    """Which ledger this is: the random identity `init` writes into its audit event (the same
    in every backup of one ledger, different in any other), so that a restore can tell whose
    history it brings. A ledger made before there was one is known by that first event."""
    first = session.execute(select(AuditEvent.id, AuditEvent.at, AuditEvent.by, AuditEvent.details)
                            .where(AuditEvent.action == "ledger.init").order_by(AuditEvent.id).limit(1)).first()
    if first is None:
        return None
    identity = json.loads(first.details).get("ledger")
    return identity or (first.id, first.at, first.by)
