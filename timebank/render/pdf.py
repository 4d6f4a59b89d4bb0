"""Printed documents: reports drawn as A4 PDF pages, with a font that has every Welsh letter.

Any `Report` can be printed: its lines become paragraphs (a `Line`'s style names one of
`STYLES`), its sheets tables whose header row is repeated on every page they run onto,
its charts bar charts. One file can hold several documents (a statement for each member):
each starts on a new page, is written in its own language, and counts its own pages
("page 2 of 3" / "tudalen 2 o 3") beside a footer that says whose pages they are.

Drawn with ReportLab (pure Python, imported only here, and this module only when a PDF
is made). The font is DejaVu Sans, shipped in `fonts/` under its own licence, embedded
(subset) in every file: ReportLab's own fonts lack ŵ and ŷ.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Sequence
from xml.sax.saxutils import escape

import reportlab.rl_config
from reportlab.graphics.shapes import Drawing, Line as ChartLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape as turned
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.frames import Frame

from timebank.i18n import Words
from timebank.ledger.basics.hours import format_hours
from timebank.render.sheet import (CATEGORY, DATE, MEMBER, MEMBERS, NUMERIC, SAID, SAY, SIGNED_SAID, TABLE, TEXT,
                                   Chart, Columns, Field, Line, Report, Say, Sheet, Typed, said_parts, signed_hours,
                                   table_cell, value_of)

# Page streams compressed and stored as binary, not also ASCII85-encoded: a fifth smaller,
# and encoding a thousand pages in pure Python costs seconds.
reportlab.rl_config.useA85 = 0

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"

MARGIN = 16 * mm
FOOT = 9 * mm              # the footer's baseline, above the bottom edge
PAD = 1.6 * mm             # a table cell's padding, left and right
INK = colors.black
RULE = colors.Color(0.45, 0.45, 0.45)
STRIPE = colors.Color(0.93, 0.93, 0.93)   # light enough to print as a pale grey, dark enough to see
BAR = colors.Color(0.35, 0.35, 0.35)


@dataclass(frozen=True)
class Sizes:
    """The type of a document, in points: its paragraphs' styles, its table cells, hours said
    in words under their figure, its foot; the spacing of lines as a share of their size,
    and whether a table's rows are told apart by stripes (text on a tint) or by rules."""

    body: float
    cell: float
    said: float
    small: float
    title: float
    heading: float
    subheading: float
    sheet_title: float
    foot: float
    leading: float = 1.25
    cell_leading: float = 1.2
    stripes: bool = True


# Reports for a coordinator or a funder: compact, many figures to a page.
ORDINARY = Sizes(body=10, cell=9, said=7.5, small=8.5, title=18, heading=14, subheading=11.5, sheet_title=11,
                 foot=8)
# A member's statement, read by anyone: no text under 11 pt, hours in words 10 pt.
STATEMENT = Sizes(body=12, cell=11, said=10, small=11, title=20, heading=16, subheading=13.5, sheet_title=13.5,
                  foot=11, leading=1.3, cell_leading=1.25)
# Large print, after RNIB's clear print guidance: 16 pt at least (headings larger and bold,
# never underlined or italic), a plain sans-serif, left aligned, black on white with no
# tint behind the text, and generous space between lines.
LARGE = Sizes(body=16, cell=16, said=16, small=16, title=24, heading=21, subheading=18, sheet_title=18, foot=16,
              leading=1.45, cell_leading=1.35, stripes=False)

BODY_SIZE, CELL_SIZE, SAID_SIZE = ORDINARY.body, ORDINARY.cell, ORDINARY.said


@dataclass(frozen=True)
class Document:
    """One document in a file: a report in one language, the words at the foot of each of
    its pages (whose pages they are, so a loose page finds its way back), and its type."""

    report: Report
    words: Words
    footer: Say | None = None
    sizes: Sizes = ORDINARY


# Fonts and styles -------------------------------------------------------------------------

_registered = False


def register_fonts() -> None:
    """DejaVu Sans and its bold, once a process; `<b>` in a paragraph picks the bold."""
    global _registered
    if _registered:
        return
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    _registered = True


def _style(name: str, size: float, sizes: Sizes, *, bold: bool = False, before: float = 0, after: float = 3
           ) -> ParagraphStyle:
    # Space around paragraphs grows with the type (the ordinary sizes keep their spacing).
    grow = sizes.body / ORDINARY.body
    return ParagraphStyle(name, fontName=BOLD if bold else REGULAR, fontSize=size,
                          leading=size * sizes.leading, spaceBefore=before * grow, spaceAfter=after * grow,
                          textColor=INK, alignment=TA_LEFT)


_styles: dict[Sizes, dict[str, ParagraphStyle]] = {}


def styles(sizes: Sizes = ORDINARY) -> dict[str, ParagraphStyle]:
    """The styles a `Line` may name, in these sizes; any other style (a terminal colour)
    prints as body text."""
    if sizes not in _styles:
        _styles[sizes] = {
            "title": _style("title", sizes.title, sizes, bold=True, after=2),
            "heading": _style("heading", sizes.heading, sizes, bold=True, before=8, after=2),
            "subheading": _style("subheading", sizes.subheading, sizes, bold=True, before=4, after=2),
            "small": _style("small", sizes.small, sizes, before=1, after=2),
            "body": _style("body", sizes.body, sizes),
            "bold": _style("bold", sizes.body, sizes, bold=True, before=4),
            "sheet_title": _style("sheet_title", sizes.sheet_title, sizes, bold=True, before=10, after=4),
            # A heading of a letter's section: never left alone at the foot of a page.
            "section": _style("section", sizes.subheading, sizes, bold=True, before=6, after=2),
        }
        _styles[sizes]["section"].keepWithNext = 1
    return _styles[sizes]


STYLES = styles(ORDINARY)


def paragraph(text: str, style: str = "body", sizes: Sizes = ORDINARY) -> Paragraph:
    """People's text as a paragraph: escaped, so '<b>' in a note prints as typed."""
    chosen = styles(sizes)
    return Paragraph(escape(text), chosen.get(style, chosen["body"]))


# Cells ---------------------------------------------------------------------------------------

WRAPPING = frozenset({TEXT, MEMBER, MEMBERS, CATEGORY, SAY})
LONGEST_WORD = 40 * mm  # the widest a column of words is held for one word that cannot break


class Lines(Flowable):
    """Lines of text in a cell, each in its own font and size, wrapped to the cell's width.
    Far cheaper than a Paragraph (a statement run draws tens of thousands of cells), and
    people's text is never read as markup."""

    def __init__(self, lines: "list[Piece]", right: bool = False, leading: float = 1.2) -> None:
        super().__init__()
        self.source = lines
        self.right = right
        self.leading = leading
        self.drawn: list[tuple[str, str, float]] = []
        self.width = self.height = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        # A table asks each cell its size more than once, always at the same width.
        if not self.drawn or available_width != self.width:
            self.width = available_width
            self.drawn = [(piece, font, size) for text, font, size, parts in self.source
                          for piece in split_text(text, font, size, available_width, parts)]
            self.height = sum(size * self.leading for _text, _font, size in self.drawn)
        return self.width, self.height

    def draw(self) -> None:
        y = self.height
        for text, font, size in self.drawn:
            y -= size * self.leading
            self.canv.setFont(font, size)
            if self.right:
                self.canv.drawRightString(self.width, y + size * 0.22, text)
            else:
                self.canv.drawString(0, y + size * 0.22, text)


# Where a word may break without breaking a word: after a hyphen between letters
# ('Prŷs-' | 'Llewellyn'), never after a minus sign ('-14.00').
HYPHEN = re.compile(r"(?<=\w-)(?=\w)")


def word_pieces(text: str) -> list[str]:
    """The runs of `text` that never break inside: its words, a hyphenated one in its parts."""
    return [piece for word in text.split() for piece in HYPHEN.split(word)]


def split_text(text: str, font: str, size: float, width: float, parts: tuple[str, ...] = ()) -> list[str]:
    """Lines no wider than `width`: split between `parts` if given ('minus 8 hours' |
    '30 minutes', '5 Nov' | '2026'), else at spaces, then after a hyphen, and inside a word
    only when it is too long for a line."""
    if parts and pdfmetrics.stringWidth(text, font, size) > width:
        return [line for part in parts for line in split_text(part, font, size, width)]
    lines: list[str] = []
    for line in simpleSplit(text, font, size, width) or [""]:
        while pdfmetrics.stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > width:
                cut -= 1
            hyphens = [m.start() for m in HYPHEN.finditer(line[:cut + 1]) if 0 < m.start() <= cut]
            if hyphens:
                cut = hyphens[-1]
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


# A line of a cell: its text, font and size, and the pieces it may break between (or none).
Piece = tuple[str, str, float, tuple[str, ...]]


@dataclass
class _Cell:
    lines: list[Piece]
    right: bool

    @cached_property
    def widest(self) -> float:
        return max((pdfmetrics.stringWidth(t, f, s) for t, f, s, _p in self.lines), default=0.0)

    @cached_property
    def longest_word(self) -> float:
        return max((pdfmetrics.stringWidth(word, f, s) for t, f, s, _p in self.lines for word in word_pieces(t)),
                   default=0.0)

    @cached_property
    def widest_piece(self) -> float:
        """The widest unbreakable run: a whole line, or the widest of the pieces it may break between."""
        return max((max(pdfmetrics.stringWidth(p, f, s) for p in parts) if parts else pdfmetrics.stringWidth(t, f, s)
                    for t, f, s, parts in self.lines), default=0.0)


def pdf_cell(value: Any, kind: str, words: Words, *, bold: bool = False, none: str = "",
             right: bool | None = None, sizes: Sizes = ORDINARY) -> _Cell:
    """A value as the lines of a printed cell: hours said in words sit small under the figure."""
    font = BOLD if bold else REGULAR
    right = kind in NUMERIC if right is None else right
    if isinstance(value, Typed):
        value, kind = value.value, value.kind
    if value is None:
        return _Cell([(words._(none), font, sizes.cell, ())] if none else [], right)
    if kind in (SAID, SIGNED_SAID) and not callable(value):
        figure = signed_hours(value) if kind == SIGNED_SAID else format_hours(value)
        parts = tuple(said_parts(value, words))
        return _Cell([(figure, font, sizes.cell, ()), (" ".join(parts), REGULAR, sizes.said, parts)], right)
    if kind == DATE and isinstance(value, date):
        # Dates in a printed table in their short form ('1 Hyd 2026'), to leave room for notes;
        # where room is shorter still, the year goes under the day and month.
        text = words.date_medium(value)
        return _Cell([(text, font, sizes.cell, tuple(text.rsplit(" ", 1)))], right)
    text = table_cell(value, kind, words)
    return _Cell([(line, font, sizes.cell, ()) for line in text.split("\n")], right)


def column_widths(columns: Sequence[Any], heads: list[_Cell], rows: list[list[_Cell]], available: float,
                  fill: bool = True, cell_size: float = ORDINARY.cell) -> list[float]:
    """Widths from what the cells hold: each column as wide as its widest cell; if that is
    too wide, headers wrap first (a long header over short numbers), then the columns of
    words (names, notes) down to a comfortable width, then hours said in words break into
    two lines, then the columns of words shrink towards their longest word, then dates put
    their year on a line of its own, then hours in words break between any two words: every
    heading and every word (up to `LONGEST_WORD`) stays whole. Only a table too wide even so
    is scaled down. With `fill` the table is widened to the full line, the columns of words
    taking the room."""
    # A point to spare in each: a line exactly as wide as its cell would wrap by rounding.
    spare = 2 * PAD + 1
    natural, body, roomy, said, least, flexible, dated, unbroken = [], [], [], [], [], [], [], []
    for i, column in enumerate(columns):
        cells = [row[i] for row in rows]
        wraps = column.kind in WRAPPING
        widest = max((c.widest for c in cells), default=0.0) + spare
        head_word = heads[i].longest_word + spare
        word = max((c.longest_word for c in cells), default=0.0) + spare
        if wraps:
            # A word longer than a comfortable column (a pasted URL, a run of emoji, a long
            # Welsh place name) breaks inside (split_text) rather than holding its column
            # wide: held wide, it squeezed every other column to nothing (issue 26).
            word = min(word, LONGEST_WORD)
        natural.append(max(widest, heads[i].widest + spare))
        body.append(max(widest, head_word))
        narrowest = max(min(widest, max(word, 14 * mm)), head_word)
        # Hours said in words ('minus 8 hours 30 minutes') may take two lines under the figure.
        piece = max((c.widest_piece for c in cells), default=0.0) + spare
        said.append(max(piece, head_word) if column.kind in (SAID, SIGNED_SAID) else body[-1])
        # Words (a note) wrap to a comfortable width before the hours in words break.
        roomy.append(max(narrowest, min(body[-1], 40 * mm)) if wraps else body[-1])
        least.append(narrowest if wraps else said[-1])
        flexible.append(wraps)
        # A date may put its year on a second line ('5 Nov' | '2026').
        dated.append(max(piece, head_word) if column.kind == DATE else least[-1])
        # The last room that keeps every word whole: hours in words one word a line if need be.
        unbroken.append(max(word, head_word) if column.kind in (SAID, SIGNED_SAID) else dated[-1])
    widths = natural
    # A header or hours in words that no longer fit on one line take two whatever the cut,
    # so those stages cut all the way (the room left over goes back to the words below).
    broken = [s if c.kind in (SAID, SIGNED_SAID) else r for s, r, c in zip(said, roomy, columns)]
    stages = ((body, True), (roomy, False), (broken, True), (least, False), (dated, True), (unbroken, False))
    for floor, whole in stages:
        total = sum(widths)
        if total <= available:
            break
        slack = [max(w - f, 0.0) for w, f in zip(widths, floor)]
        if sum(slack) <= 0:
            continue
        cut = 1.0 if whole else min(1.0, (total - available) / sum(slack))
        widths = [w - s * cut for w, s in zip(widths, slack)]
    total = sum(widths)
    if total > available + 0.01:
        # Even at their narrowest the columns are too wide: scale every one alike, but never
        # below a character's room inside the padding (less leaves a cell no width at all).
        least_room = spare + cell_size
        scaled = [w * available / total for w in widths]
        short = sum(max(least_room - w, 0.0) for w in scaled)
        wider = sum(w for w in scaled if w > least_room)
        if short and wider:
            scaled = [least_room if w <= least_room else w - short * w / wider for w in scaled]
        return [max(w, least_room) for w in scaled]
    if not fill or total >= available:
        return widths
    grow = [w for w, f in zip(widths, flexible) if f]
    share = sum(grow) or total
    return [w + (available - total) * (w / share if (f or not grow) else 0) for w, f in zip(widths, flexible)]


def _flowable(cell: _Cell, width: float, sizes: Sizes = ORDINARY) -> Any:
    # A single line that fits is a plain string, which the table draws itself (fastest).
    if len(cell.lines) == 1:
        text, font, size, _parts = cell.lines[0]
        if font == REGULAR and size == sizes.cell and cell.widest <= width - 2 * PAD:
            return text
    return Lines(cell.lines, cell.right, sizes.cell_leading)


def sheet_flowables(sheet: Sheet, words: Words, available: float, target: str = TABLE,
                    sizes: Sizes = ORDINARY) -> list[Any]:
    """A sheet as a title and a table whose header row repeats on every page it runs onto."""
    columns = [c for c in sheet.columns_for(target)]
    out: list[Any] = []
    if sheet.title is not None:
        out.append(paragraph(sheet.title(words), "sheet_title", sizes))
    else:
        out.append(Spacer(1, 4 * sizes.body / ORDINARY.body))
    rows = [[pdf_cell(value_of(row, c), c.kind, words, none=c.none, right=c.right, sizes=sizes) for c in columns]
            for row in sheet.rows]
    if not rows and sheet.empty is not None:
        out.append(paragraph(sheet.empty(words), sizes=sizes))
        return out
    size = sizes.cell
    with_head = any(c.label for c in columns)
    heads = [_Cell([(c.heading(words), BOLD, size, ())] if c.label else [], c.right) for c in columns]
    feet: list[_Cell] | None = None
    if sheet.footer is not None:
        feet = [pdf_cell(sheet.footer.get(c.key), SAY if callable(sheet.footer.get(c.key)) else c.kind, words,
                         bold=True, right=c.right, sizes=sizes) for c in columns]
    widths = column_widths(columns, heads if with_head else [_Cell([], False)] * len(columns),
                           rows + ([feet] if feet else []), available, fill=with_head, cell_size=size)
    data = ([[_flowable(h, w, sizes) for h, w in zip(heads, widths)]] if with_head else []) + [
        [_flowable(cell, w, sizes) for cell, w in zip(row, widths)] for row in rows]
    if feet:
        data.append([_flowable(cell, w, sizes) for cell, w in zip(feet, widths)])
    # A plain string in a cell is drawn by the table at this size and leading.
    grow = size / ORDINARY.cell
    style = [("FONT", (0, 0), (-1, -1), REGULAR, size, size * sizes.cell_leading),
             ("TEXTCOLOR", (0, 0), (-1, -1), INK),
             ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), PAD),
             ("RIGHTPADDING", (0, 0), (-1, -1), PAD), ("TOPPADDING", (0, 0), (-1, -1), 2.5 * grow),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * grow), ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE)]
    first = 1 if with_head else 0
    if with_head:
        style += [("FONT", (0, 0), (-1, 0), BOLD, size, size * sizes.cell_leading),
                  ("LINEBELOW", (0, 0), (-1, 0), 1, INK), ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]
    if sizes.stripes:
        style += [("ROWBACKGROUNDS", (0, first), (-1, -1 if not feet else -2), [colors.white, STRIPE])]
    else:
        # No tint behind the text: a rule under each row tells the rows apart.
        style += [("LINEBELOW", (0, first), (-1, -1), 0.8, RULE)]
    if feet:
        style += [("FONT", (0, -1), (-1, -1), BOLD, size, size * sizes.cell_leading),
                  ("LINEABOVE", (0, -1), (-1, -1), 1, INK)]
    for i, column in enumerate(columns):
        if column.right:
            style.append(("ALIGN", (i, 0), (i, -1), "RIGHT"))
    table = Table(data, colWidths=widths, repeatRows=first, style=TableStyle(style), hAlign="LEFT")
    out.append(table)
    return out


# Charts -----------------------------------------------------------------------------------------

def bar_chart(chart: Chart, words: Words, width: float, height: float | None = None) -> list[Any]:
    """Bars to scale with their labels beneath and their hours above, in greys that print.
    Where bars are too narrow for every label, every second (or third...) is labelled; where
    they are too narrow for their hours, the hours are left to the tables."""
    height = height or (chart.height or 55) * mm
    drawing = Drawing(width, height)
    # The scale starts at 0 (a bar's height is its value), so that twice as high is twice as many hours.
    shown = chart.shown or [None] * len(chart.points)
    points = [(label(words), float(hours) if hours is not None else minutes / 60,
               f"{hours:.2f}" if hours is not None else format_hours(minutes))
              for (label, minutes), hours in zip(chart.points, shown)]
    top = max((hours for _l, hours, _t in points), default=0) or 1
    base, room = 12.0, height - 24.0
    step = width / max(len(points), 1)
    widest_label = max((pdfmetrics.stringWidth(label, REGULAR, 7) for label, _h, _t in points), default=0.0)
    every = max(1, -int(-(widest_label + 3) // step))
    widest_value = max((pdfmetrics.stringWidth(text, REGULAR, 7) for _l, _h, text in points), default=0.0)
    values = widest_value + 2 <= step
    drawing.add(ChartLine(0, base, width, base, strokeColor=INK, strokeWidth=0.8))
    for i, (label, hours, text) in enumerate(points):
        bar = room * max(hours, 0) / top
        x = i * step + step * 0.15
        drawing.add(Rect(x, base, step * 0.7, bar, fillColor=BAR, strokeColor=None))
        middle = i * step + step / 2
        if i % every == 0:
            drawing.add(String(middle, base - 9, label, fontName=REGULAR, fontSize=7, textAnchor="middle"))
        if values:
            drawing.add(String(middle, base + bar + 2.5, text, fontName=REGULAR, fontSize=7,
                               textAnchor="middle"))
    return [paragraph(chart.title(words), "sheet_title"), drawing]


# Reports and documents ---------------------------------------------------------------------------

def report_flowables(report: Report, words: Words, width: float, sizes: Sizes = ORDINARY) -> list[Any]:
    out: list[Any] = []
    for part in report.parts:
        if isinstance(part, Line):
            out.append(paragraph(part.say(words), part.style if part.style in STYLES else
                                 ("bold" if part.bold else "body"), sizes))
        elif isinstance(part, Field):
            if part.line is not None:
                out.append(paragraph(part.line(words).strip(), "bold" if part.bold else "body", sizes))
        elif isinstance(part, Sheet):
            out += sheet_flowables(part, words, width, sizes=sizes)
        elif isinstance(part, Chart):
            out += bar_chart(part, words, width)
        elif isinstance(part, Columns):
            out.append(side_by_side(part, words, width, sizes))
    return out


GUTTER = 8 * mm


def side_by_side(part: Columns, words: Words, width: float, sizes: Sizes = ORDINARY) -> Table:
    """Columns of parts side by side, a gutter between them, each laid out in its own width."""
    room = width - GUTTER * (len(part.columns) - 1)
    widths = [room * share for share in part.shares]
    cells = [report_flowables(Report(parts), words, w, sizes) for parts, w in zip(part.columns, widths)]
    row: list[Any] = []
    col_widths: list[float] = []
    for index, (cell, w) in enumerate(zip(cells, widths)):
        if index:
            row.append("")
            col_widths.append(GUTTER)
        row.append(cell)
        col_widths.append(w)
    return Table([row], colWidths=col_widths, hAlign="LEFT",
                 style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))


class _Start(Flowable):
    """Marks where a document begins: the pages from here on are counted as its own."""

    def __init__(self, index: int, progress: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.index = index
        self.progress = progress
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.document_index = self.index
        if self.progress is not None:
            self.progress(self.index + 1)


def _shortened(text: str, room: float, size: float = ORDINARY.foot) -> str:
    """A foot's words cut to the room with '…' (a member's name of any length stays on the page)."""
    if pdfmetrics.stringWidth(text, REGULAR, size) <= room:
        return text
    while text and pdfmetrics.stringWidth(text + "…", REGULAR, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _numbered_canvas(feet: list[tuple[str, Words, float]], pages: list[int]) -> type[Canvas]:
    """A canvas that holds its pages until the end, when each document's page count is
    known, then writes every page's foot: whose pages, and 'page 2 of 3' in its language."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.document_index = 0
            self.held: list[tuple[dict, int]] = []

        def showPage(self) -> None:  # ReportLab's name
            self.held.append((dict(self.__dict__), self.document_index))
            self._startPage()

        def save(self) -> None:
            counts = Counter(index for _state, index in self.held)
            pages.append(len(self.held))
            seen: Counter[int] = Counter()
            width, _height = self._pagesize
            for state, index in self.held:
                self.__dict__.update(state)
                seen[index] += 1
                left, words, size = feet[index]
                self.setFont(REGULAR, size)
                self.setFillColor(INK)
                right = words._("page {page} of {pages}").format(page=seen[index], pages=counts[index])
                if left:
                    self.drawString(MARGIN, FOOT, _shortened(left, width - 2 * MARGIN - 6 * mm
                                                             - pdfmetrics.stringWidth(right, REGULAR, size), size))
                self.drawRightString(width - MARGIN, FOOT, right)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def write_pdf(documents: Iterable[Document], out: BinaryIO, *, title: str = "", author: str = "",
              landscape: bool = False, progress: Callable[[float], None] | None = None) -> int:
    """Print documents into one PDF, each starting on a new page with its own page count;
    returns the number of pages. `progress` hears how much is done, from 0 to 1: laying the
    documents out is about a fifth of the work, drawing them most of the rest."""
    register_fonts()
    size = turned(A4) if landscape else A4
    template = BaseDocTemplate(out, pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                               bottomMargin=MARGIN + 4 * mm, title=title, author=author, creator="timebank",
                               subject=title, initialFontName=REGULAR, initialFontSize=BODY_SIZE)
    frame = Frame(template.leftMargin, template.bottomMargin, template.width, template.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story: list[Any] = []
    feet: list[tuple[str, Words, float]] = []
    documents = list(documents)
    count = max(len(documents), 1)
    drawn = (lambda done: progress(LAID_OUT + (DRAWN - LAID_OUT) * done / count)) if progress else None
    for index, document in enumerate(documents):
        if index:
            story.append(PageBreak())
        story.append(_Start(index, drawn))
        story += report_flowables(document.report, document.words, template.width, document.sizes)
        feet.append((document.footer(document.words) if document.footer else "", document.words,
                     document.sizes.foot))
        if progress is not None:
            progress(LAID_OUT * (index + 1) / count)
    if not story:
        story.append(Spacer(1, 1))
        feet.append(("", Words("en"), ORDINARY.foot))
    pages: list[int] = []
    template.build(story, canvasmaker=_numbered_canvas(feet, pages))
    if progress is not None:
        progress(1.0)
    return sum(pages)


# Shares of the work done when every document is laid out, and when every one is drawn
# (measured on a thousand statements; the rest is numbering the pages and writing the file).
LAID_OUT, DRAWN = 0.2, 0.9


__all__ = ["Document", "Sizes", "ORDINARY", "STATEMENT", "LARGE", "styles", "write_pdf", "register_fonts",
           "paragraph", "sheet_flowables", "bar_chart",
           "report_flowables", "pdf_cell", "column_widths", "split_text", "Lines", "STYLES"]
