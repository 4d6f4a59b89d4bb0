"""Sheets, reports and charts from `timebank.render` as Textual widgets, in the words of
the language given: the same views as the command line, drawn for the screen."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widget import Widget
from textual.widgets import DataTable, Static

from timebank.i18n import Words
from timebank.ledger.hours import format_hours
from timebank.render.sheet import TABLE, Chart, Field, Line, Report, Sheet, table_cell, value_of
from timebank.render.table import fit, name_floors


def cell_text(row: dict[str, Any], column: Any, words: Words) -> str:
    value = value_of(row, column)
    if value is None and column.none:
        return words._(column.none)
    return table_cell(value, column.kind, words)


def _cut(text: str, width: int) -> str:
    return text if cell_len(text) <= width else set_cell_size(text, max(width - 1, 0)) + "…"


def fill_table(table: DataTable, sheet: Sheet, words: Words, width: int, *, key: str | None = None,
               limit: int | None = None) -> int:
    """Put a sheet's rows into `table`, with the columns that fit in `width` (as the command
    line drops and shortens them); returns how many rows there were in all."""
    columns = sheet.columns_for(TABLE)
    rows = list(sheet.rows)
    shown = rows if limit is None else rows[:limit]
    cells = [[cell_text(row, c, words) for c in columns] for row in shown]
    heads = [words._(c.label) if c.label else "" for c in columns]
    feet = None
    if sheet.footer is not None:
        feet = [_foot(sheet.footer[c.key], c, words) if c.key in sheet.footer else "" for c in columns]
    # A heading on the screen stays on one line (the command line's may wrap at its spaces).
    # A DataTable pads each cell by one on both sides (the command line puts two spaces
    # between columns, none at the edges) and keeps two columns for its scroll bar.
    keep, widths = fit(columns, [h.replace(" ", "_") for h in heads], cells, feet, width - 4,
                       name_floors(shown, columns, words))
    table.clear(columns=True)
    for i in keep:
        head = Text(_cut(heads[i], widths[i]), justify="right" if columns[i].right else "left")
        table.add_column(head, width=widths[i], key=columns[i].key)
    for row, values in zip(shown, cells):
        table.add_row(*[Text(_cut(values[i], widths[i]), justify="right" if columns[i].right else "left")
                        for i in keep], key=str(value_of(row, _column(columns, key))) if key else None)
    if feet and shown:
        table.add_row(*[Text(_cut(feet[i], widths[i]), style="bold",
                             justify="right" if columns[i].right else "left") for i in keep])
    return len(rows)


def _column(columns: list[Any], key: str | None) -> Any:
    return next(c for c in columns if c.key == key)


def _foot(value: Any, column: Any, words: Words) -> str:
    return value(words) if callable(value) else table_cell(value, column.kind, words)


def chart_text(chart: Chart, words: Words, width: int) -> Text:
    """The bars of the command line's chart, as wide as the screen allows."""
    labels = [label(words) for label, _minutes in chart.points]
    label_width = max((cell_len(label) for label in labels), default=0)
    values = [format_hours(minutes) for _label, minutes in chart.points]
    bar_room = max(10, min(40, width - label_width - max((len(v) for v in values), default=0) - 6))
    peak = max((minutes for _label, minutes in chart.points), default=0) or 1
    text = Text(chart.title(words) + "\n", style="bold")
    for label, value, (_say, minutes) in zip(labels, values, chart.points):
        text.append(f"  {label:>{label_width}} ")
        text.append("█" * round(bar_room * minutes / peak), style="green")
        text.append(f" {value}\n")
    return text


def report_widgets(report: Report, words: Words, width: int, *, limit: int | None = None) -> list[Widget]:
    """A report's parts in reading order: lines of text, tables and charts."""
    widgets: list[Widget] = []
    pending = Text()

    def flush() -> None:
        nonlocal pending
        if pending.plain:
            pending.rstrip()
            widgets.append(Static(pending, classes="report-text"))
            pending = Text()

    for part in report.parts:
        if isinstance(part, (Field, Line)):
            say = part.line if isinstance(part, Field) else part.say
            if say is None:
                continue
            style = "bold" if part.bold else (getattr(part, "style", None) or "")
            pending.append(say(words) + "\n", style=style)
        elif isinstance(part, Sheet) and part.columns_for(TABLE):
            rows = list(part.rows)
            if part.title is not None:
                pending.append(part.title(words) + "\n", style="bold")
            if not rows and part.empty is not None:
                pending.append(part.empty(words) + "\n")
                continue
            flush()
            table: DataTable = DataTable(cursor_type="none", zebra_stripes=True, classes="report-table")
            fill_table(table, Sheet(part.columns, rows, footer=part.footer), words, width, limit=limit)
            widgets.append(table)
        elif isinstance(part, Chart):
            flush()
            widgets.append(Static(chart_text(part, words, width), classes="report-text"))
    flush()
    return widgets


__all__ = ["fill_table", "report_widgets", "chart_text", "cell_text"]
