"""Figures for funders: members as a funder's file lists them, activity by area with small
counts blanked so that no blank can be worked out, and the funder's pack (the period
figures of `period_figures` and the areas, from one snapshot)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.records.balances import balances_by_member
from timebank.ledger.records.members import POT, MemberRow
from timebank.ledger.storage.models import Entry, Member
from timebank.ledger.basics.names import member_name
from timebank.ledger.storage.sql import dead_exchanges

if TYPE_CHECKING:
    from timebank.ledger.reports.period_figures import PeriodReport
    from timebank.ledger.records.settings import Settings


def members_by_number(session: Session, as_of: date | None = None) -> list[MemberRow]:
    """Every member but the pot, by number, with the balance at the end of `as_of`."""
    balances = balances_by_member(session, as_of)
    query = select(Member.number, Member.kind, Member.name, Member.sort_as, Member.forgotten, Member.area,
                   Member.lang, Member.joined, Member.left).where(Member.kind != "pot").order_by(Member.number)
    return [MemberRow(m.number, member_name(m), m.kind, None if m.forgotten else m.area, m.lang, m.joined, m.left,
                      balances.get(m.number, 0)) for m in session.execute(query)]


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
    people = session.execute(select(Member.number, Member.area, Member.left)
                             .where(Member.kind != "pot", Member.joined <= end_day)).all()
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
        if m.left is None or start is None or m.left >= start:
            counted[area_of[m.number]] = counted.get(area_of[m.number], 0) + 1
    names = sorted(set(counted) | set(active))
    true = {area: {"members": counted.get(area, 0), "members_active": len(active.get(area, set())),
                   "minutes_given": given.get(area, 0), "minutes_received": received.get(area, 0)}
            for area in names}
    pot = {"members": 0, "members_active": 0, "minutes_given": pot_given, "minutes_received": pot_received}
    return blank_small(true, pot if pot_given or pot_received else None, min_count)


Cells = dict[str, "int | None"]


def blank_small(true: dict[str, dict[str, int]], pot: dict[str, int] | None, min_count: int) -> AreaFigures:
    """Blank the counts under `min_count`, and with them the area's hours; then, in every
    column where a single area is blank (which the total less the other rows would give
    back), blank a second cell too: the smallest other area's, else the pot's hours, else
    the total itself. The total is every area's true figure plus the pot's."""
    shown: dict[str, Cells] = {area: dict(values) for area, values in true.items()}
    for values in shown.values():
        small = (values["members"] or 0) < min_count or (values["members_active"] or 0) < min_count
        if (values["members"] or 0) < min_count:
            values["members"] = None
        if (values["members_active"] or 0) < min_count:
            values["members_active"] = None
        if small:
            values["minutes_given"] = values["minutes_received"] = None
    shown_pot: Cells | None = dict(pot) if pot is not None else None
    total: Cells = {column: sum(v[column] for v in true.values()) + (pot or {}).get(column, 0)
                    for column in AREA_COLUMNS}
    names = sorted(shown)
    for column in AREA_COLUMNS:
        blank = [area for area in names if shown[area][column] is None]
        if len(blank) != 1:
            continue
        # The least lost: the smallest other area's cell.
        others = sorted((value, area) for area in names if (value := shown[area][column]) is not None)
        if others:
            shown[others[0][1]][column] = None
        elif shown_pot is not None and column.startswith("minutes") and shown_pot[column] is not None:
            shown_pot[column] = None
        else:
            total[column] = None
    rows = [_area_row(area, shown[area]) for area in names]
    if shown_pot is not None:
        rows.append(_area_row("", shown_pot, pot=True))
    blanked = sum(1 for row in rows for column in AREA_COLUMNS if getattr(row, column) is None)
    return AreaFigures(rows, _area_row("", total), min_count, blanked)


def _area_row(area: str, cells: Cells, pot: bool = False) -> AreaRow:
    return AreaRow(area, cells["members"], cells["members_active"], cells["minutes_given"], cells["minutes_received"],
                   pot)


@dataclass(frozen=True)
class FunderPack:
    """What a funder's workbook holds: the period figures and the areas of one span, read
    from one snapshot of the ledger."""

    report: "PeriodReport"
    areas: AreaFigures


def funder_pack(session: Session, settings: "Settings", start: date, end: date, by: str,
                min_count: int) -> FunderPack:
    from timebank.ledger.reports.period_figures import period_report

    report = period_report(session, settings, start, end, by)
    return FunderPack(report, areas(session, report.start, report.end, min_count))

