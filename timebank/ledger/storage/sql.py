"""Query fragments every report shares, written once: which exchanges count, the month of
a date, what givers earned. Plain SQLAlchemy expressions over the models."""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Iterator

from sqlalchemy import Boolean, String, and_, case, cast, exists, func, literal_column, select, union, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement, CompoundSelect
from sqlalchemy.sql.functions import FunctionElement

from timebank.ledger.basics.dates import month_of
from timebank.ledger.storage.db import driver
from timebank.ledger.storage.models import Entry, Exchange, Member

__all__ = ["month_of", "month_key", "earned_sum", "earned", "reversal_alias", "not_a_reversal", "live_condition",
           "standing_condition", "helps", "not_help", "dead_exchanges", "moves_of_balance", "NAME_COLUMNS"]


def month_key(column: Any) -> ColumnElement[str]:
    """'YYYY-MM' from a date column, the same on SQLite (text dates) and PostgreSQL."""
    return func.substr(cast(column, String(10)), 1, 7)


def earned_sum() -> ColumnElement[int]:
    """What the givers earned: each minute exchanged counted once."""
    return func.sum(case((Entry.minutes > 0, Entry.minutes), else_=0))


def earned(amounts: Iterable[int]) -> int:
    """The same in Python, for the amounts of entries about to be written."""
    return sum(amount for amount in amounts if amount > 0)


def reversal_alias() -> type[Exchange]:
    return aliased(Exchange, name="reversal")


class _Reversal(FunctionElement[bool]):
    """Whether an exchange is a void's reversal (`_IsAReversal`) or not (`_NotAReversal`),
    written for each database's planner."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition already: no "= 1" after it on SQLite
    reversal = True


class _IsAReversal(_Reversal):
    inherit_cache = True
    name = "is_a_reversal"


class _NotAReversal(_Reversal):
    inherit_cache = True
    name = "not_a_reversal"
    reversal = False


@compiles(_Reversal)
def _reversal_sqlite(element: _Reversal, compiler: Any, **kw: Any) -> str:
    # Written so that SQLite cannot use the index on `reverses` for it: nearly every
    # exchange has none, and planning from that index scans the whole table.
    return f"coalesce({compiler.process(element.clauses, **kw)}, 0) {'!=' if element.reversal else '='} 0"


@compiles(_Reversal, "postgresql")
def _reversal_postgres(element: _Reversal, compiler: Any, **kw: Any) -> str:
    # PostgreSQL has no estimate for coalesce(...) = 0: it guessed 2,094 rows of 995,009 not
    # reversals on the 1M bench ledger (export exchanges joined entries by index two million
    # times), and a month's report on the 5M one spent 2.1 s of 3.4 s finding its reversals.
    # Its statistics of `reverses` (nearly all null) answer these forms.
    column = compiler.process(element.clauses, **kw)
    return f"({column} IS NOT NULL AND {column} <> 0)" if element.reversal else f"({column} IS NULL OR {column} = 0)"


def not_a_reversal(reverses: Any = None) -> ColumnElement[bool]:
    """An exchange that reverses none (every exchange but a void's reversal); `reverses`: the
    column of another alias of exchanges."""
    return _NotAReversal(Exchange.reverses if reverses is None else reverses)


def is_a_reversal(reverses: Any = None) -> ColumnElement[bool]:
    """A void's reversal (the opposite of `not_a_reversal`)."""
    return _IsAReversal(Exchange.reverses if reverses is None else reverses)


def helps() -> ColumnElement[bool]:
    """Help given: every exchange but the few that only move a balance (an opening balance
    moved in from another system, `Exchange.purpose`)."""
    return Exchange.purpose.op("=")(literal_column("'help'"))


def not_help() -> ColumnElement[bool]:
    # The literal (not a bound value) is the partial index's own condition, word for word:
    # SQLite uses a partial index only for a condition it can see implies the index's.
    return Exchange.purpose.op("<>")(literal_column("'help'"))


def standing_condition() -> ColumnElement[bool]:
    """Exchanges that stand: neither a reversal nor voided by one. What balances and
    statements add up, opening balances with the rest."""
    reversal = reversal_alias()
    return and_(not_a_reversal(), ~exists().where(reversal.reverses == Exchange.number))


def live_condition() -> ColumnElement[bool]:
    """Exchanges that count as activity: help given that stands (neither a reversal nor
    voided by one). An opening balance counts in no activity figure."""
    return and_(standing_condition(), helps())


def dead_exchanges(start: date | None = None, end: date | None = None, *,
                   postgres: bool = False) -> CompoundSelect[tuple[int]]:
    """The numbers of the exchanges that do NOT count by `live_condition` -- every reversal,
    every exchange a reversal voids, and every exchange that is not help (an opening
    balance): the same rule read from the other side, as a short list. Sums that take
    every entry (of a span, through the date index alone, with no join) and then subtract
    or leave out these few cost far less than testing each exchange: a month of a
    million-exchange ledger has tens of thousands of entries and a few hundred that do not
    count. With `start` and `end`, only exchanges dated between them (a reversal
    voids the exchange it names, whatever its own date). A test holds the two rules to
    partitioning the exchanges."""
    # The exchanges that are not help are read through their partial index (a handful).
    if start is None and end is None:
        return union_all(select(Exchange.number).where(Exchange.reverses.is_not(None)),
                         select(Exchange.reverses).where(Exchange.reverses.is_not(None)),
                         select(Exchange.number).where(not_help()))
    reversal, voided = reversal_alias(), aliased(Exchange, name="voided")
    reversals = select(reversal.number).where(is_a_reversal(reversal.reverses), reversal.date.between(start, end))
    if postgres:
        # From the few reversals to what they void: from the period's exchanges to their
        # reversals, PostgreSQL estimated every exchange of a month of the 5M bench ledger
        # voided (135,931 for 716) and read all 10M entries to find theirs (2.1 s -> 0.07 s).
        # SQLite goes the other way, through the date index (0.07 s; this form took 1.0 s).
        reversed_ = select(reversal.reverses).where(reversal.reverses.is_not(None), exists().where(
            voided.number == reversal.reverses, voided.date.between(start, end)))
    else:
        reversed_ = (select(voided.number).join(reversal, reversal.reverses == voided.number)
                     .where(voided.date.between(start, end)))
    moves = select(Exchange.number).where(not_help(), Exchange.date.between(start, end))
    return union(reversals, reversed_, moves)


def moves_of_balance(session: Session, start: date, end: date) -> tuple[int, int, dict[int, int]]:
    """The exchanges between two dates that stand but are not help (opening balances):
    how many, the minutes they moved (each counted once, as givers earn), and what they
    moved for each member. Reports show them on a line of their own; a month's closing
    balances include them."""
    moved: dict[int, int] = {}
    numbers: set[int] = set()
    minutes = 0
    for number, member, amount in session.execute(
            select(Exchange.number, Entry.member, Entry.minutes).join(Entry, Entry.exchange == Exchange.number)
            .where(not_help(), Exchange.date.between(start, end), standing_condition())):
        numbers.add(number)
        moved[member] = moved.get(member, 0) + int(amount)
        minutes += max(int(amount), 0)
    return len(numbers), minutes, moved


# The columns a member's name is shown from (plain rows, not ORM objects: a ledger may
# have ten thousand members, and building Member instances costs 14 microseconds each).
NAME_COLUMNS = (Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten)


DRIVER_BATCH = 10_000


def driver_batches(session: Session, sql: str) -> Iterator[list[tuple]]:
    """The rows of `sql` as plain tuples straight from the database driver, ten thousand at
    a time, in the session's snapshot: a server-side cursor on PostgreSQL, so a million rows
    never sit in memory. For the passes over every row (`check`, the export of every
    exchange), where SQLAlchemy's row objects and type conversions would cost more than the
    work itself; values come as the driver gives them."""
    import uuid

    connection = session.connection()
    dbapi = driver(connection)
    if connection.dialect.name == "sqlite":
        cursor = dbapi.cursor()
    else:
        cursor = dbapi.cursor(name=f"timebank_{uuid.uuid4().hex[:12]}")
        cursor.itersize = DRIVER_BATCH
    cursor.execute(sql)
    try:
        while True:
            rows = cursor.fetchmany(DRIVER_BATCH)
            if not rows:
                return
            yield rows
    finally:
        try:
            cursor.close()
        except Exception:  # the connection went first (a pass stopped part-way): nothing to close
            pass
