"""Sheets and reports for people at a terminal: Rich tables for short lists, plain aligned
text for long ones (Rich costs about a millisecond a row), and a bar chart in text.

Every text drawn here passes `printable` on its way out: a name, a note, a login name or an
imported file's name can hold escape sequences (stored before they were refused, or
written behind timebank's back), and they must not act on the terminal."""

from __future__ import annotations

import sys
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from timebank.i18n import Words
from timebank.ledger.basics.text import printable
from timebank.render.sheet import (MEMBERS, TABLE, Chart, Field, Line, Report, Sheet, column_texts,
                                   flat_parts, member_words, table_cell, value_of)

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
    out = out or console()
    columns = sheet.columns_for(TABLE)
    rows = list(sheet.rows)
    cells = [list(row) for row in zip(*(column_texts(rows, c, words) for c in columns))] if columns else []
    title = printable(sheet.title(words)) if sheet.title else None
    if not cells and sheet.empty is not None:
        out.print(printable(sheet.empty(words)))
        return
    heads = [printable(c.heading(words)) for c in columns]
    feet = None
    if sheet.footer is not None:
        feet = [printable(_foot(sheet.footer[c.key], c, words)) if c.key in sheet.footer else "" for c in columns]
    keep, widths = fit(columns, heads, cells, feet, out.width, name_floors(rows, columns, words))
    columns = [columns[i] for i in keep]
    heads = [heads[i] for i in keep]
    cells = [[row[i] for i in keep] for row in cells]
    feet = [feet[i] for i in keep] if feet else None
    if len(cells) <= RICH_TABLE_LIMIT:
        # A list of figures with no headings (label, value) is drawn without a header row.
        table = Table(title=title, show_footer=feet is not None, title_justify="left", box=box.SIMPLE_HEAVY,
                      show_edge=False, pad_edge=False, collapse_padding=True, show_header=any(heads))
        for i, c in enumerate(columns):
            # A heading may wrap at its spaces ("Balance (hours)"); a cell never wraps.
            table.add_column(Text(heads[i], no_wrap=False), justify="right" if c.right else "left",
                             footer=feet[i] if feet else "", no_wrap=True, overflow="ellipsis",
                             min_width=widths[keep[i]], max_width=widths[keep[i]])
        for row in cells:
            table.add_row(*row)
        out.print(table)
        return
    _plain_table(title, [c.right for c in columns], heads, cells, feet, [widths[i] for i in keep])


SEPARATOR = 2  # two spaces between columns


def name_floors(rows: list[Any], columns: list[Any], words: Words) -> dict[int, int]:
    """How narrow a list of names may get: never narrower than its longest single name (a
    group's list of names may be cut after the first ones; a name never is)."""
    from rich.cells import cell_len

    floors: dict[int, int] = {}
    for i, column in enumerate(columns):
        if column.kind == MEMBERS:
            floors[i] = max((cell_len(member_words(name, words)) for row in rows
                             for name in (value_of(row, column) or [])), default=0)
    return floors


def fit(columns: list[Any], heads: list[str], cells: list[list[str]], feet: list[str] | None,
        width: int, floors: dict[int, int] | None = None) -> tuple[list[int], list[int]]:
    """Which columns to show and how wide, so that no row wraps: empty columns go; free
    text is cut short with an ellipsis; then the least needed columns are dropped. Names,
    numbers and dates are never cut."""
    from rich.cells import cell_len as rich_cell_len

    def cell_len(text: str) -> int:
        # Plain ASCII is one cell a character (most cells: numbers, dates, hours).
        return len(text) if text.isascii() else rich_cell_len(text)

    natural, wrapped = [], []
    for i in range(len(columns)):
        body = max([cell_len(row[i]) for row in cells] + [cell_len(feet[i]) if feet else 0])
        natural.append(max(cell_len(heads[i]), body))
        # A heading may wrap at its spaces when room is short; a cell may not.
        wrapped.append(max(body, max((cell_len(word) for word in heads[i].split()), default=0)))
    keep = [i for i in range(len(columns)) if not cells or any(row[i] for row in cells) or (feet and feet[i])]
    widths = list(natural)

    def total() -> int:
        return sum(widths[i] for i in keep) + SEPARATOR * (len(keep) - 1)

    for i in keep:
        if total() <= width:
            break
        widths[i] = max(wrapped[i], widths[i] - (total() - width))
    floors = floors or {}
    for i in sorted((i for i in keep if columns[i].shrinks or i in floors), key=lambda i: -natural[i]):
        if total() <= width:
            break
        floor = min(widths[i], max(floors.get(i, 10), max((cell_len(word) for word in heads[i].split()), default=0)))
        widths[i] = max(floor, widths[i] - (total() - width))
    for i in sorted((i for i in keep if columns[i].drop), key=lambda i: columns[i].drop):
        if total() <= width:
            break
        keep.remove(i)
    return keep, widths


def _foot(value: Any, column: Any, words: Words) -> str:
    return value(words) if callable(value) else table_cell(value, column.kind, words)


def _plain_table(title: str | None, right: list[bool], heads: list[str], cells: list[list[str]],
                 feet: list[str] | None, widths: list[int]) -> None:
    from rich.cells import cell_len as rich_cell_len, set_cell_size

    def cell_len(text: str) -> int:
        # Plain ASCII is one cell a character; only Welsh accents, emoji and the like need Rich.
        return len(text) if text.isascii() else rich_cell_len(text)

    widths = [max(w, cell_len(h)) if cell_len(h) <= w else w for w, h in zip(widths, heads)]
    heads = [h if cell_len(h) <= w else set_cell_size(h, w - 1) + "…" for h, w in zip(heads, widths)]
    cells = [[v if cell_len(v) <= w else set_cell_size(v, w - 1) + "…" for v, w in zip(row, widths)]
             for row in cells]

    def line(values: list[str]) -> str:
        parts = []
        for value, width, to_right in zip(values, widths, right):
            pad = " " * (width - cell_len(value))
            parts.append(pad + value if to_right else value + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("━" * w for w in widths)
    out = sys.stdout
    if title:
        out.write(title + "\n")
    out.write(line(heads) + "\n" + rule + "\n")
    for values in cells:
        out.write(line(values) + "\n")
    if feet:
        out.write(rule + "\n" + line(feet) + "\n")


def draw_chart(chart: Chart, words: Words, out: Console) -> None:
    from timebank.ledger.basics.hours import format_hours

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

    for part in flat_parts(report.parts):
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
