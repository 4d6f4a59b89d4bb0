"""Text that tries to become something else (issue 17, red-team items 7 and 8): settings
refuse control characters; the journal writes every text as inert text, so hledger and
beancount see exactly the ledger's transactions; and nothing a person stored or the
environment holds can send escape sequences to a terminal."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import Cli, execute_sql
from refusal import refused

HLEDGER_ENV = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PATH": __import__("os").environ["PATH"]}
needs_hledger = pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed (.ci/run installs it)")

INJECTED_NAME = ("Banc\ninclude /etc/passwd\n2026-01-01 * fake\n    members:00001  1000 HRS\n"
                 "    members:00002  -1000 HRS\n\r2026-01-02 * \"fake\"\n  Assets:Members:M00001  1000 HRS\n"
                 "  Assets:Members:M00002  -1000 HRS\n\u2028option \"title\" \"x\"\x85account members:00009\n"
                 "2026-01-03 open Assets:Members:M00009 HRS\n")
# Names a person may type that hledger would read as tags in a directive's comment.
TAG_NAMES = ["Ann, type:L", "Bob type:Liability", 'Cai "quoted" \\ back']


@pytest.mark.parametrize(("key", "value"), [
    ("name", "Banc\ninclude /etc/passwd"), ("name", "Banc\x1b[2J"), ("name", "Banc\u202eevil"),
    ("name", "Banc\rAmser"), ("lang", "cy\x1b"), ("credit_limit", "1\x000"), ("max_hours", "2\t4"),
    ("hour_value", "1\n2"),
])
def test_settings_refuse_control_characters(ledger: Cli, key: str, value: str) -> None:
    refused(ledger, "settings", "set", key, value)


def _injected(ledger: Cli) -> Cli:
    for name in TAG_NAMES:
        ledger.ok("member", "add", name, "--joined", "2026-01-05")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01", "--note", "; type:L include x")
    ledger.ok("record", "Ann", "Bob", "2", "--date", "2026-02-02", "--note", 'say "hi" \\ there')
    # Stored as an older version allowed it, or by someone with the file.
    value = INJECTED_NAME.replace("'", "''")
    execute_sql(ledger.db, f"UPDATE settings SET value = '{value}' WHERE key = 'name'",
                f"INSERT INTO settings (key, value) SELECT 'name', '{value}' WHERE NOT EXISTS "
                "(SELECT 1 FROM settings WHERE key = 'name')")
    return ledger


@needs_hledger
def test_hledger_sees_only_the_ledgers_transactions(ledger: Cli, tmp_path: Path) -> None:
    cli = _injected(ledger)
    journal = tmp_path / "ledger.journal"
    cli.ok("journal", "-o", str(journal))
    check = subprocess.run(["hledger", "-f", str(journal), "check"], capture_output=True, text=True, env=HLEDGER_ENV)
    assert check.returncode == 0, check.stderr
    printed = subprocess.run(["hledger", "-f", str(journal), "print", "-O", "csv"], capture_output=True, text=True,
                             check=True, env=HLEDGER_ENV).stdout
    assert {line.split(",")[0].strip('"') for line in printed.splitlines()[1:]} == {"1", "2"}  # txnidx
    bal = subprocess.run(["hledger", "-f", str(journal), "bal", "--flat", "-N", "-O", "csv"], capture_output=True,
                         text=True, check=True, env=HLEDGER_ENV).stdout
    theirs = {}
    for line in bal.splitlines()[1:]:
        account, amount = [cell.strip('"') for cell in line.split('","')]
        theirs[int(account.split(":")[1])] = Decimal(amount.replace(" HRS", "").replace(",", ""))
    ours = {r["number"]: Decimal(r["balance_hours"]) for r in cli.json("balance") if r["balance_minutes"]}
    assert theirs == ours
    types = subprocess.run(["hledger", "-f", str(journal), "accounts", "--types"], capture_output=True, text=True,
                           check=True, env=HLEDGER_ENV).stdout
    assert "type: L" not in types and "00009" not in types


def test_beancount_sees_only_the_ledgers_transactions(ledger: Cli, tmp_path: Path) -> None:
    from beancount import loader
    from beancount.core import data

    cli = _injected(ledger)
    journal = tmp_path / "ledger.beancount"
    cli.ok("journal", "--format", "beancount", "-o", str(journal))
    entries, errors, options = loader.load_file(str(journal))
    assert not errors, errors
    assert options["title"] != "x" and not options["include"][1:]
    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    assert len(transactions) == 2
    assert len([e for e in entries if isinstance(e, data.Open)]) == len(cli.json("member", "list", "--all")) + 1
    theirs: dict[int, Decimal] = {}
    for entry in transactions:
        for posting in entry.postings:
            number = int(posting.account.rsplit(":M", 1)[1])
            theirs[number] = theirs.get(number, Decimal(0)) + posting.units.number
    ours = {r["number"]: Decimal(r["balance_minutes"]) / 60 for r in cli.json("balance")}
    assert {n: round(v, 2) for n, v in theirs.items() if v} == {n: round(v, 2) for n, v in ours.items() if v}
    names = {e.account: e.meta.get("name") for e in entries if isinstance(e, data.Open)}
    assert 'Cai "quoted" \\ back' in names.values()


ESCAPES = ("\x1b", "\x9b", "\x07", "\u202e", "\x85")
HOSTILE = "Evil\x1b[2J\x1b]0;owned\x07\x9b31m\u202eX\r"


def _clean(text: str) -> None:
    for escape in ESCAPES:
        assert escape not in text, (escape, text[:400])
    assert "\r" not in text.replace("\r\n", "\n"), text[:400]  # CSV files end rows with CRLF


def test_nothing_stored_or_inherited_reaches_the_terminal_raw(ledger: Cli, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # The login name is taken as it is (TIMEBANK_USER and --by are checked; the system's is not).
    monkeypatch.delenv("TIMEBANK_USER")
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, HOSTILE)
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01", "--note", "ordinary")
    sheet = tmp_path / f"rows{HOSTILE}.csv"
    sheet.write_text("date,giver,receiver,hours\n2026-02-02,1,2,1\n", encoding="utf-8")
    ledger.ok("import", "exchanges", str(sheet))
    value = HOSTILE.replace("'", "''")
    execute_sql(ledger.db, f"UPDATE settings SET value = '{value}' WHERE key = 'name'",
                f"INSERT INTO settings (key, value) SELECT 'name', '{value}' WHERE NOT EXISTS "
                "(SELECT 1 FROM settings WHERE key = 'name')",
                f"UPDATE exchanges SET note = 'note {value}' WHERE number = 1",
                f"UPDATE members SET name = 'Siân {value}', area = '{value}' WHERE number = 1")
    seen = []
    for lang in ("en", "cy"):
        for args in (["settings", "show"], ["settings", "show", "--format", "csv"],
                     ["settings", "show", "--format", "json"], ["journal"], ["journal", "--format", "beancount"],
                     ["exchange", "show", "1"], ["exchange", "show", "1", "--format", "json"], ["exchange", "list"],
                     ["exchange", "list", "--format", "csv"], ["audit"], ["audit", "--format", "csv"],
                     ["audit", "--format", "json"], ["member", "show", "1"], ["member", "list"], ["balance"],
                     ["statement", "1"], ["report", "monthly", "--month", "2026-02"],
                     ["export", "members", "--with-names"], ["export", "exchanges", "--with-names"],
                     ["export", "areas", "--min-count", "1"]):
            result = ledger(*args, lang=lang)
            assert result.code == 0, (args, result)
            _clean(result.out + result.err)
            seen.append(result.out)
        for args in (["record", f"Bob{HOSTILE}", "Llinos", "1"], ["settings", "set", f"colour{HOSTILE}", "x"],
                     ["member", "add", f"Bad{HOSTILE}"], ["import", "exchanges", str(tmp_path / f"no{HOSTILE}.csv")],
                     [f"nosuchcommand{HOSTILE}"]):
            result = ledger(*args, lang=lang)
            assert result.code != 0
            _clean(result.out + result.err)
    shown = "\n".join(seen)
    assert "Evil\\x1b[2J" in shown and "\\u202e" in shown  # shown as escapes, not dropped
    assert json.loads(ledger.ok("settings", "show", "--format", "json").out)["name"] == HOSTILE


@pytest.mark.parametrize("name", ["Si\u200bân", "Siân\u200e", "\u200fSiân", "Si\u00adân", "\ufeffSiân", "Si\u2060ân"])
def test_names_with_characters_that_show_nothing_are_refused(ledger: Cli, name: str) -> None:
    """Issue 26 (low): a zero-width space, a direction mark, a soft hyphen or a word joiner
    makes a name that looks like another member's and is found by no search."""
    results = refused(ledger, "member", "add", name)
    assert "zero-width" in results["en"].err and "lled sero" in results["cy"].err
    refused(ledger, "member", "edit", "1", "--note", "Helo\u200bbyd")
    ledger.ok("member", "add", "Nasrin \u0646\u0633\u200c\u0631\u06cc\u0646")   # Persian keeps its non-joiner
