"""Sheets and reports for people at a terminal: Rich tables for short lists, plain aligned
text for long ones (Rich costs about a millisecond a row), and a bar chart in text.

Every text drawn here passes `printable` on its way out: a name, a note, a login name or an
imported file's name can hold escape sequences (stored before they were refused, or
written behind timebank's back), and they must not act on the terminal."""

from __future__ import annotations

import sys
from typing import Any

from rich import box
from rich.cells import cell_len as rich_cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from timebank.i18n import Words
from timebank.ledger.basics.text import printable
from timebank.render.sheet import (CATEGORY, DATETIME, MEMBER, MEMBERS, TABLE, Chart, Field, Line, Report, Sheet,
                                   column_texts, flat_parts, member_words, table_cell, value_of)

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
    """A sheet as a table as wide as the terminal: every number, date and row number whole on
    one line; when room is short, notes, then categories, then names give way (see `layout`)."""
    out = out or console()
    columns = sheet.columns_for(TABLE)
    rows = list(sheet.rows)
    # Column by column: a report's fifty thousand members are measured and padded a column at
    # a time, by the string methods, rather than cell by cell.
    texts = [column_texts(rows, c, words) for c in columns]
    count = len(rows) if columns else 0
    title = printable(sheet.title(words)) if sheet.title else None
    if not count and sheet.empty is not None:
        out.print(printable(sheet.empty(words)))
        return
    heads = [printable(c.heading(words)) for c in columns]
    feet = None
    if sheet.footer is not None:
        feet = [printable(_foot(sheet.footer[c.key], c, words)) if c.key in sheet.footer else "" for c in columns]
    lens = [cell_lens(column) for column in texts]
    keep, widths = layout_columns(columns, heads, texts, feet, out.width, lens)
    columns = [columns[i] for i in keep]
    heads = [heads[i] for i in keep]
    texts = [texts[i] for i in keep]
    lens = [lens[i] for i in keep]
    feet = [feet[i] for i in keep] if feet else None
    widths = [widths[i] for i in keep]
    if count <= RICH_TABLE_LIMIT:
        # A list of figures with no headings (label, value) is drawn without a header row.
        table = Table(title=title, show_footer=feet is not None, title_justify="left", box=box.SIMPLE_HEAVY,
                      show_edge=False, pad_edge=False, collapse_padding=True, show_header=any(heads))
        for i, c in enumerate(columns):
            # A heading may wrap at its spaces ("Balance (hours)"); a name or a meaning wraps
            # in its cell; any other cell stays on one line, free text cut with an ellipsis.
            table.add_column(Text(heads[i], no_wrap=False), justify="right" if c.right else "left",
                             footer=feet[i] if feet else "", no_wrap=not c.wraps,
                             overflow="fold" if c.wraps else "ellipsis", min_width=widths[i], max_width=widths[i])
        for row in zip(*texts):
            table.add_row(*row)
        out.print(table)
        return
    _plain_table(title, columns, heads, texts, feet, widths, lens)


def cell_len(text: str) -> int:
    """The cells a text takes on a terminal: plain ASCII is one a character (most cells:
    numbers, dates, hours); only Welsh accents, emoji and the like need Rich."""
    return len(text) if text.isascii() else rich_cell_len(text)


def cell_lens(texts: list[str]) -> list[int]:
    """`cell_len` of each text of a column: all at once when the column is plain ASCII."""
    if "".join(texts).isascii():
        return list(map(len, texts))
    return [len(text) if text.isascii() else rich_cell_len(text) for text in texts]


# How a column gives way when a table is wider than the terminal, first to last: free text
# (notes, areas, meanings), then categories, then names. Numbers, hours, dates, a row's
# number and the marks beside them never give way.
NOTES, CATEGORIES, NAMES = 1, 2, 3
# The narrowest each may get before columns are left out: a cut note keeps a word or so; a
# wrapped cell keeps its longest word whole, up to WHOLE_WORD cells (a longer one folds).
FLOORS = {NOTES: 6, CATEGORIES: 8, NAMES: 10}
WRAPPED_FLOOR = 8
WHOLE_WORD = 12


def gives_way(column: Any) -> int | None:
    if column.kind in (MEMBER, MEMBERS):
        return NAMES
    if column.whole or column.kind == DATETIME:
        return None
    if column.kind == CATEGORY:
        return CATEGORIES
    if column.wraps or column.shrinks:
        return NOTES
    return None


def layout(columns: list[Any], heads: list[str], cells: list[list[str]], feet: list[str] | None,
           width: int) -> tuple[list[int], list[int]]:
    """`layout_columns` of rows of cells."""
    return layout_columns(columns, heads, [list(texts) for texts in zip(*cells)] if cells else [[] for _ in columns],
                          feet, width)


def layout_columns(columns: list[Any], heads: list[str], texts: list[list[str]], feet: list[str] | None,
                   width: int, lens: list[list[int]] | None = None) -> tuple[list[int], list[int]]:
    """Which columns to show and how wide (by column index), so that the table is no wider
    than `width`: empty columns go; headings wrap at their spaces; then notes, categories
    and names in turn give way, the widest first (names and `wrap` columns wrap within their
    cell, other text is cut with an ellipsis), down to a floor; only then are the columns
    marked `drop` left out, lowest first, and the rest laid out again. A number column is
    always as wide as its widest figure. `texts`: each column's cells, top to bottom (`lens`:
    their `cell_lens`, when known)."""
    def longest_word(text: str) -> int:
        return max((cell_len(word) for word in text.split()), default=0)

    count = len(columns)
    lens = lens if lens is not None else [cell_lens(column) for column in texts]
    body = [max(max(lens[i], default=0), cell_len(feet[i]) if feet else 0) for i in range(count)]
    natural = [max(cell_len(heads[i]), body[i]) for i in range(count)]
    # A heading may wrap at its spaces when room is short; a number may not.
    tight = [max(body[i], longest_word(heads[i])) for i in range(count)]
    ranks = [gives_way(c) for c in columns]
    floors = [tight[i] for i in range(count)]
    for i, rank in enumerate(ranks):
        if rank and columns[i].wraps:
            # Every word of every cell ("".split() of the cells joined by a space).
            word = max(cell_lens(" ".join(texts[i]).split()), default=0)
            floors[i] = min(tight[i], max(longest_word(heads[i]), FLOORS[rank] if rank == NAMES else WRAPPED_FLOOR,
                                          min(word, WHOLE_WORD)))
        elif rank:
            floors[i] = min(tight[i], max(longest_word(heads[i]), FLOORS[rank]))
    rows = len(texts[0]) if texts else 0
    keep = [i for i in range(count) if not rows or any(texts[i]) or (feet and feet[i])]

    def squeeze(widths: list[int], group: list[int], bottom: list[int]) -> None:
        """Narrow the widest of `group` first, to one level, none below its `bottom`."""
        excess = sum(widths[i] for i in keep) + SEPARATOR * (len(keep) - 1) - width
        if excess <= 0 or not group:
            return
        for level in range(max(widths[i] for i in group), -1, -1):
            freed = sum(widths[i] - max(bottom[i], min(widths[i], level)) for i in group)
            if freed >= excess or level == 0:
                break
        spare = max(0, freed - excess)
        for i in group:
            narrower = max(bottom[i], min(widths[i], level))
            # What was freed beyond the need goes back, a cell a column.
            if narrower < widths[i] and spare:
                narrower += 1
                spare -= 1
            widths[i] = narrower

    while True:
        widths = list(natural)
        # Headings wrap first, left to right, only as far as needed.
        for i in keep:
            excess = sum(widths[j] for j in keep) + SEPARATOR * (len(keep) - 1) - width
            if excess <= 0:
                break
            widths[i] = max(tight[i], widths[i] - excess)
        for rank in (NOTES, CATEGORIES, NAMES):
            squeeze(widths, [i for i in keep if ranks[i] == rank], floors)
        fits = sum(widths[i] for i in keep) + SEPARATOR * (len(keep) - 1) <= width
        droppable = [i for i in keep if columns[i].drop]
        if fits or not droppable:
            break
        keep.remove(min(droppable, key=lambda i: columns[i].drop))
    if not fits:
        # A terminal too narrow for the floors: the text columns give way further still.
        squeeze(widths, [i for i in keep if ranks[i]], [min(tight[i], 3) for i in range(count)])
    return keep, widths


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


def _plain_table(title: str | None, columns: list[Any], heads: list[str], texts: list[list[str]],
                 feet: list[str] | None, widths: list[int], lens: list[list[int]]) -> None:
    """A long list as plain aligned text, laid out as the Rich table would be: headings and
    names wrap within their column, other text is cut with an ellipsis. `texts`: each
    column's cells, top to bottom; `lens`: their `cell_lens`."""
    from rich.cells import set_cell_size

    right = [c.right for c in columns]
    wraps = [c.wraps for c in columns]

    def cut(value: str, width: int) -> list[str]:
        return [value if cell_len(value) <= width else set_cell_size(value, width - 1) + "…"]

    def lines(values: list[str], wrap_all: bool = False) -> list[str]:
        pieces = [wrapped(v, w, cell_len) if wrap_all or wrap else cut(v, w)
                  for v, w, wrap in zip(values, widths, wraps)]
        out = []
        for n in range(max(len(p) for p in pieces) if pieces else 1):
            parts = []
            for piece, width, to_right in zip(pieces, widths, right):
                value = piece[n] if n < len(piece) else ""
                pad = " " * (width - cell_len(value))
                parts.append(pad + value if to_right else value + pad)
            out.append("  ".join(parts).rstrip())
        return out

    # Each column padded to its width at once; a cell too wide is cut (free text) or, in a
    # column that wraps (names), makes its row several lines, drawn by `lines` as a head is.
    tall: set[int] = set()
    padded: list[list[str]] = []
    for i, (cells, sizes, width) in enumerate(zip(texts, lens, widths)):
        if max(sizes, default=0) > width:
            cells, sizes = list(cells), list(sizes)
            for row, length in enumerate(sizes):
                if length > width:
                    if wraps[i]:
                        tall.add(row)
                    else:
                        cells[row] = cut(cells[row], width)[0]
                        sizes[row] = cell_len(cells[row])
        if right[i]:
            padded.append([" " * (width - n) + v for v, n in zip(cells, sizes)])
        else:
            padded.append([v + " " * (width - n) for v, n in zip(cells, sizes)])
    body = ["  ".join(parts).rstrip() for parts in zip(*padded)]
    for row in tall:
        body[row] = "\n".join(lines([cells[row] for cells in texts]))

    rule = "  ".join("━" * w for w in widths)
    text = [title] if title else []
    text += lines(heads, wrap_all=True) + [rule]
    text += body
    if feet:
        text += [rule] + lines(feet)
    write_lines(text)


def wrapped(text: str, width: int, cell_len: Any) -> list[str]:
    """`text` in lines of at most `width` cells, broken at spaces; a word longer than a line
    is broken where the line ends."""
    from rich.cells import chop_cells

    if cell_len(text) <= width:
        return [text]
    out: list[str] = []
    line = ""
    for word in text.split():
        pieces = chop_cells(word, width) if cell_len(word) > width else [word]
        for piece in pieces:
            if not line:
                line = piece
            elif cell_len(line) + 1 + cell_len(piece) <= width:
                line += " " + piece
            else:
                out.append(line)
                line = piece
    return out + [line] if line or not out else out


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
