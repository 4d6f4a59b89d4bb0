"""The one intermediate every face draws from: titled rows of typed cells with column keys.

A view (`views`) turns a core result into a `Sheet` (a list) or a `Report` (a document of
lines, sheets and a chart); `table`, `csvfile`, `jsonfile` (and later PDF and xlsx) draw
it. Cells hold typed values -- numbers, minutes, dates, codes, member names -- and only
the renderer, given a language, turns them into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator, Sequence

from timebank.i18n import N_, Words
from timebank.ledger.records.categories import CategoryName
from timebank.ledger.basics.hours import format_hours
from timebank.ledger.basics.names import MemberName
from timebank.ledger.basics.text import ERASED, printable

# Cell kinds: what a value is, which decides how each face shows it.
INT = "int"             # a count or a number (member, exchange): a number everywhere
NUMBER = "number"       # any other number, e.g. pounds as exact decimal text ("12.50")
TEXT = "text"           # a person's text (name, note, area): as typed; formula-safe in CSV
CODE = "code"           # a fixed code (a setting key, an audit action): as it is
DATE = "date"           # a date: long form in tables, ISO in files
DATETIME = "datetime"   # a moment in UTC
HOURS = "hours"         # minutes, shown as hours ("1.50")
SIGNED = "signed"       # minutes, shown as hours with a sign in tables ("+1.50")
MINUTES = "minutes"     # minutes, shown as a whole number in files, as hours in tables
SAID = "said"           # minutes, as hours ("1.50") and as a person says them ("1 hour 30 minutes")
SIGNED_SAID = "signed_said"  # the same with a sign on the hours ("+1.50")
MEMBER = "member"       # a MemberName
MEMBERS = "members"     # a list of MemberName
NUMBERS = "numbers"     # a list of numbers (member numbers)
CATEGORY = "category"   # a CategoryName
KIND = "kind"           # a member's kind: person, organisation, pot
LANG = "lang"           # a language code: cy, en
BOOL = "bool"
ACTION = "action"       # an audit action code (member.add): words in tables and Welsh files
PERIOD = "period"       # a period label (2026-10, 2026-27 Q1, 2026-27): Welsh readers see Ch for a quarter
DAYS = "days"           # a number of days that may end in .5 (a median): 12, 12.5
MONEY = "money"         # pounds, an exact Decimal: '£12.50' in tables, 12.50 in files
SAY = "say"             # words made by the view for the reader's language: Say(words) -> str
ANY = "any"             # JSON only: a value passed through as it is

NUMERIC = frozenset({INT, NUMBER, HOURS, SIGNED, MINUTES, SAID, SIGNED_SAID, DAYS, MONEY})
TABLE, CSV, JSON = "table", "csv", "json"
EVERYWHERE = frozenset({TABLE, CSV, JSON})

Say = Callable[[Words], str]


@dataclass(frozen=True)
class Typed:
    """A cell that carries its own kind, for a column of mixed figures (a count, then hours,
    then pounds): each face shows it as a cell of that kind."""

    value: Any
    kind: str


@dataclass(frozen=True)
class Column:
    key: str                         # the JSON key, and the English CSV header
    label: str | Say = ""            # message id of the table header ("#" stays "#"), or Say
    kind: str = TEXT
    formats: frozenset[str] = EVERYWHERE
    csv_header: Any = None           # message id (or Say) of the CSV header, when not the key
    source: str | None = None        # read the value from this key of the row instead
    justify: str | None = None
    none: str = ""                   # message id shown in tables for an empty value
    drop: int = 0                    # on a narrow screen: 0 never dropped, else dropped lowest first
    whole: bool = False              # never cut short, even if it is text
    wrap: bool = False               # text read whole (a meaning, a reason): wrapped, not cut, when narrow

    def heading(self, words: Words) -> str:
        """The header in the reader's language ("" for none: the empty message id would be
        the catalogue's own header)."""
        if callable(self.label):
            return self.label(words)
        return words._(self.label) if self.label else ""

    @property
    def right(self) -> bool:
        return (self.justify or ("right" if self.kind in NUMERIC else "left")) == "right"

    @property
    def shrinks(self) -> bool:
        """Free text may be cut short (with an ellipsis) on a narrow screen; names, numbers
        and dates never are."""
        return not self.whole and self.kind in (TEXT, SAY, CATEGORY, CODE, DATETIME)

    @property
    def wraps(self) -> bool:
        """Wrapped within its cell on a narrow terminal, never cut: names (two members must
        never look the same) and text marked `wrap`."""
        return self.kind in (MEMBER, MEMBERS) or (self.wrap and not self.whole)


def col(key: str, label: str | Say = "", kind: str = TEXT, *, only: Iterable[str] | None = None, csv: Any = None,
        source: str | None = None, justify: str | None = None, none: str = "", drop: int = 0,
        whole: bool = False, wrap: bool = False) -> Column:
    return Column(key, label, kind, frozenset(only) if only is not None else EVERYWHERE, csv, source, justify, none,
                  drop, whole, wrap)


@dataclass
class Sheet:
    """A list: columns, and rows of typed values keyed by column (or by a column's source).
    `rows` may be a generator, read once, so a million rows never sit in memory."""

    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]]
    title: Say | None = None
    empty: Say | None = None
    footer: dict[str, Any] | None = None
    key: str | None = None           # the JSON key of this list inside a report
    # Columns whose footer is the sum of the rows above: a spreadsheet writes it as a formula.
    sums: frozenset[str] = frozenset()

    def columns_for(self, target: str) -> list[Column]:
        return [c for c in self.columns if target in c.formats]


@dataclass
class TupleSheet:
    """A list whose rows are already file-ready tuples in column order, for the million-row
    exchanges export: only a CSV is written from it (`csvfile.write_csv`), and only its text
    cells are touched there. `rows` may be a generator, read once."""

    columns: Sequence[Column]
    rows: Iterable[tuple[Any, ...]]

    def columns_for(self, target: str) -> list[Column]:
        return [c for c in self.columns if target in c.formats]


@dataclass(frozen=True)
class Field:
    """One figure of a report: a JSON key and typed value, and (for tables) its line."""

    key: str | None
    value: Any
    kind: str = ANY
    line: Say | None = None
    bold: bool = False


@dataclass(frozen=True)
class Line:
    """A line of text in a table-shaped report (a heading, a sentence)."""

    say: Say
    bold: bool = False
    style: str | None = None


@dataclass(frozen=True)
class Chart:
    """Bars: (label, value in minutes) pairs, drawn to scale. A spreadsheet may draw them
    from a column of a sheet instead: `source` names the sheet's key and the column's key."""

    title: Say
    points: list[tuple[Say, int]]
    source: tuple[str, str] | None = None
    height: float | None = None      # on paper, in millimetres (the printer's choice if None)
    # The hours each bar shows, where they are rounded parts that must add up as shown (the
    # funder's files): a printer draws and labels these instead of the minutes.
    shown: list[Any] | None = None


@dataclass
class Columns:
    """Parts side by side on a page (each list a column, `shares` their widths as fractions
    of the line); a screen or file reads them one column after another."""

    columns: list[list[Any]]
    shares: list[float]


Part = Field | Line | Sheet | Chart | Columns


@dataclass
class Report:
    """A document: its parts in reading order. JSON takes the fields and keyed sheets (in
    `json_order` if given), CSV takes `csv` (several sheets are written one after another,
    a blank line between them), a table draws every part. `csv` may be a function that
    makes the sheets, when laying them out costs time a table or JSON would waste (ten
    thousand members' rows)."""

    parts: list[Part]
    csv: "Sheet | list[Sheet] | Callable[[], Sheet | list[Sheet]] | None" = None
    json_order: list[str] | None = None


@dataclass
class Page:
    """One sheet of a workbook: its name, and the report drawn on it from the top; `freeze`
    keeps the header row of its first table (and the first column) in view."""

    name: Say
    report: Report
    freeze: bool = False


@dataclass
class Book:
    """A workbook: pages in order, and its title and author for the file's properties."""

    pages: list[Page]
    title: Say
    author: str = ""


def flat_parts(parts: list[Any]) -> Iterator[Any]:
    """Every part in reading order, the columns of a `Columns` one after another."""
    for part in parts:
        if isinstance(part, Columns):
            for column in part.columns:
                yield from flat_parts(column)
        else:
            yield part


# Cells -------------------------------------------------------------------------------

def member_words(name: MemberName, words: Words) -> str:
    if name.is_pot:
        return words._("Time bank pot")
    if name.erased:
        return words._("Member {number} (erased)").format(number=name.number)
    return name.name


def kind_words(kind: str, words: Words) -> str:
    return {"person": words._("person"), "organisation": words._("organisation"),
            "pot": words._("pot"), "partner": words._("partner bank's member")}.get(kind, kind)


def language_words(lang: str, words: Words) -> str:
    return {"cy": words._("Welsh"), "en": words._("English")}.get(lang, lang)


ACTION_WORDS = {
    "ledger.init": N_("Ledger created"), "ledger.restore": N_("Ledger restored"),
    "settings.set": N_("Setting changed"), "category.add": N_("Category added"),
    "category.goals": N_("Category's goals changed"),
    "centre.add": N_("Centre added"),
    "partner.add": N_("Partner bank added"), "partner.edit": N_("Partner bank changed"),
    "partner.leave": N_("Partnership ended"), "partner.export": N_("File of trades sent"),
    "partner.import": N_("File of trades taken"),
    "access_request.log": N_("Access request logged"), "access_request.done": N_("Access request answered"),
    "outcome.measure": N_("Outcome measure added"), "outcome.record": N_("Outcome score recorded"),
    "member.add": N_("Member added"), "member.edit": N_("Member changed"), "member.leave": N_("Member left"),
    "member.rejoin": N_("Member rejoined"), "member.forget": N_("Member erased"),
    "member.export": N_("Copy of member's data made"),
    "exchange.record": N_("Exchange recorded"), "exchange.void": N_("Exchange voided"),
    "exchange.overdraft": N_("Overdraft allowed"), "offer.add": N_("Offer added"), "offer.remove": N_("Offer closed"),
    "request.add": N_("Request added"), "request.remove": N_("Request closed"), "request.met": N_("Request met"),
    "request.reopen": N_("Request reopened"), "listings.close": N_("Listings closed"),
    "import.members": N_("Members imported"), "import.exchanges": N_("Exchanges imported"),
    "import.timeoverflow": N_("Moved in from TimeOverflow"), "ledger.chain": N_("History chain begun"),
}


def action_words(action: str, words: Words) -> str:
    return words._(ACTION_WORDS[action]) if action in ACTION_WORDS else action


def period_words(label: str, words: Words) -> str:
    """A period's label in the reader's language: '2026-27 Q1' is '2026-27 Ch1' in Welsh;
    months ('2026-04') and years ('2026-27') read the same in both."""
    if " Q" in label or "-Q" in label:
        return label.replace("Q", words._("Q"))
    if label == "total":
        return words._("total")
    return label


def days_text(value: float | int) -> str:
    """A number of days: '12', or '12.5' for a median between two days."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def money_text(value: Any) -> str:
    return f"{value:.2f}"


def shown_text(text: str | None, words: Words) -> str:
    """Stored free text as a person reads it: the erasure mark in the reader's language."""
    return (text or "").replace(ERASED, words._("[erased]"))


def signed_hours(minutes: int) -> str:
    text = format_hours(minutes)
    return f"+{text}" if minutes > 0 else text


def said_parts(minutes: int, words: Words) -> list[str]:
    """Minutes as a person says them, in the pieces a narrow column may break between:
    -510 -> ['minus 8 hours', '30 minutes'] / ['minws 8 awr', '30 munud']. Whole numbers
    only go to ngettext, so the Welsh forms (and mutations: '2 funud') come from the
    catalogue."""
    hours, rest = divmod(abs(minutes), 60)
    parts = []
    if hours or not rest:
        parts.append(words.ngettext("{count} hour", "{count} hours", hours).format(count=hours))
    if rest:
        parts.append(words.ngettext("{count} minute", "{count} minutes", rest).format(count=rest))
    if minutes < 0:
        parts[0] = words._("minus {hours}").format(hours=parts[0])
    return parts


def said_hours(minutes: int, words: Words) -> str:
    """90 -> '1 hour 30 minutes' / '1 awr 30 munud', 120 -> '2 hours' / '2 awr', 30 ->
    '30 minutes' / '30 munud', -90 -> 'minus 1 hour 30 minutes' / 'minws 1 awr 30 munud'."""
    return " ".join(said_parts(minutes, words))


def value_of(row: dict[str, Any], column: Column) -> Any:
    return row.get(column.source or column.key)


def table_cell(value: Any, kind: str, words: Words) -> str:
    if isinstance(value, Typed):
        return table_cell(value.value, value.kind, words)
    if value is None:
        return ""
    if kind == SAY or callable(value):
        return value(words)
    if kind == MEMBER:
        return member_words(value, words)
    if kind == MEMBERS:
        return ", ".join(member_words(v, words) for v in value)
    if kind == CATEGORY:
        return value.name(words.lang)
    if kind in (HOURS, MINUTES):
        return format_hours(value)
    if kind == SIGNED:
        return signed_hours(value)
    if kind in (SAID, SIGNED_SAID):
        shown = signed_hours(value) if kind == SIGNED_SAID else format_hours(value)
        return f"{shown} ({said_hours(value, words)})"
    if kind == DATE:
        return words.date_short(value)
    if kind == DATETIME:
        return value.isoformat(sep=" ")
    if kind == DAYS:
        return days_text(value)
    if kind == MONEY:
        return f"£{value:,.2f}"
    if kind == KIND:
        return kind_words(value, words)
    if kind == LANG:
        return language_words(value, words)
    if kind == ACTION:
        return action_words(value, words)
    if kind == PERIOD:
        return period_words(value, words)
    if kind == TEXT:
        return shown_text(value, words)
    if kind == BOOL:
        return words._("yes") if value else words._("no")
    if kind == NUMBERS:
        return ", ".join(str(v) for v in value)
    return str(value)


def file_cell(value: Any, kind: str, words: Words) -> Any:
    """A CSV cell before formula-neutralising: numbers stay numbers, dates ISO, codes codes."""
    if isinstance(value, Typed):
        return file_cell(value.value, value.kind, words)
    if value is None:
        return None
    if kind == SAY or callable(value):
        return value(words)
    if kind in (HOURS, SIGNED, SAID, SIGNED_SAID):
        return format_hours(value)
    if kind == DAYS:
        return days_text(value)
    if kind == MONEY:
        return money_text(value)
    if kind == MEMBER:
        return member_words(value, words)
    if kind == MEMBERS:
        return "; ".join(member_words(v, words) for v in value)
    if kind == CATEGORY:
        return value.code_in(words.lang)
    if kind == KIND:
        return kind_words(value, words)
    if kind == ACTION:
        return action_words(value, words) if words.lang != "en" else value
    if kind == PERIOD:
        return period_words(value, words)
    if kind == DATE:
        return value.isoformat() if isinstance(value, date) else value
    if kind == DATETIME:
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value
    if kind == BOOL:
        return "true" if value else "false"
    if kind == NUMBERS:
        return " ".join(str(v) for v in value)
    return value


def json_cell(value: Any, kind: str, words: Words) -> Any:
    if isinstance(value, Typed):
        return json_cell(value.value, value.kind, words)
    if value is None:
        return None
    if kind == SAY or callable(value):
        return value(words)
    if kind in (HOURS, SIGNED, SAID, SIGNED_SAID):
        return format_hours(value)
    if kind == DAYS:
        return int(value) if float(value).is_integer() else float(value)
    if kind == MONEY:
        return money_text(value)
    if kind == MEMBER:
        return member_words(value, words)
    if kind == MEMBERS:
        return [member_words(v, words) for v in value]
    if kind == CATEGORY:
        return value.code
    if kind in (DATE, DATETIME):
        return value.isoformat() if isinstance(value, (date, datetime)) else value
    if isinstance(value, CategoryName):
        return value.code
    return value


def column_texts(rows: list[dict[str, Any]], column: Column, words: Words) -> list[str]:
    """One column's cells as a terminal shows them, for every row (a report's fifty thousand
    members): the words for an empty value looked up once for the column, each number
    formatted once for each value met, and every text cleaned of control characters."""
    source = column.source or column.key
    empty = words._(column.none) if column.none else ""
    kind = column.kind
    try:  # every row has the key, most often: read in C
        values = list(map(itemgetter(source), rows))
    except KeyError:
        values = [row.get(source) for row in rows]
    types = set(map(type, values))
    if kind == INT and types == {int}:
        return list(map(str, values))  # as table_cell writes a number
    if kind == MEMBER and types == {MemberName}:
        # A member's name as it is stored, most often (printable, not the pot, not erased).
        return [name.name if name.kind != "pot" and not name.erased and name.name.isprintable()
                else printable(member_words(name, words)) for name in values]
    if types <= _NUMBERS_OR_NONE:
        # A column of whole numbers (members' numbers, minutes): each value met formatted
        # once, then every cell looked up in C.
        texts: dict[Any, str] = {None: empty}
        for value in set(values):
            if value is not None:
                texts[value] = str(value) if kind == INT else printable(table_cell(value, kind, words))
        return list(map(texts.__getitem__, values))
    out: list[str] = []
    for value in values:
        if value is None or (type(value) is Typed and value.value is None):
            out.append(empty)
        else:
            out.append(printable(table_cell(value, kind, words)))
    return out


_NUMBERS_OR_NONE = frozenset({int, type(None)})


__all__ = ["column_texts", "Typed", "Column", "col", "Sheet", "Field", "Line", "Chart", "Columns", "Report", "Page",
           "Book", "Part", "flat_parts", "days_text", "money_text", "period_words", "table_cell", "file_cell",
           "json_cell", "member_words", "kind_words", "shown_text", "signed_hours", "said_hours", "said_parts",
           "value_of", "field"]
