"""The records on the chain: members, periods of membership, categories, settings and
listings. (Being written: issue 26, "the whole ledger in the chain".)"""

from __future__ import annotations

from sqlalchemy.engine import Connection


def link_unlinked_records(connection: Connection) -> int:
    """Give every record that has no record link one (the upgrade to version 2, bulk loads).
    Returns the number of links added."""
    return 0
