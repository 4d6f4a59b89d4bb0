"""Workbooks: a `Book` drawn as an .xlsx file, each `Page` a sheet, in the language given.

Cells are typed, as a spreadsheet needs them: counts and hours are numbers, dates are
dates, yes/no are the words in the reader's language (Excel would show a boolean as TRUE or
FALSE), and text is always written as text, never read as a formula. A value is stored as it
is shown: hours rounded to two decimals (minutes as hours, or a Decimal of hours already
rounded), pounds to the penny, so that a SUM of the cells is the sum of what the reader sees.
A sheet's footer is written below a blank row, and where the sheet names a column in `sums`
the footer cell is a SUM formula over the rows above (with its value stored too, for readers
that do not calculate). A `Chart` is a native column chart, its value axis from 0, on a
chart sheet of its own just after its page's sheet, so that it prints whole on a page of its
own. Every sheet prints on A4 landscape, fitted to the width of the page.

Written with XlsxWriter (pure Python, no other dependency, charts and frozen panes built in;
imported only here, and this module only when a workbook is made). openpyxl reads the
files back in the tests.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from timebank.i18n import Words
from timebank.ledger.basics.hours import format_hours
from timebank.render.sheet import (BOOL, CATEGORY, DATE, DATETIME, DAYS, HOURS, INT, MINUTES, MONEY, NUMBER, SIGNED,
                                   TABLE, Book, Chart, Field, Line, Sheet, Typed, flat_parts, table_cell, value_of)

HOUR_KINDS = frozenset({HOURS, MINUTES, SIGNED})
A4 = 9               # XlsxWriter's number for A4 paper
WIDEST = 60          # characters: wider columns wrap
NARROWEST = 6
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, taken: set[str]) -> str:
    """A name Excel accepts: none of []:*?/\\, at most 31 characters, unique."""
    name = FORBIDDEN.sub("-", text).strip("'")[:31] or "Sheet"
    base, count = name, 2
    while name.lower() in taken:
        suffix = f" ({count})"
        name = base[:31 - len(suffix)] + suffix
        count += 1
    taken.add(name.lower())
    return name


class _Formats:
    def __init__(self, book: Any, words: Words) -> None:
        self.title = book.add_format({"bold": True, "font_size": 16})
        self.heading = book.add_format({"bold": True, "font_size": 12})
        self.bold = book.add_format({"bold": True})
        # Text in a table is indented a little, off the numbers in the column before it.
        self.text = book.add_format({"text_wrap": True, "valign": "top", "indent": 1})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.bold_wrap = book.add_format({"text_wrap": True, "valign": "top", "bold": True})
        self.head = book.add_format({"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1})
        self.head_right = book.add_format({"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1,
                                           "align": "right"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd", "align": "left", "valign": "top"})
        self.hours = book.add_format({"num_format": "0.00", "valign": "top"})
        self.money = book.add_format({"num_format": "#,##0.00", "valign": "top"})
        self.number = book.add_format({"num_format": "0", "valign": "top"})
        self.days = book.add_format({"num_format": "0.#", "valign": "top"})
        self.general = book.add_format({"valign": "top"})
        self.foot = {name: book.add_format(dict(spec, bold=True, top=1)) for name, spec in (
            ("text", {}), ("hours", {"num_format": "0.00"}), ("money", {"num_format": "#,##0.00"}),
            ("number", {"num_format": "0"}), ("days", {"num_format": "0.#"}), ("date", {"num_format": "yyyy-mm-dd"}),
            ("general", {}))}

    def of(self, kind: str, foot: bool = False) -> Any:
        name = ("hours" if kind in HOUR_KINDS else "money" if kind == MONEY else "number" if kind == INT
                else "days" if kind == DAYS else "date" if kind in (DATE, DATETIME) else
                "general" if kind == NUMBER else "text")
        if foot:
            return self.foot[name]
        return getattr(self, name)


def spreadsheet_value(value: Any, kind: str, words: Words) -> tuple[Any, str]:
    """A value as a spreadsheet cell holds it, and the kind that decides its format."""
    if isinstance(value, Typed):
        return spreadsheet_value(value.value, value.kind, words)
    if value is None:
        return None, kind
    if callable(value):
        return value(words), "text"
    if kind in HOUR_KINDS:
        # Stored as shown (two decimals): a SUM of the cells is the sum of what is seen.
        return float(value if isinstance(value, Decimal) else Decimal(format_hours(value))), HOURS
    if kind == MONEY:
        return float(value), MONEY
    if kind in (INT, DAYS):
        return value, kind
    if kind == NUMBER:
        try:
            return float(Decimal(str(value))), NUMBER
        except ArithmeticError:
            return str(value), "text"
    if kind == BOOL:
        return words._("yes") if value else words._("no"), "text"
    if kind in (DATE, DATETIME) and isinstance(value, date):
        return value, DATE
    if kind == CATEGORY:
        return value.name(words.lang), "text"
    return table_cell(value, kind, words), "text"


def _write(sheet: Any, row: int, column: int, value: Any, kind: str, formats: _Formats, foot: bool = False) -> None:
    style = formats.of(kind, foot)
    if value is None:
        if foot:
            sheet.write_blank(row, column, None, style)
        return
    if kind == DATE:
        sheet.write_datetime(row, column, datetime(value.year, value.month, value.day), style)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, column, value, style)
    else:
        # Always as text: a name or a note that starts with '=' stays words, never a formula.
        sheet.write_string(row, column, str(value), style)


def _shown_length(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == DATE:
        return 10
    if kind in (HOURS, MONEY):
        return len(f"{value:,.2f}")
    return max((len(line) for line in str(value).split("\n")), default=0)


class _Drawer:
    def __init__(self, book: Any, words: Words, taken: set[str]) -> None:
        self.book = book
        self.words = words
        self.taken = taken      # the names of the sheets so far (a chart sheet takes one too)
        self.sheets = 0
        self.formats = _Formats(book, words)
        # Where each keyed table was written: sheet name, first and last data row, column of each key.
        self.tables: dict[str, tuple[str, int, int, dict[str, int]]] = {}

    def page(self, page: Any, name: str) -> None:
        sheet = self.book.add_worksheet(name)
        self.sheets += 1
        charts: list[Any] = []
        parts = list(flat_parts(page.report.parts))
        # Every table of the page shares the sheet's columns: size them for all of them first.
        widths: dict[int, int] = {}
        grids = {id(part): self.grid(part) for part in parts if isinstance(part, Sheet)}
        for part in parts:
            if isinstance(part, Sheet):
                for i, width in self.widths(part, grids[id(part)]).items():
                    widths[i] = max(widths.get(i, 0), width)
        span = max(len(widths), 1)
        line_width = sum(widths.values()) or 60
        row = 0
        frozen = False
        for part in parts:
            if isinstance(part, (Line, Field)):
                say = part.say if isinstance(part, Line) else part.line
                if say is None:
                    continue
                style = part.style if isinstance(part, Line) else None
                text = say(self.words).strip()
                fmt = {"title": self.formats.title, "heading": self.formats.heading}.get(
                    style or "", self.formats.bold_wrap if part.bold else self.formats.wrap)
                # A sentence spans the sheet's columns and wraps within them.
                if span > 1:
                    sheet.merge_range(row, 0, row, span - 1, text, fmt)
                else:
                    sheet.write_string(row, 0, text, fmt)
                lines = _lines(text, line_width)
                if lines > 1:
                    sheet.set_row(row, 15 * lines)
                row += 2 if style in ("title", "heading") else 1
            elif isinstance(part, Sheet):
                top = row
                row = self.table(sheet, name, part, grids[id(part)], row, widths)
                if page.freeze and not frozen:
                    header_row = top + (1 if part.title else 0)
                    sheet.freeze_panes(header_row + 1, 1)
                    sheet.repeat_rows(header_row)
                    sheet.repeat_columns(0)
                    frozen = True
                row += 1
            elif isinstance(part, Chart):
                row, drawn = self.chart(sheet, name, part, row)
                if drawn is not None:
                    charts.append((part, drawn))
        for column, width in widths.items():
            sheet.set_column(column, column, width)
        # Printed (or made into a PDF) on A4 landscape, as many pages tall as it takes but
        # never wider than the page: a row is read on one sheet of paper.
        sheet.set_paper(A4)
        sheet.set_landscape()
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        sheet.set_footer("&L&A&R&P / &N")
        sheet.fit_to_pages(1, 0)
        # Each chart on a chart sheet of its own, right after its figures: printed, it fills
        # one page and is never cut across two.
        for part, drawn in charts:
            chartsheet = self.book.add_chartsheet(sheet_name(part.title(self.words), self.taken))
            chartsheet.set_chart(drawn)
            chartsheet.set_paper(A4)
            chartsheet.set_landscape()
            chartsheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
            chartsheet.set_footer("&L&A&R&P / &N")
            self.sheets += 1

    def grid(self, part: Sheet) -> list[list[tuple[Any, str]]]:
        columns = part.columns_for(TABLE)
        return [[spreadsheet_value(value_of(data, column), column.kind, self.words) for column in columns]
                for data in part.rows]

    def widths(self, part: Sheet, grid: list[list[tuple[Any, str]]]) -> dict[int, int]:
        """As wide as the widest cell (or the header's longest word: headers wrap), within
        bounds; long text wraps."""
        columns = part.columns_for(TABLE)
        widths = {}
        for i, column in enumerate(columns):
            head = column.heading(self.words)
            cells = [_shown_length(*line[i]) for line in grid]
            if part.footer is not None:
                cells.append(_shown_length(*spreadsheet_value(part.footer.get(column.key), column.kind, self.words)))
            widest = max(cells, default=0)
            widths[i] = min(max(widest, max((len(word) for word in head.split()), default=0), NARROWEST) + 2,
                            WIDEST)
        return widths

    def table(self, sheet: Any, name: str, part: Sheet, grid: list[list[tuple[Any, str]]], row: int,
              widths: dict[int, int]) -> int:
        columns = part.columns_for(TABLE)
        words = self.words
        if part.title is not None:
            sheet.write_string(row, 0, part.title(words), self.formats.heading)
            row += 1
        heads = [c.heading(words) for c in columns]
        if any(heads):
            for i, (column, head) in enumerate(zip(columns, heads)):
                sheet.write_string(row, i, head, self.formats.head_right if column.right else self.formats.head)
            lines = max((_lines(head, widths[i]) for i, head in enumerate(heads)), default=1)
            sheet.set_row(row, 15 * lines)
            row += 1
        first = row
        for line in grid:
            for i, (value, kind) in enumerate(line):
                _write(sheet, row, i, value, kind, self.formats)
            lines = max((_lines(str(value), widths[i]) for i, (value, kind) in enumerate(line)
                         if kind == "text" and value is not None), default=1)
            if lines > 1:
                sheet.set_row(row, 15 * lines)
            row += 1
        last = row - 1
        if part.key is not None:
            self.tables[part.key] = (name, first, last, {c.key: i for i, c in enumerate(columns)})
        if part.footer is not None:
            row += 1  # a blank row between the figures and their totals
            for i, column in enumerate(columns):
                value, kind = spreadsheet_value(part.footer.get(column.key), column.kind, words)
                if column.key in part.sums and last >= first:
                    formula = f"=SUM({xl_rowcol_to_cell(first, i)}:{xl_rowcol_to_cell(last, i)})"
                    sheet.write_formula(row, i, formula, self.formats.of(kind, foot=True), value or 0)
                elif column.key in part.sums:
                    _write(sheet, row, i, 0, kind, self.formats, foot=True)
                else:
                    _write(sheet, row, i, value, kind, self.formats, foot=True)
            row += 1
        return row

    def chart(self, sheet: Any, name: str, chart: Chart, row: int) -> tuple[int, Any]:
        """The chart of `chart`'s source column (or of its points, written here first), and
        the row after what was written."""
        title = chart.title(self.words)
        if chart.source is not None and chart.source[0] in self.tables:
            source, first, last, keys = self.tables[chart.source[0]]
            labels, values = keys.get("period", 0), keys[chart.source[1]]
        else:
            # No table to draw from: the points go above the chart.
            source, first = name, row
            shown = chart.shown or [None] * len(chart.points)
            for offset, ((label, minutes), hours) in enumerate(zip(chart.points, shown)):
                sheet.write_string(row + offset, 0, label(self.words))
                value = spreadsheet_value(minutes if hours is None else hours, HOURS, self.words)[0]
                sheet.write_number(row + offset, 1, value, self.formats.hours)
            last = row + len(chart.points) - 1
            labels, values = 0, 1
            row = last + 2
        if last < first:
            return row, None
        drawn = self.book.add_chart({"type": "column"})
        drawn.add_series({"name": title, "categories": [source, first, labels, last, labels],
                          "values": [source, first, values, last, values],
                          "fill": {"color": "#595959"}, "border": {"none": True}, "gap": 60})
        drawn.set_title({"name": title, "name_font": {"size": 12}})
        drawn.set_legend({"none": True})
        # The scale starts at 0, whatever the values: a bar twice as high is twice the hours.
        drawn.set_y_axis({"num_format": "0", "min": 0,
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        return row, drawn


def _lines(text: str, width: int) -> int:
    """How many lines text takes when wrapped at its spaces in a column `width` wide (in
    widths of '0': most letters are narrower, so a line holds a fifth more of them)."""
    width = int(width * 1.2)
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width - 1:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines


def write_workbook(book: Book, out: BinaryIO, words: Words) -> int:
    """Write the book into `out` (an open binary file); returns the number of sheets."""
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    workbook.set_properties({"title": book.title(words), "author": book.author, "comments": "timebank"})
    taken: set[str] = set()
    drawer = _Drawer(workbook, words, taken)
    for page in book.pages:
        drawer.page(page, sheet_name(page.name(words), taken))
    workbook.close()
    return drawer.sheets


__all__ = ["write_workbook", "sheet_name", "spreadsheet_value"]
