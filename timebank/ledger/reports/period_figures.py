"""The figures funders and evaluators ask for, for each month, quarter or year of a span
and for the whole span: each one defined once, here, with its definition in both languages
(`FIGURES`: message ids, put into words by the face that shows them).

Ten queries whatever the size of the ledger or the number of periods (see
`period_report`); everything else is counted in Python from their rows.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Sequence

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from timebank.ledger.integrity.canonical import Seal
from timebank.ledger.integrity.chain import current_seal
from timebank.ledger.records.categories import GOALS, CategoryName, category_names
from timebank.ledger.records.centres import CentreName
from timebank.ledger.basics.dates import month_end, report_end, today
from timebank.ledger.basics.hours import format_hours
from timebank.ledger.records.members import POT
from timebank.ledger.storage.models import PARTNER_KIND, Entry, Exchange, Listing, Member
from timebank.ledger.basics.periods import Period, months_before, months_in, period_of, split
from timebank.ledger.messages import N_
from timebank.ledger.records.membership import Belonging, belonging
from timebank.ledger.records.membership import registered as registered_on
from timebank.ledger.reports.centre_view import outside_organisations, own_members
from timebank.ledger.reports.reports import member_counts, month_totals
from timebank.ledger.records.settings import Settings
from timebank.ledger.storage.sql import dead_exchanges, earned_sum, live_condition, month_key, moves_of_balance

# What a figure counts, which decides how each face shows it.
COUNT = "count"        # members, exchanges, requests
MINUTES = "minutes"    # an amount of time: minutes here, hours in every file and table
DAYS = "days"          # a median number of days (may end in .5)
POUNDS = "pounds"      # money, an exact Decimal
FLAG = "flag"          # yes or no

RETENTION_MONTHS = (3, 6, 12)
# Retention looks at whether a member traded in this many months up to the period's end.
RECENT_MONTHS = 3


@dataclass(frozen=True)
class Figure:
    key: str              # the JSON key and CSV column (hours for an amount of time)
    unit: str
    label: str            # message id: its name as a heading
    meaning: str          # message id: its definition
    additive: bool = False  # the span's figure is the sum of its periods' (a total row may SUM it)
    minutes_key: str | None = None  # for an amount of time, the JSON key of its minutes


def _split(key: str, label: str, meaning: str, people: str, organisations: str) -> tuple[Figure, ...]:
    return (Figure(key, COUNT, label, meaning), Figure(f"{key}_people", COUNT, people, N_("Of them, people.")),
            Figure(f"{key}_organisations", COUNT, organisations, N_("Of them, organisations.")))


FIGURES: tuple[Figure, ...] = (
    Figure("exchanges", COUNT, N_("Exchanges"),
           N_("Exchanges dated in the period. A voided exchange and its reversal count in no figure."), True),
    Figure("hours", MINUTES, N_("Hours exchanged"),
           N_("Hours of help given in the period, each hour counted once: the hours the givers earned (an hour "
              "given to three members at once counts three times)."), True, "minutes_exchanged"),
    Figure("hours_person_to_person", MINUTES, N_("Hours between people"),
           N_("Hours of the exchanges in which every giver and every receiver was a person."), True,
           "minutes_person_to_person"),
    Figure("hours_with_organisations", MINUTES, N_("Hours with organisations"),
           N_("Hours of the exchanges in which an organisation, or the time bank's own pot, gave or received: the "
              "hours exchanged less the hours between people and the hours with partner banks."), True,
           "minutes_with_organisations"),
    Figure("hours_with_partners", MINUTES, N_("Hours with partner banks"),
           N_("Hours of the exchanges in which a member of a partner time bank gave or received: trades between "
              "banks (a partner bank's members are never counted as members)."), True, "minutes_with_partners"),
    *_split("members_registered", N_("Members registered"),
            N_("Members (people and organisations; never the time bank's own pot) on the last day of the period: "
               "joined on or before it, and not left on or before it."),
            N_("Members registered: people"), N_("Members registered: organisations")),
    Figure("members_new", COUNT, N_("New members"), N_("Members who joined in the period."), True),
    Figure("members_left", COUNT, N_("Members who left"), N_("Members who left in the period."), True),
    Figure("members_welsh", COUNT, N_("Members whose language is Welsh"),
           N_("Members registered on the last day of the period whose language is Welsh (Cymraeg): they read "
              "their statements in Welsh.")),
    Figure("hours_in_welsh", MINUTES, N_("Hours given in Welsh"),
           N_("Hours of help given in the period in exchanges carried out in Welsh (recorded with --welsh), each "
              "hour counted once, as the hours exchanged are."), True, "minutes_in_welsh"),
    Figure("exchanges_in_welsh", COUNT, N_("Exchanges in Welsh"),
           N_("Exchanges dated in the period that were carried out in Welsh. A voided exchange and its reversal "
              "count in no figure."), True),
    *_split("members_trading", N_("Members trading"),
            N_("Members with at least one exchange in the period, giving or receiving."),
            N_("Members trading: people"), N_("Members trading: organisations")),
    *_split("members_giving", N_("Members giving"), N_("Members who gave help in at least one exchange in the period."),
            N_("Members giving: people"), N_("Members giving: organisations")),
    *_split("members_receiving", N_("Members receiving"),
            N_("Members who received help in at least one exchange in the period."),
            N_("Members receiving: people"), N_("Members receiving: organisations")),
    *_split("members_both", N_("Members giving and receiving"),
            N_("Members who both gave and received help in the period (not necessarily in the same exchange)."),
            N_("Members giving and receiving: people"), N_("Members giving and receiving: organisations")),
    Figure("days_to_first_exchange_median", DAYS, N_("Median days to a first exchange"),
           N_("For the members who joined in the period and have had an exchange since (up to the day the report "
              "was made), the median number of days from joining to their first exchange; empty when there are "
              "none.")),
    Figure("cohort_3m", COUNT, N_("Members trading for 3 months or more"),
           N_("Members whose first exchange was 3 months or more before the end of the period.")),
    Figure("retained_3m", COUNT, N_("Of them, still trading (3 months)"),
           N_("Of the members whose first exchange was 3 months or more before the end of the period, those "
              "with an exchange in the last 3 months of it.")),
    Figure("cohort_6m", COUNT, N_("Members trading for 6 months or more"),
           N_("Members whose first exchange was 6 months or more before the end of the period.")),
    Figure("retained_6m", COUNT, N_("Of them, still trading (6 months)"),
           N_("Of the members whose first exchange was 6 months or more before the end of the period, those "
              "with an exchange in the last 3 months of it.")),
    Figure("cohort_12m", COUNT, N_("Members trading for 12 months or more"),
           N_("Members whose first exchange was 12 months or more before the end of the period.")),
    Figure("retained_12m", COUNT, N_("Of them, still trading (12 months)"),
           N_("Of the members whose first exchange was 12 months or more before the end of the period, those "
              "with an exchange in the last 3 months of it.")),
    Figure("requests_opened", COUNT, N_("Requests made"), N_("Requests for help added in the period."), True),
    Figure("requests_met", COUNT, N_("Requests met"),
           N_("Requests closed in the period by the exchange that met them."), True),
    Figure("median_days_to_meet", DAYS, N_("Median days to meet a request"),
           N_("For the requests met in the period, the median number of days from the request to the exchange "
              "that met it; empty when none was met.")),
    Figure("social_value_gbp", POUNDS, N_("Social value (£)"),
           N_("The hours exchanged, as shown to two decimals, times the value of an hour (the setting hour_value), "
              "in pounds, rounded to the penny; empty when no value is set."), True),
)

PARTIAL = Figure("partial", FLAG, N_("Partial"),
                 N_("Yes when the figures cover only part of the period: it ends after the day the report was made, "
                    "it starts before the ledger's first exchange, or the dates asked for cut it short."))

# Not in `FIGURES` (whose figures are one number each): a figure per goal, keyed by goal code.
HOURS_BY_GOAL = Figure("hours_by_goal", MINUTES, N_("Hours by well-being goal"),
                       N_("For each of the seven well-being goals (Well-being of Future Generations (Wales) Act "
                          "2015), the hours exchanged in the categories that serve it (`timebank category goals`; "
                          "the goals the categories serve now, for figures made again at a seal too). An hour in a "
                          "category that serves several goals counts for each of them, so the goals' hours are not "
                          "added up: they have no total."), minutes_key="minutes_by_goal")

BY_KEY = {f.key: f for f in FIGURES + (PARTIAL, HOURS_BY_GOAL)}


@dataclass(frozen=True)
class ByKind:
    """A count of members, split into people and organisations (the pot is never counted)."""

    people: int = 0
    organisations: int = 0

    @property
    def total(self) -> int:
        return self.people + self.organisations


@dataclass(frozen=True)
class CategoryShare:
    """A category's hours in a period and their share of every category's (a percentage);
    or, with no code, the categories left over, `others` of them."""

    code: str | None
    minutes: int
    share: float
    others: int = 0


@dataclass(frozen=True)
class PeriodFigures:
    period: Period | None          # None for the whole span
    label: str                     # the period's label, or 'total'
    first: date                    # the days the figures cover: the period cut to the span and to today
    last: date
    partial: bool
    exchanges: int
    minutes: int
    minutes_person_to_person: int
    members_registered: ByKind
    members_new: int
    members_left: int
    members_welsh: int
    members_trading: ByKind
    members_giving: ByKind
    members_receiving: ByKind
    members_both: ByKind
    days_to_first_exchange_median: float | None
    cohorts: dict[int, int]        # months -> members whose first exchange was that long before the end
    retained: dict[int, int]       # months -> of them, those who traded in the last RECENT_MONTHS
    requests_opened: int
    requests_met: int
    median_days_to_meet: float | None
    social_value_gbp: Decimal | None
    category_minutes: dict[str, int] = field(default_factory=dict)
    goal_minutes: dict[str, int] = field(default_factory=dict)  # goal code -> minutes (`HOURS_BY_GOAL`), all seven
    minutes_in_welsh: int = 0      # of `minutes`, those of exchanges carried out in Welsh
    exchanges_in_welsh: int = 0
    minutes_with_partners: int = 0  # of `minutes`, those of trades with partner banks' members

    @property
    def minutes_with_organisations(self) -> int:
        return self.minutes - self.minutes_person_to_person - self.minutes_with_partners

    def top_categories(self, top: int) -> tuple[list[CategoryShare], CategoryShare | None]:
        """The `top` categories with the most hours (ties by code), and the rest in one line
        (None when there is no rest); each with its share of the hours of every category."""
        ranked = sorted(((code, minutes) for code, minutes in self.category_minutes.items() if minutes),
                        key=lambda item: (-item[1], item[0]))
        everything = sum(minutes for _code, minutes in ranked) or 1
        shown = [CategoryShare(code, minutes, 100 * minutes / everything) for code, minutes in ranked[:top]]
        rest = ranked[top:]
        if not rest:
            return shown, None
        minutes = sum(m for _c, m in rest)
        return shown, CategoryShare(None, minutes, 100 * minutes / everything, len(rest))

    def values(self) -> dict[str, Any]:
        """Every figure of `FIGURES` by its key (amounts of time in minutes), and `partial`."""
        by_kind: dict[str, int] = {}
        for name in ("members_registered", "members_trading", "members_giving", "members_receiving",
                     "members_both"):
            counts: ByKind = getattr(self, name)
            by_kind |= {name: counts.total, f"{name}_people": counts.people,
                      f"{name}_organisations": counts.organisations}
        return {
            "exchanges": self.exchanges, "hours": self.minutes,
            "hours_person_to_person": self.minutes_person_to_person,
            "hours_with_organisations": self.minutes_with_organisations,
            "hours_with_partners": self.minutes_with_partners,
            **by_kind,
            "members_new": self.members_new, "members_left": self.members_left, "members_welsh": self.members_welsh,
            "hours_in_welsh": self.minutes_in_welsh, "exchanges_in_welsh": self.exchanges_in_welsh,
            "days_to_first_exchange_median": self.days_to_first_exchange_median,
            **{f"cohort_{n}m": self.cohorts[n] for n in RETENTION_MONTHS},
            **{f"retained_{n}m": self.retained[n] for n in RETENTION_MONTHS},
            "requests_opened": self.requests_opened, "requests_met": self.requests_met,
            "median_days_to_meet": self.median_days_to_meet, "social_value_gbp": self.social_value_gbp,
            "partial": self.partial,
        }


@dataclass(frozen=True)
class PeriodReport:
    """The figures of each period of a span and of the whole span, and what a funder's
    document says about them."""

    start: date                    # the span's first day
    end: date                      # its last day, today at the latest
    asked_end: date                # the last day asked for
    by: str
    year_start: int
    made: date                     # the day the figures were counted
    first_exchange: date | None    # the ledger's first exchange that counts
    bank_name: str
    hour_value: Decimal | None
    hour_value_source: str
    periods: list[PeriodFigures]
    total: PeriodFigures
    months: list[tuple[date, int]]  # hours exchanged in each month of the span (minutes), for a chart
    categories: dict[str, CategoryName]
    # The seal of the history the figures were made from (`timebank check --seal`): the
    # one-page report and the workbook print it, and `--seal` makes the same figures again.
    seal: Seal | None = None
    # Opening balances dated in the span (how many, their minutes): in no figure, shown apart.
    opening_balances: tuple[int, int] = (0, 0)
    # The centre the figures are for (`--centre`; `reports.centre_view`), or None: the network's.
    centre: "CentreName | None" = None

    @cached_property
    def period_sums(self) -> dict[str, int | Decimal]:
        """Each additive figure (`Figure.additive`) summed over the periods, an empty figure
        counting nothing: the total row under the periods (the workbook writes a SUM formula
        there too, and shows this as its value)."""
        values = [f.values() for f in self.periods]
        return {f.key: sum(v[f.key] for v in values if v[f.key] is not None) for f in FIGURES if f.additive}

    def category_total(self, figures: PeriodFigures) -> int:
        """A period's hours (minutes) in all the ledger's categories together."""
        return sum(figures.category_minutes.get(code, 0) for code in self.categories)

    def hours_by(self, by: str) -> list[tuple[Period, int]]:
        """The minutes exchanged in each quarter or year (`by`, following `year_start`) of
        the span, oldest first: a chart of a long span."""
        periods: dict[str, Period] = {}
        totals: dict[str, int] = {}
        for month, minutes in self.months:
            period = period_of(month, by, self.year_start)
            periods.setdefault(period.label, period)
            totals[period.label] = totals.get(period.label, 0) + minutes
        return [(periods[label], minutes) for label, minutes in totals.items()]


def social_value(minutes: int, hour_value: Decimal | None) -> Decimal | None:
    """The hours as shown (two decimals) times the value of an hour, to the penny: a funder
    who multiplies the two cells in a spreadsheet gets the same pennies."""
    if hour_value is None:
        return None
    return (Decimal(format_hours(minutes)) * hour_value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _median(values: list[int]) -> float | None:
    if not values:
        return None
    middle = statistics.median(values)
    return float(middle)


def days_read(start: date, end: date) -> tuple[date, date]:
    """The days whose exchanges a period report from `start` to `end` reads (beside each
    member's first exchange that counts and the chain's head): a centre's view holds only
    them (`centre_view`'s window). Retention looks back `RECENT_MONTHS` from the end of each
    period, and no period ends before `start`."""
    return months_before(start, RECENT_MONTHS), end


def period_report(session: Session, settings: Settings, start: date, end: date, by: str = "month") -> PeriodReport:
    """The figures for each month, quarter or year (following `settings.year_start`) that
    overlaps `start`..`end`, and for the whole span. The span ends today at the latest; a
    span that starts after today is refused."""
    made = today()
    asked_end = end
    end = report_end(start, end)
    periods = split(start, end, by, settings.year_start)
    spans = [(max(p.first, start), min(p.last, end)) for p in periods]
    # Retention looks back three months from each period's end: read activity from there.
    earliest = min([start] + [months_before(last, RECENT_MONTHS) + timedelta(days=1) for _f, last in spans])
    assert earliest >= days_read(start, asked_end)[0]  # what a centre's view holds (`days_read`)
    activity = _activity(session, start, end, earliest)                   # queries 1 to 4
    months = _months(session, start, end)                                 # queries 5 and 6
    names = category_names(session)                                       # 9, with the goals each serves
    members = _members(session)                                           # 7
    counting = _Counting(activity, months, members, {m.number: m.kind for m in members},
                         _requests(session, start, end),                  # 8
                         min(activity.first.values(), default=None), settings.hour_value,
                         {code: name.goals for code, name in names.items()})
    lines = [counting.figures(p, p.label, first_day, last_day, (p.first, p.last))
             for p, (first_day, last_day) in zip(periods, spans)]
    total = counting.figures(None, "total", start, end, (start, asked_end))
    chart = [(date.fromisoformat(key + "-01"), months.minutes.get(key, 0)) for key in months_in(start, end)]
    return PeriodReport(start=start, end=end, asked_end=asked_end, by=by, year_start=settings.year_start,
                        made=made, first_exchange=counting.first_exchange, bank_name=settings.name,
                        hour_value=settings.hour_value, hour_value_source=settings.hour_value_source,
                        periods=lines, total=total, months=chart, categories=names, seal=current_seal(session),
                        opening_balances=moves_of_balance(session, start, end)[:2])


# Members' activity ---------------------------------------------------------------------------

DayRow = tuple[date, int, int, int, int]  # day, member, minutes given, minutes received, entries
DeadEntry = tuple[int, date, int]         # member, day, minutes


@dataclass(frozen=True)
class _Activity:
    """Who traded when, counting only the exchanges that count (never the pot)."""

    first: dict[int, date]           # each member's first day with an exchange that counts
    days: dict[int, list[date]]      # each member's days that count, from the earliest day read, in order
    giving: dict[int, set[int]]      # month of the span (year * 100 + month) -> members who gave in it
    receiving: dict[int, set[int]]   # ... and who received

    def traded(self, keys: list[str]) -> tuple[set[int], set[int]]:
        """Who gave, and who received, in these months ('YYYY-MM')."""
        numbers = [int(key[:4]) * 100 + int(key[5:]) for key in keys]
        giving: set[int] = set().union(*(self.giving.get(n, set()) for n in numbers))
        receiving: set[int] = set().union(*(self.receiving.get(n, set()) for n in numbers))
        return giving, receiving

    def recent(self, last_day: date) -> set[int]:
        """Who traded in the last `RECENT_MONTHS` months up to `last_day`: a day that counts in the window."""
        window = months_before(last_day, RECENT_MONTHS)
        return {member for member, dates in self.days.items()
                if bisect_right(dates, last_day) > bisect_right(dates, window)}


def _activity(session: Session, start: date, end: date, earliest: date) -> _Activity:
    """Members' activity, read from the entries alone (their indexes hold date, member and
    minutes: no exchange is visited), less the few entries of voided exchanges and their
    reversals -- far cheaper over a whole ledger than testing each exchange."""
    # In a centre's view, only its own members' activity is counted (the members of other
    # centres on the other side of its exchanges are in no figure of members), and read.
    own = own_members(session)
    ours = Entry.member != POT if own is None else Entry.member.in_(own)
    # 1. The entries that do not count: voided exchanges and their reversals.
    dead = session.execute(select(Entry.member, Entry.date, Entry.minutes)
                           .where(Entry.exchange.in_(dead_exchanges()), ours)).all()
    # 2. Each member's entries on each day from `earliest`: given, received, and how many
    # (plain rows: a year of a large ledger is hundreds of thousands of them).
    days = session.connection().execute(
        select(Entry.date, Entry.member, func.sum(case((Entry.minutes > 0, Entry.minutes), else_=0)),
               func.sum(case((Entry.minutes < 0, -Entry.minutes), else_=0)), func.count())
        .where(Entry.date.between(earliest, end), ours)
        .group_by(Entry.date, Entry.member).order_by(Entry.date, Entry.member)).all()
    return _days_that_count(days, dead, start, _first_days(session, dead, ours))


def _first_days(session: Session, dead: Sequence[DeadEntry], ours: Any) -> dict[int, date]:
    """Each member's first day with an entry that counts (of the members `ours` keeps)."""
    # 3. Each member's first entry of all.
    earliest_entry = dict(session.execute(
        select(Entry.member, func.min(Entry.date)).where(ours).group_by(Entry.member)).all())
    # 4. ... and, for the members whose first day held a voided exchange, their first entry that counts.
    dead_days = {(member, day) for member, day, _minutes in dead}
    doubtful = sorted(member for member, day in earliest_entry.items() if (member, day) in dead_days)
    recounted = dict(session.execute(
        select(Entry.member, func.min(Entry.date))
        .where(Entry.member.in_(doubtful), Entry.exchange.not_in(dead_exchanges()))
        .group_by(Entry.member)).all())
    return {member: day for member, day in earliest_entry.items() if member not in doubtful} | recounted


def _days_that_count(days: Sequence[DayRow], dead: Sequence[DeadEntry], start: date,
                     first: dict[int, date]) -> _Activity:
    """Each member's days that count: what they gave and received, less the entries that do not count."""
    taken: dict[tuple[date, int], list[int]] = {}
    for member, day, minutes in dead:
        cell = taken.setdefault((day, member), [0, 0, 0])
        cell[0 if minutes > 0 else 1] += abs(minutes)
        cell[2] += 1
    active_days: dict[int, list[date]] = {}
    giving: dict[int, set[int]] = {}
    receiving: dict[int, set[int]] = {}
    for day, member, given, received, n in days:  # in order of day: see query 2
        less = taken.get((day, member))
        if less is not None:
            given, received, n = given - less[0], received - less[1], n - less[2]
        if n <= 0:
            continue
        active_days.setdefault(member, []).append(day)
        if day >= start:
            key = day.year * 100 + day.month
            if given:
                giving.setdefault(key, set()).add(member)
            if received:
                receiving.setdefault(key, set()).add(member)
    return _Activity(first, active_days, giving, receiving)


# Exchanges and hours per month ---------------------------------------------------------------

@dataclass(frozen=True)
class _Months:
    """Exchanges and hours in each month of the span ('YYYY-MM'), cut to the span."""

    exchanges: dict[str, int]
    minutes: dict[str, int]
    categories: dict[str, dict[str, int]]  # month -> category code -> minutes
    with_organisations: dict[str, int]     # minutes of the exchanges an organisation, the pot or a partner took part in
    welsh: dict[str, tuple[int, int]] = field(default_factory=dict)  # month -> exchanges, minutes in Welsh
    with_partners: dict[str, int] = field(default_factory=dict)  # minutes of trades with partner banks' members

    def category_minutes(self, keys: list[str]) -> dict[str, int]:
        merged: dict[str, int] = {}
        for key in keys:
            for code, value in self.categories.get(key, {}).items():
                merged[code] = merged.get(code, 0) + value
        return merged


def _months(session: Session, start: date, end: date) -> _Months:
    exchanges: dict[str, int] = {}
    minutes: dict[str, int] = {}
    categories: dict[str, dict[str, int]] = {}
    for key, code, count, earned in _category_rows(session, start, end):
        exchanges[key] = exchanges.get(key, 0) + count
        minutes[key] = minutes.get(key, 0) + earned
        categories.setdefault(key, {})
        categories[key][code] = categories[key].get(code, 0) + earned
    return _Months(exchanges, minutes, categories, _organisation_minutes(session, start, end),
                   _welsh_months(session, start, end), _partner_minutes(session, start, end))


def _welsh_months(session: Session, start: date, end: date) -> dict[str, tuple[int, int]]:
    """10. Exchanges carried out in Welsh and their minutes (each counted once, as
    `earned_sum` counts the hours exchanged) per month: only exchanges that count."""
    exchange_month = month_key(Exchange.date).label("month")
    return {key: (int(count), int(minutes or 0)) for key, count, minutes in session.execute(
        select(exchange_month, func.count(func.distinct(Exchange.number)), earned_sum())
        .join(Entry, Entry.exchange == Exchange.number)
        .where(Exchange.welsh.is_(True), Exchange.date.between(start, end), live_condition())
        .group_by(exchange_month))}


def _category_rows(session: Session, start: date, end: date) -> list[tuple[str, str, int, int]]:
    """5. Exchanges and minutes per month and category: whole months from the cached monthly
    totals (kept with every write, proved by `check`), the months the span cuts from the
    exchanges themselves."""
    keys = months_in(start, end)
    whole = [key for key in keys if date.fromisoformat(key + "-01") >= start
             and month_end(date.fromisoformat(key + "-01")) <= end]
    rows = [(key, code, n, earned) for (key, code), (n, earned) in
            month_totals(session, date.fromisoformat(whole[0] + "-01"),
                         date.fromisoformat(whole[-1] + "-01")).items()] if whole else []
    edges = [(max(start, date.fromisoformat(key + "-01")), min(end, month_end(date.fromisoformat(key + "-01"))))
             for key in keys if key not in whole]
    nothing = (end + timedelta(days=1), end)  # an empty range, so that the query is always the same one
    edge_ranges = (edges + [nothing, nothing])[:2]
    exchange_month = month_key(Exchange.date).label("month")
    rows += [(key, code, int(count), int(earned or 0)) for key, code, count, earned in session.execute(
        select(exchange_month, Exchange.category, func.count(func.distinct(Exchange.number)), earned_sum())
        .join(Entry, Entry.exchange == Exchange.number)
        .where(or_(*(Exchange.date.between(low, high) for low, high in edge_ranges)), live_condition())
        .group_by(exchange_month, Exchange.category))]
    return rows


def _organisation_minutes(session: Session, start: date, end: date) -> dict[str, int]:
    """6. Minutes per month of the exchanges in which an organisation or the pot took part:
    found from the entries of those few members, not by testing every exchange."""
    not_a_person = aliased(Member, name="not_a_person")
    theirs: Any = (select(Entry.exchange).join(not_a_person, not_a_person.number == Entry.member)
                   .where(not_a_person.kind != "person", Entry.date.between(start, end)))
    outside = outside_organisations(session)  # a centre's: organisations of other centres
    if outside:
        theirs = theirs.union(select(Entry.exchange).where(Entry.member.in_(outside), Entry.date.between(start, end)))
    entry_month = month_key(Entry.date).label("month")
    return {key: int(minutes or 0) for key, minutes in session.execute(
        select(entry_month, earned_sum())
        .where(Entry.exchange.in_(theirs), Entry.exchange.not_in(dead_exchanges()))
        .group_by(entry_month))}


def _partner_minutes(session: Session, start: date, end: date) -> dict[str, int]:
    """11. Minutes per month of the trades with partner banks' members: found from the entries
    of their accounts (a few), as `_organisation_minutes` finds the organisations'."""
    account = aliased(Member, name="account")
    theirs: Any = (select(Entry.exchange).join(account, account.number == Entry.member)
                   .where(account.kind == PARTNER_KIND, Entry.date.between(start, end)))
    entry_month = month_key(Entry.date).label("month")
    return {key: int(minutes or 0) for key, minutes in session.execute(
        select(entry_month, earned_sum())
        .where(Entry.exchange.in_(theirs), Entry.exchange.not_in(dead_exchanges()))
        .group_by(entry_month))}


def _members(session: Session) -> list[Belonging]:
    """7. Every period of every member (never the pot)."""
    return belonging(session)


def _requests(session: Session, start: date, end: date) -> Sequence[Any]:
    """8. Requests made or met in the span."""
    return session.execute(
        select(Listing.opened, Listing.closed, Listing.closed_because)
        .where(Listing.kind == "request",
               (Listing.opened.between(start, end)) | and_(Listing.closed_because == "met",
                                                            Listing.closed.between(start, end)))).all()


# One period's figures -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Counting:
    """What was read for the span, counted for any period of it (periods are whole months but
    where the span cuts them, and the span is all that was read)."""

    activity: _Activity
    months: _Months
    members: Sequence[Belonging]     # every period of every member
    kinds: dict[int, str]            # member number -> kind
    requests: Sequence[Any]          # rows: opened, closed, closed_because
    first_exchange: date | None      # the ledger's first exchange that counts
    hour_value: Decimal | None
    goals: dict[str, tuple[str, ...]]  # category code -> the goals it serves

    def figures(self, period: Period | None, label: str, first_day: date, last_day: date,
                whole: tuple[date, date]) -> PeriodFigures:
        keys = months_in(first_day, last_day)
        kinds = self.kinds
        giving, receiving = self.activity.traded(keys)
        cohorts, retained = self._retention(last_day, kinds)
        met = [(r.closed - r.opened).days for r in self.requests
               if r.closed_because == "met" and r.closed is not None and first_day <= r.closed <= last_day]
        counts = member_counts(self.members, first_day, last_day)
        registered = registered_on(self.members, last_day)
        minutes = sum(self.months.minutes.get(k, 0) for k in keys)
        return PeriodFigures(
            period=period, label=label, first=first_day, last=last_day,
            partial=self._partial(first_day, last_day, whole),
            exchanges=sum(self.months.exchanges.get(k, 0) for k in keys), minutes=minutes,
            minutes_person_to_person=minutes - sum(self.months.with_organisations.get(k, 0) for k in keys),
            members_registered=_by_kind((m.number for m in registered), kinds),
            members_new=counts["members_new"], members_left=counts["members_left"],
            members_welsh=sum(1 for m in registered if m.lang == "cy"),
            members_trading=_by_kind(giving | receiving, kinds), members_giving=_by_kind(giving, kinds),
            members_receiving=_by_kind(receiving, kinds), members_both=_by_kind(giving & receiving, kinds),
            days_to_first_exchange_median=_median(self._days_to_first(first_day, last_day)), cohorts=cohorts,
            retained=retained, requests_opened=sum(1 for r in self.requests if first_day <= r.opened <= last_day),
            requests_met=len(met), median_days_to_meet=_median(met),
            social_value_gbp=social_value(minutes, self.hour_value),
            category_minutes=(by_category := self.months.category_minutes(keys)),
            goal_minutes=goal_minutes(by_category, self.goals),
            minutes_in_welsh=sum(self.months.welsh.get(k, (0, 0))[1] for k in keys),
            exchanges_in_welsh=sum(self.months.welsh.get(k, (0, 0))[0] for k in keys),
            minutes_with_partners=sum(self.months.with_partners.get(k, 0) for k in keys))

    def _partial(self, first_day: date, last_day: date, whole: tuple[date, date]) -> bool:
        """The figures cover only part of the period: cut by the span or today, or before the first exchange."""
        natural_first, natural_last = whole
        return (first_day > natural_first or last_day < natural_last
                or (self.first_exchange is not None and natural_first < self.first_exchange))

    def _retention(self, last_day: date, kinds: dict[int, str]) -> tuple[dict[int, int], dict[int, int]]:
        """For each of `RETENTION_MONTHS`: the members whose first exchange was that long
        before `last_day`, and of them those who traded in its last `RECENT_MONTHS` months."""
        recent = self.activity.recent(last_day)
        cohorts: dict[int, int] = {}
        retained: dict[int, int] = {}
        for months in RETENTION_MONTHS:
            cutoff = months_before(last_day, months)
            cohort = {number for number, day in self.activity.first.items() if day <= cutoff and number in kinds}
            cohorts[months] = len(cohort)
            retained[months] = len(cohort & recent)
        return cohorts, retained

    def _days_to_first(self, first_day: date, last_day: date) -> list[int]:
        """For the members who joined in the period (for the first time) and have traded since: days
        from joining to a first exchange."""
        first = self.activity.first
        return [(first[m.number] - m.joined).days for m in self.members
                if m.first and first_day <= m.joined <= last_day and m.number in first]


def goal_minutes(by_category: dict[str, int], goals: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Each goal's minutes: those of every category that serves it (`HOURS_BY_GOAL`), read from
    the minutes per category already counted, so that no query more is made and a goal's hours
    follow exactly the rule of the hours exchanged."""
    minutes = dict.fromkeys(GOALS, 0)
    for code, value in by_category.items():
        for goal in goals.get(code, ()):
            minutes[goal] += value
    return minutes


def _by_kind(numbers: Iterable[int], kinds: dict[int, str]) -> ByKind:
    """Members counted as people and organisations (the pot is never counted)."""
    people = organisations = 0
    for number in numbers:
        kind = kinds.get(number)
        if kind == "person":
            people += 1
        elif kind == "organisation":
            organisations += 1
    return ByKind(people, organisations)


def read_period_report(ledger: Any, start: date, end: date, by: str = "month") -> PeriodReport:
    """The period report from one snapshot of the ledger."""
    from timebank.ledger.records import settings as settings_module
    from timebank.ledger.storage.db import reading

    with reading(ledger) as session:
        return period_report(session, settings_module.load(session), start, end, by)


__all__ = ["FIGURES", "PARTIAL", "BY_KEY", "Figure", "ByKind", "CategoryShare", "PeriodFigures", "PeriodReport",
           "period_report", "read_period_report", "days_read", "social_value", "COUNT", "MINUTES", "DAYS", "POUNDS",
           "FLAG", "RETENTION_MONTHS", "HOURS_BY_GOAL", "goal_minutes"]
