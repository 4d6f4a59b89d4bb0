"""Figures for funders: members as a funder's file lists them, activity by area with small
counts blanked so that no blank can be worked out, and the funder's pack (the period
figures of `period_figures` and the areas, from one snapshot)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from timebank.ledger.records.balances import balances_by_member
from timebank.ledger.records.members import POT, MemberRow
from timebank.ledger.storage.models import ACCOUNT_KINDS, Entry, Member, MemberPeriod
from timebank.ledger.basics.names import member_name
from timebank.ledger.storage.sql import dead_exchanges

if TYPE_CHECKING:
    from timebank.ledger.reports.outcomes import OutcomesReport
    from timebank.ledger.reports.period_figures import PeriodReport
    from timebank.ledger.records.settings import Settings


def members_by_number(session: Session, as_of: date | None = None) -> list[MemberRow]:
    """Every member but the pot, by number, with the balance at the end of `as_of`."""
    balances = balances_by_member(session, as_of)
    query = select(Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.area,
                   Member.lang, Member.joined, Member.left).where(Member.kind.not_in(ACCOUNT_KINDS))
    query = query.order_by(Member.number)
    return [MemberRow(m.number, member_name(m), m.kind, None if m.forgotten else m.area, m.lang, m.joined, m.left,
                      balances.get(m.number, 0)) for m in session.execute(query)]


def members_for_funders(session: Session, as_of: date | None, min_count: int) -> list[MemberRow]:
    """`members_by_number` with each member's area only where at least `min_count` members of
    the file share it: elsewhere the area is left blank, as for a member with none, so that a
    small area's members cannot be picked out and their exchanges added up."""
    rows = members_by_number(session, as_of)
    sizes: dict[str, int] = {}
    for row in rows:
        key = (row.area or "").strip()
        sizes[key] = sizes.get(key, 0) + 1
    return [row if sizes[(row.area or "").strip()] >= min_count else replace(row, area=None) for row in rows]


AREA_COLUMNS = ("members", "members_active", "minutes_given", "minutes_received")


@dataclass(frozen=True)
class AreaRow:
    area: str                      # "" for members with no area; "" for the pot's row too (see `pot`)
    members: int | None            # None where the count is blanked
    members_active: int | None
    minutes_given: int | None
    minutes_received: int | None
    pot: bool = False              # the time bank's own account, which belongs to no area


@dataclass(frozen=True)
class AreaFigures:
    """The areas, then the pot in its own row; `total` holds every column's true total (all
    areas and the pot: the summary's members trading and hours), None where even the total
    must be blanked; `blanked` counts the cells blanked to protect small groups."""

    rows: list[AreaRow]
    total: AreaRow
    min_count: int
    blanked: int


def areas(session: Session, start: date | None, end: date | None, min_count: int) -> AreaFigures:
    """Members, active members and hours per area, and the pot's hours in a row of their own,
    so that the rows add up to the summary. A count under `min_count` is blanked, and with
    it the area's hours; then, in every column where a single cell is blank, a second one
    is blanked too (the smallest), since one blank cell is the total less all the others."""
    end_day = end or date.max
    # Members of the area at any time in the span: a period of membership overlaps it (a
    # member who left before the span and rejoined after it was not one).
    overlapping = select(MemberPeriod.member).where(
        MemberPeriod.joined <= end_day, or_(MemberPeriod.left.is_(None), MemberPeriod.left >= (start or date.min)))
    people = session.execute(select(Member.number, Member.area)
                             .where(Member.kind.not_in(ACCOUNT_KINDS), Member.number.in_(overlapping))).all()
    area_of = {m.number: (m.area or "").strip() for m in people}
    # Each member's minutes given and received in the span, from the entries alone (their
    # index holds date, member and minutes), less those of voided exchanges and reversals.
    is_given = (Entry.minutes > 0).label("is_given")
    in_span = [Entry.date >= (start or date.min), Entry.date <= end_day]
    flows: dict[tuple[int, bool], list[int]] = {
        (member, bool(side)): [int(minutes), int(count)] for member, side, minutes, count in session.execute(
            select(Entry.member, is_given, func.sum(Entry.minutes), func.count())
            .where(*in_span).group_by(Entry.member, is_given))}
    for member, minutes in session.execute(select(Entry.member, Entry.minutes)
                                           .where(*in_span, Entry.exchange.in_(dead_exchanges()))):
        flow = flows[(member, minutes > 0)]
        flow[0] -= minutes
        flow[1] -= 1
    given: dict[str, int] = {}
    received: dict[str, int] = {}
    active: dict[str, set[int]] = {}
    pot_given = pot_received = 0
    for (member, given_side), (minutes, count) in flows.items():
        if count <= 0:
            continue
        if member == POT:
            if given_side:
                pot_given += int(minutes)
            else:
                pot_received -= int(minutes)
            continue
        if member not in area_of:
            continue
        area = area_of[member]
        active.setdefault(area, set()).add(member)
        if given_side:
            given[area] = given.get(area, 0) + int(minutes)
        else:
            received[area] = received.get(area, 0) - int(minutes)
    # Members of the area at any time in the span, so that every active member is one of them.
    counted: dict[str, int] = {}
    for m in people:
        counted[area_of[m.number]] = counted.get(area_of[m.number], 0) + 1
    names = sorted(set(counted) | set(active))
    true = {area: {"members": counted.get(area, 0), "members_active": len(active.get(area, set())),
                   "minutes_given": given.get(area, 0), "minutes_received": received.get(area, 0)}
            for area in names}
    pot = {"members": 0, "members_active": 0, "minutes_given": pot_given, "minutes_received": pot_received}
    return blank_small(true, pot if pot_given or pot_received else None, min_count)


Cells = dict[str, "int | None"]

# What a row of the areas shows: all of it; its members only (its members trading and hours
# blank); or nothing. A blanked count always takes the area's hours with it.
SHOWN, ACTIVITY, WHOLE = 0, 1, 2
_BLANK_COLUMNS = {SHOWN: (), ACTIVITY: AREA_COLUMNS[1:], WHOLE: AREA_COLUMNS}


def blank_small(true: dict[str, dict[str, int]], pot: dict[str, int] | None, min_count: int) -> AreaFigures:
    """Blank each area's members trading and hours where either count is under `min_count`,
    and its members too where that count is; then blank other areas' figures until every
    blank could hold another value as well as its own.

    The reader is taken to know every column's total (the summary gives members trading and
    hours, and the total row the rest), the pot's row, and the rule: a count shown is at
    least `min_count`, a blanked count takes its hours, members trading are at most the
    members, an area has a member, an area with no members trading has no hours, and each
    member trading gave or received at least a minute. A blank is safe when another table,
    different in that cell, agrees with all of that: its row and another blank row trading
    some of their blank figures, or one passing the other a member or a minute, with both
    rows still keeping the rule. The file reads the same under either table, so it tells
    neither value. The further blank is the one that loses least: the fewest cells, then the
    fewest members trading, hours and members. Where nothing makes a blank safe, every area
    is blanked, and the file says no more than its totals. The pot is never blanked (it is
    the time bank, not people), nor a total, but for a column with a single area, whose
    figure is the total less the pot's."""
    names = sorted(true)
    hidden = {area: WHOLE if true[area]["members"] < min_count
              else ACTIVITY if true[area]["members_active"] < min_count else SHOWN for area in names}
    while (exposed := _exposed(true, hidden)) is not None:
        more = _further_blanks(true, hidden, *exposed)
        if more is None:
            hidden = dict.fromkeys(names, WHOLE)
            break
        hidden |= more
    shown: dict[str, Cells] = {area: {column: None if column in _BLANK_COLUMNS[hidden[area]] else value
                                      for column, value in true[area].items()} for area in names}
    total: Cells = {column: sum(v[column] for v in true.values()) + (pot or {}).get(column, 0)
                    for column in AREA_COLUMNS}
    for column in AREA_COLUMNS:
        if sum(1 for area in names if shown[area][column] is None) == 1:
            total[column] = None
    rows = [_area_row(area, shown[area]) for area in names]
    if pot is not None:
        rows.append(_area_row("", dict(pot), pot=True))
    blanked = sum(1 for row in rows for column in AREA_COLUMNS if getattr(row, column) is None)
    return AreaFigures(rows, _area_row("", total), min_count, blanked)


def _keeps_the_rule(row: dict[str, int]) -> bool:
    members, trading, given, received = (row[column] for column in AREA_COLUMNS)
    return (members >= 1 and 0 <= trading <= members and given >= 0 and received >= 0
            and (given + received >= trading if trading else given == received == 0))


def _other_tables(true: dict[str, dict[str, int]], hidden: dict[str, int], one: str, other: str,
                  column: str) -> "list[tuple[dict[str, int], dict[str, int]]]":
    """Rows `one` and `other` as other tables would have them, each differing from the
    truth in `column` and only in cells blank in both rows: trading that cell, trading
    every such cell, or passing one (a member or a minute) either way."""
    both = [c for c in _BLANK_COLUMNS[hidden[one]] if c in _BLANK_COLUMNS[hidden[other]]]
    first, second = true[one], true[other]
    return [(first | {column: second[column]}, second | {column: first[column]}),
            (first | {c: second[c] for c in both}, second | {c: first[c] for c in both}),
            (first | {column: first[column] - 1}, second | {column: second[column] + 1}),
            (first | {column: first[column] + 1}, second | {column: second[column] - 1})]


def _safe(true: dict[str, dict[str, int]], hidden: dict[str, int], area: str, column: str) -> bool:
    return any(other != area and column in _BLANK_COLUMNS[hidden[other]]
               and any(mine[column] != true[area][column] and _keeps_the_rule(mine) and _keeps_the_rule(theirs)
                       for mine, theirs in _other_tables(true, hidden, area, other, column))
               for other in hidden)


def _exposed(true: dict[str, dict[str, int]], hidden: dict[str, int]) -> tuple[str, str] | None:
    for area in sorted(hidden):
        for column in _BLANK_COLUMNS[hidden[area]]:
            if not _safe(true, hidden, area, column):
                return area, column
    return None


def _further_blanks(true: dict[str, dict[str, int]], hidden: dict[str, int], area: str,
                    column: str) -> dict[str, int] | None:
    """The rows to blank further (and how far) that make the blank (`area`, `column`) safe
    at the least cost, or None where none do: one row blanked further, or this row and one
    other both blanked whole (two whole rows can always trade)."""
    trials = [{other: more} for other in hidden for more in (ACTIVITY, WHOLE) if more > hidden[other]]
    trials += [{area: WHOLE, other: WHOLE} for other in hidden if other != area and hidden[area] != WHOLE]

    def cost(trial: dict[str, int]) -> tuple[int, int, int, int, list[str]]:
        rows = [true[name] for name in trial]
        return (sum(len(_BLANK_COLUMNS[more]) - len(_BLANK_COLUMNS[hidden[name]]) for name, more in trial.items()),
                sum(row["members_active"] for row in rows),
                sum(row["minutes_given"] + row["minutes_received"] for row in rows),
                sum(row["members"] for row in rows), sorted(trial))

    working = [trial for trial in trials if _safe(true, hidden | trial, area, column)]
    return min(working, key=cost) if working else None


def _area_row(area: str, cells: Cells, pot: bool = False) -> AreaRow:
    return AreaRow(area, cells["members"], cells["members_active"], cells["minutes_given"], cells["minutes_received"],
                   pot)


@dataclass(frozen=True)
class FunderPack:
    """What a funder's workbook holds: the period figures, the areas and the outcome
    measures' figures of one span, read from one snapshot of the ledger. `outcomes` is None
    for a pack made at a seal: scores are not part of the sealed history (see `funder_pack`)."""

    report: "PeriodReport"
    areas: AreaFigures
    outcomes: "OutcomesReport | None" = None


def funder_pack(session: Session, settings: "Settings", start: date, end: date, by: str,
                min_count: int, outcomes: bool = True, centre: str | None = None) -> FunderPack:
    """The pack of the span; with `outcomes`, the outcome figures of the same span (of the
    members of `centre`, a centre's code). A pack made at a seal is made without them: the
    history at a seal (`at_seal`) holds no scores as they were, and could not, since erasing
    a member deletes their scores (health data) where it keeps their exchanges."""
    from timebank.ledger.reports.outcomes import outcomes_report
    from timebank.ledger.reports.period_figures import period_report

    report = period_report(session, settings, start, end, by)
    figures = outcomes_report(session, report.start, report.end, centre) if outcomes else None
    return FunderPack(report, areas(session, report.start, report.end, min_count), figures)

