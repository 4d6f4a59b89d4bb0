"""Sheets and reports for people at a terminal: Rich tables for short lists, plain aligned
text for long ones (Rich costs about a millisecond a row), and a bar chart in text.

Every text drawn here passes `printable` on its way out: a name, a note, a login name or an
imported file's name can hold escape sequences (stored before they were refused, or
written behind timebank's back), and they must not act on the terminal."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from timebank.i18n import Words
from timebank.ledger.text import printable
from timebank.render.sheet import (TABLE, Chart, Field, Line, Report, Sheet, table_cell, value_of)

RICH_TABLE_LIMIT = 300


def console() -> Console:
    # No markup: names and notes are people's text, and "[erased]" or "[Llinos]" would be
    # taken for Rich's style tags and vanish. Styles are passed with style=.
    return Console(file=sys.stdout, highlight=False, soft_wrap=False, markup=False)


def err_console() -> Console:
    return Console(file=sys.stderr, highlight=False)


def write_lines(lines: Any) -> None:
    """Plain lines straight to stdout: Rich costs half a millisecond a print."""
    sys.stdout.write("".join(line + "\n" for line in lines))


def draw_sheet(sheet: Sheet, words: Words, out: Console | None = None) -> None:
    columns = sheet.columns_for(TABLE)
    cells = [[printable(_cell(value_of(row, c), c, words)) for c in columns] for row in sheet.rows]
    title = printable(sheet.title(words)) if sheet.title else None
    if not cells and sheet.empty is not None:
        (out or console()).print(printable(sheet.empty(words)))
        return
    heads = [printable(words._(c.label)) if c.label else "" for c in columns]
    feet = None
    if sheet.footer is not None:
        feet = [printable(_foot(sheet.footer[c.key], c, words)) if c.key in sheet.footer else "" for c in columns]
    if len(cells) <= RICH_TABLE_LIMIT:
        table = Table(title=title, show_footer=feet is not None, title_justify="left")
        for i, c in enumerate(columns):
            table.add_column(heads[i], justify="right" if c.right else "left",  # type: ignore[arg-type]
                             footer=feet[i] if feet else "")
        for row in cells:
            table.add_row(*row)
        (out or console()).print(table)
        return
    _plain_table(title, [c.right for c in columns], heads, cells, feet)


def _cell(value: Any, column: Any, words: Words) -> str:
    if value is None and column.none:
        return words._(column.none)
    return table_cell(value, column.kind, words)


def _foot(value: Any, column: Any, words: Words) -> str:
    return value(words) if callable(value) else table_cell(value, column.kind, words)


def _plain_table(title: str | None, right: list[bool], heads: list[str], cells: list[list[str]],
                 feet: list[str] | None) -> None:
    from rich.cells import cell_len as rich_cell_len

    def cell_len(text: str) -> int:
        # Plain ASCII is one cell a character; only Welsh accents, emoji and the like need Rich.
        return len(text) if text.isascii() else rich_cell_len(text)

    widths = [max([cell_len(heads[i]), cell_len(feet[i]) if feet else 0] + [cell_len(r[i]) for r in cells])
              for i in range(len(heads))]

    def line(values: list[str]) -> str:
        parts = []
        for value, width, to_right in zip(values, widths, right):
            pad = " " * (width - cell_len(value))
            parts.append(pad + value if to_right else value + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("─" * w for w in widths)
    out = sys.stdout
    if title:
        out.write(title + "\n")
    out.write(line(heads) + "\n" + rule + "\n")
    for values in cells:
        out.write(line(values) + "\n")
    if feet:
        out.write(rule + "\n" + line(feet) + "\n")


def draw_chart(chart: Chart, words: Words, out: Console) -> None:
    from timebank.ledger.hours import format_hours

    out.print(printable(chart.title(words)), style="bold")
    peak = max((minutes for _label, minutes in chart.points), default=0) or 1
    for label, minutes in chart.points:
        bar = "█" * round(30 * minutes / peak)
        out.print(printable(f"  {label(words):>10} {bar} {format_hours(minutes)}"), markup=False)


def draw_report(report: Report, words: Words) -> None:
    out = console()
    pending: list[str] = []

    def flush() -> None:
        if pending:
            write_lines(pending)
            pending.clear()

    for part in report.parts:
        if isinstance(part, (Field, Line)):
            say = part.line if isinstance(part, Field) else part.say
            if say is None:
                continue
            style = "bold" if part.bold else getattr(part, "style", None)
            text = printable(say(words))
            if style:
                flush()
                out.print(text, style=style)
            else:
                pending.append(text)
        elif isinstance(part, Sheet) and part.columns_for(TABLE):
            flush()
            draw_sheet(part, words, out)
        elif isinstance(part, Chart):
            flush()
            draw_chart(part, words, out)
    flush()
