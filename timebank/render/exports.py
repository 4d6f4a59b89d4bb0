"""The funder files (`export`): exchanges, members, summary and areas as sheets. Member
numbers unless names are asked for; never contact details or notes; ISO dates and plain
decimals; headers in the output language (the English ones are the contract)."""

from __future__ import annotations

from typing import Any, Iterator

from timebank.i18n import N_, Words
from timebank.ledger.basics.hours import format_hours
from timebank.render.sheet import (BOOL, CATEGORY, CODE, DATE, DAYS, HOURS, INT, KIND, LANG, MEMBER, MONEY, PERIOD,
                                   TEXT, Say, Sheet, TupleSheet, col)

# The export headers, marked so that Welsh files carry Welsh headers.
HEADERS = [N_("exchange"), N_("date"), N_("giver"), N_("receiver"), N_("minutes"), N_("hours"), N_("category"),
           N_("giver_name"), N_("receiver_name"), N_("member"), N_("name"), N_("kind"), N_("area"), N_("lang"),
           N_("joined"), N_("left"), N_("balance_hours"), N_("period"), N_("exchanges"), N_("members_active"),
           N_("members_new"), N_("members_total"), N_("social_value_gbp"), N_("members"), N_("hours_given"),
           N_("hours_received"), N_("status")]

# The status of an exchange in `export exchanges --include-void`: these words in English
# files (the codes scripts read), and in the reader's language in Welsh files, as `kind` is.
STATUS_WORDS = {"void": N_("void"), "reversal": N_("reversal")}


def exchanges(pairs: Iterator[tuple], names: dict[int, Any] | None, categories: dict[str, Any],
              words: Words, include_void: bool = False) -> TupleSheet:
    """One row per giver/receiver pair, as file-ready tuples (a million rows stream through).
    With `include_void` (the pairs then end in their status), a last column `status`: empty
    for an exchange that counts, 'void' for a voided one and 'reversal' for its reversal
    (whose minutes are negative), in the reader's language."""
    code = {english: category.code_in(words.lang) for english, category in categories.items()}
    columns = [col("exchange", kind=INT), col("date", kind=DATE), col("giver", kind=INT), col("receiver", kind=INT),
               col("minutes", kind=INT), col("hours", kind=HOURS), col("category", kind=CATEGORY),
               col("welsh", kind=BOOL)]
    if names is not None:
        columns += [col("giver_name", kind=TEXT), col("receiver_name", kind=TEXT)]
    if include_void:
        columns.append(col("status", kind=CODE))
        status = {"": "", **{code: words._(word) for code, word in STATUS_WORDS.items()}}
    hours_text: dict[int, str] = {}
    from timebank.render.sheet import member_words

    shown = {number: member_words(name, words) for number, name in names.items()} if names is not None else {}

    def with_status() -> Iterator[tuple]:
        for number, on, who_gave, who_received, minutes, category, welsh, state in pairs:
            hours = hours_text.get(minutes) or hours_text.setdefault(minutes, format_hours(minutes))
            if names is None:
                yield (number, on, who_gave, who_received, minutes, hours, code.get(category, category),
                       "true" if welsh else "false", status[state])
            else:
                yield (number, on, who_gave, who_received, minutes, hours, code.get(category, category),
                       "true" if welsh else "false", shown.get(who_gave, ""), shown.get(who_received, ""),
                       status[state])

    if include_void:
        return TupleSheet(columns, with_status())

    def rows() -> Iterator[tuple]:
        for number, on, who_gave, who_received, minutes, category, welsh in pairs:
            hours = hours_text.get(minutes) or hours_text.setdefault(minutes, format_hours(minutes))
            if names is None:
                yield (number, on, who_gave, who_received, minutes, hours, code.get(category, category),
                       "true" if welsh else "false")
            else:
                yield (number, on, who_gave, who_received, minutes, hours, code.get(category, category),
                       "true" if welsh else "false", shown.get(who_gave, ""), shown.get(who_received, ""))

    return TupleSheet(columns, rows())


def members(rows: list, with_names: bool) -> Sheet:
    columns = [col("member", kind=INT, source="number")] + ([col("name", kind=MEMBER)] if with_names else []) + [
        col("kind", kind=KIND), col("area", kind=TEXT), col("lang", kind=LANG), col("joined", kind=DATE),
        col("left", kind=DATE), col("balance_hours", kind=HOURS, source="balance_minutes")]
    return Sheet(columns, [r.__dict__ for r in rows])


def kind_of(figure: Any) -> str:
    """The cell kind a figure is shown as: counts as numbers, time as hours, money as pounds."""
    from timebank.ledger.reports.period_figures import COUNT, DAYS as DAYS_UNIT, FLAG, MINUTES, POUNDS

    return {COUNT: INT, MINUTES: HOURS, DAYS_UNIT: DAYS, POUNDS: MONEY, FLAG: BOOL}[figure.unit]


def summary(report: Any) -> Sheet:
    """A row a period (no total row: a funder's =SUM(C:C) would count it twice, and members
    trading over a year are not the sum of its months; the whole span's figures are in
    `report period`, the workbook and the one-page report). The columns scripts have always
    read come first, in their old order; the new figures follow."""
    from timebank.ledger.records.categories import GOALS
    from timebank.ledger.reports.period_figures import FIGURES, POUNDS

    categories = list(report.categories.values())
    columns = [col("period", kind=PERIOD), col("exchanges", kind=INT), col("hours", kind=HOURS),
               col("members_active", kind=INT, source="members_trading"), col("members_new", kind=INT),
               col("members_total", kind=INT, source="members_registered")]
    # Read from keys of their own, so that a category coded like a figure ('person_to_person')
    # can never take that figure's place.
    columns += [col(f"hours_{category.code}", kind=HOURS, csv=_category_header(category),
                    source=f"category {category.code}") for category in categories]
    # Each well-being goal's hours (`HOURS_BY_GOAL`): all seven, whether or not a category serves it.
    columns += [col(f"hours_goal_{goal}", kind=HOURS, csv=_goal_header(goal), source=f"goal {goal}")
                for goal in GOALS]
    if report.hour_value is not None:
        columns.append(col("social_value_gbp", kind=MONEY))
    columns += [col("from", kind=DATE), col("to", kind=DATE), col("partial", kind=BOOL)]
    already = {"exchanges", "hours", "members_new", "social_value_gbp"}
    columns += [col(f.key, kind=kind_of(f)) for f in FIGURES if f.key not in already and f.unit != POUNDS]
    if report.hour_value is not None:
        columns += [col("hour_value", kind=MONEY), col("hour_value_source", kind=TEXT)]
    # A centre's file says whose figures it holds on every row, as its other forms do above them.
    centre = report.centre.code if report.centre is not None else None
    if centre is not None:
        columns.append(col("centre", kind=CODE))

    def rows() -> Iterator[dict[str, Any]]:
        for line in report.periods:
            row: dict[str, Any] = {"period": line.label, "from": line.first, "to": line.last, **line.values(),
                                   "hour_value": report.hour_value,
                                   "hour_value_source": report.hour_value_source or None, "centre": centre}
            for category in categories:
                row[f"category {category.code}"] = line.category_minutes.get(category.code, 0)
            for goal in GOALS:
                row[f"goal {goal}"] = line.goal_minutes.get(goal, 0)
            yield row

    return Sheet(columns, rows())


def _goal_header(goal: str) -> Say:
    from timebank.ledger.records.categories import goal_code_in

    return lambda words: words._("hours_goal_{code}").format(code=goal_code_in(goal, words.lang))


def _category_header(category: Any) -> Say:
    return lambda words: words._("hours_{code}").format(code=category.code_in(words.lang))


def areas(figures: Any) -> Sheet:
    """A row an area, then the pot's own row (it belongs to no area), so that the rows add
    up to the summary; blank cells are counts too small to show (`ledger.figures.areas`)."""
    columns = [col("area", N_("Area"), TEXT), col("members", N_("Members"), INT),
               col("members_active", N_("Members trading"), INT),
               col("hours_given", N_("Hours given"), HOURS, source="minutes_given"),
               col("hours_received", N_("Hours received"), HOURS, source="minutes_received")]
    return Sheet(columns, [r.__dict__ | {"area": _area_name(r)} for r in figures.rows], key="areas")


def _area_name(row: Any) -> Any:
    if row.pot:
        return _Pot()
    return row.area or _NoArea()


class _Pot:
    def __call__(self, words: Words) -> str:
        return words._("(time bank pot)")
class _NoArea:
    def __call__(self, words: Words) -> str:
        return words._("(no area)")
