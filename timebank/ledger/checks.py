"""`timebank check`: a list of plain checks, each returning the problems it found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session, aliased

from timebank.i18n import N_, _
from timebank.ledger.db import HEAD_REVISION, Ledger
from timebank.ledger.models import Base, Entry, Exchange, Member, MonthTotal
from timebank.ledger.totals import expected_balances, expected_months


@dataclass(frozen=True)
class CheckResult:
    title: str            # the check's name, a message id: the face translates it
    problems: list[str]   # in the interface language, like every refusal


def _integrity(session: Session, ledger: Ledger) -> list[str]:
    if not ledger.is_sqlite:
        return []
    problems = [row[0] for row in session.execute(text("PRAGMA integrity_check")) if row[0] != "ok"]
    problems += [_("Entry in table {table} (row {row}) points at a missing row of {parent}.").format(
        table=row[0], row=row[1], parent=row[2]) for row in session.execute(text("PRAGMA foreign_key_check"))]
    return problems


def _stored_types(session: Session, ledger: Ledger) -> list[str]:
    """Every stored value has its column's type. SQLite keeps any value in any column, so a
    damaged file (one flipped bit) can hold '2026-0u-28' as a date or text as minutes; the
    other checks would stop at such a value instead of naming it. One pass over each table.
    PostgreSQL enforces types itself."""
    if not ledger.is_sqlite:
        return []
    problems: list[str] = []
    present = {row[0] for row in session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    for table in Base.metadata.sorted_tables:
        if table.name not in present:
            continue
        tests = [(column.name, message, wrong) for column in table.columns
                 for message, wrong in [_wrong_value(f'"{column.name}"', column.type)] if wrong]
        if not tests:
            continue
        counts = session.execute(text(
            f'SELECT {", ".join(f"sum({wrong})" for _n, _m, wrong in tests)} FROM "{table.name}"')).one()
        for (column, message, wrong), count in zip(tests, counts):
            if count:  # rare: only then the second pass for the first such row
                first = session.scalar(text(f'SELECT min(rowid) FROM "{table.name}" WHERE {wrong}'))
                problems.append(_(message).format(table=table.name, column=column, count=count, row=first))
    return problems


def _wrong_value(name: str, column_type: object) -> tuple[str, str | None]:
    """The problem's message, and an SQL test true for a stored value not of the column's type."""
    from sqlalchemy import Date, DateTime, Integer, LargeBinary, String

    if isinstance(column_type, DateTime):
        return (N_("{table}.{column}: values that are not dates and times ({count}; the first in row {row})."),
                f"({name} IS NOT NULL AND (typeof({name}) != 'text' OR julianday({name}) IS NULL))")
    if isinstance(column_type, Date):
        return (N_("{table}.{column}: values that are not dates ({count}; the first in row {row})."),
                f"({name} IS NOT NULL AND (typeof({name}) != 'text' OR date({name}) IS NOT {name}))")
    if isinstance(column_type, Integer):
        return (N_("{table}.{column}: values that are not whole numbers ({count}; the first in row {row})."),
                f"({name} IS NOT NULL AND typeof({name}) != 'integer')")
    if isinstance(column_type, String):
        return (N_("{table}.{column}: values that are not text ({count}; the first in row {row})."),
                f"({name} IS NOT NULL AND typeof({name}) != 'text')")
    if isinstance(column_type, LargeBinary):
        return (N_("{table}.{column}: values that are not bytes ({count}; the first in row {row})."),
                f"({name} IS NOT NULL AND typeof({name}) != 'blob')")
    return "", None


def _schema(session: Session, ledger: Ledger) -> list[str]:
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision != HEAD_REVISION:
        return [_("The schema is at revision {found}, not {expected}.").format(found=revision, expected=HEAD_REVISION)]
    return []


def _zero_sum(session: Session, ledger: Ledger) -> list[str]:
    rows = session.execute(select(Entry.exchange, func.sum(Entry.minutes)).group_by(Entry.exchange)
                           .having(func.sum(Entry.minutes) != 0)).all()
    missing = session.execute(select(Exchange.number).where(
        ~Exchange.number.in_(select(Entry.exchange)))).scalars().all()
    return ([_("Exchange {number} does not sum to zero (off by {minutes} minutes).").format(number=n, minutes=m)
             for n, m in rows]
            + [_("Exchange {number} has no entries.").format(number=n) for n in missing])


def _entries_match(session: Session, ledger: Ledger) -> list[str]:
    """Each entry agrees with its exchange: date, sign for its role, minutes per pair."""
    counts = {number: (g, r) for number, g, r in session.execute(
        select(Entry.exchange,
               func.sum(case((Entry.role == "giver", 1), else_=0)),
               func.sum(case((Entry.role == "receiver", 1), else_=0)))
        .group_by(Entry.exchange))}
    problems: list[str] = []
    query = (select(Entry.exchange, Entry.member, Entry.role, Entry.minutes, Entry.date,
                    Exchange.date, Exchange.minutes, Exchange.reverses)
             .join(Exchange, Exchange.number == Entry.exchange))
    for number, member, role, minutes, on, exchange_date, per_pair, reverses in session.execute(query):
        givers, receivers = counts[number]
        if givers < 1 or receivers < 1 or (givers > 1 and receivers > 1):
            problems.append(_("Exchange {number} has {givers} givers and {receivers} receivers.").format(
                number=number, givers=givers, receivers=receivers))
            continue
        expected = per_pair * receivers if role == "giver" else -per_pair * givers
        if reverses is not None:
            expected = -expected
        if minutes != expected:
            problems.append(_("Exchange {number}: member {member} has {minutes} minutes, expected {expected}.").format(
                number=number, member=member, minutes=minutes, expected=expected))
        if on != exchange_date:
            problems.append(_("Exchange {number}: an entry is dated {entry}, the exchange {date}.").format(
                number=number, entry=on, date=exchange_date))
    return sorted(set(problems), key=problems.index)


def _voids(session: Session, ledger: Ledger) -> list[str]:
    original = aliased(Exchange)
    problems: list[str] = []
    for number, reverses, on, o_number, o_date, o_reverses, o_minutes, minutes in session.execute(
            select(Exchange.number, Exchange.reverses, Exchange.date, original.number, original.date,
                   original.reverses, original.minutes, Exchange.minutes)
            .outerjoin(original, original.number == Exchange.reverses)
            .where(Exchange.reverses.is_not(None))):
        if o_number is None:
            problems.append(_("Reversal {number} points at exchange {original}, which does not exist.").format(
                number=number, original=reverses))
            continue
        if o_reverses is not None:
            problems.append(_("Reversal {number} reverses another reversal ({original}).").format(
                number=number, original=reverses))
        if on != o_date or minutes != o_minutes or number < reverses:
            problems.append(_("Reversal {number} does not match exchange {original}.").format(
                number=number, original=reverses))
        mine = sorted(session.execute(select(Entry.member, Entry.minutes).where(Entry.exchange == number)).all())
        theirs = sorted((m, -v) for m, v in session.execute(
            select(Entry.member, Entry.minutes).where(Entry.exchange == reverses)).all())
        if mine != theirs:
            problems.append(_("Reversal {number} does not cancel exchange {original} entry for entry.").format(
                number=number, original=reverses))
    return problems


def _numbering(session: Session, ledger: Ledger) -> list[str]:
    problems: list[str] = []
    for model, label in ((Exchange, N_("exchanges")), (Member, N_("members"))):
        low, high, count = session.execute(
            select(func.min(model.number), func.max(model.number), func.count(model.number))).one()
        first = 1 if model is Exchange else 0
        if count and (low != first or high - low + 1 != count):
            problems.append(_("The numbers of the {what} have gaps: {count} numbered from {low} to {high}.").format(
                what=_(label), count=count, low=low, high=high))
    if session.get(Member, 0) is None or session.get(Member, 0).kind != "pot":
        problems.append(_("The time bank pot (member 0) is missing."))
    return problems


def _cached(session: Session, ledger: Ledger) -> list[str]:
    problems: list[str] = []
    sums = expected_balances(session)
    for number, cached in session.execute(select(Member.number, Member.balance_minutes)):
        if cached != sums.get(number, 0):
            problems.append(_("Member {number}'s cached balance is {cached} minutes; the entries say {sum}.").format(
                number=number, cached=cached, sum=sums.get(number, 0)))
    expected = expected_months(session)
    stored = {(m, c): (n, minutes) for m, c, n, minutes in session.execute(
        select(MonthTotal.month, MonthTotal.category, MonthTotal.exchanges, MonthTotal.minutes))}
    for key in sorted(set(expected) | set(stored)):
        if expected.get(key, (0, 0)) != stored.get(key, (0, 0)):
            problems.append(_("The cached totals for {month} ({category}) disagree with the exchanges.").format(
                month=key[0], category=key[1]))
    return problems


def _balances(session: Session, ledger: Ledger) -> list[str]:
    total = session.scalar(select(func.coalesce(func.sum(Entry.minutes), 0)))
    if total != 0:
        return [_("The balances of all members add up to {minutes} minutes, not zero.").format(minutes=total)]
    return []


CHECKS: list[tuple[str, Callable[[Session, Ledger], list[str]]]] = [
    (N_("Database integrity and foreign keys"), _integrity),
    (N_("Every stored value has its type"), _stored_types),
    (N_("Schema at the latest migration"), _schema),
    (N_("Every exchange sums to zero"), _zero_sum),
    (N_("Entries agree with their exchanges"), _entries_match),
    (N_("Voids and reversals are consistent"), _voids),
    (N_("Numbers without gaps or reuse"), _numbering),
    (N_("Balances add up to zero"), _balances),
    (N_("Cached balances and monthly totals equal the entries"), _cached),
]


def run_checks(session: Session, ledger: Ledger) -> list[CheckResult]:
    return [CheckResult(title, _guarded(check, session, ledger)) for title, check in CHECKS]


def _guarded(check: Callable[[Session, Ledger], list[str]], session: Session, ledger: Ledger) -> list[str]:
    """A check that meets a value it cannot read (a damaged file) reports that as its
    problem, and the other checks still run."""
    try:
        return check(session, ledger)
    except (ValueError, TypeError, OverflowError, KeyError):
        return [_("Not completed: a stored value cannot be read (the ledger is damaged).")]
