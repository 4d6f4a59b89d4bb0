"""The coordinator at the keyboard (issue 14): global options anywhere, tables that fit 80
columns, no silent duplicates, back-dated exchanges for members who left since, names
mistyped, British dates, completion, Ctrl-C, bare groups, and questions at a terminal."""

from __future__ import annotations

import csv
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Cli, at_a_terminal, dump, env_without_timebank, sqlite_only

TIMEBANK = [sys.executable, "-m", "timebank"]


def test_member_language_is_not_the_interface_language(cli: Cli) -> None:
    cli.ok("init", "--lang", "en")
    out = cli.ok("member", "add", "Siân Jones", "--lang", "cy").out
    assert out.startswith("Added Siân Jones as member number 1")
    assert cli.json("member", "show", "1")["lang"] == "cy"
    # --db and --lang after the command are the global options.
    assert Cli(cli.db, cli.capsys)("balance")  # the fixture passes --db first; now after:
    from timebank.cli.main import run

    cli.capsys.readouterr()
    assert run(["balance", "--db", str(cli.db), "--lang", "cy"]) == 0
    assert "Balansau" in cli.capsys.readouterr().out
    # A member's own --lang after `member edit` stays the member's.
    cli.ok("member", "edit", "1", "--lang", "en")
    assert cli.json("member", "show", "1")["lang"] == "en"


@pytest.fixture
def demo80(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-20")
    cli.ok("demo")
    monkeypatch.setenv("COLUMNS", "80")
    return cli


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_lists_fit_80_columns_with_full_names(demo80: Cli, lang: str) -> None:
    from rich.cells import cell_len

    names = {m["number"]: m["name"] for m in demo80.json("member", "list", "--all")}
    for args in (["exchange", "list"], ["exchange", "list", "--include-void"], ["member", "list"],
                 ["member", "list", "--all"], ["member", "list", "--inactive", "30"]):
        out = demo80.ok(*args, lang=lang).out
        lines = out.splitlines()
        assert all(cell_len(line) <= 80 for line in lines), (args, [l for l in lines if cell_len(l) > 80][:2])
        if args[0] == "member":
            # A member's row and the lines its name wraps onto (issue 27: a name is never cut;
            # at 80 columns it may wrap within its cell so that every figure stays).
            rows: list[list[str]] = []
            for line in lines:
                if re.match(r"\s*\d+\s", line):
                    rows.append([line])
                elif rows and line.startswith("    ") and line.strip():
                    rows[-1].append(line)
            assert rows
            for row in rows:
                number = int(row[0].split()[0])
                assert " ".join(" ".join(part.split()) for part in row).count(names[number].split()[-1]), (args, row)
                assert all(word in " ".join(row) for word in names[number].split()), (args, row)
    exchanges = demo80.json("exchange", "list")
    table = demo80.ok("exchange", "list", lang=lang).out
    rows: list[str] = []
    for line in table.splitlines():
        if re.match(r"\s*\d+\s+\d\d/\d\d/\d\d", line):
            rows.append(line)
        elif rows and line.startswith("    ") and line.strip():
            rows[-1] += " " + line  # a name wrapped within its cell
    assert len(rows) == len(exchanges)  # one row an exchange
    for line, exchange in zip(rows, exchanges):
        giver, receiver = names.get(exchange["givers"][0], ""), names.get(exchange["receivers"][0], "")
        if len(exchange["givers"]) == 1 and len(exchange["receivers"]) == 1 and giver and receiver:
            assert all(word in line for word in (giver + " " + receiver).split()), line


def test_the_same_exchange_twice_is_refused_in_a_script(ledger: Cli) -> None:
    ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-03-02")
    before = dump(ledger.db)
    twice = ledger("record", "Siân", "Llinos", "1:30", "--date", "2026-03-02")
    assert twice.code == 1 and "--again" in twice.err and len(twice.err.strip().splitlines()) == 1
    assert dump(ledger.db) == before
    welsh = ledger("record", "Siân", "Llinos", "1:30", "--date", "2026-03-02", lang="cy")
    assert welsh.code == 1 and "eisoes" in welsh.err
    # Another date, other hours or another category is another exchange.
    ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-03-03")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-03-02")
    ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-03-02", "--again")
    assert len(ledger.json("exchange", "list")) == 4
    # A voided exchange is not one to repeat.
    ledger.ok("exchange", "void", "1", "--reason", "test")
    ledger.ok("exchange", "void", "4", "--reason", "test")
    ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-03-02")


def test_an_active_members_name_twice_is_refused_in_a_script(ledger: Cli) -> None:
    before = dump(ledger.db)
    twice = ledger("member", "add", "SIAN")
    assert twice.code == 1 and "--again" in twice.err
    assert dump(ledger.db) == before
    ledger.ok("member", "add", "Siân", "--again")
    ledger.ok("member", "leave", "Llinos")
    ledger.ok("member", "add", "Llinos")  # the earlier Llinos has left: no question


def test_back_dated_exchange_for_a_member_who_left(ledger: Cli) -> None:
    ledger.ok("member", "leave", "Llinos", "--date", "2026-03-15")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-03-10")
    ledger.ok("record", "Llinos", "Siân", "1", "--date", "2026-03-15")
    before = dump(ledger.db)
    after = ledger("record", "Siân", "Llinos", "1", "--date", "2026-03-16")
    assert after.code == 1 and "left on 2026-03-15" in after.err
    assert dump(ledger.db) == before


def test_mistyped_names_and_british_dates(ledger: Cli) -> None:
    ledger.ok("member", "add", "Llŷr Evans", "--joined", "2026-01-05")
    ledger.ok("member", "leave", "Lowri", "--date", "2026-04-01")
    before = dump(ledger.db)
    result = ledger("record", "Sain", "Llyr", "1")
    assert result.code == 1 and "Did you mean #1 Siân" in result.err
    both = ledger("record", "Sain", "Llinso", "1")
    assert "Siân" in both.err and "Llinos" in both.err and len(both.err.strip().splitlines()) == 1
    welsh = ledger("record", "Sain", "Llyr", "1", lang="cy")
    assert "Oeddech chi'n golygu #1 Siân" in welsh.err
    # A left member is suggested only when no active one is close, and marked as left.
    gone = ledger("record", "Siân", "Lowir", "1")
    assert "Lowri ap Rhys (left)" in gone.err
    assert dump(ledger.db) == before
    ledger.ok("record", "Siân", "Llyr", "1", "--date", "31/10/2026")
    assert ledger.json("exchange", "list")[-1]["date"] == "2026-10-31"
    ledger.ok("record", "Llyr", "Siân", "1", "--date", "01/11/26")
    assert ledger.json("exchange", "list")[-1]["date"] == "2026-11-01"


def test_weekday_names(ledger: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-25")  # a Wednesday
    # A weekday is the last one before today: on a Wednesday, "Wednesday" is a week ago.
    for text, day in [("Monday", "2026-11-23"), ("dydd Llun", "2026-11-23"), ("ddydd Sul", "2026-11-22"),
                      ("Wednesday", "2026-11-18"), ("dydd Mercher", "2026-11-18"), ("Thursday", "2026-11-19"),
                      ("dydd Iau", "2026-11-19"), ("Tuesday", "2026-11-24")]:
        ledger.ok("record", "Siân", "Llinos", "1", "--date", text, "--again")
        newest = max(ledger.json("exchange", "list"), key=lambda e: e["number"])
        assert newest["date"] == day, text
    assert ledger("record", "Siân", "Llinos", "1", "--date", "Mondayish").code == 1
    # A future date is echoed as it was typed, not in ISO form.
    refused = ledger("record", "Siân", "Llinos", "1", "--date", "25/12/2026")
    assert refused.code == 1 and "25/12/2026" in refused.err and "2026-12-25" not in refused.err
    assert ledger("record", "Siân", "Llinos", "1", "--date", "10/31/2026").code == 1  # never American


def _complete(db: Path | str, words: str, cword: int) -> list[str]:
    env = dict(env_without_timebank(), _TIMEBANK_COMPLETE="bash_complete", COMP_WORDS=words,
               COMP_CWORD=str(cword), TIMEBANK_DB=str(db))
    result = subprocess.run(TIMEBANK, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_completion_offers_members_and_categories(ledger: Cli) -> None:
    ledger.ok("member", "add", "Siân Jones", "--again")
    assert "Siân Jones" in _complete(ledger.db, "timebank balance Si", 2)
    assert "Siân Jones" in _complete(ledger.db, "timebank balance si", 2)  # accents and case ignored
    assert _complete(ledger.db, "timebank record Lo", 2) == ["Lowri ap Rhys"]
    assert "cludiant" in _complete(ledger.db, "timebank record 1 2 1 --category cl", 6)
    assert "transport" in _complete(ledger.db, "timebank record 1 2 1 --category tr", 6)
    assert "record" in _complete(ledger.db, "timebank rec", 1)
    assert "--include-void" in _complete(ledger.db, "timebank exchange list --inc", 3)


def test_completion_script_for_every_shell(tmp_path: Path) -> None:
    for shell, marker in [("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete --command"),
                          ("powershell", "Register-ArgumentCompleter")]:
        result = subprocess.run(TIMEBANK + ["--show-completion", shell], capture_output=True, text=True,
                                env=env_without_timebank())
        assert result.returncode == 0 and marker in result.stdout and "_TIMEBANK_COMPLETE" in result.stdout, shell
    result = subprocess.run(TIMEBANK + ["--show-completion", "tcsh"], capture_output=True, text=True)
    assert result.returncode == 1 and "tcsh" in result.stderr and "Traceback" not in result.stderr


@sqlite_only
def test_ctrl_c_during_a_large_import(ledger: Cli, tmp_path: Path) -> None:
    ledger.ok("settings", "set", "credit_limit", "")
    rows = tmp_path / "big.csv"
    with rows.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "giver", "receiver", "hours"])
        for index in range(200_000):
            giver = index % 3 + 1
            writer.writerow([f"2026-02-{index % 28 + 1:02d}", giver, giver % 3 + 1, "1"])
    before = dump(ledger.db)
    env = dict(env_without_timebank(), TIMEBANK_DB=str(ledger.db))
    process = subprocess.Popen(TIMEBANK + ["import", "exchanges", str(rows)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(2.0)
    assert process.poll() is None, "the import ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.strip().splitlines() == ["Interrupted: nothing more was written."]
    assert dump(ledger.db) == before


def test_bare_groups_print_their_help(ledger: Cli) -> None:
    for args in ([], ["member"], ["exchange"], ["report"]):
        result = ledger(*args)
        assert result.code == 0 and "Usage" in result.out and result.err == "", args
        assert result.out.count("Usage") == 1


def _at_terminal(args: list[str], answers: list[str], db: Path) -> tuple[int, str]:
    """Run timebank in a pseudo-terminal, answering its questions in order."""
    env = dict(env_without_timebank(), TIMEBANK_DB=str(db), TIMEBANK_USER="tester", COLUMNS="100")
    env.pop("CI", None)
    # A terminal sends what is typed in its own encoding: cp1252 under PYTHONIOENCODING=cp1252
    # (a Windows console), where UTF-8 bytes for "Siân" would arrive as "SiÃ¢n".
    typed_in = (env.get("PYTHONIOENCODING") or "utf-8").split(":")[0] or "utf-8"
    code, seen, _pending = at_a_terminal(TIMEBANK + args, answers, env, seconds=30, typed_in=typed_in)
    return code, seen.decode("utf-8", "replace")


@sqlite_only
def test_questions_at_a_terminal(ledger: Cli) -> None:
    code, out = _at_terminal(["member", "show"], ["2"], ledger.db)
    assert code == 0 and "Llinos" in out and "Member:" in out
    code, out = _at_terminal(["record"], ["Siân", "Llinos", "1:30", "", ""], ledger.db)  # today, the default category
    assert code == 0 and "Recorded exchange 1" in out
    code, out = _at_terminal(["record", "Siân", "Llinos", "1:30"], ["n"], ledger.db)
    assert code == 1 and "Record it again?" in out and "Nothing was recorded" in out
    code, out = _at_terminal(["record", "Siân", "Llinos", "1:30"], ["y"], ledger.db)
    assert code == 0 and "Recorded exchange 2" in out
    code, out = _at_terminal(["member", "forget", "3"], ["n"], ledger.db)
    assert code == 1 and "cannot be undone" in out
    code, out = _at_terminal(["--lang", "cy", "member", "forget", "3"], ["i"], ledger.db)
    assert code == 0 and "[i/N]" in out
