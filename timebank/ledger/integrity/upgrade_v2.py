"""The upgrade of a ledger's chain to version 2 of the canonical form (migration 0008)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from timebank.ledger.integrity import records


def run(connection: Connection) -> None:
    records.link_unlinked_records(connection)
