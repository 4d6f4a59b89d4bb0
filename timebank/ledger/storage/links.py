"""Rows that take the link of the chain written in their own transaction.

A member's periods and the directory's listings are not links of the chain, but the history
as it stood at a seal must know which of them existed then (`reports.at_seal`). A flush that
adds or changes one marks the session (a listener, so that no write can forget); the next
audit event written in the same transaction (every such write logs one) stamps the rows still
waiting with its link. A link is never NULL outside a transaction: rows older than the links
(migration 0007) have 0 where nothing says when they were written, that is, since the start.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from timebank.ledger.storage.models import Listing, MemberPeriod

_WAITING = "timebank_unlinked"

# (table, column that waits, the condition that says the row is waiting for it)
_STAMPS = (
    ("member_periods", "opened_link", "opened_link IS NULL"),
    ("member_periods", "closed_link", "closed_link IS NULL AND \"left\" IS NOT NULL"),
    ("listings", "made_link", "made_link IS NULL"),
    ("listings", "closed_link", "closed_link IS NULL AND closed IS NOT NULL"),
)


def waiting(session: Session) -> None:
    """Say that a row of this transaction waits for the link of its audit event."""
    session.info[_WAITING] = True


def stamp(session: Session, link: int) -> None:
    """Give the rows waiting in this transaction the link just written."""
    if not session.info.pop(_WAITING, False):
        return
    session.flush()
    connection = session.connection()
    for table, column, condition in _STAMPS:
        connection.execute(text(f"UPDATE {table} SET {column} = :link WHERE {condition}"), {"link": link})


@event.listens_for(Session, "before_flush")
def _mark(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(row, (MemberPeriod, Listing)) for row in (*session.new, *session.dirty)):
        waiting(session)
