"""Hours, dates and numbers take ASCII digits only (issue 17, red-team item 22): "٣"
(Arabic-Indic three) or "３" (fullwidth) had been recorded as three hours."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli, dump
from refusal import refused

ARABIC_THREE, FULLWIDTH_THREE = "\u0663", "\uff13"

CASES = [
    ["record", "Siân", "Llinos", ARABIC_THREE],
    ["record", "Siân", "Llinos", FULLWIDTH_THREE],
    ["record", "Siân", "Llinos", "\u0661:\u0663\u0660"],           # ١:٣٠
    ["record", "Siân", "Llinos", "1:\u0663\u0660"],
    ["record", "Siân", "Llinos", f"{ARABIC_THREE}h"],
    ["record", "Siân", "Llinos", "\uff19\uff10m"],                  # ９０m
    ["record", "Siân", "Llinos", "1.\u0665"],
    ["record", "Siân", "Llinos", "1", "--date", "\u0662\u0660\u0662\u0666-\u0660\u0662-\u0660\u0661"],
    ["record", "Siân", "Llinos", "1", "--date", "２０２６-０２-０１"],
    ["exchange", "list", "--month", "２０２６-０２"],
    ["settings", "set", "credit_limit", ARABIC_THREE],
    ["settings", "set", "max_hours", FULLWIDTH_THREE],
    ["settings", "set", "hour_value", "\u0661\u0662"],
    ["record", f"#{ARABIC_THREE}", "Llinos", "1"],
    ["balance", FULLWIDTH_THREE],
]


@pytest.mark.parametrize("args", CASES, ids=range(len(CASES)))
def test_non_ascii_digits_are_refused(ledger: Cli, args: list[str]) -> None:
    refused(ledger, *args)


def test_an_import_row_with_other_digits_is_listed(ledger: Cli, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("date,giver,receiver,hours\n2026-02-01,1,2,1\n2026-02-02,1,2,\u0663\n"
                    "٠١/٠٢/٢٠٢٦,1,2,1\n", encoding="utf-8")
    before = dump(ledger.db)
    for lang in ("en", "cy"):
        result = ledger("import", "exchanges", str(path), lang=lang)
        assert result.code == 1
        assert [line.split(":")[0].split()[-1] for line in result.err.splitlines()[:2]] == ["3", "4"]
    assert dump(ledger.db) == before


def test_ascii_digits_still_work(ledger: Cli) -> None:
    for hours in ("3", "1:30", "1h30m", "90m", "1,5"):
        # --again: four of them are the same 90 minutes, which main refuses as a duplicate.
        ledger.ok("record", "Siân", "Llinos", hours, "--date", "2026-02-01", "--again")
    ledger.ok("settings", "set", "hour_value", "12,50")
    assert ledger.json("balance", "1")[0]["balance_minutes"] == 180 + 90 + 90 + 90 + 90
