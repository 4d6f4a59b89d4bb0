"""The read API: every read a face makes, beside `actions` for the writes.

Each query takes the `Ledger` (never a session), reads from one snapshot of it
(`storage.db.reading`) and returns typed values: the dataclasses and named tuples of the
rooms below, re-exported here so that a face imports them from this module alone. A read
that may be large stays a stream: `exchanges` and `exchange_pairs` are context managers
that yield an iterator while their snapshot is open, so a million exchanges are never held
in memory at once.

This module is imported by every command before any database work, and by the language
choice before `--help` is built: its top imports nothing but the standard library and the
SQLAlchemy-free `storage.lookup`, and its own result types are named tuples (a dataclass
costs a millisecond to build at import). Each query imports what it reads with inside its body,
and the result types are loaded on first use (`__getattr__`).
"""

from __future__ import annotations

import importlib
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple

from timebank.ledger.storage.lookup import category_names as category_codes
from timebank.ledger.storage.lookup import ledger_language, members_matching

if TYPE_CHECKING:
    from timebank.ledger.records.access_requests import AccessRequestRow
    from timebank.ledger.records.audit import AuditRow
    from timebank.ledger.records.balances import BalanceRow
    from timebank.ledger.records.categories import CategoryName
    from timebank.ledger.records.centres import CentreName, CentreRow
    from timebank.ledger.records.exchanges import ExchangeRow
    from timebank.ledger.records.listings import ListingRow, Match
    from timebank.ledger.records.members import MemberIndex, MemberRow, MemberSearch
    from timebank.ledger.records.membership import Period
    from timebank.ledger.records.outcomes import MeasureRow, ScoreRow
    from timebank.ledger.records.partner_files import PartnerStatement
    from timebank.ledger.records.partners import PartnerRow
    from timebank.ledger.records.settings import Settings
    from timebank.ledger.reports.activity import InactiveMember
    from timebank.ledger.reports.figures import AreaFigures, FunderPack
    from timebank.ledger.reports.member_data import MemberCopy
    from timebank.ledger.reports.outcomes import OutcomesReport
    from timebank.ledger.reports.period_figures import PeriodReport
    from timebank.ledger.reports.restatement import Restatement
    from timebank.ledger.reports.reports import MonthFigures, MonthlyReport, MonthSoFar
    from timebank.ledger.reports.statements import MonthHours, Statement, StatementSet
    from timebank.ledger.storage.db import Ledger
    from timebank.ledger.storage.models import Member

# The result types, where they live (loaded when a face first names one).
_TYPES = {
    "Ledger": "timebank.ledger.storage.db",
    "Member": "timebank.ledger.storage.models",
    "MemberCopy": "timebank.ledger.reports.member_data",
    "AccessRequestRow": "timebank.ledger.records.access_requests",
    "AuditRow": "timebank.ledger.records.audit",
    "BalanceRow": "timebank.ledger.records.balances",
    "CategoryName": "timebank.ledger.records.categories",
    "CentreName": "timebank.ledger.records.centres",
    "CentreRow": "timebank.ledger.records.centres",
    "ExchangeRow": "timebank.ledger.records.exchanges",
    "ListingRow": "timebank.ledger.records.listings",
    "Match": "timebank.ledger.records.listings",
    "MemberIndex": "timebank.ledger.records.members",
    "MemberRow": "timebank.ledger.records.members",
    "MemberSearch": "timebank.ledger.records.members",
    "Settings": "timebank.ledger.records.settings",
    "MeasureRow": "timebank.ledger.records.outcomes",
    "PartnerRow": "timebank.ledger.records.partners",
    "PartnerStatement": "timebank.ledger.records.partner_files",
    "ScoreRow": "timebank.ledger.records.outcomes",
    "OutcomesReport": "timebank.ledger.reports.outcomes",
    "MAX_USER": "timebank.ledger.records.audit",
    "InactiveMember": "timebank.ledger.reports.activity",
    "AreaFigures": "timebank.ledger.reports.figures",
    "FunderPack": "timebank.ledger.reports.figures",
    "PeriodReport": "timebank.ledger.reports.period_figures",
    "Restatement": "timebank.ledger.reports.restatement",
    "MonthFigures": "timebank.ledger.reports.reports",
    "MonthlyReport": "timebank.ledger.reports.reports",
    "MonthSoFar": "timebank.ledger.reports.reports",
    "MonthHours": "timebank.ledger.reports.statements",
    "Statement": "timebank.ledger.reports.statements",
    "StatementSet": "timebank.ledger.reports.statements",
}


def __getattr__(name: str) -> Any:
    module = _TYPES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


@contextmanager
def _snapshot(ledger: Ledger, seal: str | None = None, made: date | None = None,
              centre: str | None = None, window: tuple[date, date] | None = None) -> Iterator[Any]:
    """One snapshot of the ledger; with `seal`, of its history as it stood at that seal
    (refused if the ledger holds no such seal), and with `made`, on the day the figures were
    first made (today, for everything read within); with `centre`, of that centre's part of
    it (`reports.centre_view`; refused if there is no such centre), and with `window`, of
    what a report reading those days needs of it."""
    from timebank.ledger.basics.dates import made_on
    from timebank.ledger.storage.db import reading

    with reading(ledger) as session, ExitStack() as stack:
        if seal is not None:
            from timebank.ledger.reports.at_seal import find_seal, history_at

            stack.enter_context(history_at(session, find_seal(session, seal)))
            stack.enter_context(made_on(made))
        if centre is not None:
            from timebank.ledger.reports.centre_view import centre_view

            stack.enter_context(centre_view(session, centre, at_seal=seal is not None, window=window))
        yield session


def _at_centre(report: Any, session: Any, centre: str | None) -> Any:
    """A report made for a centre, saying which (its faces print the centre's name)."""
    if centre is None:
        return report
    import dataclasses

    from timebank.ledger.records.centres import find_centre

    return dataclasses.replace(report, centre=find_centre(session, centre))


# Opening a ledger, and what is read before one is open --------------------------------------

def open_ledger(db: str | None, *, create: bool = False) -> Ledger:
    """The ledger a --db value names (a SQLite file or a server URL); `create` makes an empty
    file if there is none. Neither checks nor upgrades its schema (`actions.ensure_current`).
    What killed backups and restores of a SQLite ledger left beside it is removed first."""
    from timebank.ledger.storage.backups import remove_ledger_leftovers
    from timebank.ledger.storage.db import open_ledger as opened

    ledger = opened(db, create=create)
    if ledger.path is not None:
        ledger.leftovers_removed = remove_ledger_leftovers(ledger.path)
    return ledger


def is_initialised(ledger: Ledger) -> bool:
    from timebank.ledger.schema import is_initialised as initialised

    return initialised(ledger)


def current_user(by: str | None = None) -> str:
    """Who is making a change: --by, else TIMEBANK_USER, else the login name (checked)."""
    from timebank.ledger.records.audit import current_user as user

    return user(by)


def shown(path: Path | str) -> str:
    """A file's path as a message shows it."""
    from timebank.ledger.storage.location import shown as as_shown

    return as_shown(path)


def last_complete_month() -> date:
    from timebank.ledger.reports.reports import last_complete_month as last

    return last()


def welsh_key(key: str) -> str:
    """A setting's English key for the key as typed (the Welsh names are accepted too)."""
    from timebank.ledger.records.settings import WELSH_KEYS

    return WELSH_KEYS.get(key, key)


# Settings and categories --------------------------------------------------------------------

def settings(ledger: Ledger) -> Settings:
    from timebank.ledger.records.settings import load

    with _snapshot(ledger) as session:
        return load(session)


def name(ledger: Ledger) -> str:
    """The time bank's name (its setting)."""
    return settings(ledger).name


def categories(ledger: Ledger) -> dict[str, CategoryName]:
    """Every category by its code."""
    from timebank.ledger.records.categories import category_names

    with _snapshot(ledger) as session:
        return category_names(session)


def centres(ledger: Ledger) -> list[CentreRow]:
    """The network's centres, by code, with how many active members each is home to."""
    from timebank.ledger.records.centres import list_centres

    with _snapshot(ledger) as session:
        return list_centres(session)


def partners(ledger: Ledger) -> list[PartnerRow]:
    """The partner banks, by code, with this ledger's balance of trade with each."""
    from timebank.ledger.records.partners import list_partners

    with _snapshot(ledger) as session:
        return list_partners(session)


def partner_statement(ledger: Ledger, code: str) -> PartnerStatement:
    """Reconciliation with one partner bank: the balance, every trade, the files exchanged last
    and what either side holds that the other has not confirmed."""
    from timebank.ledger.records.partner_files import statement
    from timebank.ledger.records.partners import find_partner

    with _snapshot(ledger) as session:
        return statement(session, find_partner(session, code))


def is_partner_member(text: str) -> bool:
    """Whether `text` names a partner bank's member (`DYF:12`) rather than one of ours."""
    from timebank.ledger.records.partners import is_reference

    return is_reference(text)


def partner_member(ledger: Ledger, text: str) -> str:
    """The name of the partner bank's member `text` names (`DYF:12`), refused if the bank is none."""
    from timebank.ledger.records.partners import reference_label

    with _snapshot(ledger) as session:
        return reference_label(session, text)


def access_requests(ledger: Ledger, include_done: bool = False, member: str | int | None = None
                    ) -> list[AccessRequestRow]:
    """Members' requests for a copy of their data (UK GDPR Article 15): the open ones (with
    `include_done` the answered ones too), the soonest due first, each with the member's name
    and whether it is overdue today; with `member` (as typed), that member's alone."""
    from timebank.ledger.records.access_requests import list_requests
    from timebank.ledger.records.members import find_member

    with _snapshot(ledger) as session:
        number = find_member(session, str(member)).number if member is not None else None
        return list_requests(session, include_done, number)


def outcome_measures(ledger: Ledger) -> list[MeasureRow]:
    """The outcome measures, in the order they were added, with how many scores each holds."""
    from timebank.ledger.records.outcomes import list_measures

    with _snapshot(ledger) as session:
        return list_measures(session)


def outcomes(ledger: Ledger, start: date, end: date, centre: str | None = None) -> OutcomesReport:
    """`report outcomes`: each measure's paired change over the span (of one centre's members)."""
    from timebank.ledger.records.centres import find_centre
    from timebank.ledger.reports.outcomes import outcomes_report

    with _snapshot(ledger) as session:
        code = find_centre(session, centre).code if centre is not None else None
        return outcomes_report(session, start, end, code)


def category(ledger: Ledger, text: str, lang: str) -> CategoryName:
    """The category named (codes or names, in either language), by the core's rule; a
    refusal lists the categories in `lang`."""
    from timebank.ledger.records.categories import category_name, find_category

    with _snapshot(ledger) as session:
        return category_name(find_category(session, text, lang))


class AuditLog(NamedTuple):
    events: list[AuditRow]
    categories: dict[str, CategoryName]


def audit(ledger: Ledger, start: date | None = None, end: date | None = None) -> AuditLog:
    """Every change made between two dates, with the categories their details name."""
    from timebank.ledger.records.audit import list_events
    from timebank.ledger.records.categories import category_names

    with _snapshot(ledger) as session:
        return AuditLog(list_events(session, start, end), category_names(session))


# Members ------------------------------------------------------------------------------------

def members(ledger: Ledger, lang: str, which: str = "all", search: str | None = None) -> list[MemberRow]:
    """Members (`which`: active, left or all) in the alphabetical order of `lang`, with their
    balances; `search` keeps those whose name or area holds it."""
    from timebank.ledger.records.members import list_members

    with _snapshot(ledger) as session:
        return list_members(session, lang, which=which, search=search)


def inactive(ledger: Ledger, days: int, lang: str) -> list[InactiveMember]:
    """Active members with no exchange in `days` days."""
    from timebank.ledger.reports.activity import inactive_members

    with _snapshot(ledger) as session:
        return inactive_members(session, days, lang)


def member(ledger: Ledger, text: str) -> Member:
    """The member named by what was typed (number, #number or name), read and detached."""
    from timebank.ledger.records.members import find_member

    with _snapshot(ledger) as session:
        return find_member(session, text)


def member_copy(ledger: Ledger, text: str | int) -> MemberCopy:
    """Everything the ledger holds about one member, for their copy of it (`member export`):
    their record, periods, exchanges, offers and requests, requests for their data and audit
    events, with no other member's contact details. An erased member is refused."""
    from timebank.ledger.records.audit import now
    from timebank.ledger.reports.member_data import member_copy as gather

    with _snapshot(ledger) as session:
        return gather(session, str(text), now())


LATEST = 10   # the exchanges a member's page shows


class MemberPage(NamedTuple):
    member: Member              # the Member row (read, detached)
    balance: int
    year_start: date
    given: int                  # since year_start
    received: int
    recent: list[ExchangeRow]   # the latest LATEST, newest first
    offers: list[ListingRow]
    requests: list[ListingRow]
    periods: list[Period]       # periods of membership, oldest first


class MemberSummary(NamedTuple):
    member: Member              # the Member row (read, detached)
    balance: int
    recent: list[ExchangeRow]   # the latest LATEST, newest first
    periods: list[Period]       # periods of membership, oldest first


def member_summary(ledger: Ledger, text: str | int) -> MemberSummary:
    """A member's details, balance and latest exchanges (`member show`): three small reads,
    none of them over the member's whole history."""
    from timebank.ledger.records.balances import member_balance
    from timebank.ledger.records.exchanges import iter_exchanges
    from timebank.ledger.records.members import find_member
    from timebank.ledger.records.membership import periods_of

    with _snapshot(ledger) as session:
        found = find_member(session, str(text))
        recent = list(iter_exchanges(session, member=found.number, latest=LATEST))[::-1]
        return MemberSummary(found, member_balance(session, found.number), recent, periods_of(session, found.number))


def member_page(ledger: Ledger, text: str | int, lang: str, today: date) -> MemberPage:
    """A member's details, balance, this year's hours, latest exchanges and open listings."""
    from timebank.ledger.records.balances import given_received, member_balance
    from timebank.ledger.records.exchanges import iter_exchanges
    from timebank.ledger.records.listings import list_listings
    from timebank.ledger.records.members import find_member
    from timebank.ledger.records.membership import periods_of

    with _snapshot(ledger) as session:
        found = find_member(session, str(text))
        year = date(today.year, 1, 1)
        given, received = given_received(session, found.number, year, today)
        recent = list(iter_exchanges(session, member=found.number, latest=LATEST))[::-1]
        return MemberPage(found, member_balance(session, found.number), year, given, received, recent,
                          list_listings(session, "offer", lang, member=found),
                          list_listings(session, "request", lang, member=found), periods_of(session, found.number))


def balances(ledger: Ledger, lang: str, chosen: list[str] | None = None, as_of: date | None = None,
             centre: str | None = None) -> list[BalanceRow]:
    """The balances of the members named (as typed), or of every active member (of a centre)."""
    from timebank.ledger.records.balances import balances as read_balances
    from timebank.ledger.records.members import find_member

    with _snapshot(ledger, centre=centre) as session:
        found = [find_member(session, text) for text in chosen] if chosen else None
        return read_balances(session, lang, found, as_of)


# Exchanges ----------------------------------------------------------------------------------

@contextmanager
def exchanges(ledger: Ledger, *, member: str | None = None, start: date | None = None, end: date | None = None,
              category: str | None = None, include_void: bool = False, latest: int | None = None,
              lang: str = "en") -> Iterator[Iterator[ExchangeRow]]:
    """The exchanges in date order (a member and a category as typed), streamed from one
    query while the snapshot stays open: use the iterator inside the `with`. With `latest`,
    only the last so many (still oldest first)."""
    from timebank.ledger.records.categories import find_category
    from timebank.ledger.records.exchanges import iter_exchanges
    from timebank.ledger.records.members import find_member

    with _snapshot(ledger) as session:
        number = find_member(session, member).number if member else None
        code = find_category(session, category, lang).code if category else None
        yield iter_exchanges(session, member=number, start=start, end=end, category=code,
                             include_void=include_void, latest=latest)


def exchange(ledger: Ledger, number: int) -> ExchangeRow:
    """One exchange in full."""
    from timebank.ledger.records.exchanges import get_exchange

    with _snapshot(ledger) as session:
        return get_exchange(session, number)


# Statements and reports ---------------------------------------------------------------------

class MemberStatement(NamedTuple):
    member: Member              # read, detached
    statement: Statement
    printed: StatementSet       # the statement with the heading its printed pages carry
    months: list[MonthHours]    # the twelve months to its end (empty unless asked)


def statement(ledger: Ledger, text: str, lang: str | None = None, start: date | None = None,
              end: date | None = None, *, credit_limit: bool = True, months: bool = False) -> MemberStatement:
    """A member's statement between two dates, the people on its lines in the alphabetical
    order of `lang` (None: the member's own language); `credit_limit` carries the limit
    that binds them, `months` adds their hours in each of the twelve months to `end`."""
    from timebank.ledger.basics.language import normalise_language
    from timebank.ledger.records.members import find_member
    from timebank.ledger.records.settings import load
    from timebank.ledger.reports.statements import member_months, statement as build, statement_set

    with _snapshot(ledger) as session:
        found = find_member(session, text)
        chosen = load(session)
        made = build(session, found, lang or normalise_language(found.lang) or "en", start, end,
                     chosen if credit_limit else None)
        hours = member_months(session, found.number, end) if months and end is not None else []
        return MemberStatement(found, made, statement_set(chosen, [made]), hours)


def statements(ledger: Ledger, lang: str, start: date | None = None, end: date | None = None,
               centre: str | None = None) -> StatementSet:
    """Everyone's statement (each in its member's language) in the alphabetical order of
    `lang`, with the heading of the printed pages; with `centre`, the statements of that
    centre's members (read from the whole ledger: they name the other side of each exchange)."""
    from timebank.ledger.records.centres import find_centre
    from timebank.ledger.records.settings import load
    from timebank.ledger.reports.statements import statement_set, statements as everyone

    with _snapshot(ledger) as session:
        chosen = load(session)
        code = find_centre(session, centre).code if centre is not None else None
        return statement_set(chosen, everyone(session, chosen, lang, start, end, centre=code))


def monthly(ledger: Ledger, month: date, lang: str,
            figures_first: Callable[[MonthFigures], None] | None = None, seal: str | None = None,
            made: date | None = None, centre: str | None = None) -> MonthlyReport:
    """The monthly report; `figures_first` is handed the month's figures as soon as they
    are known, before each member's line is made. With `seal`: made from the history as it
    stood at that seal."""
    from timebank.ledger.records.settings import load
    from timebank.ledger.reports.reports import monthly_report

    with _snapshot(ledger, seal, made, centre) as session:
        return _at_centre(monthly_report(session, load(session), month, lang, figures_first), session, centre)


def month_so_far(ledger: Ledger, month: date) -> MonthSoFar:
    from timebank.ledger.reports.reports import month_so_far as so_far

    with _snapshot(ledger) as session:
        return so_far(session, month)


def period_report(ledger: Ledger, start: date, end: date, by: str = "month", seal: str | None = None,
                  made: date | None = None, centre: str | None = None) -> PeriodReport:
    """The figures funders ask for, for each month, quarter or year of a period; with `seal`,
    from the history as it stood at that seal."""
    from timebank.ledger.records.settings import load
    from timebank.ledger.reports.period_figures import days_read
    from timebank.ledger.reports.period_figures import period_report as report

    with _snapshot(ledger, seal, made, centre, days_read(start, end)) as session:
        return _at_centre(report(session, load(session), start, end, by), session, centre)


def changes_since(ledger: Ledger, start: date, end: date, by: str, since: str, seal: str | None = None,
                  centre: str | None = None) -> Restatement:
    """Each figure of the period report that changed since the figures printed with the seal
    `since` (to now, or to the seal `seal`), and the records that changed it."""
    from timebank.ledger.reports.at_seal import find_seal
    from timebank.ledger.reports.restatement import restatement

    with _snapshot(ledger) as session:
        earlier = find_seal(session, since)
        later = find_seal(session, seal) if seal is not None else None
        found = restatement(session, start, end, by, earlier, later, centre)
        return found if centre is None else found._replace(report=_at_centre(found.report, session, centre))


def _span(session: Any, start: date | None, end: date | None) -> tuple[date, date]:
    """An export's period: from the first exchange and to today unless given."""
    from timebank.ledger.basics.dates import today
    from timebank.ledger.records.exchanges import first_exchange_date

    return start or first_exchange_date(session) or today(), end or today()


def summary(ledger: Ledger, start: date | None, end: date | None, by: str = "month",
            seal: str | None = None, made: date | None = None, centre: str | None = None) -> PeriodReport:
    """The period report over an export's span (`export summary`); with `seal`, from the
    history as it stood at that seal."""
    from timebank.ledger.records.settings import load
    from timebank.ledger.reports.period_figures import period_report as report

    with _snapshot(ledger, seal, made, centre) as session:
        first, last = _span(session, start, end)
        return _at_centre(report(session, load(session), first, last, by), session, centre)


def funder_pack(ledger: Ledger, start: date | None, end: date | None, by: str, min_count: int,
                seal: str | None = None, made: date | None = None, centre: str | None = None) -> FunderPack:
    """What a funder's workbook holds, over an export's span; with `seal`, from the history as
    it stood at that seal, and then without the outcome figures (scores are not part of it)."""
    from timebank.ledger.records.centres import find_centre
    from timebank.ledger.records.settings import load
    from timebank.ledger.reports.figures import funder_pack as pack

    with _snapshot(ledger, seal, made, centre) as session:
        first, last = _span(session, start, end)
        code = find_centre(session, centre).code if centre is not None else None
        made_pack = pack(session, load(session), first, last, by, min_count, outcomes=seal is None, centre=code)
        if centre is None:
            return made_pack
        import dataclasses

        return dataclasses.replace(made_pack, report=_at_centre(made_pack.report, session, centre))


class FunderYear(NamedTuple):
    first: date
    last: date
    pack: FunderPack


def funder_year(ledger: Ledger, month: date, min_count: int) -> FunderYear:
    """The funder's workbook, a row a month, from the start of the financial year (the
    setting year_start) that holds `month` to that month's end (today at the latest)."""
    from timebank.ledger.basics.dates import month_end, report_end
    from timebank.ledger.basics.periods import period_of
    from timebank.ledger.records.settings import load
    from timebank.ledger.reports.figures import funder_pack as pack

    with _snapshot(ledger) as session:
        chosen = load(session)
        first = period_of(month, "year", chosen.year_start).first
        last = report_end(first, month_end(month))
        return FunderYear(first, last, pack(session, chosen, first, last, "month", min_count))


# Exports ------------------------------------------------------------------------------------

class ExchangePairs(NamedTuple):
    pairs: Iterator[tuple]                 # (exchange, ISO date, giver, receiver, minutes, category, welsh[, status])
    names: dict[int, Any] | None           # MemberName by number, when asked for
    categories: dict[str, CategoryName]


@contextmanager
def exchange_pairs(ledger: Ledger, start: date | None, end: date | None, with_names: bool = False,
                   include_void: bool = False, centre: str | None = None) -> Iterator[ExchangePairs]:
    """Every giver/receiver pair of the exchanges that count, streamed while the snapshot
    stays open (`export exchanges`); with `include_void`, voided exchanges and their
    reversals too, each pair ending in its status (`iter_pairs`)."""
    from timebank.ledger.records.categories import category_names
    from timebank.ledger.records.exchanges import iter_pairs, names_by_number

    with _snapshot(ledger, centre=centre) as session:
        yield ExchangePairs(iter_pairs(session, start, end, include_void),
                            names_by_number(session) if with_names else None,
                            category_names(session))


def members_by_number(ledger: Ledger, as_of: date | None = None) -> list[MemberRow]:
    """Every member but the pot, by number, with the balance at the end of `as_of`."""
    from timebank.ledger.reports.figures import members_by_number as by_number

    with _snapshot(ledger) as session:
        return by_number(session, as_of)


def members_for_funders(ledger: Ledger, as_of: date | None, min_count: int, centre: str | None = None
                        ) -> list[MemberRow]:
    """`members_by_number` with an area only where at least `min_count` members share it."""
    from timebank.ledger.reports.figures import members_for_funders as for_funders

    with _snapshot(ledger, centre=centre) as session:
        return for_funders(session, as_of, min_count)


def areas(ledger: Ledger, start: date | None, end: date | None, min_count: int, centre: str | None = None
          ) -> AreaFigures:
    """Members and hours by area, small counts blanked."""
    from timebank.ledger.reports.figures import areas as by_area

    with _snapshot(ledger, centre=centre) as session:
        return by_area(session, start, end, min_count)


# Listings -----------------------------------------------------------------------------------

def listings(ledger: Ledger, kind: str, lang: str, *, category: str | None = None, area: str | None = None,
             member: str | None = None, include_closed: bool = False) -> list[ListingRow]:
    """Offers or requests (`kind`), open ones unless `include_closed`; a member as typed."""
    from timebank.ledger.records.listings import list_listings
    from timebank.ledger.records.members import find_member

    with _snapshot(ledger) as session:
        who = find_member(session, member) if member else None
        return list_listings(session, kind, lang, category=category, area=area, member=who,
                             include_closed=include_closed)


class Matches(NamedTuple):
    category: CategoryName
    area: str | None          # the area that counted
    found: list[Match]        # best first


def matches(ledger: Ledger, lang: str, *, request: int | None = None, category: str | None = None,
            area: str | None = None) -> Matches:
    """Who could meet a request, or who offers a category."""
    from timebank.ledger.records.listings import matches_for

    with _snapshot(ledger) as session:
        return Matches(*matches_for(session, lang, request=request, category=category, area=area))


# The screen ---------------------------------------------------------------------------------

RING_AFTER_DAYS = 60   # members to ring: no exchange in this many days


class Glance(NamedTuple):
    name: str
    month: MonthSoFar
    to_ring: list[InactiveMember]
    open_requests: list[ListingRow]


def glance(ledger: Ledger, lang: str, today: date) -> Glance:
    """The start page: the bank's name, the month so far, members to ring, open requests."""
    from timebank.ledger.records.listings import list_listings
    from timebank.ledger.records.settings import load
    from timebank.ledger.reports.activity import inactive_members
    from timebank.ledger.reports.reports import month_so_far as so_far

    with _snapshot(ledger) as session:
        return Glance(load(session).name, so_far(session, today.replace(day=1)),
                      inactive_members(session, RING_AFTER_DAYS, lang), list_listings(session, "request", lang))


class FormData(NamedTuple):
    """What the record form completes and checks as it is typed."""

    members: MemberIndex        # finds a member as typed, by the core's rule
    categories: dict[str, CategoryName]
    requests: dict[int, ListingRow]
    names: list[str]           # active members' names, for completion


def form_data(ledger: Ledger, lang: str) -> FormData:
    from timebank.ledger.basics.names import alphabetical, member_name
    from timebank.ledger.records.categories import category_names
    from timebank.ledger.records.listings import list_listings
    from timebank.ledger.records.members import member_index

    with _snapshot(ledger) as session:
        index = member_index(session)
        requests = {r.id: r for r in list_listings(session, "request", lang)}
        # Active members' names, alphabetical, for completing what is typed.
        active = index.active()
        names = [m.name for m in alphabetical(active, lang, key=member_name)]
        return FormData(index, category_names(session), requests, names)


__all__ = [
    # before a ledger is open
    "ledger_language", "members_matching", "category_codes", "open_ledger", "is_initialised", "current_user",
    "shown", "last_complete_month", "welsh_key",
    # reads
    "settings", "name", "categories", "category", "centres", "partners", "partner_statement", "is_partner_member",
    "partner_member", "access_requests",
    "outcome_measures",
    "outcomes", "audit", "members", "inactive",
    "member", "member_summary", "member_page",
    "balances", "exchanges", "exchange", "statement", "statements", "monthly", "month_so_far", "period_report",
    "summary", "funder_pack", "funder_year", "exchange_pairs", "members_by_number", "members_for_funders",
    "areas",
    "listings", "matches", "glance", "form_data",
    # results
    "AuditLog", "MemberSummary", "MemberPage", "MemberStatement", "FunderYear", "ExchangePairs", "Matches", "Glance",
    "FormData",
    "LATEST", "RING_AFTER_DAYS",
    # the rooms' result types (loaded on first use: `_TYPES`)
    "Ledger", "Member", "AccessRequestRow", "AuditRow", "BalanceRow", "CategoryName", "CentreName", "CentreRow",
    "ExchangeRow", "ListingRow", "Match", "MemberIndex",
    "MemberRow", "MemberSearch", "Settings", "MeasureRow", "ScoreRow", "PartnerRow", "PartnerStatement",
    "OutcomesReport", "InactiveMember", "AreaFigures", "FunderPack", "PeriodReport",
    "Restatement", "MonthFigures", "MonthlyReport", "MonthSoFar", "MonthHours", "Statement", "StatementSet",
]
