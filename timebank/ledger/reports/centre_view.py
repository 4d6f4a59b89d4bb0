"""A network's figures for one centre: every report and export made over the part of the
ledger that is the centre's, by the reports' own queries.

The part of a centre `C`:

- its members: those whose home centre is `C` (as they are now, or, with `--seal`, as they
  were at the seal: `at_seal` undoes later changes of home centre);
- its exchanges: every exchange in which one of its members gave or received, whole -- all
  its entries, the other side's too -- so that an exchange between members of two centres
  counts once in each centre's figures and once in the network's (the network's exchanges
  are the sum of its centres' less those across two of them);
- its members' periods of membership and listings, and the time bank's pot (the pot
  belongs to no centre: an exchange with it counts for the centre of the member on the
  other side).

Figures that count members count only the centre's own (a member of another centre on the
other side of an exchange is not counted among its members trading); figures of exchanges
and hours count the centre's exchanges whole.

`centre_view` builds that part in temporary tables named like the ledger's own, as
`at_seal.history_at` does for a seal (and narrows the tables `history_at` made when there is
a seal too): the database looks in the connection's temporary tables first, so every
report runs unchanged over them. They are dropped before the snapshot ends.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.orm import Session

from timebank.ledger.records import totals
from timebank.ledger.records.centres import CentreName, find_centre

_SCOPE = "timebank_centre"
MEMBERS = "timebank_centre_members"
EXCHANGES = "timebank_centre_exchanges"
# The tables a centre's part replaces, in the order they are made (and dropped in reverse).
TABLES = ("exchanges", "entries", "members", "member_periods", "listings", "month_totals")
_INDEXES = (("entries", "date, member, minutes"), ("entries", "member, date, minutes"), ("entries", "exchange"),
            ("exchanges", "number"), ("exchanges", "reverses"), ("exchanges", "date"),
            ("member_periods", "member, joined"), ("members", "number"))
# What each table keeps: a condition on its rows (`{scope}`: where the scope tables are).
_KEPT = {
    "exchanges": "number IN (SELECT number FROM {scope}." + EXCHANGES + ")",
    "entries": "exchange IN (SELECT number FROM {scope}." + EXCHANGES + ")",
    "members": "kind = 'pot' OR number IN (SELECT number FROM {scope}." + MEMBERS + ")",
    "member_periods": "member IN (SELECT number FROM {scope}." + MEMBERS + ")",
    "listings": "member IN (SELECT number FROM {scope}." + MEMBERS + ")",
    "month_totals": "1 = 0",
}


@contextmanager
def centre_view(session: Session, code: str, *, at_seal: bool = False) -> Iterator[CentreName]:
    """Within the block, every query of `session` reads the centre's part of the ledger
    (refused if there is no such centre). `at_seal`: the history at a seal is already in
    temporary tables (`history_at`), which are narrowed in place."""
    centre = find_centre(session, code)
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    temp = "temp" if sqlite else "pg_temp"
    source = temp if at_seal else ("main" if sqlite else connection.execute(text("SELECT current_schema()"))
                                   .scalar_one())
    made: list[str] = []

    def run(sql: str) -> None:
        connection.execute(text(sql), {"code": centre.code})

    run(f"CREATE TEMPORARY TABLE {MEMBERS} AS SELECT number FROM {source}.members "
        "WHERE centre = :code AND kind <> 'pot'")
    made.append(MEMBERS)
    run(f"CREATE TEMPORARY TABLE {EXCHANGES} AS SELECT DISTINCT e.exchange AS number FROM {source}.entries e "
        f"JOIN {temp}.{MEMBERS} m ON m.number = e.member")
    made.append(EXCHANGES)
    for table in TABLES:
        kept = _KEPT[table].format(scope=temp)
        if at_seal:
            run(f"DELETE FROM {temp}.{table} WHERE NOT ({kept})")
        else:
            run(f"CREATE TEMPORARY TABLE {table} AS SELECT * FROM {source}.{table} WHERE {kept}")
            made.append(table)
    if not at_seal:
        for number, (table, columns) in enumerate(_INDEXES):
            run(f"CREATE INDEX {'temp.' if sqlite else ''}centre_view_{number} ON {table} ({columns})")
    if not sqlite:
        # Autovacuum never analyses temporary tables: without their statistics PostgreSQL
        # plans the reports' joins blind: a year of one centre of ten in a network of 1M
        # exchanges took 29 s without them and 7.7 s with them, the same figures.
        for table in (MEMBERS, EXCHANGES, *TABLES):
            run(f"ANALYZE {temp}.{table}")
    # The pot's balance within the centre's part: what it gave and received with its members.
    run(f"UPDATE {temp}.members SET balance_minutes = coalesce((SELECT sum(e.minutes) FROM {temp}.entries e "
        f"WHERE e.member = {temp}.members.number), 0) WHERE kind = 'pot'")
    session.flush()
    totals.add_to_months(session, totals.expected_months(session))
    own = frozenset(number for (number,) in connection.execute(text(f"SELECT number FROM {temp}.{MEMBERS}")))
    outside = frozenset(number for (number,) in connection.execute(text(
        f"SELECT DISTINCT m.number FROM {source}.members m JOIN {temp}.entries e ON e.member = m.number "
        f"WHERE m.kind = 'organisation' AND (m.centre IS NULL OR m.centre <> :code)"), {"code": centre.code}))
    session.expire_all()
    earlier = session.info.get(_SCOPE)
    session.info[_SCOPE] = Scope(centre, own, outside)
    try:
        yield centre
    finally:
        session.info[_SCOPE] = earlier
    session.expire_all()
    for table in reversed(made):
        connection.execute(text(f"DROP TABLE IF EXISTS {temp}.{table}"))


@dataclass(frozen=True)
class Scope:
    """What a centre's view holds beside its tables, for the few figures that must tell its
    own members from the others its exchanges reach."""

    centre: CentreName
    members: frozenset[int]            # its own members
    outside_organisations: frozenset[int]  # organisations of other centres (or none) in its exchanges


def scope(session: Session) -> Scope | None:
    """The centre whose part of the ledger `session` reads, or None (the whole network)."""
    found = session.info.get(_SCOPE)
    return found if isinstance(found, Scope) else None


def member_numbers(session: Session) -> set[int] | None:
    """The members a centre's figures count (its own), or None outside a centre's view."""
    found = scope(session)
    return None if found is None else set(found.members)


def outside_organisations(session: Session) -> frozenset[int]:
    """In a centre's view, the organisations of other centres on the other side of its
    exchanges (their rows are not in it, but their exchanges are with organisations)."""
    found = scope(session)
    return frozenset() if found is None else found.outside_organisations
