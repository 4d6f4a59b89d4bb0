"""`timebank check`: plain checks, each returning the problems it found.

Everything that reads every exchange and entry -- zero-sum, entries against their
exchange, the sums behind the cached figures, and the chain of links -- is one streaming
pass (`verify`), so the check stays linear in the size of the ledger. On SQLite the
database's own integrity check, the check of stored types and the proof that unique values
are unique run at the same time on connections of their own (they spend their time inside
SQLite, which lets Python's pass run alongside them).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import date
from typing import Callable, Sequence

from sqlalchemy import Integer, UniqueConstraint, case, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from timebank.ledger.basics.language import fold
from timebank.ledger.integrity.canonical import Seal, SealQuery
from timebank.ledger.storage.db import BUSY_TIMEOUT_MS, HEAD_REVISION, Ledger, driver
from timebank.ledger.storage.models import (ACCOUNT_KINDS, PARTNER_KIND, Base, Entry, Exchange, Member,
                                            MemberPeriod, MonthTotal, PartnerAccount)
from timebank.ledger.integrity.verify import Walk, erased_since_seal, seal_problems, walk
from timebank.ledger.messages import N_, Phrase, _, ngettext
from timebank.ledger.storage.shape import Table, schema_differences, schema_of


@dataclass(frozen=True)
class CheckResult:
    title: str            # the check's name, a message id: the face translates it
    problems: Sequence[Phrase]   # what is wrong: the face says it in the reader's language


@dataclass(frozen=True)
class CheckReport:
    results: list[CheckResult]
    seal: Seal | None                  # the chain's last link: the seal to write down
    asked: SealQuery | None = None     # the seal the check was asked to prove, if any
    since: Sequence[Phrase] = ()       # what erasure took out of the sealed history since the seal
    # What is not wrong with the ledger but wants doing (access requests past their due day).
    warnings: Sequence[Phrase] = ()

    @property
    def problems(self) -> int:
        return sum(len(result.problems) for result in self.results)


class _OwnConnection(threading.Thread):
    """A check that spends its time inside SQLite, run on a connection of its own: the
    sqlite3 module lets go of Python's lock while SQLite works, so it runs on the second
    core alongside the pass over the history (`verify`), which is Python's work."""

    def __init__(self, ledger: Ledger, check: Callable[[sqlite3.Connection], list[Phrase]]) -> None:
        super().__init__(daemon=True)
        self.ledger = ledger
        self.check = check
        self.problems: list[Phrase] = []

    def run(self) -> None:
        assert self.ledger.path is not None
        try:
            conn = sqlite3.connect(self.ledger.path, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                self.problems = self.check(conn)
            finally:
                conn.close()
        except sqlite3.Error as error:
            self.problems = [str(error)]
        except Exception:  # a check that could not finish must never read as passed
            self.problems = _not_completed()


def _integrity(conn: sqlite3.Connection) -> list[Phrase]:
    """SQLite's integrity and foreign-key checks."""
    problems: list[Phrase] = [str(row[0]) for row in conn.execute("PRAGMA integrity_check").fetchall()
                              if row[0] != "ok"]
    return problems + [_("Entry in table {table} (row {row}) points at a missing row of {parent}.").format(
        table=row[0], row=row[1], parent=row[2]) for row in conn.execute("PRAGMA foreign_key_check")]


def _stored_types(conn: sqlite3.Connection) -> list[Phrase]:
    """Every stored value has its column's type. SQLite keeps any value in any column, so a
    damaged file (one flipped bit) can hold '2026-0u-28' as a date or text as minutes; the
    other checks would stop at such a value instead of naming it. One pass over each table.
    PostgreSQL enforces types itself."""
    problems: list[Phrase] = []
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in Base.metadata.sorted_tables:
        if table.name not in present:
            continue
        tests = [(column.name, message, wrong) for column in table.columns
                 for message, wrong in [_wrong_value(f'"{column.name}"', column.type)] if wrong]
        if not tests:
            continue
        counts = conn.execute(
            f'SELECT {", ".join(f"sum({wrong})" for _n, _m, wrong in tests)} FROM "{table.name}"').fetchone()
        for (column, message, wrong), count in zip(tests, counts):
            if count:  # rare: only then the second pass for the first such row
                first = conn.execute(f'SELECT min(rowid) FROM "{table.name}" WHERE {wrong}').fetchone()[0]
                problems.append(_(message).format(table=table.name, column=column, count=count, row=first))
    return problems


def _wrong_value(name: str, column_type: object) -> tuple[str, str | None]:
    """The problem's message, and an SQL test true for a stored value not of the column's type."""
    from sqlalchemy import Date, DateTime, Integer, LargeBinary, String
    from sqlalchemy.types import TypeDecorator

    if isinstance(column_type, TypeDecorator):  # e.g. Minutes: a BIGINT that reads back as int
        column_type = column_type.impl_instance
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


def _schema(session: Session, ledger: Ledger) -> list[Phrase]:
    """The revision, and on SQLite the whole schema -- tables' SQL, constraints, indexes, and
    no view or trigger -- as our migrations make it at that revision (`storage.shape`): a
    ledger rebuilt without a constraint keeps every column and passes every other check.
    (The revision is read only from a table: a view of that name could run forever.)"""
    differences: list[Phrase] = []
    if ledger.is_sqlite:
        from timebank.ledger.storage.migrate import reference_schema

        found = schema_of(driver(session.connection()))
        differences = [_("The schema differs from the one timebank makes: {difference}.").format(difference=difference)
                       for difference in schema_differences(found, reference_schema(HEAD_REVISION))]
        if not isinstance(found.get("table alembic_version"), Table):
            return differences
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision != HEAD_REVISION:  # every later migration would be a difference: the revision says it
        return [_("The schema is at revision {found}, not {expected}.").format(found=revision, expected=HEAD_REVISION)]
    return differences


def _unique_rules(sqlite: bool) -> list[tuple[str, tuple[str, ...]]]:
    """Every set of columns the models say is unique (primary keys, unique constraints and
    indexes), but the reversal's, which `_voids` proves in its own words. On SQLite a
    single INTEGER primary key is the row's own key in the file (no two rows can share it,
    and the schema check proves the table is declared so): it is left out."""
    rules: list[tuple[str, tuple[str, ...]]] = []
    for table in Base.metadata.sorted_tables:
        sets = [tuple(table.primary_key.columns)]
        sets += [tuple(constraint.columns) for constraint in table.constraints
                 if isinstance(constraint, UniqueConstraint)]
        sets += [tuple(index.columns) for index in table.indexes if index.unique]
        for columns in sets:
            rule = (table.name, tuple(column.name for column in columns))
            rowid = sqlite and len(columns) == 1 and columns[0].primary_key and isinstance(columns[0].type, Integer)
            if columns and not rowid and rule != ("exchanges", ("reverses",)) and rule not in rules:
                rules.append(rule)
    return rules


def _unique(execute: Callable[[str], Sequence[Sequence[object]]], sqlite: bool) -> list[Phrase]:
    """What must be unique is, proven from the data and not taken from the schema (a ledger
    rebuilt without a unique constraint holds what it likes): one query a rule, the same
    SQL on both databases (names from our own models)."""
    problems: list[Phrase] = []
    for table, columns in _unique_rules(sqlite):
        names = ", ".join(f'"{column}"' for column in columns)
        held = execute(f'SELECT {names} FROM "{table}" WHERE '
                       + " AND ".join(f'"{column}" IS NOT NULL' for column in columns)
                       + f" GROUP BY {names} HAVING count(*) > 1 ORDER BY {names}")
        if held:
            problems.append(_("{table} ({columns}): values held by more than one row ({count}; the first: "
                              "{value}).").format(table=table, columns=", ".join(columns), count=len(held),
                                                  value=", ".join(str(value) for value in held[0])))
    return problems


def _unique_sqlite(conn: sqlite3.Connection) -> list[Phrase]:
    return _unique(lambda sql: conn.execute(sql).fetchall(), True)


def _voids(session: Session, ledger: Ledger) -> list[Phrase]:
    """Each reversal: the only one of an existing exchange that is no reversal, on its date,
    for its minutes and category, numbered after it, and cancelling it entry for entry.
    Three queries, whatever the number of voids."""
    original = aliased(Exchange)
    problems: list[Phrase] = []
    # One reversal an exchange: proven from the data, whatever the schema says.
    twice = (select(Exchange.reverses).where(Exchange.reverses.is_not(None))
             .group_by(Exchange.reverses).having(func.count() > 1))
    by: dict[int, list[int]] = {}
    for reversed_, number in session.execute(select(Exchange.reverses, Exchange.number)
                                             .where(Exchange.reverses.in_(twice))
                                             .order_by(Exchange.reverses, Exchange.number)):
        if reversed_ is not None:
            by.setdefault(reversed_, []).append(number)
    for reversed_, numbers in by.items():
        problems.append(_("Exchange {original} is reversed more than once: by {numbers}.").format(
            original=reversed_, numbers=", ".join(str(number) for number in numbers)))
    for number, reverses, on, minutes, category, o_number, o_date, o_reverses, o_minutes, o_category in \
            session.execute(select(Exchange.number, Exchange.reverses, Exchange.date, Exchange.minutes,
                                   Exchange.category, original.number, original.date, original.reverses,
                                   original.minutes, original.category)
                            .outerjoin(original, original.number == Exchange.reverses)
                            .where(Exchange.reverses.is_not(None)).order_by(Exchange.number)):
        if o_number is None:
            problems.append(_("Reversal {number} points at exchange {original}, which does not exist.").format(
                number=number, original=reverses))
            continue
        assert reverses is not None  # only reversals are read
        if o_reverses is not None:
            problems.append(_("Reversal {number} reverses another reversal ({original}).").format(
                number=number, original=reverses))
        if on != o_date or minutes != o_minutes or category != o_category or number < reverses:
            problems.append(_("Reversal {number} does not match exchange {original}.").format(
                number=number, original=reverses))
    # Per reversal and member: the reversal's entries and the original's cancel, and there
    # are as many of each.
    own = case((Entry.exchange == Exchange.number, 1), else_=-1)
    for number, reverses in session.execute(
            select(Exchange.number, Exchange.reverses)
            .join(Entry, Entry.exchange.in_([Exchange.number, Exchange.reverses]))
            .where(Exchange.reverses.is_not(None))
            .group_by(Exchange.number, Exchange.reverses, Entry.member)
            .having(or_(func.sum(Entry.minutes) != 0, func.sum(own) != 0))
            .order_by(Exchange.number).distinct()):
        problems.append(_("Reversal {number} does not cancel exchange {original} entry for entry.").format(
            number=number, original=reverses))
    return sorted(set(problems), key=problems.index)


def _numbering(session: Session, ledger: Ledger) -> list[Phrase]:
    problems: list[Phrase] = []
    for model, label in ((Exchange, N_("exchanges")), (Member, N_("members"))):
        # Members from 0 (the pot) up; the accounts of partner banks' members from -1 down.
        low, high, count = session.execute(
            select(func.min(model.number), func.max(model.number), func.count(model.number))
            .where(model.number >= 0)).one()
        first = 1 if model is Exchange else 0
        if count and (low != first or high - low + 1 != count):
            problems.append(_("The numbers of the {what} have gaps: {count} numbered from {low} to {high}.").format(
                what=_(label), count=count, low=low, high=high))
    low, count = session.execute(select(func.min(Member.number), func.count()).where(Member.number < 0)).one()
    if count and low != -count:
        problems.append(_("The numbers of the accounts of partner banks' members have gaps: {count} numbered from "
                          "{low} to -1.").format(count=count, low=low))
    for number, kind in session.execute(select(Member.number, Member.kind).where(
            (Member.number < 0) != (Member.kind == PARTNER_KIND)).order_by(Member.number).limit(10)):
        problems.append(_("Member {number} has the kind {kind}: the accounts of partner banks' members, and only "
                          "they, are numbered below zero.").format(number=number, kind=kind))
    unlinked = session.execute(select(Member.number).outerjoin(PartnerAccount, PartnerAccount.member == Member.number)
                               .where(Member.kind == PARTNER_KIND, PartnerAccount.member.is_(None))
                               .order_by(Member.number).limit(10)).scalars().all()
    for number in unlinked:
        problems.append(_("Account {number} is of a partner bank's member, but no partner bank's member is "
                          "named for it.").format(number=number))
    pot = session.get(Member, 0)
    if pot is None or pot.kind != "pot":
        problems.append(_("The time bank pot (member 0) is missing."))
    return problems


def _cached(session: Session, passed: Walk) -> list[Phrase]:
    problems: list[Phrase] = []
    sums = passed.balances
    for number, cached in session.execute(select(Member.number, Member.balance_minutes)):
        if cached != sums.get(number, 0):
            problems.append(_("Member {number}'s cached balance is {cached} minutes; the entries say {sum}.").format(
                number=number, cached=cached, sum=sums.get(number, 0)))
    expected = passed.months
    stored = {(m, c): (n, minutes) for m, c, n, minutes in session.execute(
        select(MonthTotal.month, MonthTotal.category, MonthTotal.exchanges, MonthTotal.minutes))}
    for key in sorted(set(expected) | set(stored)):
        if expected.get(key, (0, 0)) != stored.get(key, (0, 0)):
            problems.append(_("The cached totals for {month} ({category}) disagree with the exchanges.").format(
                month=key[0], category=key[1]))
    return problems


def _folded_names(session: Session) -> list[Phrase]:
    """Each member's folded name (`Member.folded`, what a name typed is found by) is their
    name folded now: a stale one would find the wrong member, or no one."""
    from timebank.ledger.integrity.verify import NAMED

    stale = [number for number, name, folded in session.execute(
        select(Member.number, Member.name, Member.folded).order_by(Member.number))
        if folded != (None if name is None else fold(name))]
    problems: list[Phrase] = [
        _("Member {number}'s name as kept for finding members by name (without capitals or accents) is not their "
          "name: a name typed would not find them rightly.").format(number=number) for number in stale[:NAMED]]
    more = len(stale) - NAMED
    if more > 0:
        problems.append(ngettext("... and {count} more member whose name as kept for finding them is not their name.",
                                 "... and {count} more members whose names as kept for finding them are not their "
                                 "names.", more).format(count=more))
    return problems


def _periods(session: Session) -> list[Phrase]:
    """Each member's periods of membership follow one another, the first from the day they
    joined, the last to the day they left (or open while they belong)."""
    periods: dict[int, list[tuple[date, date | None]]] = {}
    for member, joined, left in session.execute(select(MemberPeriod.member, MemberPeriod.joined, MemberPeriod.left)
                                                .order_by(MemberPeriod.member, MemberPeriod.joined, MemberPeriod.id)):
        periods.setdefault(member, []).append((joined, left))
    problems: list[Phrase] = []
    for number, joined, left in session.execute(select(Member.number, Member.joined, Member.left)
                                                .where(Member.kind.not_in(ACCOUNT_KINDS))
                                                .order_by(Member.number)):
        own = periods.get(number)
        if not own:
            problems.append(_("Member {number} has no period of membership.").format(number=number))
            continue
        follow = all(earlier[1] is not None and earlier[1] <= later[0] for earlier, later in zip(own, own[1:]))
        if own[0][0] != joined or own[-1][1] != left or not follow:
            problems.append(_("Member {number}'s periods of membership disagree with the days they joined and "
                              "left.").format(number=number))
    return problems


def _records(session: Session, passed: Walk) -> list[Phrase]:
    """Every member, period, category, setting and listing as its last record link says."""
    from timebank.ledger.integrity import records
    from timebank.ledger.integrity.verify import NAMED
    from timebank.ledger.storage.sql import driver_batches

    return records.problems(lambda sql: [row for batch in driver_batches(session, sql) for row in batch],
                            passed.records, NAMED)


def _balances(passed: Walk) -> list[Phrase]:
    if passed.total != 0:
        return [_("The balances of all members add up to {minutes} minutes, not zero.").format(minutes=passed.total)]
    return []


# The checks in the order they are shown. Each takes the session, the ledger and the pass.
TITLES = {
    "integrity": N_("Database integrity and foreign keys"),
    "types": N_("Every stored value has its type"),
    "schema": N_("Schema at the latest migration"),
    "zero_sum": N_("Every exchange sums to zero"),
    "entries": N_("Entries agree with their exchanges"),
    "voids": N_("Voids and reversals are consistent"),
    "numbering": N_("Numbers without gaps or reuse"),
    "unique": N_("No value that must be unique is held twice"),
    "periods": N_("Periods of membership agree with the members"),
    "records": N_("Members, periods, categories, settings and listings are as timebank wrote them"),
    "balances": N_("Balances add up to zero"),
    "cached": N_("Cached balances and monthly totals equal the entries"),
    "names": N_("Names kept for finding members agree with their names"),
    "chain": N_("The history is as it was written (every link of the chain verifies)"),
    "seal": N_("The history up to the seal given is unchanged"),
}

# What a damaged file (a flipped bit) can make a value into: a check that meets one reports
# it, and the other checks still run.
UNREADABLE = (ValueError, TypeError, OverflowError, KeyError)


def _not_completed() -> list[Phrase]:
    return [_("Not completed: a stored value cannot be read (the ledger is damaged).")]


def _guarded(check: Callable[[], list[Phrase]]) -> list[Phrase]:
    try:
        return check()
    except UNREADABLE:
        return _not_completed()


def check_ledger(session: Session, ledger: Ledger, seal: SealQuery | None = None,
                 extra: list[CheckResult] | None = None) -> CheckReport:
    """Every check, in one snapshot (SQLite's integrity, type and uniqueness checks each on a
    connection, and so in a snapshot, of its own). `session` must not have read anything yet: on
    PostgreSQL its transaction becomes one REPEATABLE READ snapshot here, since in the
    default READ COMMITTED each query sees the writes committed before it began, and a
    check while others write would find links missing and balances wrong that are not."""
    if not ledger.is_sqlite:
        # Must be the transaction's first statement (PostgreSQL refuses it after a query).
        # READ ONLY: such a transaction never waits for writers nor fails for their sake.
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    # On SQLite the database's own checks run beside the pass, each on a connection (and
    # in a snapshot) of its own; PostgreSQL enforces types and pages itself.
    beside = {key: _OwnConnection(ledger, check) for key, check in (("integrity", _integrity),
                                                                     ("types", _stored_types),
                                                                     ("unique", _unique_sqlite))} \
        if ledger.is_sqlite else {}
    for thread in beside.values():
        thread.start()
    found: dict[str, list[Phrase]] = {"types": [], "schema": _guarded(lambda: _schema(session, ledger))}
    try:
        passed: Walk | None = walk(session, seal.link if seal else None)
    except UNREADABLE:
        passed = None
    if passed is None:
        found |= {key: _not_completed() for key in ("zero_sum", "entries", "balances", "cached", "chain", "records")}
    else:
        found |= {"zero_sum": passed.zero_sum,
                  "entries": sorted(set(passed.entries), key=passed.entries.index),
                  "balances": _balances(passed),
                  "cached": _guarded(lambda: _cached(session, passed)),
                  "chain": passed.chain,
                  "records": _guarded(lambda: _records(session, passed))}
    found["voids"] = _guarded(lambda: _voids(session, ledger))
    found["numbering"] = _guarded(lambda: _numbering(session, ledger))
    if not ledger.is_sqlite:
        found["unique"] = _guarded(lambda: _unique(lambda sql: session.execute(text(sql)).all(), False))
    found["periods"] = _guarded(lambda: _periods(session))
    found["names"] = _guarded(lambda: _folded_names(session))
    found["integrity"] = []
    for key, thread in beside.items():
        thread.join()
        found[key] = thread.problems
    if seal is not None:
        found["seal"] = seal_problems(passed, seal) if passed is not None else _not_completed()
    results = [CheckResult(title, found[key]) for key, title in TITLES.items() if key in found]
    since = erased_since_seal(passed) if seal is not None and passed is not None else []
    return CheckReport(results + list(extra or []), passed.last if passed is not None else None, seal, since)


def run_checks(session: Session, ledger: Ledger) -> list[CheckResult]:
    return check_ledger(session, ledger).results
