"""What changed in a period report since the figures printed with a seal: each figure that
moved in each period, and the records that moved it (the restatement note a funder asks for
when a closed quarter's figures change after they were sent)."""

from __future__ import annotations

from contextlib import ExitStack, nullcontext
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from timebank.ledger.basics.periods import Period
from timebank.ledger.integrity.canonical import Seal
from timebank.ledger.records.categories import GOALS
from timebank.ledger.records.settings import load
from timebank.ledger.reports.at_seal import history_at
from timebank.ledger.reports.centre_view import centre_view
from timebank.ledger.reports.period_figures import PeriodFigures, PeriodReport, period_report
from timebank.ledger.storage.models import AuditEvent, Exchange, Listing, MemberPeriod

# Figures a change of membership moves (registered members on the period's last day, the
# joinings and leavings in it, the members whose language is Welsh).
MEMBERSHIP_FIGURES = ("members_registered", "members_new", "members_left", "members_welsh",
                      "days_to_first_exchange_median")


class FigureChange(NamedTuple):
    key: str
    was: Any
    now: Any


class PeriodChanges(NamedTuple):
    label: str
    period: Period | None        # None for the whole span
    first: date
    last: date
    figures: list[FigureChange]
    exchanges: list[int]         # exchanges recorded since the seal (back-dated into the period)
    voided: list[int]            # exchanges of the period voided since the seal
    members: list[int]           # members whose membership (or language) changed since, in a way the period sees
    settings: list[str]          # settings changed since that its figures read (the value of an hour)
    moved: list[int]             # with a centre: members who moved into or out of it since, members by the period's end


class Restatement(NamedTuple):
    since: Seal
    seal: Seal | None            # the history the figures are now made from
    report: PeriodReport         # the figures now
    periods: list[PeriodChanges]  # only the periods (and the total) with a changed figure


def restatement(session: Session, start: date, end: date, by: str, since: Seal, at: Seal | None = None,
                centre: str | None = None) -> Restatement:
    """Every figure of the period report that differs between the history at `since` and now
    (or the history at `at`), with the records written in between that changed it; with
    `centre`, of that centre's figures (`centre_view`) and its records."""

    def figures(seal: Seal | None) -> PeriodReport:
        with ExitStack() as stack:
            if seal is not None:
                stack.enter_context(history_at(session, seal))
            if centre is not None:
                stack.enter_context(centre_view(session, centre, at_seal=seal is not None))
            return period_report(session, load(session), start, end, by)

    now = figures(at)
    upto = None if at is None else at.link
    was = figures(since)
    changed: list[PeriodChanges] = []
    pairs = list(zip(was.periods, now.periods)) + [(was.total, now.total)]
    # Read before the centre's view, which holds only the members it has now.
    moves = _centre_moves(session, centre, since.link, upto) if centre is not None else {}
    with centre_view(session, centre) if centre is not None else nullcontext():
        for old, new in pairs:
            found = _changed_figures(old, new)
            if found:
                changed.append(_explained(session, new, found, since.link, upto, moves))
    return Restatement(since, now.seal, now, changed)


def _changed_figures(old: PeriodFigures, new: PeriodFigures) -> list[FigureChange]:
    was, now = old.values(), new.values()
    changes = [FigureChange(key, was[key], now[key]) for key in now if was.get(key) != now[key]]
    for code in sorted(old.category_minutes.keys() | new.category_minutes.keys()):
        before, after = old.category_minutes.get(code, 0), new.category_minutes.get(code, 0)
        if before != after:
            changes.append(FigureChange(f"hours_{code}", before, after))
    # A goal's hours (a figure per goal, `HOURS_BY_GOAL`): one change each, as its CSV column is named.
    for goal in GOALS:
        before, after = old.goal_minutes.get(goal, 0), new.goal_minutes.get(goal, 0)
        if before != after:
            changes.append(FigureChange(f"hours_goal_{goal}", before, after))
    return changes


def _explained(session: Session, new: PeriodFigures, figures: list[FigureChange], since: int,
               upto: int | None, moves: dict[int, date]) -> PeriodChanges:
    first, last = new.first, new.last
    after = Exchange.link > since if upto is None else and_(Exchange.link > since, Exchange.link <= upto)
    recorded: list[int] = []
    voided: list[int] = []
    for number, reverses in session.execute(
            select(Exchange.number, Exchange.reverses).where(after, Exchange.date.between(first, last))
            .order_by(Exchange.number)):
        (voided if reverses is not None else recorded).append(reverses if reverses is not None else number)
    keys = {change.key for change in figures}
    members: set[int] = set()
    if keys & set(MEMBERSHIP_FIGURES) or any(k.startswith("members_registered") for k in keys):
        members |= _membership_changes(session, last, since, upto)
    if "members_welsh" in keys:
        members |= _language_changes(session, since, upto)
    if keys & {"requests_opened", "requests_met", "median_days_to_meet"}:
        members |= _request_changes(session, first, last, since, upto)
    changed_settings = sorted(_settings_changes(session, since, upto) & {"hour_value", "year_start"})
    moved = sorted(member for member, joined in moves.items() if joined <= last)
    return PeriodChanges(new.label, new.period, first, last, figures, recorded, sorted(set(voided)), sorted(members),
                         changed_settings, moved)


def _between(column: Any, since: int, upto: int | None) -> Any:
    return column > since if upto is None else and_(column > since, column <= upto)


def _membership_changes(session: Session, last: date, since: int, upto: int | None) -> set[int]:
    """Members whose joining, rejoining, leaving or erasure was written since, on a day up to `last`."""
    return set(session.scalars(select(MemberPeriod.member).where(or_(
        and_(_between(MemberPeriod.opened_link, since, upto), MemberPeriod.joined <= last),
        and_(_between(MemberPeriod.closed_link, since, upto), MemberPeriod.left <= last)))))


def _centre_moves(session: Session, centre: str, since: int, upto: int | None) -> dict[int, date]:
    """Members whose home centre became or stopped being `centre` since, and the day each first
    joined: a move takes all of a member's figures into or out of the centre's."""
    import json

    from timebank.ledger.records.centres import find_centre

    code = find_centre(session, centre).code
    moved: set[int] = set()
    for member, details in session.execute(select(AuditEvent.member, AuditEvent.details).where(
            AuditEvent.action.in_(("member.edit", "member.add")), _between(AuditEvent.link, since, upto))):
        change = (json.loads(details or "{}").get("changes") or {}).get("centre")
        if member is not None and isinstance(change, dict) and code in (change.get("old"), change.get("new")):
            moved.add(int(member))
    if not moved:
        return {}
    from sqlalchemy import func

    return {int(member): joined for member, joined in session.execute(
        select(MemberPeriod.member, func.min(MemberPeriod.joined)).where(MemberPeriod.member.in_(moved))
        .group_by(MemberPeriod.member))}


def _language_changes(session: Session, since: int, upto: int | None) -> set[int]:
    import json

    found: set[int] = set()
    for member, details in session.execute(select(AuditEvent.member, AuditEvent.details).where(
            AuditEvent.action == "member.edit", _between(AuditEvent.link, since, upto))):
        if member is not None and "lang" in (json.loads(details or "{}").get("changes") or {}):
            found.add(int(member))
    return found


def _request_changes(session: Session, first: date, last: date, since: int, upto: int | None) -> set[int]:
    return set(session.scalars(select(Listing.member).where(Listing.kind == "request", or_(
        and_(_between(Listing.made_link, since, upto), Listing.opened.between(first, last)),
        and_(_between(Listing.closed_link, since, upto), Listing.closed.between(first, last))))))


def _settings_changes(session: Session, since: int, upto: int | None) -> set[str]:
    import json

    return {str(json.loads(details or "{}").get("key")) for details in session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "settings.set", _between(AuditEvent.link, since, upto)))}
