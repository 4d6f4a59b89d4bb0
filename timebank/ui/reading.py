"""The reads the screen makes, each from one snapshot of the ledger, each through core
functions only. A page calls these when it is shown or refreshed, so it shows what other
coordinators have written since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from timebank.ledger.reports.activity import InactiveMember, inactive_members
from timebank.ledger.records.balances import given_received, member_balance
from timebank.ledger.records.categories import CategoryName, category_name, category_names, find_category
from timebank.ledger.storage.db import Ledger, reading
from timebank.ledger.records.exchanges import ExchangeRow, iter_exchanges
from timebank.ledger.records.listings import ListingRow, list_listings
from timebank.ledger.records.members import MemberIndex, MemberRow, find_member, list_members, member_index
from timebank.ledger.basics.names import alphabetical, member_name
from timebank.ledger.reports.reports import MonthFigures, MonthlyReport, MonthSoFar, month_so_far, read_monthly
from timebank.ledger.records.settings import load as load_settings
from timebank.ledger.reports.statements import MonthHours, Statement, member_months, statement

RING_AFTER_DAYS = 60   # members to ring: no exchange in this many days


@dataclass(frozen=True)
class Glance:
    name: str
    month: MonthSoFar
    to_ring: list[InactiveMember]
    open_requests: list[ListingRow]


def name(ledger: Ledger) -> str:
    """The time bank's name (its setting)."""
    with reading(ledger) as session:
        return load_settings(session).name


def glance(ledger: Ledger, lang: str, today: date) -> Glance:
    with reading(ledger) as session:
        return Glance(load_settings(session).name, month_so_far(session, today.replace(day=1)),
                      inactive_members(session, RING_AFTER_DAYS, lang), list_listings(session, "request", lang))


def members(ledger: Ledger, lang: str) -> list[MemberRow]:
    """Every member (those who left too) in the alphabetical order of `lang`."""
    with reading(ledger) as session:
        return list_members(session, lang, which="all")


@dataclass(frozen=True)
class MemberPage:
    member: Any                # the Member row (read, detached)
    balance: int
    year_start: date
    given: int
    received: int
    recent: list[ExchangeRow]  # newest first
    offers: list[ListingRow]
    requests: list[ListingRow]


LATEST = 10


def member_page(ledger: Ledger, number: int, lang: str, today: date) -> MemberPage:
    with reading(ledger) as session:
        member = find_member(session, str(number))
        year = date(today.year, 1, 1)
        given, received = given_received(session, member.number, year, today)
        recent = list(iter_exchanges(session, member=member.number, latest=LATEST))[::-1]
        return MemberPage(member, member_balance(session, member.number), year, given, received, recent,
                          list_listings(session, "offer", lang, member=member),
                          list_listings(session, "request", lang, member=member))


@dataclass(frozen=True)
class FormData:
    """What the record form completes and checks as it is typed."""

    index: MemberIndex
    categories: dict[str, CategoryName]
    requests: dict[int, ListingRow]
    names: list[str]           # active members' names, for completion


def form_data(ledger: Ledger, lang: str) -> FormData:
    with reading(ledger) as session:
        index = member_index(session)
        requests = {r.id: r for r in list_listings(session, "request", lang)}
        # Active members' names, alphabetical, for completing what is typed.
        active = [member for _folded, member in index.pools[0] if member.kind != "pot"]
        names = [m.name for m in alphabetical(active, lang, key=member_name)]
        return FormData(index, category_names(session), requests, names)


def category(ledger: Ledger, text: str, lang: str) -> CategoryName:
    """The category named (codes or names, in either language), by the core's rule."""
    with reading(ledger) as session:
        return category_name(find_category(session, text, lang))


def exchanges(ledger: Ledger, start: date, end: date, member: str | None, category: str | None,
              include_void: bool, latest: int | None = None, *, lang: str) -> list[ExchangeRow]:
    """The exchanges between two dates (at most the `latest` so many), oldest first."""
    with reading(ledger) as session:
        number = find_member(session, member).number if member else None
        code = find_category(session, category, lang).code if category else None
        return list(iter_exchanges(session, member=number, start=start, end=end, category=code,
                                   include_void=include_void, latest=latest))


def monthly(ledger: Ledger, month: date, lang: str,
            figures_first: Callable[[MonthFigures], None] | None = None) -> MonthlyReport:
    """The monthly report; `figures_first` is handed the month's figures as soon as they
    are known, before each member's line is made."""
    return read_monthly(ledger, month, lang, figures_first)


def member_statement(ledger: Ledger, member: str, start: date, end: date,
                     lang: str) -> tuple[Statement, list[MonthHours]]:
    """A member's statement, and their hours in each of the twelve months to its end."""
    with reading(ledger) as session:
        found = find_member(session, member)
        return statement(session, found, lang, start, end), member_months(session, found.number, end)
