"""How results look. `sheet` is the intermediate (typed rows, reports as parts); `views`
turns core results into it; `table`, `csvfile` and `jsonfile` draw it. Every function
here takes the language to speak as `Words`: nothing reads a global language.

`emit` is what a command calls: one result, in the format asked for.
"""

from __future__ import annotations

import sys
from typing import TextIO

from timebank.i18n import Words
from timebank.render.sheet import Report, Sheet


def emit(result: Sheet | Report, fmt: str, words: Words, *, out: TextIO | None = None,
         crlf: bool = False) -> int:
    """Draw `result` as table, csv or json; returns the number of CSV rows written."""
    if fmt == "json":
        from timebank.render.jsonfile import report_data, sheet_data, write_json

        write_json(report_data(result, words) if isinstance(result, Report) else sheet_data(result, words))
        return 0
    if fmt == "csv":
        from timebank.render.csvfile import write_sections

        sheet = result.csv if isinstance(result, Report) else result
        if callable(sheet):
            sheet = sheet()
        if sheet is None:
            return 0
        return write_sections(sheet, out or sys.stdout, words, crlf=crlf)
    from timebank.render.table import draw_report, draw_sheet

    if isinstance(result, Report):
        draw_report(result, words)
    else:
        draw_sheet(result, words)
    return 0
