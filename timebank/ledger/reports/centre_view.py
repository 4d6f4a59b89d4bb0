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

A report that reads only some days (`report period`) may give them as a `window`: the
centre's part then holds its exchanges dated in the window, whole, and beside them only what
figures over its whole history need (`_window`): each member's first exchange that counts,
the centre's last link of the chain, and the reversals of them all. Its cost then follows the
window and the centre, not the ledger's whole history (a year of one centre of ten on a
national ledger of 5,000,000 exchanges copies a year of that centre's exchanges).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from sqlalchemy import Connection, Integer, Select, column, func, select, text
from sqlalchemy.orm import Session

from timebank.ledger.records import totals
from timebank.ledger.records.centres import CentreName, find_centre
from timebank.ledger.records.members import POT
from timebank.ledger.reports.at_seal import analyse
from timebank.ledger.storage.models import Entry
from timebank.ledger.storage.sql import dead_exchanges

_SCOPE = "timebank_centre"
MEMBERS = "timebank_centre_members"
EXCHANGES = "timebank_centre_exchanges"
FIRSTS = "timebank_centre_firsts"
# The tables a centre's part replaces, in the order they are made (and dropped in reverse).
TABLES = ("exchanges", "entries", "members", "member_periods", "listings", "month_totals")
_INDEXES = (("entries", "date, member, minutes"), ("entries", "member, date, minutes"), ("entries", "exchange"),
            ("exchanges", "number"), ("exchanges", "reverses"), ("exchanges", "date"),
            ("member_periods", "member, joined"), ("members", "number"))
# What each table keeps: a condition on its rows (`{scope}`: where the scope tables are).
_KEPT = {
    "exchanges": "number IN (SELECT number FROM {scope}." + EXCHANGES + ")",
    "entries": "exchange IN (SELECT number FROM {scope}." + EXCHANGES + ")",
    "members": "kind IN ('pot', 'partner') OR number IN (SELECT number FROM {scope}." + MEMBERS + ")",
    "member_periods": "member IN (SELECT number FROM {scope}." + MEMBERS + ")",
    "listings": "member IN (SELECT number FROM {scope}." + MEMBERS + ")",
    "month_totals": "1 = 0",
}


@contextmanager
def centre_view(session: Session, code: str, *, at_seal: bool = False,
                window: tuple[date, date] | None = None) -> Iterator[CentreName]:
    """Within the block, every query of `session` reads the centre's part of the ledger
    (refused if there is no such centre). `at_seal`: the history at a seal is already in
    temporary tables (`history_at`), which are narrowed in place. `window` (first and last
    day): only the exchanges a report reading those days needs (see the module's note); at
    a seal the whole history is kept, as before."""
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
        "WHERE centre = :code AND kind NOT IN ('pot', 'partner')")
    made.append(MEMBERS)
    if window is not None and not at_seal:
        analyse(connection, temp, MEMBERS)  # the window's joins start from it
        made.extend(_window(session, temp, window))
    else:
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
    analyse(connection, temp, MEMBERS, EXCHANGES, *TABLES)
    # The pot's balance within the centre's part: what it gave and received with its members
    # (with a window, from the whole history: the part holds only some of its exchanges).
    if window is not None and not at_seal:
        run(f"UPDATE {temp}.members SET balance_minutes = coalesce((SELECT sum(p.minutes) FROM {source}.entries p "
            f"WHERE p.member = {temp}.members.number AND EXISTS (SELECT 1 FROM {source}.entries e "
            f"JOIN {temp}.{MEMBERS} m ON m.number = e.member WHERE e.exchange = p.exchange)), 0) WHERE kind = 'pot'")
    else:
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


def _window(session: Session, temp: str, window: tuple[date, date]) -> list[str]:
    """The centre's exchanges a report reading the days of `window` needs, in EXCHANGES
    (made before any table that hides the ledger's own, whose names the queries here read):

    1. every exchange of its members dated in the window, whole;
    2. each member's first exchange that counts (the first day that counts of each, whatever
       its date: a report counts how long members have traded, and how soon new members first
       traded, up to the day it is made);
    3. the centre's exchange of the chain's last link (the seal printed with the figures);
    4. every reversal of them (an exchange voided after the window does not count in it).

    What the part's whole history would give for those days, it gives: the window's days
    hold every one of the centre's exchanges, each member's first day that counts is there
    (an exchange that counts is counted by 2 only if it stands, so no member of it counts an
    earlier day than their own), and nothing added counts in them."""
    connection = session.connection()
    first, last = window
    made = [EXCHANGES]
    connection.execute(text(f"CREATE TEMPORARY TABLE {EXCHANGES} (number INTEGER PRIMARY KEY)"))
    connection.execute(text(
        f"INSERT INTO {temp}.{EXCHANGES} (number) SELECT DISTINCT e.exchange FROM entries e "
        f"JOIN {temp}.{MEMBERS} m ON m.number = e.member WHERE e.date BETWEEN :first AND :last"),
        {"first": first, "last": last})
    analyse(connection, temp, EXCHANGES)
    firsts = _first_days(connection, temp)
    later = [{"member": member, "day": day} for member, day in firsts.items() if not first <= day <= last]
    if later:
        connection.execute(text(f"CREATE TEMPORARY TABLE {FIRSTS} (member INTEGER, day DATE)"))
        made.append(FIRSTS)
        connection.execute(text(f"INSERT INTO {temp}.{FIRSTS} (member, day) VALUES (:member, :day)"), later)
        analyse(connection, temp, FIRSTS)
        dead = dead_exchanges().compile(connection, compile_kwargs={"literal_binds": True})
        _add(connection, temp, f"SELECT e.exchange AS number FROM {temp}.{FIRSTS} f JOIN entries e "
                               f"ON e.member = f.member AND e.date = f.day WHERE e.exchange NOT IN ({dead})")
    _add(connection, temp, f"SELECT newest.number FROM (SELECT x.number FROM exchanges x WHERE x.link IS NOT NULL "
                           f"AND EXISTS (SELECT 1 FROM entries e JOIN {temp}.{MEMBERS} m ON m.number = e.member "
                           f"WHERE e.exchange = x.number) ORDER BY x.link DESC LIMIT 1) newest")
    _add(connection, temp,
         f"SELECT r.number FROM exchanges r WHERE r.reverses IN (SELECT number FROM {temp}.{EXCHANGES})")
    analyse(connection, temp, EXCHANGES)
    return made


def _add(connection: Connection, temp: str, numbers: str) -> None:
    """Exchanges (the column `number` of `numbers`) into EXCHANGES, each once."""
    connection.execute(text(
        f"INSERT INTO {temp}.{EXCHANGES} (number) SELECT DISTINCT n.number FROM ({numbers}) n "
        f"WHERE NOT EXISTS (SELECT 1 FROM {temp}.{EXCHANGES} k WHERE k.number = n.number)"))


def _first_days(connection: Connection, temp: str) -> dict[int, date]:
    """Each of the centre's members' first day with an entry that counts (as
    `period_figures._first_days` finds it for every member, over the whole ledger): the
    first entry of each, through the index of members' entries, and again, leaving out
    the exchanges that do not count, for those whose first day has one."""
    earliest = {int(member): day for member, day in connection.execute(text(
        f"SELECT m.number, (SELECT min(e.date) FROM entries e WHERE e.member = m.number) FROM {temp}.{MEMBERS} m"))
        if day is not None}
    ours = select(text("number")).select_from(text(f"{temp}.{MEMBERS}"))
    dead_days = {(int(member), _day(day)) for member, day in connection.execute(
        select(Entry.member, Entry.date).where(Entry.exchange.in_(dead_exchanges()), Entry.member.in_(ours)))}
    doubtful = sorted(member for member, day in earliest.items() if (member, _day(day)) in dead_days)
    recounted = {int(member): _day(day) for member, day in connection.execute(
        select(Entry.member, func.min(Entry.date))
        .where(Entry.member.in_(doubtful), Entry.exchange.not_in(dead_exchanges()), Entry.member != POT)
        .group_by(Entry.member))} if doubtful else {}
    return {member: _day(day) for member, day in earliest.items() if member not in doubtful} | recounted


def _day(value: date | str) -> date:
    """A date as read by a raw query (SQLite gives its text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


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


def own_members(session: Session) -> Select[int] | None:
    """In a centre's view, a query of its own members' numbers (to narrow a query to them),
    or None outside one."""
    if scope(session) is None:
        return None
    temp = "temp" if session.connection().dialect.name == "sqlite" else "pg_temp"
    return select(column("number", Integer)).select_from(text(f"{temp}.{MEMBERS}"))


def outside_organisations(session: Session) -> frozenset[int]:
    """In a centre's view, the organisations of other centres on the other side of its
    exchanges (their rows are not in it, but their exchanges are with organisations)."""
    found = scope(session)
    return frozenset() if found is None else found.outside_organisations
