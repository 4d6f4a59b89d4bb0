"""Cymraeg without English seams (issue 15): categories answer to Welsh and English codes in
either language, Welsh command names work, and under --lang cy no English code or field
name shows anywhere a person reads (JSON keeps its codes)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import Cli
from timebank.ledger.records.audit import ACTIONS
from timebank.ledger.records.categories import DEFAULT_CATEGORIES

# What a Welsh reader must never meet: the English category codes, member field names,
# kinds and audit action codes.
ENGLISH_CODES = sorted({code for code, _cy, _en, _name in DEFAULT_CATEGORIES}
                       | {"name", "area", "email", "phone", "lang", "note", "sort_as", "person", "organisation"}
                       | set(ACTIONS))
ENGLISH = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(code) for code in ENGLISH_CODES) + r")(?![\w-])")

WELSH_COMMANDS = [
    ["audit"], ["archwilio", "--format", "csv"],
    ["member", "edit", "1", "--phone", "01656 000000", "--lang", "en", "--area", "CF31"],
    ["member", "list"], ["member", "list", "--format", "csv"], ["member", "show", "2"],
    ["offer", "add", "2", "garddio", "--note", "Sadyrnau"], ["offer", "list"], ["request", "list"],
    ["match", "--category", "cludiant"],
    ["export", "summary", "--by", "quarter"], ["export", "exchanges"], ["export", "exchanges", "--with-names"],
    ["export", "members"], ["export", "areas", "--min-count", "1"],
    ["journal"], ["journal", "--format", "beancount"],
    ["exchange", "list", "--include-void"], ["exchange", "list", "--format", "csv"], ["exchange", "show", "1"],
    ["report", "monthly", "--month", "last"], ["report", "monthly", "--month", "last", "--format", "csv"],
    ["report", "period", "--from", "2026-01-01", "--to", "2026-11-20", "--by", "quarter"],
    ["report", "period", "--from", "2026-01-01", "--to", "2026-11-20", "--by", "quarter", "--format", "csv"],
    ["statement", "2"], ["balance"], ["settings", "show"], ["check"],
]


@pytest.fixture
def welsh_demo(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-20")
    cli.ok("--lang", "cy", "demo", "--members", "20", "--months", "4")
    cli.ok("--lang", "cy", "record", "1", "2", "1", "--category", "cludiant", "--date", "2026-11-02")
    cli.ok("--lang", "cy", "exchange", "void", "1", "--reason", "Anghywir")
    cli.ok("--lang", "cy", "settings", "set", "hour_value", "12.50")
    return cli


def test_no_english_code_under_welsh(welsh_demo: Cli) -> None:
    leaks = []
    for args in WELSH_COMMANDS:
        result = welsh_demo.ok(*args, lang="cy")
        for found in ENGLISH.findall(result.out + result.err):
            leaks.append((" ".join(args), found))
    assert not leaks, leaks


def test_json_keeps_english_codes(welsh_demo: Cli) -> None:
    rows = welsh_demo.json("exchange", "list", lang="cy")
    assert {row["category"] for row in rows} <= {code for code, _cy, _en, _name in DEFAULT_CATEGORIES}
    members = welsh_demo.json("member", "list", lang="cy")
    assert {m["kind"] for m in members} <= {"person", "organisation"}


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_either_code_records_in_either_language(ledger: Cli, lang: str) -> None:
    ledger.ok("record", "Siân", "Llinos", "1", "--category", "cludiant", lang=lang)
    ledger.ok("record", "Siân", "Llinos", "2", "--category", "transport", lang=lang)
    categories = [row["category"] for row in ledger.json("exchange", "list")]
    assert categories == ["transport", "transport"]


def test_welsh_command_names(ledger: Cli) -> None:
    out = ledger.ok("cofnodi", "Siân", "Llinos", "1:30").out
    assert "1" in out
    assert ledger.json("balans", "Siân")[0]["balance_minutes"] == 90
    assert ledger.ok("aelod", "rhestr", lang="cy").out
    welsh_help = ledger.ok("--help", lang="cy").out
    assert "cofnodi (record)" in welsh_help and "balans (balance)" in welsh_help
    assert "cofnodi" not in ledger.ok("--help", lang="en").out
    # English names keep working in Welsh.
    assert ledger.ok("record", "Llinos", "Siân", "1", lang="cy").code == 0


def test_user_categories_have_both_codes(ledger: Cli) -> None:
    ledger.ok("category", "add", "music", "--en", "Music", "--cy", "Cerddoriaeth", "--cy-code", "cerddoriaeth")
    ledger.ok("record", "Siân", "Llinos", "1", "--category", "cerddoriaeth")
    assert ledger.json("exchange", "list")[0]["category"] == "music"
    csv_cy = ledger.ok("export", "exchanges", lang="cy").out
    assert "cerddoriaeth" in csv_cy and "music" not in csv_cy
    refused = ledger("category", "add", "cerddoriaeth", "--en", "X", "--cy", "Y")
    assert refused.code == 1
    listing = json.loads(ledger.ok("category", "list", "--format", "json").out)
    # A new category serves no well-being goal until it is given some (issue 30).
    assert {"code": "music", "code_cy": "cerddoriaeth", "cy": "Cerddoriaeth", "en": "Music", "goals": []} in listing


def test_unknown_category_lists_codes_in_the_readers_language(ledger: Cli) -> None:
    refused = ledger("record", "Siân", "Llinos", "1", "--category", "gwau", lang="cy")
    assert refused.code == 1 and "cludiant" in refused.err and "transport" not in refused.err
    refused = ledger("record", "Siân", "Llinos", "1", "--category", "knitting", lang="en")
    assert "transport" in refused.err and "cludiant" not in refused.err
