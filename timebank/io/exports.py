"""CSV files for funders: streamed row by row, member numbers unless names are asked for,
never contact details or notes, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterator, TextIO

from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm import Session

from timebank.i18n import N_, _
from timebank.ledger.categories import list_categories
from timebank.ledger.exchanges import live_condition
from timebank.ledger.hours import format_hours
from timebank.ledger.members import balances_by_member, display_name
from timebank.ledger.models import Entry, Exchange, Member
from timebank.ledger.reports import period_report
from timebank.ledger.settings import Settings

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Column names: English headers as the contract says; marked for translation so that
# Welsh files carry Welsh headers.
HEADERS = {key: key for key in [
    N_("exchange"), N_("date"), N_("giver"), N_("receiver"), N_("minutes"), N_("hours"), N_("category"),
    N_("giver_name"), N_("receiver_name"), N_("member"), N_("name"), N_("kind"), N_("area"), N_("lang"),
    N_("joined"), N_("left"), N_("balance_hours"), N_("period"), N_("exchanges"), N_("members_active"),
    N_("members_new"), N_("members_total"), N_("social_value_gbp"), N_("members"), N_("hours_given"),
    N_("hours_received"),
]}


def header(key: str) -> str:
    if key.startswith("hours_") and key not in HEADERS:
        return _("hours_{code}").format(code=key[len("hours_"):])
    return _(key)


def neutralise(value: str) -> str:
    """Text that a spreadsheet would evaluate gets a leading apostrophe (OWASP's advice)."""
    return "'" + value if value.startswith(FORMULA_START) else value


@dataclass
class Sheet:
    columns: list[str]
    numeric: set[str]
    rows: Iterator[dict[str, Any]]
    # Rows already in column order and already safe (the million-row exchanges export).
    ready: Iterator[tuple] | None = None


def write_sheet(sheet: Sheet, out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header(c) for c in sheet.columns])
    count = 0
    if sheet.ready is not None:
        for batch in _batches(sheet.ready, 10_000):
            writer.writerows(batch)
            count += len(batch)
        return count
    for row in sheet.rows:
        cells = []
        for column in sheet.columns:
            value = row.get(column)
            if value is None:
                cells.append("")
            elif column in sheet.numeric:
                cells.append(str(value))
            else:
                cells.append(neutralise(str(value)))
        writer.writerow(cells)
        count += 1
    return count


def _batches(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def exchanges_sheet(session: Session, start: date | None, end: date | None, with_names: bool) -> Sheet:
    """One row per giver/receiver pair of every exchange that counts, streamed straight from
    one query (a million rows never sit in memory)."""
    columns = ["exchange", "date", "giver", "receiver", "minutes", "hours", "category"]
    if with_names:
        columns += ["giver_name", "receiver_name"]
    giver, receiver = aliased(Entry, name="giver"), aliased(Entry, name="receiver")
    # The date as text: ISO already, and parsing a million dates only to print them is waste.
    query = (select(Exchange.number, cast(Exchange.date, String(10)), giver.member, receiver.member, Exchange.minutes,
                    Exchange.category)
             .join(giver, and_(giver.exchange == Exchange.number, giver.role == "giver"))
             .join(receiver, and_(receiver.exchange == Exchange.number, receiver.role == "receiver"))
             .where(live_condition())
             .order_by(Exchange.date, Exchange.number, giver.id, receiver.id))
    if start:
        query = query.where(Exchange.date >= start)
    if end:
        query = query.where(Exchange.date <= end)
    names = {m.number: neutralise(display_name(m)) for m in session.execute(
        select(Member.number, Member.name, Member.kind, Member.forgotten))} if with_names else {}
    hours_text: dict[int, str] = {}

    def ready() -> Iterator[tuple]:
        for number, on, who_gave, who_received, minutes, category in session.connection().execute(
                query.execution_options(yield_per=20_000)):
            hours = hours_text.get(minutes) or hours_text.setdefault(minutes, format_hours(minutes))
            if with_names:
                yield (number, on, who_gave, who_received, minutes, hours, category,
                       names.get(who_gave, ""), names.get(who_received, ""))
            else:
                yield (number, on, who_gave, who_received, minutes, hours, category)

    return Sheet(columns, {"exchange", "giver", "receiver", "minutes", "hours"}, iter(()), ready())


def members_sheet(session: Session, with_names: bool, as_of: date | None = None) -> Sheet:
    columns = ["member"] + (["name"] if with_names else []) + ["kind", "area", "lang", "joined", "left",
                                                                 "balance_hours"]
    balances = balances_by_member(session, as_of)

    def rows() -> Iterator[dict[str, Any]]:
        query = select(Member).where(Member.kind != "pot").order_by(Member.number)
        for m in session.scalars(query):
            erased = m.forgotten is not None
            yield {"member": m.number, "name": display_name(m), "kind": m.kind, "area": None if erased else m.area,
                   "lang": m.lang, "joined": m.joined.isoformat(), "left": m.left.isoformat() if m.left else None,
                   "balance_hours": format_hours(balances.get(m.number, 0))}

    return Sheet(columns, {"member", "balance_hours"}, rows())


def social_value(minutes: int, hour_value: Decimal) -> str:
    # From the hours as the row shows them, so that a funder who multiplies the two cells
    # in a spreadsheet gets the same pennies.
    return str((Decimal(format_hours(minutes)) * hour_value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def summary_sheet(session: Session, settings: Settings, start: date, end: date, by: str) -> Sheet:
    codes = [c.code for c in list_categories(session)]
    columns = ["period", "exchanges", "hours", "members_active", "members_new", "members_total"]
    columns += [f"hours_{code}" for code in codes]
    if settings.hour_value is not None:
        columns.append("social_value_gbp")
    lines, total = period_report(session, start, end, by)

    def rows() -> Iterator[dict[str, Any]]:
        for line in lines + [total]:
            row: dict[str, Any] = {
                "period": line.label if line is not total else _("total"),
                "exchanges": line.exchanges, "hours": format_hours(line.minutes_exchanged),
                "members_active": line.members_active, "members_new": line.members_new,
                "members_total": line.members_total}
            for code in codes:
                row[f"hours_{code}"] = format_hours(line.category_minutes.get(code, 0))
            if settings.hour_value is not None:
                row["social_value_gbp"] = social_value(line.minutes_exchanged, settings.hour_value)
            yield row

    return Sheet(columns, set(columns) - {"period"}, rows())


def areas_sheet(session: Session, start: date | None, end: date | None, min_count: int) -> Sheet:
    """Members, active members and hours per area; small counts blanked, with their hours."""
    columns = ["area", "members", "members_active", "hours_given", "hours_received"]
    end_day = end or date.max
    members = list(session.scalars(select(Member).where(Member.kind != "pot", Member.joined <= end_day)))
    area_of = {m.number: (m.area or "").strip() for m in members}
    # One grouped query: each member's minutes given and received in the span.
    is_given = (Entry.minutes > 0).label("is_given")
    flows = select(Entry.member, is_given, func.sum(Entry.minutes)) \
        .join(Exchange, Exchange.number == Entry.exchange).where(live_condition())
    if start:
        flows = flows.where(Entry.date >= start)
    if end:
        flows = flows.where(Entry.date <= end)
    flows = flows.group_by(Entry.member, is_given)
    given: dict[str, int] = {}
    received: dict[str, int] = {}
    active: dict[str, set[int]] = {}
    for member, is_given, minutes in session.execute(flows):
        if member not in area_of:
            continue
        area = area_of[member]
        active.setdefault(area, set()).add(member)
        if is_given:
            given[area] = given.get(area, 0) + int(minutes)
        else:
            received[area] = received.get(area, 0) - int(minutes)
    # Members of the area at any time in the span, so that every active member is one of them.
    counted: dict[str, int] = {}
    for m in members:
        if m.left is None or start is None or m.left >= start:
            counted[area_of[m.number]] = counted.get(area_of[m.number], 0) + 1

    def rows() -> Iterator[dict[str, Any]]:
        for area in sorted(set(counted) | set(active)):
            total, busy = counted.get(area, 0), len(active.get(area, set()))
            small = total < min_count or busy < min_count
            yield {"area": area or _("(no area)"),
                   "members": None if total < min_count else total,
                   "members_active": None if busy < min_count else busy,
                   "hours_given": None if small else format_hours(given.get(area, 0)),
                   "hours_received": None if small else format_hours(received.get(area, 0))}

    return Sheet(columns, set(columns) - {"area"}, rows())


