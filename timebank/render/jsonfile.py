"""Sheets and reports as JSON for scripts: language-neutral keys, codes and numbers."""

from __future__ import annotations

import json
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


def write_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
