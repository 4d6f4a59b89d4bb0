"""Query fragments every report shares, written once: which exchanges count, the month of
a date, what givers earned. Plain SQLAlchemy expressions over the models."""

from __future__ import annotations

from sqlalchemy import String, and_, case, cast, exists, func, select, union
from sqlalchemy.orm import aliased

from timebank.ledger.dates import month_of
from timebank.ledger.models import Entry, Exchange, Member

__all__ = ["month_of", "month_key", "earned_sum", "earned", "reversal_alias", "not_a_reversal", "live_condition",
           "not_live_between", "NAME_COLUMNS"]


def month_key(column):  # type: ignore[no-untyped-def]
    """'YYYY-MM' from a date column, the same on SQLite (text dates) and PostgreSQL."""
    return func.substr(cast(column, String(10)), 1, 7)


def earned_sum():  # type: ignore[no-untyped-def]
    """What the givers earned: each minute exchanged counted once."""
    return func.sum(case((Entry.minutes > 0, Entry.minutes), else_=0))


def earned(entries: "list[dict] | tuple[dict, ...]") -> int:
    """The same in Python, for entries about to be written."""
    return sum(e["minutes"] for e in entries if e["minutes"] > 0)


def reversal_alias():  # type: ignore[no-untyped-def]
    return aliased(Exchange, name="reversal")


def not_a_reversal():  # type: ignore[no-untyped-def]
    # Written so that SQLite cannot use the index on `reverses` for it: nearly every
    # exchange has none, and planning from that index scans the whole table.
    return func.coalesce(Exchange.reverses, 0) == 0


def live_condition():  # type: ignore[no-untyped-def]
    """Exchanges that count: neither a reversal nor voided by one."""
    reversal = reversal_alias()
    return and_(not_a_reversal(), ~exists().where(reversal.reverses == Exchange.number))


def not_live_between(start, end):  # type: ignore[no-untyped-def]
    """The numbers of the exchanges dated between two days that do NOT count by
    `live_condition`: the reversals, and the exchanges a reversal voids. The same rule read
    from the other side, for sums that take every entry of a span (through the date index
    alone, no join) and then subtract these few: a month of a million-exchange ledger has
    tens of thousands of entries and a few hundred that do not count. A test holds the two
    to partitioning the exchanges."""
    reversal, voided = reversal_alias(), aliased(Exchange, name="voided")
    reversals = select(reversal.number).where(func.coalesce(reversal.reverses, 0) != 0,
                                               reversal.date.between(start, end))
    # Every reversal voids the exchange it names, whatever the reversal's own date.
    reversed_ = (select(voided.number).join(reversal, reversal.reverses == voided.number)
                 .where(voided.date.between(start, end)))
    return union(reversals, reversed_)


# The columns a member's name is shown from (plain rows, not ORM objects: a ledger may
# have ten thousand members, and building Member instances costs 14 microseconds each).
NAME_COLUMNS = (Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten)
