"""Every bad input: one line in the chosen language, exit 1 (2 for usage), ledger unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli, dump, sqlite_only

FUTURE = "2999-01-01"

CASES = [
    ("hours 0", ["record", "Siân", "Llinos", "0"], 1),
    ("hours -1", ["record", "Siân", "Llinos", "-1"], 1),
    ("hours abc", ["record", "Siân", "Llinos", "abc"], 1),
    ("hours 25", ["record", "Siân", "Llinos", "25"], 1),
    ("hours 1.01", ["record", "Siân", "Llinos", "1.01"], 1),
    ("future date", ["record", "Siân", "Llinos", "1", "--date", FUTURE], 1),
    ("bad date", ["record", "Siân", "Llinos", "1", "--date", "2026-02-30"], 1),
    ("before joining", ["record", "Siân", "Llinos", "1", "--date", "2025-12-31"], 1),
    ("unknown member", ["record", "Bob", "Llinos", "1"], 1),
    ("unknown number", ["record", "#99", "Llinos", "1"], 1),
    ("ambiguous name", ["record", "L", "Siân", "1"], 1),
    ("giver is receiver", ["record", "Siân", "siân", "1"], 1),
    ("member who left", ["record", "Siân", "Gwyn", "1"], 1),
    ("over credit limit", ["record", "Siân", "Llinos", "11"], 1),
    ("unknown category", ["record", "Siân", "Llinos", "1", "--category", "juggling"], 1),
    ("void unknown", ["exchange", "void", "99", "--reason", "x"], 1),
    ("void without reason", ["exchange", "void", "1", "--reason", " "], 1),
    ("show unknown exchange", ["exchange", "show", "99"], 1),
    ("group with two on each side", ["record", "--giver", "Siân", "--giver", "Llinos", "--receiver", "Lowri",
                                     "--receiver", "Gwyn", "--hours", "1"], 1),
    ("group and positional", ["record", "Siân", "Llinos", "1", "--giver", "Siân"], 2),
    ("two arguments", ["record", "Siân", "Llinos"], 2),
    ("unknown option", ["record", "Siân", "Llinos", "1", "--dat", "x"], 2),
    ("bad format", ["balance", "--format", "xml"], 2),
    ("bad month", ["exchange", "list", "--month", "2026-13"], 1),
    ("from after to", ["exchange", "list", "--from", "2026-05-01", "--to", "2026-04-01"], 1),
    ("bad setting", ["settings", "set", "colour", "blue"], 1),
    ("bad credit limit", ["settings", "set", "credit_limit", "lots"], 1),
    ("bad member lang", ["member", "add", "Elen", "--lang", "fr"], 2),
    ("empty name", ["member", "add", "  "], 1),
    ("numeric name", ["member", "add", "42"], 1),
    ("control characters", ["member", "add", "Bad\x07Name"], 1),
    ("leave twice", ["member", "leave", "Gwyn"], 1),
    ("rejoin active", ["member", "rejoin", "Siân"], 1),
    ("edit nothing", ["member", "edit", "Siân"], 1),
    ("duplicate category", ["category", "add", "gardening", "--en", "G", "--cy", "G"], 1),
    ("unknown statement member", ["statement", "Bob"], 1),
    ("bad as-of", ["balance", "--as-of", "soon"], 1),
    ("empty date", ["record", "Siân", "Llinos", "1", "--date", ""], 1),
    ("empty end of a period", ["report", "period", "--from", "2026-01-01", "--to", ""], 1),
    ("month past the year 2999", ["report", "monthly", "--month", "9999-12"], 1),
    ("month zero year", ["report", "monthly", "--month", "0000-01"], 1),
    ("date in the year 1", ["statement", "Siân", "--from", "0001-01-01"], 1),
    ("huge member number", ["record", "99999999999999999999", "Llinos", "1"], 1),
    ("huge exchange number", ["exchange", "void", "99999999999999999999", "--reason", "x"], 2),
    ("huge request number", ["match", "99999999999999999999"], 2),
    ("huge inactive days", ["member", "list", "--inactive", "99999999999999999999"], 2),
    ("max_hours nan", ["settings", "set", "max_hours", "nan"], 1),
    ("credit limit infinite", ["settings", "set", "credit_limit", "1e400"], 1),
    ("hour value huge", ["settings", "set", "hour_value", "1e400"], 1),
    ("control characters in --by", ["member", "add", "Elen", "--by", "evil\x1b[2J"], 1),
    ("bidi override in a name", ["member", "add", "Elen\u202enesor"], 1),
]


@pytest.fixture
def busy(ledger: Cli) -> Cli:
    ledger.ok("member", "add", "Gwyn", "--joined", "2026-01-05")
    ledger.ok("record", "Siân", "Gwyn", "1", "--date", "2026-02-01")
    ledger.ok("member", "leave", "Gwyn", "--date", "2026-03-01")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-02")
    return ledger


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize(("label", "args", "code"), CASES, ids=[c[0] for c in CASES])
def test_refused_without_change(busy: Cli, label: str, args: list[str], code: int, lang: str) -> None:
    before = dump(busy.db)
    result = busy(*args, lang=lang)
    assert result.code == code, result
    assert "Traceback" not in result.err + result.out
    if code == 1:
        lines = [line for line in result.err.splitlines() if line.strip()]
        assert len(lines) == 1, result.err
    assert dump(busy.db) == before


@pytest.mark.parametrize(("label", "args", "code"), [c for c in CASES if c[2] == 1], ids=[c[0] for c in CASES
                                                                                       if c[2] == 1])
def test_refusal_is_in_welsh(busy: Cli, label: str, args: list[str], code: int) -> None:
    english = busy(*args, lang="en").err
    welsh = busy(*args, lang="cy").err
    assert welsh.strip() and welsh != english


def test_ambiguous_name_lists_candidates(busy: Cli) -> None:
    result = busy("record", "L", "Siân", "1")
    assert "#2 Llinos" in result.err and "#3 Lowri ap Rhys" in result.err


@sqlite_only
def test_missing_ledger_is_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "ledger.sqlite3"
    for args in (["balance"], ["member", "list"], ["record", "1", "2", "1"], ["check"], ["audit"],
                 ["report", "monthly"], ["settings", "show"]):
        for lang in ("en", "cy"):
            cli = Cli(missing, capsys)
            result = cli(*args, lang=lang)
            assert result.code == 1
            assert str(missing) in result.err and "timebank init" in result.err
            assert not missing.exists() and not missing.parent.exists()


@sqlite_only
def test_not_a_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("shopping list\n" * 10)
    result = Cli(text, capsys)("balance")
    assert result.code == 1 and "not a timebank ledger" in result.err
    assert text.read_text() == "shopping list\n" * 10
    folder = tmp_path / "folder"
    folder.mkdir()
    result = Cli(folder, capsys)("balance")
    assert result.code == 1 and "folder" in result.err


@sqlite_only
def test_backup_never_overwrites_a_file(busy: Cli) -> None:
    other = Path(str(busy.db) + ".other")
    other.write_bytes(b"someone else's file")
    for lang in ("en", "cy"):
        result = busy("backup", "--output", str(other), lang=lang)
        assert result.code == 1 and str(other) in result.err
    assert other.read_bytes() == b"someone else's file"


@sqlite_only
def test_init_leaves_another_database_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    path = tmp_path / "accounts.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    for args in (["init"], ["demo"]):
        result = Cli(path, capsys)(*args)
        assert result.code == 1 and "not a timebank ledger" in result.err
    assert path.read_bytes() == before
