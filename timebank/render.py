"""How results look: Rich tables for people, CSV and JSON for scripts (no decoration)."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from rich.console import Console
from rich.table import Table

from timebank.i18n import N_, _


def console() -> Console:
    # No markup: names and notes are people's text, and "[erased]" or "[Llinos]" would be
    # taken for Rich's style tags and vanish. Styles are passed with style=.
    return Console(file=sys.stdout, highlight=False, soft_wrap=False, markup=False)


def err_console() -> Console:
    return Console(file=sys.stderr, highlight=False)


@dataclass(frozen=True)
class Column:
    key: str            # the JSON key, and the English CSV header
    header: str         # translated table header
    csv_header: str     # translated CSV header
    justify: str = "left"


def column(key: str, header: str, csv_header: str | None = None, justify: str = "left") -> Column:
    return Column(key, header, csv_header or key, justify)


# CSV headers of the list and report commands are their JSON keys, marked here so that a
# Welsh CSV carries Welsh headers (the funder exports mark theirs in timebank.io.exports).
CSV_KEYS = [N_("number"), N_("givers"), N_("receivers"), N_("note"), N_("void"), N_("reverses"), N_("others"),
            N_("from"), N_("to"), N_("minutes_exchanged"), N_("members_left"), N_("opening_minutes"),
            N_("given_minutes"), N_("received_minutes"), N_("closing_minutes"), N_("email"), N_("phone"),
            N_("sort_as"), N_("balance_minutes"), N_("exchange"), N_("balance_hours")]


def csv_columns(keys: Iterable[str]) -> list[Column]:
    """Columns for a CSV whose headers are the (translated) keys themselves."""
    return [column(key, key, _(key)) for key in keys]


def write_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def write_csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([c.csv_header for c in columns])
    for row in rows:
        writer.writerow(["" if row.get(c.key) is None else row.get(c.key) for c in columns])


def table(title: str | None, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
          cell: Callable[[Column, Any], str] | None = None, footer: dict[str, Any] | None = None,
          caption: str | None = None) -> Table:
    result = Table(title=title, show_footer=footer is not None, caption=caption, title_justify="left")
    for c in columns:
        result.add_column(c.header, justify=c.justify,  # type: ignore[arg-type]
                          footer="" if footer is None else str(footer.get(c.key, "")))
    for row in rows:
        result.add_row(*[(cell(c, row.get(c.key)) if cell else _plain(row.get(c.key))) for c in columns])
    return result


def write_lines(lines: Iterable[str]) -> None:
    """Plain lines straight to stdout: Rich costs half a millisecond a print."""
    sys.stdout.write("".join(line + "\n" for line in lines))


RICH_TABLE_LIMIT = 300


def print_table(title: str | None, columns: Sequence[Column], rows: list[dict[str, Any]],
                footer: dict[str, Any] | None = None) -> None:
    """A table on the terminal. Rich draws small ones; long ones (a report of thousands of
    members) are drawn as plain aligned text, because Rich costs about a millisecond a row."""
    if len(rows) <= RICH_TABLE_LIMIT:
        console().print(table(title, columns, rows, footer=footer))
        return
    from rich.cells import cell_len as rich_cell_len

    def cell_len(text: str) -> int:
        # Plain ASCII is one cell a character; only Welsh accents, emoji and the like need Rich.
        return len(text) if text.isascii() else rich_cell_len(text)

    cells = [[_plain(row.get(c.key)) for c in columns] for row in rows]
    heads = [c.header for c in columns]
    feet = [_plain(footer.get(c.key, "")) if footer else "" for c in columns]
    widths = [max([cell_len(heads[i]), cell_len(feet[i])] + [cell_len(r[i]) for r in cells])
              for i in range(len(columns))]

    def line(values: list[str]) -> str:
        parts = []
        for value, width, c in zip(values, widths, columns):
            pad = " " * (width - cell_len(value))
            parts.append(pad + value if c.justify == "right" else value + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("─" * w for w in widths)
    out = sys.stdout
    if title:
        out.write(title + "\n")
    out.write(line(heads) + "\n" + rule + "\n")
    for values in cells:
        out.write(line(values) + "\n")
    if footer:
        out.write(rule + "\n" + line(feet) + "\n")


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def emit(fmt: str, columns: Sequence[Column], rows: list[dict[str, Any]], *, title: str | None = None,
         json_rows: list[dict[str, Any]] | None = None, table_rows: list[dict[str, Any]] | None = None,
         empty: str | None = None, footer: dict[str, Any] | None = None) -> None:
    """One result, three faces: `rows` feed CSV; JSON and table may use richer rows."""
    if fmt == "json":
        write_json(json_rows if json_rows is not None else rows)
    elif fmt == "csv":
        write_csv(columns, rows)
    else:
        shown = table_rows if table_rows is not None else rows
        if not shown and empty:
            console().print(empty)
            return
        print_table(title, columns, shown, footer=footer)
