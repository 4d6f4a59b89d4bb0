"""Views of the funders' figures (`timebank.ledger.reports.period_figures`): the period report (a
table, JSON, and a CSV of the headline figures and the periods), the one-page report a
funder is handed (PDF), and the workbook (xlsx). Every figure's name and definition comes
from the one list in the core, `FIGURES`; here they only find their place and their kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from timebank.i18n import N_, Words
from timebank.ledger.basics.hours import format_hours
from timebank.ledger.basics.periods import period_of
from timebank.ledger.records.categories import GOALS, goal_code_in
from timebank.ledger.reports.period_figures import (BY_KEY, DAYS as DAYS_UNIT, FIGURES, HOURS_BY_GOAL, MINUTES,
                                                     PARTIAL, POUNDS, RETENTION_MONTHS, CategoryShare, PeriodFigures,
                                                     PeriodReport)
from timebank.render.sheet import (ANY, BOOL, CATEGORY, CODE, DATE, DAYS, HOURS, INT, MONEY, NUMBER, NUMBERS, PERIOD,
                                   SAY, TEXT, Book, Chart, Columns, Field, Line, Page, Report, Say, Sheet, Typed, col,
                                   money_text, period_words)
from timebank.render.exports import areas as area_sheet, kind_of, summary
from timebank.render.views import (CENTRE_RULE, WITHHELD_WORDS, _say, centre_parts, centre_words, goal_name,
                                   plural)

# The keys `report period --format json` has always had, kept for the scripts that read them.
LEGACY = {"minutes_exchanged": "hours", "members_active": "members_trading", "members_total": "members_registered"}

# Every key a period's figures can carry in a CSV, marked so that Welsh files get Welsh headers.
HEADERS = [N_("partial"), N_("members_registered"), N_("members_registered_people"),
           N_("members_registered_organisations"), N_("members_trading"), N_("members_trading_people"),
           N_("members_trading_organisations"), N_("members_giving"), N_("members_giving_people"),
           N_("members_giving_organisations"), N_("members_receiving"), N_("members_receiving_people"),
           N_("members_receiving_organisations"), N_("members_both"), N_("members_both_people"),
           N_("members_both_organisations"), N_("members_welsh"), N_("hours_in_welsh"),
           N_("exchanges_in_welsh"), N_("hours_person_to_person"),
           N_("hours_with_organisations"), N_("hours_with_partners"), N_("days_to_first_exchange_median"),
           N_("cohort_3m"), N_("retained_3m"),
           N_("cohort_6m"), N_("retained_6m"), N_("cohort_12m"), N_("retained_12m"), N_("requests_opened"),
           N_("requests_met"), N_("median_days_to_meet"), N_("hour_value"), N_("hour_value_source"), N_("figure"),
           N_("value"), N_("opening_hours"), N_("given_hours"), N_("received_hours"), N_("closing_hours"),
           N_("month"), N_("requests_open"), N_("seal"), N_("was"), N_("now"), N_("voided"), N_("settings"),
           N_("centre"), N_("moved")]


# The period report: table, JSON, CSV ------------------------------------------------------

def json_row(f: PeriodFigures) -> dict[str, Any]:
    """One period's figures as JSON has them: the keys scripts already read, then every
    figure (an amount of time as hours, "1.50", and as minutes)."""
    values = f.values()
    row: dict[str, Any] = {"period": f.label, "from": f.first.isoformat(), "to": f.last.isoformat(),
                           "exchanges": f.exchanges}
    row |= {legacy: values[key] for legacy, key in LEGACY.items()}
    row |= {"members_new": f.members_new, "members_left": f.members_left, "partial": f.partial}
    for figure in FIGURES:
        value = values[figure.key]
        if figure.unit == MINUTES:
            row[figure.key] = format_hours(value)
            if figure.minutes_key and figure.minutes_key not in row:
                row[figure.minutes_key] = value
        elif figure.unit == POUNDS:
            row[figure.key] = None if value is None else money_text(value)
        elif figure.unit == DAYS_UNIT:
            row[figure.key] = None if value is None else (int(value) if float(value).is_integer() else value)
        else:
            row[figure.key] = value
    row["categories"] = dict(sorted(f.category_minutes.items()))
    # Hours per well-being goal, as hours and as minutes (as every amount of time): never added up.
    row[HOURS_BY_GOAL.key] = {goal: format_hours(f.goal_minutes.get(goal, 0)) for goal in GOALS}
    row["minutes_by_goal"] = {goal: f.goal_minutes.get(goal, 0) for goal in GOALS}
    # The order scripts have always met: members_active and members_total beside the others.
    ordered = ["period", "from", "to", "exchanges", "minutes_exchanged", "members_active", "members_new",
               "members_left", "members_total"]
    return {key: row[key] for key in ordered} | {k: v for k, v in row.items() if k not in ordered}


def _period_name(f: PeriodFigures) -> Say:
    """A period as a heading names it ('Quarter 1 2026-27', 'Ebrill 2026'), with a star
    when its figures are partial."""
    return _named(f.period, f.partial)


def _named(p: Any, partial: bool) -> Say:
    if p is None:
        name = _say(N_("Total"))
    elif p.kind == "quarter":
        name = _say(N_("Quarter {quarter} {year}"), quarter=p.quarter, year=p.year)
    elif p.kind == "year":
        name = _say(N_("Year {year}"), year=p.year)
    else:
        start = p.first
        name = lambda w: w.month(start)
    return (lambda w: name(w) + " *") if partial else name


def _span(first: date, last: date) -> Say:
    return _say(N_("{start} to {end}"), start=first, end=last)


def period(report: PeriodReport) -> Report:
    """`report period`: a table of the periods and the headline figures of the whole span;
    JSON with every figure of every period; CSV with the headline figures, then the periods."""
    table = Sheet(
        [col("name", N_("Period"), SAY), col("exchanges", N_("Exchanges"), INT),
         col("hours", N_("Hours"), HOURS), col("members_trading", N_("Members trading"), INT),
         col("members_new", N_("New members"), INT), col("members_left", N_("Members who left"), INT),
         col("members_registered", N_("Members at the end"), INT)],
        [{"name": _period_name(f), **f.values()} for f in report.periods],
        footer={"name": _say(N_("Total")), **{k: v for k, v in report.total.values().items()
                                              if k in ("exchanges", "hours", "members_trading", "members_new",
                                                       "members_left", "members_registered")}})
    parts: list[Any] = [
        Line(_say(N_("Report: {start} to {end}"), start=report.start, end=report.end), bold=True),
        *centre_parts(report),
        Field("from", report.start, DATE), Field("to", report.end, DATE), Field("by", report.by, CODE),
        Field("year_start", report.year_start, INT),
        Field("periods", lambda w: [json_row(f) for f in report.periods], ANY),
        Field("total", lambda w: json_row(report.total), ANY),
        Field("hour_value", None if report.hour_value is None else money_text(report.hour_value), ANY),
        Field("hour_value_source", report.hour_value_source or None, ANY),
        Field("made", report.made, DATE),
        table]
    if any(f.partial for f in report.periods):
        parts.append(Line(_say(N_("* Partial: the figures cover only part of this period."))))
    count, minutes = report.opening_balances
    if count:
        parts.append(Line(_say(N_("Opening balances: {count}, {hours} hours (in the balances, not in the "
                                  "activity)"), count=count, hours=format_hours(minutes))))
    parts += [Line(_say(N_("The whole period")), bold=True), headline_sheet(report, title=False)]
    if report.hour_value is not None and report.hour_value_source:
        parts.append(Line(_social_value_words(report)))
    seal = report.seal.text if report.seal is not None else None
    parts.append(Field("seal", seal, CODE, _say(N_("Seal of the history these figures were made from: {seal}"),
                                                seal=seal) if seal else None))
    return Report(parts, csv=[headline_csv(report), summary(report)])


def headline_csv(report: PeriodReport) -> Sheet:
    """The headline figures of the whole span as a CSV block: one figure a row (its key in
    the file's language, its value), so that a spreadsheet reads them down one column."""
    total = report.total
    values = total.values()
    rows: list[dict[str, Any]] = [
        {"figure": "from", "value": Typed(total.first, DATE)}, {"figure": "to", "value": Typed(total.last, DATE)},
        {"figure": "partial", "value": Typed(total.partial, BOOL)}]
    if report.centre is not None:
        rows.insert(0, {"figure": "centre", "value": Typed(report.centre.code, CODE)})
    for figure in FIGURES:
        rows.append({"figure": figure.key, "value": Typed(values[figure.key], kind_of(figure))})
    rows += [{"figure": "hour_value", "value": Typed(report.hour_value, MONEY)},
             {"figure": "hour_value_source", "value": Typed(report.hour_value_source or None, TEXT)},
             {"figure": "seal", "value": Typed(report.seal.text if report.seal is not None else None, CODE)}]
    return Sheet([col("figure", kind=SAY), col("value", kind=SAY)],
                 [{"figure": _key(r["figure"]), "value": r["value"]} for r in rows])


def _key(key: str) -> Say:
    return lambda w: w._(key)


# The headline figures, as a person reads them (the screen and the printed page) -----------

def _of_kinds(people: int, organisations: int) -> Say:
    def say(w: Words) -> str:
        return ", ".join([w.ngettext("{count} person", "{count} people", people).format(count=people),
                          w.ngettext("{count} organisation", "{count} organisations", organisations).format(
                              count=organisations)])
    return say


def headline_rows(report: PeriodReport, shown: Shown | None = None) -> list[dict[str, Any]]:
    """The whole span's figures as a person reads them: a name, the value (the same as JSON
    has it, so that one can be checked against the other), and what it is made of. With
    `shown`, the hours and social value are the sums of the periods as shown (the printed
    page, which agrees with the workbook)."""
    f = report.total
    values = f.values()

    def row(key: str, value: Any, kind: str, detail: Any = None, label: str | None = None) -> dict[str, Any]:
        return {"key": key, "label": _say(label or BY_KEY[key].label), "value": Typed(value, kind), "detail": detail}

    if shown is None:
        rows = [row("exchanges", f.exchanges, INT)] + [row(key, values[key], HOURS) for key in HOUR_KEYS]
    else:
        # Hours already rounded as shown: a plain number, printed as it is ('823.50').
        rows = [row("exchanges", f.exchanges, INT)] + [row(key, shown.total[key], NUMBER) for key in HOUR_KEYS]
    for key in ("members_registered", "members_trading", "members_giving", "members_receiving", "members_both"):
        rows.append(row(key, values[key], INT, _of_kinds(values[f"{key}_people"], values[f"{key}_organisations"])))
    rows += [row(key, values[key], INT) for key in ("members_new", "members_left", "members_welsh")]
    welsh_hours = values["hours_in_welsh"] if shown is None else shown.total["hours_in_welsh"]
    rows += [row("hours_in_welsh", welsh_hours, HOURS if shown is None else NUMBER),
             row("exchanges_in_welsh", values["exchanges_in_welsh"], INT)]
    rows.append(row("days_to_first_exchange_median", values["days_to_first_exchange_median"], DAYS,
                    label=N_("Median days to a first exchange")))
    for months in RETENTION_MONTHS:
        cohort = values[f"cohort_{months}m"]
        rows.append(row(f"retained_{months}m", values[f"retained_{months}m"], INT,
                        plural("of {count} member", "of {count} members", cohort), label=RETENTION_LABELS[months]))
    rows += [row("requests_opened", f.requests_opened, INT), row("requests_met", f.requests_met, INT),
             row("median_days_to_meet", f.median_days_to_meet, DAYS,
                 label=N_("Median days to meet a request"))]
    if report.hour_value is not None:
        social_value = f.social_value_gbp if shown is None else shown.total["social_value_gbp"]
        rows.append(row("social_value_gbp", social_value, MONEY,
                        _say(N_("at £{value} an hour"), value=money_text(report.hour_value)),
                        label=N_("Social value")))
    return rows


# "Of the members whose first exchange was N months or more before the end, those who traded
# in its last three months" (`FIGURES`), as a heading says it.
RETENTION_LABELS = {3: N_("Still trading after 3 months"), 6: N_("Still trading after 6 months"),
                    12: N_("Still trading after 12 months")}


def headline_sheet(report: PeriodReport, *, title: bool = True, shown: Shown | None = None) -> Sheet:
    return Sheet([col("label", "", SAY, whole=True), col("value", "", ANY, justify="right", none=N_("none")),
                  col("detail", "", SAY)],
                 headline_rows(report, shown), title=_say(N_("Headline figures")) if title else None)


# The figures as the funder's files show them --------------------------------------------------

PENNY = Decimal("0.01")
# The headline's hours at its top; the hours given in Welsh are shown beside the Welsh members.
HOUR_KEYS = tuple(f.key for f in FIGURES if f.unit == MINUTES and f.key != "hours_in_welsh")

# The one rule by which the workbook and the one-page report round, as About states it.
ROUNDING_RULE = N_("Every figure is stored as it is shown (hours to two decimals, pounds to the penny), and every "
                   "total is the sum of the figures it adds up as shown: the whole period's hours are the sum of "
                   "the periods' hours, a category's hours the sum of its periods'. Hours with organisations are "
                   "the hours exchanged less the hours between people, as shown. Social value is the whole "
                   "period's hours times the value of an hour, rounded to the penny, shared among the periods by "
                   "their hours so that they add up to it (a period's share may be a penny off its own hours "
                   "times the value).")


def hours_shown(minutes: int) -> Decimal:
    """Minutes as the hours a file shows: two decimals, half up (`format_hours`)."""
    return Decimal(format_hours(minutes))


@dataclass(frozen=True)
class Shown:
    """The figures of a `PeriodReport` as the workbook and the one-page report show them
    (`ROUNDING_RULE`): every amount rounded as shown, and every total the sum of the parts
    as shown, so that a reader who adds up what is printed gets the total printed."""

    periods: list[dict[str, Any]]            # each period's figures (`PeriodFigures.values`), hours as Decimal
    total: dict[str, Any]                    # the whole span: additive figures as the sums of `periods`
    categories: list[dict[str, Decimal]]     # per period: hours per category code
    category_whole: dict[str, Decimal]       # per category: the sum of its periods'
    goals: list[dict[str, Decimal]]          # per period: hours per well-being goal
    goal_whole: dict[str, Decimal]           # per goal: the sum of its periods' (goals are never added up)

    def category_total(self, index: int | None = None) -> Decimal:
        """A period's hours in every category (the whole span's when `index` is None)."""
        cells = self.category_whole if index is None else self.categories[index]
        return sum(cells.values(), Decimal(0))


def as_shown(report: PeriodReport) -> Shown:
    periods: list[dict[str, Any]] = []
    for figures in report.periods:
        values = dict(figures.values())
        hours, people = hours_shown(values["hours"]), hours_shown(values["hours_person_to_person"])
        partners = hours_shown(values["hours_with_partners"])
        values |= {"hours": hours, "hours_person_to_person": people, "hours_with_partners": partners,
                   "hours_with_organisations": hours - people - partners,
                   "hours_in_welsh": hours_shown(values["hours_in_welsh"])}
        periods.append(values)
    total = dict(report.total.values())
    for figure in FIGURES:
        if figure.additive and figure.unit != POUNDS:
            total[figure.key] = sum((p[figure.key] for p in periods), Decimal(0) if figure.unit == MINUTES else 0)
    if report.hour_value is None:
        total["social_value_gbp"] = None
        for values in periods:
            values["social_value_gbp"] = None
    else:
        total["social_value_gbp"] = (total["hours"] * report.hour_value).quantize(PENNY, rounding=ROUND_HALF_UP)
        shares = pennies([values["hours"] * report.hour_value for values in periods], total["social_value_gbp"])
        for values, share in zip(periods, shares):
            values["social_value_gbp"] = share
    codes = list(report.categories)
    categories = [{code: hours_shown(f.category_minutes.get(code, 0)) for code in codes} for f in report.periods]
    whole = {code: sum((cells[code] for cells in categories), Decimal(0)) for code in codes}
    goals = [{goal: hours_shown(f.goal_minutes.get(goal, 0)) for goal in GOALS} for f in report.periods]
    goal_whole = {goal: sum((cells[goal] for cells in goals), Decimal(0)) for goal in GOALS}
    return Shown(periods, total, categories, whole, goals, goal_whole)


def pennies(exact: list[Decimal], total: Decimal) -> list[Decimal]:
    """`exact` amounts rounded to the penny so that they add up to `total` (itself their sum
    rounded): each rounded down, then the pennies left over go to those that lost the most
    (the earlier first on a tie). Each stays within a penny of its exact amount."""
    shares = [amount.quantize(PENNY, rounding=ROUND_FLOOR) for amount in exact]
    left = int((total - sum(shares, Decimal(0))) / PENNY)
    for index in sorted(range(len(exact)), key=lambda i: (shares[i] - exact[i], i))[:max(left, 0)]:
        shares[index] += PENNY
    return shares


# The one-page report -----------------------------------------------------------------------

TOP_CATEGORIES = 8


def _chart_points(report: PeriodReport, shown: Shown) -> tuple[Say, list[tuple[Say, int]], list[Decimal]]:
    """Hours per month; a span of more than two years in quarters, of more than six in years,
    so that the bars stay wide enough to read; never finer than the report's periods. Each
    bar shows the sum of the hours of its periods as shown, so the bars add up to the total
    printed (and its minutes, for faces that draw minutes)."""
    months = len(report.months)
    by = max(report.by, "month" if months <= 24 else "quarter" if months <= 72 else "year", key=GRAINS.index)
    bars: dict[str, tuple[Say, int, Decimal]] = {}
    for figures, values in zip(report.periods, shown.periods):
        assert figures.period is not None
        period = period_of(figures.period.first, by, report.year_start)
        label, minutes, hours = bars.get(period.label, (
            _month_label(period.first) if by == "month" else _period_label(period.label), 0, Decimal(0)))
        bars[period.label] = (label, minutes + figures.minutes, hours + values["hours"])
    title = {"month": N_("Hours exchanged each month"), "quarter": N_("Hours exchanged each quarter"),
             "year": N_("Hours exchanged each year")}[by]
    return (_say(title), [(label, minutes) for label, minutes, _h in bars.values()],
            [hours for _l, _m, hours in bars.values()])


GRAINS = ("month", "quarter", "year")


def _month_label(month: date) -> Say:
    return lambda w: f"{w.month_short(month)} {month.year % 100:02d}"


def _period_label(label: str) -> Say:
    return lambda w: period_words(label, w)


def top_categories(report: PeriodReport, top: int = TOP_CATEGORIES, cut: int | None = None,
                   hours: Shown | None = None) -> Sheet:
    """The categories with the most hours over the span, the rest in one line; with `cut`,
    names longer than that many letters are cut short. With `hours`, each category's hours
    are the sum of its periods' as shown (as the workbook has them)."""
    shown, rest = report.total.top_categories(top)
    ranked = {line.code for line in shown}

    def share(line: CategoryShare) -> Say:
        return lambda w: f"{line.share:.0f}%"

    def name(code: str) -> Any:
        category = report.categories[code]
        if cut is None:
            return category
        return lambda w: _cut(category.name(w.lang), cut)

    def hours_of(line: CategoryShare) -> Any:
        if hours is None:
            return line.minutes
        if line.code is not None:
            return Typed(hours.category_whole[line.code], NUMBER)
        return Typed(sum((h for code, h in hours.category_whole.items() if code not in ranked
                          and report.total.category_minutes.get(code)), Decimal(0)), NUMBER)

    rows: list[dict[str, Any]] = [{"name": name(line.code), "hours": hours_of(line), "share": share(line)}
                                  for line in shown if line.code is not None]
    if rest is not None:
        rows.append({"name": plural("{count} other category", "{count} other categories", rest.others),
                     "hours": hours_of(rest), "share": share(rest)})
    # A category's name, or words made for the reader ('4 other categories'): either wraps.
    return Sheet([col("name", N_("Category"), CATEGORY), col("hours", N_("Hours"), HOURS),
                  col("share", N_("Share"), SAY, justify="right")], rows,
                 title=_say(N_("Top categories")), empty=_say(N_("No exchanges in this period.")))


# How much a page gives up to fit: 0 everything; 1 no words beside the figures, five
# categories, a smaller name; 2 three categories, their names cut short, a lower chart.
PAGE_LEVELS = 3


def period_page(report: PeriodReport, seal: str | None = None, *, level: int = 0, outcomes: Any = None,
                outcomes_sealed: bool = False) -> Report:
    """The one-page summary for a funder (A4 landscape): the time bank's name, the period,
    the headline figures, hours per month and the top categories. A higher `level` gives
    up a little (see `PAGE_LEVELS`) for a page that would otherwise run onto a second.

    `seal`: the tamper-evident seal of the last link of the ledger's chain in the period
    (`timebank check --seal`): printed when given, i.e. when the ledger has a history.
    `outcomes`: the outcome measures' figures of the span, a line each (none when the time bank
    has no measure); `outcomes_sealed`: a page made at a seal, which says why it has none."""
    total = report.total
    heading: list[Any] = []
    if report.bank_name:
        heading.append(Line(_plain(report.bank_name), style="title" if level == 0 else "heading"))
    heading.append(Line(_say(N_("Figures for {span}"), span=_span(report.start, report.end)),
                        style="heading" if level == 0 else "subheading"))
    if report.centre is not None:
        heading.append(Line(centre_words(report.centre), style="subheading"))
        heading.append(Line(_say(CENTRE_RULE), style="small"))
    made = _say(N_("Made on {date}."), date=report.made)
    if total.partial:
        made = _joined(made, _say(N_("Partial: the period ends after today or starts before the first exchange.")))
    heading.append(Line(made, style="small"))
    if report.hour_value is not None:
        heading.append(Line(_social_value_words(report), style="small"))
    if seal:
        heading.append(Line(_say(N_("Seal of the history these figures were made from: {seal}"), seal=seal),
                            style="small"))
        heading.append(Line(_reproduce(report, seal), style="small"))
    shown = as_shown(report)
    title, points, hours = _chart_points(report, shown)
    figures = headline_sheet(report, shown=shown)
    if level:
        figures.columns = [c for c in figures.columns if c.key != "detail"]
    categories = top_categories(report, (TOP_CATEGORIES, 5, 3)[level], cut=40 if level >= 2 else None, hours=shown)
    chart = Chart(title, points, height=40 if level >= 2 else None, shown=hours)
    # The outcomes go below the categories, where the right column has room the figures' column has not.
    outcome_part = outcome_lines(outcomes, outcomes_sealed, cut=40 if level >= 2 else None, short=level >= 1)
    if level:
        # A compact page says the Welsh exchanges' count in no row of its own (the hours stay).
        figures.rows = [row for row in figures.rows if row["key"] != "exchanges_in_welsh"]
    # The goals' line in the right column too: in Welsh the figures' column is the longer one.
    return Report(heading + [Columns([[figures], [chart, categories, *outcome_part, goals_line(shown)]],
                                     [0.54, 0.46])])


# Why figures are withheld, as short as the one-page report needs it (`WITHHELD_WORDS` in full).
PAGE_WITHHELD = {"fewer_pairs_than_minimum": N_("fewer than {count}"), "one_pair": N_("one pair has no spread")}


def outcome_lines(outcomes: Any, sealed: bool, cut: int | None = None, short: bool = False) -> list[Line]:
    """The one-page report's outcomes: a line a measure, its pairs, mean change with its 95%
    confidence interval and meaningful improvements, or why they are withheld, and the same
    of the assisted answers; with `cut`, measures' names longer than that are cut short. A
    `short` page leaves out assisted answers with no pairs, and names the measures with no
    pairs at all in one line."""
    if sealed:
        return [Line(_say(N_("Outcome figures are left out: scores are not part of the sealed history.")),
                     style="small")]
    if outcomes is None or not outcomes.measures:
        return []

    def figures_words(figures: Any, w: Words) -> str:
        if figures.withheld == "no_pairs":
            return w._("no pairs")
        pairs = w.ngettext("{count} pair", "{count} pairs", figures.pairs).format(count=figures.pairs)
        if figures.withheld is not None:
            return w._("{pairs}, withheld ({reason})").format(
                pairs=pairs, reason=w._(PAGE_WITHHELD[figures.withheld]).format(count=outcomes.min_pairs))
        return w._("{pairs}, mean change {mean} (95% CI {low} to {high}), {improved} improved meaningfully").format(
            pairs=pairs, mean=f"{figures.mean_change:.2f}", low=f"{figures.ci95_low:.2f}",
            high=f"{figures.ci95_high:.2f}", improved=figures.improved_meaningfully)

    def name(m: Any) -> str:
        return m.measure if cut is None else _cut(m.measure, cut)

    def line(m: Any) -> Line:
        if short and m.assisted.withheld == "no_pairs":
            return Line(lambda w: w._("{measure}: {all}.").format(measure=name(m), all=figures_words(m.all, w)),
                        style="small")
        return Line(lambda w: w._("{measure}: {all}; assisted: {assisted}.").format(
            measure=name(m), all=figures_words(m.all, w), assisted=figures_words(m.assisted, w)), style="small")

    unscored = [m for m in outcomes.measures if short and m.all.withheld == "no_pairs"]
    lines = [line(m) for m in outcomes.measures if m not in unscored]
    if unscored:
        lines.append(Line(lambda w: w._("No pairs in these dates: {measures}.").format(
            measures=", ".join(name(m) for m in unscored)), style="small"))

    heading = Line(_say(N_("Outcomes (the change between a member's first and later score in these dates, a pair "
                           "each; 95% confidence interval):")), style="small", bold=True)
    return [heading, *lines]


def goals_line(shown: Shown) -> Line:
    """The whole span's hours per well-being goal in one line of the one-page report, by the
    goals' codes in the reader's language, saying that they are not added up (`HOURS_BY_GOAL`)."""
    def say(w: Words) -> str:
        hours = ", ".join(f"{goal_code_in(goal, w.lang)} {shown.goal_whole[goal]}" for goal in GOALS)
        return w._("Hours by well-being goal (an hour may serve several goals, so they are not added up): "
                   "{hours}.").format(hours=hours)
    return Line(say, style="small")


def reproduce_command(report: PeriodReport, seal: str, kind: str = "report", min_count: int | None = None) -> str:
    """The command that computes the figures again from the history as it stood at `seal`
    (`--seal`), whatever is recorded since: `report period`, or (`kind` "workbook") the
    workbook itself."""
    # The span as asked and the day the figures were made: a span that reached past that day
    # is cut there again, and its periods are partial as they were.
    span = f'--from {report.start.isoformat()} --to {report.asked_end.isoformat()} --by {report.by}'
    at = f'--seal "{seal}" --made {report.made.isoformat()}'
    if report.centre is not None:
        span += f" --centre {report.centre.code}"
    if kind == "workbook":
        return f'timebank export workbook {span} --min-count {min_count} {at} --output {REPRODUCED_FILE}'
    return f'timebank report period {span} {at}'


REPRODUCED_FILE = "figures.xlsx"


def _reproduce(report: PeriodReport, seal: str) -> Say:
    return _say(N_("To reproduce these figures: {command}"), command=reproduce_command(report, seal))


def _social_value_words(report: PeriodReport) -> Say:
    """'Social value: the hours times £12.50 an hour (Real Living Wage 2026-27).'"""
    value = money_text(report.hour_value)
    if report.hour_value_source:
        return _say(N_("Social value: the hours exchanged times £{value} an hour ({source})."), value=value,
                    source=report.hour_value_source)
    return _say(N_("Social value: the hours exchanged times £{value} an hour."), value=value)


def _cut(text: str, letters: int) -> str:
    return text if len(text) <= letters else text[:letters - 1].rstrip() + "…"


def _plain(text: str) -> Say:
    return lambda w: text


def _joined(*says: Any) -> Say:
    return lambda w: " ".join(say(w) for say in says)


# The workbook -----------------------------------------------------------------------------------

SHEET_NAMES = {"about": N_("About"), "summary": N_("Summary"), "categories": N_("Categories"), "areas": N_("Areas"),
               "goals": N_("Well-being goals"), "outcomes": N_("Outcomes")}
BY_WORDS = {"month": N_("months"), "quarter": N_("quarters"), "year": N_("years")}


def workbook(report: PeriodReport, areas: Any, lang: str, seal: str | None = None, outcomes: Any = None) -> Book:
    """The funder's workbook: About (what it is and what every figure means), Summary (a row
    a period, typed, with SUM totals below a blank row, and a chart of hours), Categories,
    Well-being goals, Areas and Outcomes. Never a member's name or contact details: nothing
    here carries one.

    `seal`: as for `period_page`, shown on About when given. `outcomes`: the outcome figures
    of the span (`reports.outcomes.OutcomesReport`), None for a workbook made at a seal."""
    shown = as_shown(report)
    return Book([Page(_say(SHEET_NAMES["about"]), about(report, areas, seal, shown)),
                 Page(_say(SHEET_NAMES["summary"]), summary_page(report, shown), freeze=True),
                 Page(_say(SHEET_NAMES["categories"]), categories_page(report, lang, shown), freeze=True),
                 Page(_say(SHEET_NAMES["goals"]), goals_page(report, shown), freeze=True),
                 Page(_say(SHEET_NAMES["areas"]), areas_page(areas), freeze=True),
                 Page(_say(SHEET_NAMES["outcomes"]), outcomes_page(outcomes), freeze=True)],
                title=_say(N_("Figures for {span}"), span=_span(report.start, report.end)), author=report.bank_name)


def about(report: PeriodReport, areas: Any, seal: str | None, shown: Shown) -> Report:
    details: list[tuple[str, Any]] = [
        (N_("Time bank"), Typed(report.bank_name or None, TEXT)),
        (N_("From"), Typed(report.start, DATE)), (N_("To"), Typed(report.end, DATE)),
        (N_("Periods"), Typed(_say(BY_WORDS[report.by]), SAY)),
        (N_("The year starts in"), Typed(lambda w: w.month(date(2000, report.year_start, 1)).split()[0], SAY)),
        (N_("Made on"), Typed(report.made, DATE)),
        (N_("Value of an hour (£)"), Typed(report.hour_value, MONEY)),
        (N_("Where the value of an hour comes from"), Typed(report.hour_value_source or None, TEXT)),
        (N_("Areas: counts blanked below"), Typed(areas.min_count, INT))]
    if report.centre is not None:
        details.insert(1, (N_("The centre of these figures"), Typed(f"{report.centre.name} ({report.centre.code})",
                                                                     TEXT)))
    if seal:
        details.append((N_("Seal of the history these figures were made from"), Typed(seal, CODE)))
        details.append((N_("To reproduce this workbook"), Typed(
            reproduce_command(report, seal, "workbook", areas.min_count), CODE)))
    values = shown.total
    definitions = Sheet(
        [col("label", N_("Figure"), SAY), col("meaning", N_("Meaning"), SAY),
         col("value", N_("The whole period"), ANY), col("key", N_("Column in files"), SAY)],
        [{"label": _say(f.label), "value": Typed(values[f.key], kind_of(f)), "meaning": _say(f.meaning),
          "key": _key(f.key)} for f in (PARTIAL,) + FIGURES]
        + [{"label": _say(HOURS_BY_GOAL.label), "value": Typed(None, TEXT), "meaning": _say(HOURS_BY_GOAL.meaning),
            "key": lambda w: w._("hours_goal_{code}").format(code="…")}]
        + ([{"label": _say(N_("The centre of these figures")), "value": Typed(report.centre.code, CODE),
             "meaning": _say(CENTRE_RULE),
             "key": _key("centre")}] if report.centre is not None else []),
        title=_say(N_("What each figure means")), key="definitions")
    return Report([
        Line(_plain(report.bank_name) if report.bank_name else _say(N_("Time bank")), style="title"),
        Line(_say(N_("Figures for {span}"), span=_span(report.start, report.end)), style="heading"),
        *([Line(centre_words(report.centre), style="heading")] if report.centre is not None else []),
        Sheet([col("label", "", SAY), col("value", "", ANY)],
              [{"label": _say(label), "value": value} for label, value in details], key="details"),
        Line(_say(N_("Hours are hours of help given: one hour earns one time credit, whatever the help. This "
                      "workbook holds no member's name or contact details."))),
        Line(_say(ROUNDING_RULE)),
        definitions])


def summary_page(report: PeriodReport, shown: Shown) -> Report:
    columns = [col("period", N_("Period"), PERIOD), col("from", N_("From"), DATE), col("to", N_("To"), DATE),
               col("partial", PARTIAL.label, BOOL)]
    columns += [col(f.key, f.label, kind_of(f)) for f in FIGURES if f.unit != POUNDS or report.hour_value is not None]
    rows = [{"period": f.label, "from": f.first, "to": f.last, **values} for f, values in zip(report.periods,
                                                                                               shown.periods)]
    sums = frozenset(f.key for f in FIGURES if f.additive)
    footer: dict[str, Any] = {"period": _say(N_("Total")), **{key: shown.total[key] for key in sums}}
    sheet = Sheet(columns, rows, footer=footer, sums=sums, key="summary")
    chart = Chart(_say(N_("Hours exchanged")), [(_period_label(f.label), f.minutes) for f in report.periods],
                  source=("summary", "hours"), shown=[values["hours"] for values in shown.periods])
    return Report([sheet, chart])


def categories_page(report: PeriodReport, lang: str, shown: Shown) -> Report:
    """Hours per category (a row each, in the reader's alphabetical order) per period (a
    column each), then the whole span."""
    from timebank.i18n import sort_key

    keys = [f"p{index}" for index in range(len(report.periods))]
    columns = [col("category", N_("Category"), CATEGORY), col("code", N_("Code"), CODE)]
    columns += [col(key, _period_label(f.label), HOURS) for key, f in zip(keys, report.periods)]
    columns.append(col("whole", N_("The whole period"), HOURS))
    rows = []
    for code, category in report.categories.items():
        row: dict[str, Any] = {"category": category, "code": lambda w, c=category: c.code_in(w.lang),
                               "whole": shown.category_whole[code]}
        for key, cells in zip(keys, shown.categories):
            row[key] = cells[code]
        rows.append(row)
    rows.sort(key=lambda r: sort_key(r["category"].name(lang), lang))
    sums = frozenset(keys + ["whole"])
    footer: dict[str, Any] = {"category": _say(N_("Total")), "whole": shown.category_total()}
    footer |= {key: shown.category_total(index) for index, key in enumerate(keys)}
    return Report([Sheet(columns, rows, footer=footer, sums=sums, key="categories", title=None)],
                  json_order=None)


def goals_page(report: PeriodReport, shown: Shown) -> Report:
    """Hours per well-being goal (a row each, in the Act's order) per period (a column each),
    then the whole span, and a chart of the whole span's: no total, as an hour serves several
    goals (`HOURS_BY_GOAL`)."""
    keys = [f"p{index}" for index in range(len(report.periods))]
    columns = [col("goal", N_("Well-being goal"), SAY), col("code", N_("Code"), SAY)]
    columns += [col(key, _period_label(f.label), HOURS) for key, f in zip(keys, report.periods)]
    columns.append(col("whole", N_("The whole period"), HOURS))
    rows: list[dict[str, Any]] = []
    for goal in GOALS:
        row: dict[str, Any] = {"goal": goal_name(goal), "code": lambda w, g=goal: goal_code_in(g, w.lang),
                               "whole": shown.goal_whole[goal]}
        row |= {key: cells[goal] for key, cells in zip(keys, shown.goals)}
        rows.append(row)
    chart = Chart(_say(HOURS_BY_GOAL.label), [(goal_name(goal), report.total.goal_minutes.get(goal, 0))
                                              for goal in GOALS],
                  source=("goals", "whole"), shown=[shown.goal_whole[goal] for goal in GOALS])
    return Report([Sheet(columns, rows, key="goals", title=None), Line(_say(HOURS_BY_GOAL.meaning)), chart],
                  json_order=None)


# What the outcome figures are, below them on their sheet.
OUTCOME_DEFINITIONS = (
    N_("A pair is a member with a first and a later score on the measure in these dates, on different days; their "
       "change is the later score less the first."),
    N_("Mean change: the mean of the pairs' changes. 95% CI: the 95% confidence interval of the mean change, the mean "
       "± t × s / √n, where n is the number of pairs, s the sample standard deviation of their changes and t "
       "Student's t for 95% with n − 1 degrees of freedom."),
    N_("Improved meaningfully: the pairs whose change is at least the measure's meaningful change, set when the "
       "measure was added."),
    N_("Assisted: the pairs in which the member was helped to answer, the first time or the later; they are among "
       "all the pairs too."),
)


def outcomes_page(outcomes: Any) -> Report:
    """Each outcome measure's figures (`reports.outcomes`): a row for all the pairs and a row
    for the assisted ones, the reason in words where figures are withheld, then what they
    mean. None (a workbook made at a seal): a line saying why there are none."""
    if outcomes is None:
        return Report([Line(_say(N_(
            "Outcome scores are not part of the sealed history (they are health data, deleted when a member is "
            "erased), so a workbook made at a seal leaves them out: 'timebank report outcomes' gives them as they "
            "are now.")))], json_order=None)
    if not outcomes.measures:
        # A workbook writes no empty list's words: the sheet says so itself.
        return Report([Line(_say(N_("No outcome measures yet.")))], json_order=None)
    rows: list[dict[str, Any]] = []
    for m in outcomes.measures:
        for answers, figures in ((N_("all"), m.all), (N_("assisted"), m.assisted)):
            rows.append({"measure": m.measure, "meaningful": m.meaningful_change, "answers": _say(answers),
                         "pairs": figures.pairs, "mean_change": figures.mean_change, "ci95_low": figures.ci95_low,
                         "ci95_high": figures.ci95_high, "improved_meaningfully": figures.improved_meaningfully,
                         "withheld": _withheld_words(figures.withheld, outcomes.min_pairs)})
    sheet = Sheet([col("measure", N_("Measure"), TEXT, wrap=True),
                   col("meaningful", N_("Meaningful change"), NUMBER), col("answers", N_("Answers"), SAY),
                   col("pairs", N_("Pairs"), INT), col("mean_change", N_("Mean change"), NUMBER),
                   col("ci95_low", N_("95% CI from"), NUMBER), col("ci95_high", N_("95% CI to"), NUMBER),
                   col("improved_meaningfully", N_("Improved meaningfully"), INT),
                   col("withheld", N_("Withheld because"), SAY, wrap=True)], rows,
                  key="outcomes", title=None, empty=_say(N_("No outcome measures yet.")))
    notes = [Line(_say(text)) for text in OUTCOME_DEFINITIONS]
    notes.append(Line(_say(N_(
        "A measure's figures are withheld when it has fewer pairs than the setting outcome_min_pairs, now {count}: "
        "a change in so few people says little, and could be traced back to them."), count=outcomes.min_pairs)))
    notes.append(Line(_say(N_("The scores are those recorded when the workbook was made: they are health data, "
                              "deleted when a member is erased, so they are not part of the sealed history and a "
                              "workbook made again at its seal leaves them out."))))
    return Report([sheet, *notes], json_order=None)


def _withheld_words(code: str | None, min_pairs: int) -> Say | None:
    """Why figures are withheld (`reports.outcomes.WITHHELD`), in words, as `report outcomes` says it."""
    if code is None:
        return None
    return lambda w: w._(WITHHELD_WORDS[code]).format(count=min_pairs)


def areas_page(areas: Any) -> Report:
    sheet = area_sheet(areas)
    total = areas.total
    sheet.footer = {"area": _say(N_("All areas and the pot")), "members": total.members,
                    "members_active": total.members_active, "hours_given": total.minutes_given,
                    "hours_received": total.minutes_received}
    return Report([sheet, Line(plural(
        "A count under {count} is left blank, and with it the area's hours; where one blank could be worked out "
        "from the total, a second cell is blanked too. The totals are counted before blanking.",
        "Counts under {count} are left blank, and with them the area's hours; where one blank could be worked out "
        "from the total, a second cell is blanked too. The totals are counted before blanking.", areas.min_count))])


__all__ = ["period", "period_page", "workbook", "json_row", "headline_rows", "headline_sheet", "headline_csv",
           "top_categories", "kind_of", "PAGE_LEVELS", "RETENTION_LABELS", "Shown", "as_shown", "pennies",
           "ROUNDING_RULE", "reproduce_command", "restatement"]


# What changed since the figures printed with a seal (`report period --changes-since`) --------

def _change_kind(key: str) -> str:
    """How a changed figure is shown: a category's hours as hours, the rest as its figure is."""
    figure = BY_KEY.get(key) or (PARTIAL if key == "partial" else None)
    return kind_of(figure) if figure is not None else HOURS


def _change_label(key: str, categories: dict[str, Any]) -> Say:
    figure = BY_KEY.get(key) or (PARTIAL if key == "partial" else None)
    if figure is not None:
        return _say(figure.label)
    goal = key.removeprefix("hours_goal_")
    if goal in GOALS and key not in (f"hours_{code}" for code in categories):
        return lambda w: w._("Hours: {category}").format(category=goal_name(goal)(w))
    code = key.removeprefix("hours_")
    category = categories.get(code)
    return lambda w: w._("Hours: {category}").format(category=category.name(w.lang) if category else code)


def _change_json(key: str, value: Any) -> Any:
    kind = _change_kind(key)
    if value is None:
        return None
    if kind == HOURS:
        return format_hours(value)
    if kind == MONEY:
        return money_text(value)
    if kind == DAYS:
        return int(value) if float(value).is_integer() else value
    return value


def restatement(changes: Any) -> Report:
    """`report period --changes-since SEAL`: for each period (and the total) with a changed
    figure, the figure as it was and as it is, and the records written since that changed it:
    exchanges recorded (back-dated into the period), exchanges voided, members whose joining,
    leaving, erasure or language changed, settings the figures read."""
    report = changes.report
    categories = report.categories
    since, seal = changes.since.text, changes.seal.text if changes.seal is not None else None
    parts: list[Any] = [
        Line(_say(N_("Changes since the figures sealed {since}, for {start} to {end}"), since=since,
                  start=report.start, end=report.end), bold=True),
        *centre_parts(report, rule=False),
        Field("since", since, CODE), Field("seal", seal, CODE,
                                           _say(N_("Seal of the history these figures were made from: {seal}"),
                                                seal=seal) if seal else None),
        Field("from", report.start, DATE), Field("to", report.end, DATE), Field("by", report.by, CODE),
        Field("periods", lambda w: [{
            "period": p.label, "from": p.first.isoformat(), "to": p.last.isoformat(),
            "changes": [{"figure": c.key, "was": _change_json(c.key, c.was), "now": _change_json(c.key, c.now)}
                        for c in p.figures],
            "exchanges": p.exchanges, "voided": p.voided, "members": p.members, "settings": p.settings,
            **({"moved": p.moved} if report.centre is not None else {})}
            for p in changes.periods], ANY)]
    if not changes.periods:
        parts.append(Line(_say(N_("No figure has changed since the figures sealed {seal}."), seal=since)))
    for p in changes.periods:
        parts.append(Line(_restated_name(p), bold=True))
        parts.append(Sheet([col("figure", N_("Figure"), SAY),
                            col("was", N_("Was"), ANY, justify="right", none=N_("none")),
                            col("now", N_("Now"), ANY, justify="right", none=N_("none"))],
                           [{"figure": _change_label(c.key, categories), "was": Typed(c.was, _change_kind(c.key)),
                             "now": Typed(c.now, _change_kind(c.key))} for c in p.figures]))
        for numbers, message in ((p.exchanges, N_("Exchanges recorded since: {numbers}")),
                                 (p.voided, N_("Exchanges voided since: {numbers}")),
                                 (p.members, N_("Members whose membership changed since: {numbers}")),
                                 (p.moved, N_("Members who moved into or out of this centre since: {numbers}"))):
            if numbers:
                parts.append(Line(_say(message, numbers=", ".join(f"#{n}" for n in numbers))))
        if p.settings:
            parts.append(Line(_settings_changed(p.settings)))
    rows = [{"period": p.label, "from": p.first, "to": p.last, "figure": c.key,
             "was": Typed(c.was, _change_kind(c.key)), "now": Typed(c.now, _change_kind(c.key)),
             "exchanges": p.exchanges, "voided": p.voided, "members": p.members, "settings": " ".join(p.settings),
             "moved": p.moved}
            for p in changes.periods for c in p.figures]
    # The centre's moves are a column only in a centre's restatement: the network's keeps its columns.
    moved = [col("moved", kind=NUMBERS)] if report.centre is not None else []
    sheet = Sheet([col("period", kind=PERIOD), col("from", kind=DATE), col("to", kind=DATE), col("figure", kind=CODE),
                   col("was", kind=ANY), col("now", kind=ANY), col("exchanges", kind=NUMBERS),
                   col("voided", kind=NUMBERS), col("members", kind=NUMBERS), col("settings", kind=CODE), *moved], rows)
    return Report(parts, csv=sheet)


def _settings_changed(keys: list[str]) -> Say:
    """The settings as a reader of the interface's language types them (`gwerth_awr`)."""
    from timebank.ledger.records.settings import key_in

    return lambda w: w._("Settings changed since: {keys}").format(keys=", ".join(key_in(k, w.lang) for k in keys))


def _restated_name(p: Any) -> Say:
    name = _say(N_("The whole period")) if p.period is None else _named(p.period, False)
    return lambda w: name(w) + f" ({w.date(p.first)} – {w.date(p.last)})"
