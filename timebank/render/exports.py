"""The funder files (`export`): exchanges, members, summary and areas as sheets. Member
numbers unless names are asked for; never contact details or notes; ISO dates and plain
decimals; headers in the output language (the English ones are the contract)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterator

from timebank.i18n import N_, Words
from timebank.ledger.hours import format_hours
from timebank.render.sheet import CATEGORY, DATE, HOURS, INT, KIND, LANG, MEMBER, NUMBER, PERIOD, TEXT, Sheet, col

# The export headers, marked so that Welsh files carry Welsh headers.
HEADERS = [N_("exchange"), N_("date"), N_("giver"), N_("receiver"), N_("minutes"), N_("hours"), N_("category"),
           N_("giver_name"), N_("receiver_name"), N_("member"), N_("name"), N_("kind"), N_("area"), N_("lang"),
           N_("joined"), N_("left"), N_("balance_hours"), N_("period"), N_("exchanges"), N_("members_active"),
           N_("members_new"), N_("members_total"), N_("social_value_gbp"), N_("members"), N_("hours_given"),
           N_("hours_received")]


def exchanges(pairs: Iterator[tuple], names: dict[int, Any] | None, categories: dict[str, Any], words: Words) -> Sheet:
    """One row per giver/receiver pair, as file-ready tuples (a million rows stream through)."""
    code = {english: category.code_in(words.lang) for english, category in categories.items()}
    columns = [col("exchange", kind=INT), col("date", kind=DATE), col("giver", kind=INT), col("receiver", kind=INT),
               col("minutes", kind=INT), col("hours", kind=HOURS), col("category", kind=CATEGORY)]
    if names is not None:
        columns += [col("giver_name", kind=TEXT), col("receiver_name", kind=TEXT)]
    hours_text: dict[int, str] = {}
    from timebank.render.sheet import member_words

    shown = {number: member_words(name, words) for number, name in names.items()} if names is not None else {}

    def rows() -> Iterator[tuple]:
        for number, on, who_gave, who_received, minutes, category in pairs:
            hours = hours_text.get(minutes) or hours_text.setdefault(minutes, format_hours(minutes))
            if names is None:
                yield (number, on, who_gave, who_received, minutes, hours, code.get(category, category))
            else:
                yield (number, on, who_gave, who_received, minutes, hours, code.get(category, category),
                       shown.get(who_gave, ""), shown.get(who_received, ""))

    return Sheet(columns, rows())


def members(rows: list, with_names: bool) -> Sheet:
    columns = [col("member", kind=INT, source="number")] + ([col("name", kind=MEMBER)] if with_names else []) + [
        col("kind", kind=KIND), col("area", kind=TEXT), col("lang", kind=LANG), col("joined", kind=DATE),
        col("left", kind=DATE), col("balance_hours", kind=HOURS, source="balance_minutes")]
    return Sheet(columns, [r.__dict__ for r in rows])


def social_value(minutes: int, hour_value: Decimal) -> str:
    # From the hours as the row shows them, so that a funder who multiplies the two cells
    # in a spreadsheet gets the same pennies.
    return str((Decimal(format_hours(minutes)) * hour_value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def summary(lines: list, total: Any, categories: list[Any], hour_value: Decimal | None) -> Sheet:
    columns = [col("period", kind=PERIOD), col("exchanges", kind=INT), col("hours", kind=HOURS),
               col("members_active", kind=INT), col("members_new", kind=INT), col("members_total", kind=INT)]
    codes = [category.code for category in categories]
    columns += [col(f"hours_{category.code}", kind=HOURS, csv=_category_header(category)) for category in categories]
    if hour_value is not None:
        columns.append(col("social_value_gbp", kind=NUMBER))

    def rows() -> Iterator[dict[str, Any]]:
        for line in lines + [total]:
            row: dict[str, Any] = {
                "period": line.label if line is not total else _Total(), "exchanges": line.exchanges,
                "hours": line.minutes_exchanged, "members_active": line.members_active,
                "members_new": line.members_new, "members_total": line.members_total}
            for code in codes:
                row[f"hours_{code}"] = line.category_minutes.get(code, 0)
            if hour_value is not None:
                row["social_value_gbp"] = social_value(line.minutes_exchanged, hour_value)
            yield row

    return Sheet(columns, rows())


class _Total:
    """The label of the total row, said in the file's language."""

    def __call__(self, words: Words) -> str:
        return words._("total")


def _category_header(category: Any):  # type: ignore[no-untyped-def]
    return lambda words: words._("hours_{code}").format(code=category.code_in(words.lang))


def areas(rows: list) -> Sheet:
    columns = [col("area", kind=TEXT), col("members", kind=INT), col("members_active", kind=INT),
               col("hours_given", kind=HOURS, source="minutes_given"),
               col("hours_received", kind=HOURS, source="minutes_received")]
    return Sheet(columns, [r.__dict__ | {"area": r.area or _NoArea()} for r in rows])


class _NoArea:
    def __call__(self, words: Words) -> str:
        return words._("(no area)")
