"""Sheets and reports as JSON for scripts: language-neutral keys, codes and numbers.

JSON escapes C0 controls itself; DEL, C1 controls (8-bit CSI), line separators and
bidirectional overrides are escaped here too (`\\u009b`): the same strings to a program,
inert on a terminal."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from timebank.i18n import Words
from timebank.render.sheet import JSON, Field, Report, Sheet, flat_parts, json_cell, value_of


def sheet_data(sheet: Sheet, words: Words) -> list[dict[str, Any]]:
    columns = sheet.columns_for(JSON)
    return [{c.key: json_cell(value_of(row, c), c.kind, words) for c in columns} for row in sheet.rows]


def report_data(report: Report, words: Words) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for part in flat_parts(report.parts):
        if isinstance(part, Field) and part.key is not None:
            data[part.key] = json_cell(part.value, part.kind, words)
        elif isinstance(part, Sheet) and part.key is not None:
            data[part.key] = sheet_data(part, words)
    if report.json_order:
        data = {key: data[key] for key in report.json_order if key in data} | data
    return data


_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(chunk: str) -> str:
    # These characters occur only inside JSON strings, so escaping them changes no value.
    if chunk.isascii() and "\x7f" not in chunk:
        return chunk  # the usual case, decided without a scan
    return _RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", chunk)


def write_json(data: Any) -> None:
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, default=str)
    for chunk in encoder.iterencode(data):
        sys.stdout.write(_escaped(chunk))
    sys.stdout.write("\n")
