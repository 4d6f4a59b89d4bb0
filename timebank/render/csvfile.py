"""The one CSV writer: every CSV the program writes (lists, reports, funder exports) goes
through `write_csv`, which neutralises any text cell a spreadsheet would run as a formula,
shows control characters as escapes (a CSV is read on a terminal too, and no text a
person may store holds them), and leaves numbers as numbers."""

from __future__ import annotations

import csv
from typing import Any, Iterable, Iterator, TextIO

from timebank.i18n import Words
from timebank.ledger.basics.text import FORMULA_START, neutralise, printable
from timebank.render.sheet import (ACTION, BOOL, CATEGORY, CSV, DATE, DATETIME, KIND, LANG, NUMERIC, PERIOD, Sheet,
                                   TupleSheet, file_cell, value_of)

# Cells that cannot start a formula: numbers, ISO dates, and codes and words we choose.
NEVER_FORMULA = NUMERIC | {DATE, DATETIME, CATEGORY, KIND, LANG, BOOL, ACTION, PERIOD}


def header(column: Any, words: Words) -> str:
    label = column.csv_header or column.key
    return label(words) if callable(label) else words._(label)


def write_csv(sheet: Sheet | TupleSheet, out: TextIO, words: Words, *, crlf: bool = False) -> int:
    """Write the sheet's CSV columns; returns the number of rows. A TupleSheet's rows are
    already file-ready tuples in column order (the million-row export), and only their
    text cells are touched."""
    columns = sheet.columns_for(CSV)
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow([_safe(header(c, words)) for c in columns])
    text_at = [i for i, c in enumerate(columns) if c.kind not in NEVER_FORMULA]
    count = 0
    if isinstance(sheet, TupleSheet):
        for batch in _batches(sheet.rows, 10_000):
            writer.writerows(_safe_tuples(batch, text_at) if text_at else batch)
            count += len(batch)
        return count
    for row in sheet.rows:
        cells = []
        for column in columns:
            value = file_cell(value_of(row, column), column.kind, words)
            if value is None:
                cells.append("")
            elif column.kind in NUMERIC:
                cells.append(value)
            else:
                cells.append(_safe(str(value)))
        writer.writerow(cells)
        count += 1
    return count


def write_sections(sheets: "Sheet | list[Sheet]", out: TextIO, words: Words, *, crlf: bool = False) -> int:
    """A report's CSV: each of its sheets with its own header row, a blank line between
    them (the headline figures, then the lists). Returns the rows written, headers aside."""
    if isinstance(sheets, Sheet):
        return write_csv(sheets, out, words, crlf=crlf)
    count = 0
    for index, sheet in enumerate(sheets):
        if index:
            out.write("\r\n" if crlf else "\n")
        count += write_csv(sheet, out, words, crlf=crlf)
    return count


def _safe(text: str) -> str:
    return neutralise(printable(text))


def _safe_tuples(batch: list[tuple], text_at: list[int]) -> Iterator[tuple]:
    for row in batch:
        if any(isinstance(row[i], str) and (row[i].startswith(FORMULA_START) or not row[i].isprintable())
               for i in text_at):
            cells = list(row)
            for i in text_at:
                if isinstance(cells[i], str):
                    cells[i] = _safe(cells[i])
            yield tuple(cells)
        else:
            yield row


def _batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
