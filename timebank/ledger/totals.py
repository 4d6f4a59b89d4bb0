"""The cached figures (member balances, monthly totals), kept in step with the entries in
the same transaction as every write, and rebuilt or checked from the entries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from timebank.ledger.models import Member, MonthTotal


def month_of(day: date) -> str:
    return day.isoformat()[:7]


def add_to_balances(session: Session, deltas: dict[int, int]) -> None:
    # Members whose changes cancel out need no update (and an empty list of parameters
    # would be taken for no parameters at all).
    changes = [{"who": member, "delta": delta} for member, delta in deltas.items() if delta]
    if not changes:
        return
    session.connection().execute(
        update(Member.__table__).where(Member.__table__.c.number == bindparam("who"))
        .values(balance_minutes=Member.__table__.c.balance_minutes + bindparam("delta")), changes)


def add_to_months(session: Session, changes: dict[tuple[str, str], tuple[int, int]]) -> None:
    """Add (exchanges, minutes) to each (month, category), creating rows as needed."""
    if not changes:
        return
    table = MonthTotal.__table__
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


def apply_entries(session: Session, entries: Iterable[dict]) -> None:
    """Balances after writing `entries` (dicts with member and minutes)."""
    deltas: dict[int, int] = defaultdict(int)
    for entry in entries:
        deltas[entry["member"]] += entry["minutes"]
    add_to_balances(session, deltas)


def earned(entries: Iterable[dict]) -> int:
    return sum(e["minutes"] for e in entries if e["minutes"] > 0)


def rebuild(session: Session) -> None:
    """Recompute every cached figure from the entries (after a bulk load)."""
    from timebank.ledger.checks import expected_balances, expected_months

    session.execute(update(Member).values(balance_minutes=0))
    add_to_balances(session, expected_balances(session))
    session.execute(MonthTotal.__table__.delete())
    add_to_months(session, expected_months(session))

