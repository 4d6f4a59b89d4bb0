"""Sheets, reports and charts from `timebank.render` as Textual widgets, in the words of
the language given: the same views as the command line, drawn for the screen."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.binding import Binding
from textual.message import Message
from rich.style import Style

from timebank.i18n import N_, Words
from timebank.ledger.basics.hours import format_hours
from timebank.ledger.basics.text import printable
from timebank.render.sheet import (MEMBER, MEMBERS, NUMERIC, TABLE, TEXT, Chart, Field, Line, Report, Sheet,
                                   column_texts, table_cell, value_of)


def cell_text(row: dict[str, Any], column: Any, words: Words) -> str:
    value = value_of(row, column)
    if value is None and column.none:
        return words._(column.none)
    return printable(table_cell(value, column.kind, words))


def width_of(text: str) -> int:
    """Cells on screen: one a character for plain ASCII (most cells), else as Rich counts."""
    return len(text) if text.isascii() else cell_len(text)


def _cut(text: str, width: int) -> str:
    return text if width_of(text) <= width else set_cell_size(text, max(width - 1, 0)) + "…"


Lineish = Text | str   # a line of a report: styled, or plain until it is drawn


@dataclass
class Drawn:
    head: Text
    rule: Text
    lines: list[Lineish]
    keys: list[str]
    foot: list[Text]
    count: int


SEPARATOR = 2   # two spaces between columns
TEXT_FLOOR = 6   # a note or a category is cut no shorter than this ("Garde…") while names can give way
NAME_FLOOR = 12  # a name is cut no shorter than this before less needed columns go
LAST_FLOOR = 4   # and no shorter than this at all


def firm(column: Any, index: int, key_index: int | None) -> bool:
    """A column that is never cut nor dropped on the screen: every number (hours, balances,
    counts) and the row's own number. The rest is text and gives way first."""
    return column.kind in NUMERIC or index == key_index


def screen_fit(columns: list[Any], heads: list[str], cells: list[Any], feet: list[str] | None, width: int,
               key_index: int | None = None) -> tuple[list[int], list[int]]:
    """Which columns to show and how wide, so that every number stays whole and in view:
    notes and categories are cut short first (with an ellipsis), then names, then the less
    needed text columns (`drop`) go, then names are cut shorter still. Headings stay on one
    line: a number's heading is never cut, a text column's may be. If the numbers alone are
    wider than the screen the lines are wider, and the page scrolls sideways.

    The screen's own rule, not the command line's (`render.table.fit`): there names are
    never cut and whole columns are dropped instead, which on a screen 80 columns wide lost
    the hours and the balances."""
    count = len(columns)
    body = [max([width_of(row[i]) for row in cells] + [width_of(feet[i]) if feet else 0]) for i in range(count)]
    natural = [max(width_of(heads[i]), body[i]) for i in range(count)]
    keep = [i for i in range(count) if firm(columns[i], i, key_index) or not cells or any(row[i] for row in cells)
            or (feet and feet[i])]
    widths = list(natural)

    def total() -> int:
        return sum(widths[i] for i in keep) + SEPARATOR * (len(keep) - 1)

    def squeeze(which: list[int], floor: int) -> None:
        # A cell at a time from the widest, so that columns giving way share what is left.
        while total() > width:
            wide = [i for i in which if widths[i] > floor]
            if not wide:
                return
            widest = max(wide, key=lambda i: widths[i])
            runner_up = max((widths[i] for i in wide if i != widest), default=floor)
            widths[widest] -= max(1, min(widths[widest] - max(runner_up, floor), total() - width))

    def names() -> list[int]:
        return [i for i in keep if not firm(columns[i], i, key_index) and
                (columns[i].kind in (MEMBER, MEMBERS) or (columns[i].kind == TEXT and columns[i].whole))]

    texts = [i for i in keep if columns[i].shrinks and not firm(columns[i], i, key_index)]
    squeeze(texts, TEXT_FLOOR)
    squeeze(names(), NAME_FLOOR)
    for i in sorted((i for i in keep if columns[i].drop and not firm(columns[i], i, key_index)),
                    key=lambda i: columns[i].drop):
        if total() <= width:
            break
        keep.remove(i)
    squeeze(names() + [i for i in keep if columns[i].shrinks and not firm(columns[i], i, key_index)], LAST_FLOOR)
    return keep, widths


def table_lines(sheet: Sheet, words: Words, width: int, *, key: str | None = None,
                limit: int | None = None) -> Drawn:
    """A sheet as aligned text with every number column whole, in `width` if it can be
    (`screen_fit`): the heading line, a line per row (at most `limit`), each row's key (the
    value of column `key`), the footer lines, and how many rows there were."""
    columns = sheet.columns_for(TABLE)
    rows = list(sheet.rows)
    shown = rows if limit is None else rows[:limit]
    by_column = [column_texts(shown, c, words) for c in columns]
    # Rows as tuples, as zip makes them: copying ten thousand of them into lists only to measure them is waste.
    cells: list[Any] = list(zip(*by_column))
    heads = [printable(c.heading(words)) for c in columns]
    feet = None
    if sheet.footer is not None:
        feet = [_foot(sheet.footer[c.key], c, words) if c.key in sheet.footer else "" for c in columns]
    key_index = next((i for i, c in enumerate(columns) if c.key == key), None) if key else None
    if key_index is None:
        # A report's list (no key to pick by): its first number column (#) is the row's own.
        key_index = next((i for i, c in enumerate(columns) if c.kind in NUMERIC), None)
    keep, sizes_of = screen_fit(columns, heads, cells, feet, width, key_index)
    right = [columns[i].right for i in keep]
    sizes = [sizes_of[i] for i in keep]

    def plain(values: list[str]) -> str:
        return "  ".join(_pad(value, size, to_right) for value, size, to_right in zip(values, sizes, right)).rstrip()

    def line(values: list[str], style: str = "") -> Text:
        return Text(plain(values), style=style, no_wrap=True)

    rule = Text("  ".join("━" * size for size in sizes), style="dim")
    # Rows stay plain text until drawn: a report may have ten thousand of them. Padded a
    # column at a time (str.rjust/ljust for the ASCII cells that fit, most of them), the
    # same text as `plain` gives a row at a time, in a fraction of the time.
    padded = [_padded(by_column[i], size, to_right) for i, size, to_right in zip(keep, sizes, right)]
    lines: list[Lineish] = ["  ".join(parts).rstrip() for parts in zip(*padded)] if keep else ["" for _row in shown]
    keys = [str(value_of(row, _column(columns, key))) for row in shown] if key else []
    foot = [rule, line([feet[i] for i in keep], "bold")] if feet and shown else []
    return Drawn(line([heads[i] for i in keep], "bold"), rule, lines, keys, foot, len(rows))


def _padded(values: list[str], size: int, to_right: bool) -> list[str]:
    pad = str.rjust if to_right else str.ljust
    return [pad(value, size) if value.isascii() and len(value) <= size else _pad(value, size, to_right)
            for value in values]


def _pad(value: str, size: int, to_right: bool) -> str:
    value = _cut(value, size)
    fill = " " * (size - width_of(value))
    return fill + value if to_right else value + fill


def _column(columns: list[Any], key: str | None) -> Any:
    return next(c for c in columns if c.key == key)


def _foot(value: Any, column: Any, words: Words) -> str:
    return printable(value(words) if callable(value) else table_cell(value, column.kind, words))


def chart_text(chart: Chart, words: Words, width: int) -> Text:
    """The bars of the command line's chart, as wide as the screen allows."""
    labels = [label(words) for label, _minutes in chart.points]
    label_width = max((cell_len(label) for label in labels), default=0)
    values = [format_hours(minutes) for _label, minutes in chart.points]
    bar_room = max(10, min(40, width - label_width - max((len(v) for v in values), default=0) - 6))
    peak = max((minutes for _label, minutes in chart.points), default=0) or 1
    text = Text(chart.title(words), style="bold")
    for label, value, (_say, minutes) in zip(labels, values, chart.points):
        text.append(f"\n  {' ' * (label_width - cell_len(label))}{label} ")
        text.append("█" * round(bar_room * minutes / peak), style="green")
        text.append(f" {value}")
    return text


def sheet_lines(sheet: Sheet, words: Words, width: int) -> list[Lineish]:
    """A sheet as lines of aligned text: heading, rule, rows and footer."""
    drawn = table_lines(sheet, words, width)
    return [drawn.head, drawn.rule] + drawn.lines + drawn.foot


def report_lines(report: Report, words: Words, width: int) -> list[Lineish]:
    """A report's parts in reading order, as lines of text: its lines, its lists as aligned
    columns, its chart as bars. One `TextView` shows them, however long (a monthly report on
    a ledger of ten thousand members has ten thousand lines)."""
    lines: list[Lineish] = []
    for part in report.parts:
        if isinstance(part, (Field, Line)):
            say = part.line if isinstance(part, Field) else part.say
            if say is None:
                continue
            style = "bold" if part.bold else (getattr(part, "style", None) or "")
            # Plain lines stay plain text until drawn (a report may have thousands of them).
            lines += [Text(text, style=style) if style else text for text in map(printable, say(words).split("\n"))]
        elif isinstance(part, Sheet) and part.columns_for(TABLE):
            rows = list(part.rows)
            if lines and str(lines[-1]):
                lines.append(Text())
            if part.title is not None:
                lines.append(Text(part.title(words), style="bold"))
            if not rows and part.empty is not None:
                lines.append(Text(part.empty(words)))
            elif rows:
                lines += sheet_lines(Sheet(part.columns, rows, footer=part.footer), words, width)
            lines.append(Text())
        elif isinstance(part, Chart):
            if lines and str(lines[-1]):
                lines.append(Text())
            lines += chart_text(part, words, width).split("\n")
    while lines and not str(lines[-1]):
        lines.pop()
    return lines


class TextView(ScrollView, can_focus=True):
    """Lines of styled text in a scrolling view that draws only the lines on screen, so a
    report of ten thousand lines is shown at once. Arrow keys, Page Up/Down, Home and End
    move through it."""

    DEFAULT_CSS = """
    TextView { height: 1fr; padding: 0 1; }
    """
    # When the lines are wider than the screen (the numbers of a wide table are never cut),
    # the arrow keys move sideways, and the foot says so.
    BINDINGS = [Binding("left", "scroll_left", N_("Sideways"), key_display="← →"),
                Binding("right", "scroll_right", N_("Sideways"), show=False)]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: list[Lineish] = []
        self._strips: dict[int, Strip] = {}

    def show(self, lines: list[Lineish], *, keep_place: bool = False) -> None:
        """Show these lines from the top, or (`keep_place`: the rest of what is on screen
        has come) where the reader has got to."""
        self.lines = lines
        self._strips.clear()
        width = max((width_of(str(line)) for line in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        if not keep_place:
            self.scroll_to(0, 0, animate=False)
        self.refresh()
        self.refresh_bindings()

    @property
    def wide(self) -> bool:
        """Wider than the room on screen: the lines scroll sideways."""
        return self.virtual_size.width > self.scrollable_content_region.width

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("scroll_left", "scroll_right"):
            return self.wide
        return True

    def on_resize(self) -> None:
        self.refresh_bindings()

    def on_mount(self) -> None:
        # The keys' words in the interface language (as `base.translate_bindings` does for
        # pages; this module is below `base`), for every list and report of every page.
        words = getattr(self.app, "words", None)
        if words is not None:
            table = self._bindings.key_to_bindings
            for key, bindings in list(table.items()):
                table[key] = [replace(b, description=words._(b.description)) if b.description else b
                              for b in bindings]

    @property
    def text(self) -> str:
        return "\n".join(str(line) for line in self.lines)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        style = self.rich_style
        width = self.scrollable_content_region.width
        if index >= len(self.lines):
            return Strip.blank(width, style)
        strip = self._strips.get(index)
        if strip is None:
            line = self.lines[index]
            text = Text(line) if isinstance(line, str) else line.copy()
            text.stylize_before(style)
            strip = Strip(list(text.render(self.app.console, end="")) or [Segment("")])
            self._strips[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, style)


class PickList(TextView):
    """A list to choose from: one line per row, the chosen row highlighted; the arrow keys,
    Page Up/Down, Home and End move, Enter (or a click) picks. Like `TextView` it draws only
    the lines on screen: a keystroke in a search redraws it at once."""

    BINDINGS = [Binding("up", "move(-1)", show=False), Binding("down", "move(1)", show=False),
                Binding("pageup", "page(-1)", show=False), Binding("pagedown", "page(1)", show=False),
                Binding("home", "ends(0)", show=False), Binding("end", "ends(1)", show=False),
                Binding("enter", "pick", show=False)]

    class Picked(Message):
        def __init__(self, picklist: "PickList", key: str) -> None:
            super().__init__()
            self.picklist = picklist
            self.key = key

        @property
        def control(self) -> "PickList":
            return self.picklist

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.keys: list[str] = []
        self.cursor = 0

    def show_rows(self, lines: list[Lineish], keys: list[str]) -> None:
        chosen = self.chosen
        self.keys = keys
        # The same row stays chosen when the list is read again (others' changes).
        self.cursor = keys.index(chosen) if chosen in keys else 0
        self.show(lines)
        self._follow()

    @property
    def chosen(self) -> str | None:
        return self.keys[self.cursor] if 0 <= self.cursor < len(self.keys) else None

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if self.scroll_offset.y + y == self.cursor and self.keys:
            highlight = Style(reverse=True) if self.has_focus else Style(bgcolor="grey30")
            strip = strip.apply_style(highlight)
        return strip

    def _follow(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)
        self.refresh()

    def action_move(self, step: int) -> None:
        if self.keys:
            self.cursor = max(0, min(len(self.keys) - 1, self.cursor + step))
            self._follow()

    def action_page(self, step: int) -> None:
        self.action_move(step * max(self.scrollable_content_region.height - 1, 1))

    def action_ends(self, last: int) -> None:
        self.action_move(len(self.keys) if last else -len(self.keys))

    def action_pick(self) -> None:
        if self.chosen is not None:
            self.post_message(self.Picked(self, self.chosen))

    def on_click(self, event: Any) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.keys):
            self.cursor = row
            self.refresh()
            self.action_pick()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def fill(head: Any, picklist: PickList, sheet: Sheet, words: Words, width: int, *, key: str,
         limit: int | None = None) -> int:
    """Put a sheet into a heading (a Static) and a PickList; returns how many rows it had."""
    drawn = table_lines(sheet, words, width, key=key, limit=limit)
    if getattr(head, "drawn", None) != drawn.head.plain:
        # Only when it changes: an update lays the page out again (a keystroke's worth).
        head.update(drawn.head)
        head.drawn = drawn.head.plain
    picklist.show_rows(drawn.lines, drawn.keys)
    return drawn.count


__all__ = ["table_lines", "fill", "report_lines", "sheet_lines", "chart_text", "cell_text", "TextView", "PickList"]
