"""The cached figures (member balances, monthly totals), kept in step with the entries in
the same transaction as every write, and what they must equal (for `check` and rebuilds)."""

from __future__ import annotations

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from timebank.ledger.storage.models import Base, Entry, Exchange, Member, MonthTotal
from timebank.ledger.storage.sql import earned_sum, live_condition, month_key


def _table(model: type[Base]) -> Table:
    """A model's table, for statements run through the driver's executemany."""
    table = model.__table__
    assert isinstance(table, Table)  # a declarative model maps one table
    return table


def add_to_balances(session: Session, deltas: dict[int, int]) -> None:
    # Members whose changes cancel out need no update (and an empty list of parameters
    # would be taken for no parameters at all).
    changes = [{"who": member, "delta": delta} for member, delta in deltas.items() if delta]
    if not changes:
        return
    members = _table(Member)
    session.connection().execute(
        update(members).where(members.c.number == bindparam("who"))
        .values(balance_minutes=members.c.balance_minutes + bindparam("delta")), changes)


def add_to_months(session: Session, changes: dict[tuple[str, str], tuple[int, int]]) -> None:
    """Add (exchanges, minutes) to each (month, category), creating rows as needed."""
    if not changes:
        return
    table = _table(MonthTotal)
    existing = {(m, c) for m, c in session.execute(
        select(table.c.month, table.c.category).where(table.c.month.in_({m for m, _c in changes})))}
    updates = [{"m": m, "c": c, "n": n, "minutes": minutes} for (m, c), (n, minutes) in changes.items()
               if (m, c) in existing]
    inserts = [{"month": m, "category": c, "exchanges": n, "minutes": minutes}
               for (m, c), (n, minutes) in changes.items() if (m, c) not in existing]
    if updates:
        session.connection().execute(
            update(table).where(table.c.month == bindparam("m"), table.c.category == bindparam("c"))
            .values(exchanges=table.c.exchanges + bindparam("n"), minutes=table.c.minutes + bindparam("minutes")),
            updates)
    if inserts:
        session.connection().execute(insert(table), inserts)


def expected_balances(session: Session) -> dict[int, int]:
    """Each member's balance as the sum of their entries."""
    return {member: int(total) for member, total in session.execute(
        select(Entry.member, func.sum(Entry.minutes)).group_by(Entry.member))}


def expected_months(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    """Exchanges that count and the minutes their givers earned, per (month, category)."""
    month = month_key(Exchange.date).label("month")
    return {(m, c): (int(n), int(minutes or 0)) for m, c, n, minutes in session.execute(
        select(month, Exchange.category, func.count(func.distinct(Exchange.number)), earned_sum())
        .join(Entry, Entry.exchange == Exchange.number)
        .where(live_condition())
        .group_by(month, Exchange.category))}


def rebuild(session: Session) -> None:
    """Recompute every cached figure from the entries (after a bulk load)."""
    session.execute(update(Member).values(balance_minutes=0))
    add_to_balances(session, expected_balances(session))
    session.execute(_table(MonthTotal).delete())
    add_to_months(session, expected_months(session))
