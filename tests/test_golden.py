"""Golden outputs: the exact table, CSV and JSON of one small fixed ledger, in both
languages, so that an accidental change to a funder-facing figure or header shows up.

Regenerate after an intended change with TIMEBANK_UPDATE_GOLDEN=1 and read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import Cli

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TIMEBANK_UPDATE_GOLDEN") == "1"
# A seal's hash depends on random salts and the moment of writing: the golden files keep
# the link number and mask the hash.
SEAL_HASH = re.compile(r"(#\d+ )[0-9a-f]{16}")

OUTPUTS = {
    "report-monthly.txt": ["report", "monthly", "--month", "2026-10"],
    "report-monthly.csv": ["report", "monthly", "--month", "2026-10", "--format", "csv"],
    "report-monthly.json": ["report", "monthly", "--month", "2026-10", "--format", "json"],
    "report-period.txt": ["report", "period", "--from", "2026-08-01", "--to", "2026-10-31"],
    "balance.txt": ["balance", "--as-of", "2026-10-31"],
    "statement.txt": ["statement", "Siân", "--month", "2026-10"],
    "member-list.txt": ["member", "list"],
    "export-summary.csv": ["export", "summary", "--from", "2026-08-01", "--to", "2026-10-31"],
    "export-exchanges.csv": ["export", "exchanges", "--with-names"],
    "export-members.csv": ["export", "members"],
}


@pytest.fixture
def fixed(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-24")
    monkeypatch.setenv("COLUMNS", "100")
    cli.ok("init", "--name", "Banc Amser Blaengarw", "--lang", "cy")
    cli.ok("settings", "set", "hour_value", "12.50")
    cli.ok("settings", "set", "credit_limit", "3")
    for name, area, lang in [("Siân Jones", "CF32", "cy"), ("Llinos Evans", "CF32", "cy"),
                             ("Lowri ap Rhys", "CF31", "en"), ("Rhodri Price", "CF32", "cy"),
                             ("Thomas Smith", "CF34", "en")]:
        cli.ok("member", "add", name, "--area", area, "--lang", lang, "--joined", "2026-08-01")
    cli.ok("member", "add", "Canolfan Gymunedol", "--kind", "organisation", "--joined", "2026-08-01")
    steps = [
        ("Siân", "Llinos", "1:30", "2026-08-05", "transport"),
        ("Lowri", "Siân", "2", "2026-09-10", "gardening"),
        ("Rhodri", "Thomas", "45m", "2026-10-02", "computers"),
        ("Siân", "Canolfan", "3", "2026-10-12", "events"),
        ("Llinos", "Lowri", "1", "2026-10-20", "shopping"),
    ]
    for giver, receiver, hours, day, category in steps:
        cli.ok("record", giver, receiver, hours, "--date", day, "--category", category)
    cli.ok("record", "--giver", "Thomas", "--receiver", "Siân", "--receiver", "Llinos", "--receiver", "Rhodri",
           "--hours", "1", "--date", "2026-10-25", "--category", "teaching")
    cli.ok("record", "Rhodri", "Lowri", "2", "--date", "2026-10-26")
    cli.ok("exchange", "void", "7", "--reason", "Cofnodwyd ddwywaith")
    cli.ok("record", "Llinos", "Thomas", "3", "--date", "2026-10-28", "--allow-overdraft")
    cli.ok("member", "leave", "Rhodri", "--date", "2026-10-30")
    return cli


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_golden_outputs(fixed: Cli, lang: str) -> None:
    mismatched = []
    for name, args in OUTPUTS.items():
        out = SEAL_HASH.sub(r"\1<hash>", fixed.ok(*args, lang=lang).out)
        path = GOLDEN / f"{lang}-{name}"
        if UPDATE:
            path.write_bytes(out.encode("utf-8"))  # bytes: CSV rows end in CRLF
            continue
        expected = path.read_bytes().decode("utf-8")
        if out != expected:
            mismatched.append(name)
    assert not mismatched, f"outputs differ from tests/golden ({lang}): {mismatched}"
