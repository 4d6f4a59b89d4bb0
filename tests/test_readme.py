"""The README's tour of the everyday commands, in English and in Welsh, runs as written
(issue 7: README.cy.md's commands work)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from conftest import Cli, fresh_db

ROOT = Path(__file__).resolve().parent.parent


def tour(readme: str, heading: str) -> list[list[str]]:
    text = (ROOT / readme).read_text(encoding="utf-8")
    section = text[text.index(heading):]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, readme
    lines = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "timebank":
            lines.append(words[1:])
    return lines


# What each tour promises, in its own language: (command words, text its output must show).
PROMISES = {
    "README.md": [(["balance"], "Balances"), (["statement"], "Cyfriflen ar gyfer Siân Jones"),
                  (["report", "monthly"], "Monthly report"), (["member", "list", "--inactive"], "Every active member"),
                  (["--lang", "cy", "balance"], "Balansau")],
    "README.cy.md": [(["balans"], "Balansau"), (["cyfriflen"], "Cyfriflen ar gyfer Siân Jones"),
                     (["adroddiad", "misol"], "Adroddiad misol"), (["gwirio"], "Llwyddodd y cyfriflyfr"),
                     (["--lang", "en", "balans"], "Balances")],
}


@pytest.mark.parametrize(("readme", "heading"), [("README.md", "## A tour of the everyday commands"),
                                                 ("README.cy.md", "## Taith drwy'r gorchmynion bob dydd")])
def test_the_tour_runs_as_written_today(readme: str, heading: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Run on today's date (no TIMEBANK_TODAY): every command works, says what the tour
    promises in the README's language, and the dated ones find the exchanges just made."""
    cli = Cli(fresh_db(tmp_path), capsys)
    commands = tour(readme, heading)
    assert len(commands) >= 15
    outputs = []
    for words in commands:
        result = cli(*words)
        assert result.code == 0, (readme, words, result.err)
        outputs.append((words, result.out))
    for start, text in PROMISES[readme]:
        shown = [out for words, out in outputs if words[:len(start)] == start]
        assert shown and text in shown[0], (readme, start, text, shown[:1])
    # The lists dated 'this month' list what was just recorded, and the monthly report counts it.
    listed = [out for words, out in outputs if "--include-void" in words]
    assert listed and listed[0].count("\n") > 4
    monthly = [out for words, out in outputs if words[-2:] in (["--month", "this"], ["--month", "hwn"])
               and words[0] in ("report", "adroddiad")]
    assert monthly and ("1 exchange" in monthly[0] or "1 cyfnewidiad" in monthly[0]
                        or "2 exchanges" in monthly[0] or "2 gyfnewidiad" in monthly[0]), monthly
    # Two members were given Welsh and one English; the record and the void add up.
    assert sum(r["balance_minutes"] for r in cli.json("balance")) == 0


def windows_setup(readme: str, heading: str) -> tuple[str, list[list[str]]]:
    """The Windows section's TIMEBANK_DB value and its timebank command lines."""
    text = (ROOT / readme).read_text(encoding="utf-8")
    section = text[text.index(heading):]
    block = re.search(r"```powershell\n(.*?)```", section, re.DOTALL)
    assert block, readme
    db = ""
    lines = []
    for line in block.group(1).splitlines():
        code = line.split("  #")[0].strip()
        if code.startswith("$env:TIMEBANK_DB"):
            db = code.split("=", 1)[1].strip().strip('"')
        elif code.startswith(".venv\\Scripts\\timebank "):
            lines.append(shlex.split(code[len(".venv\\Scripts\\timebank "):]))
    return db, lines


@pytest.mark.parametrize(("readme", "heading"), [("README.md", "## On Windows"), ("README.cy.md", "## Ar Windows")])
def test_the_windows_setup_runs_as_written(readme: str, heading: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # What can be proved here: the commands are real, and the ledger's Windows path (drive,
    # backslashes, a space) is a path. On this system it is one file name in the folder.
    from timebank.cli.main import run

    text = (ROOT / readme).read_text(encoding="utf-8")
    for needed in ("py -m venv .venv", ".venv\\Scripts\\timebank", "$env:TIMEBANK_DB", "Activate.ps1",
                   "[Console]::OutputEncoding", "set TIMEBANK_DB="):
        assert needed in text, needed
    db, commands = windows_setup(readme, heading)
    windows_path = db.replace("$env:USERPROFILE", "C:\\Users\\Cydlynydd")
    assert windows_path == "C:\\Users\\Cydlynydd\\Documents\\Banc Amser\\banc.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIMEBANK_DB", windows_path)
    assert len(commands) >= 5
    for words in commands:
        capsys.readouterr()
        assert run(words) == 0, (readme, words, capsys.readouterr().err)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(windows_path)) == ["aelodau.csv"]
    assert (tmp_path / windows_path).is_file()
    assert "Llŷr Gwŷn" in (tmp_path / "aelodau.csv").read_text(encoding="utf-8-sig")


# What is typed at each question of the tour's terminal block: the void's y/N, then record's
# giver, receiver, hours (a slip, then the hours again), date (Enter: today) and category.
TYPED = {"README.md": [["y"], ["Llinos", "Lowri", "1h70", "90 mins", "", "gard"]],
         "README.cy.md": [["i"], ["Llinos", "Lowri", "1h70", "awr a hanner", "", "gardd"]]}


def typed_at_a_terminal(args: list[str], answers: list[str], db: "Path | str", today: str) -> str:
    """What a person sees at a terminal (a pseudo-terminal: the answers are echoed as typed),
    each answer typed once the question waits for it."""
    import os
    import sys

    from conftest import at_a_terminal

    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_") and k != "CI"}
    # A terminal speaks UTF-8, whatever the test run hands its own output to (cp1252 in CI).
    env.update(TIMEBANK_DB=str(db), TIMEBANK_TODAY=today, PYTHONIOENCODING="utf-8")
    code, seen, pending = at_a_terminal([sys.executable, "-m", "timebank", *args], answers, env)
    assert not pending and code == 0, (args, pending, seen)
    return seen.decode("utf-8").replace("\r\n", "\n")


@pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a pseudo-terminal (POSIX)")
@pytest.mark.parametrize(("readme", "heading"), [("README.md", "## A tour of the everyday commands"),
                                                 ("README.cy.md", "## Taith drwy'r gorchmynion bob dydd")])
def test_the_tour_shows_the_questions_as_they_are(readme: str, heading: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The tour's terminal block (its second text block) is what the void and a bare `record`
    print at a terminal, run on the day the README says, after the tour's commands before the void."""
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-05")
    db = fresh_db(tmp_path)
    cli = Cli(db, capsys)
    for words in tour(readme, heading):
        if words[:2] in (["exchange", "void"], ["cyfnewidiad", "diddymu"]):
            break
        cli.ok(*words)
    section = (ROOT / readme).read_text(encoding="utf-8").split(heading)[1]
    shown = re.findall(r"```text\n(.*?)```", section, re.DOTALL)[1]
    runs = re.split(r"^\$ timebank (.*)\n", shown, flags=re.MULTILINE)[1:]
    assert len(runs) == 4, runs
    for (command, expected), answers in zip(zip(runs[::2], runs[1::2]), TYPED[readme]):
        out = typed_at_a_terminal(shlex.split(command), answers, db, "2026-11-05")
        assert [line.rstrip() for line in out.rstrip("\n").split("\n")] == expected.rstrip("\n").split("\n"), out


def trading_example(readme: str, heading: str) -> list[tuple[str, list[str]]]:
    """The worked example of two banks trading: (the ledger's file name, the command's words)
    for each `timebank` line, the ledger as the `export TIMEBANK_DB=` line before it names it."""
    text = (ROOT / readme).read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text[text.index(heading):], re.DOTALL)
    assert block, readme
    lines, db = [], ""
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["export"] and words[1].startswith("TIMEBANK_DB="):
            db = words[1].split("=", 1)[1]
        elif words[:1] == ["timebank"]:
            assert db, (readme, line)
            lines.append((db, words[1:]))
    return lines


@pytest.mark.parametrize(("readme", "heading"), [("README.md", "## Trading with another time bank"),
                                                 ("README.cy.md", "## Masnachu â banc amser arall")])
def test_the_trading_example_runs_as_written(readme: str, heading: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 31: the two banks of the README's example trade as it says, on either database:
    each ledger passes `check`, Blaengarw's balance with Dyffryn is +0.50 hours and Dyffryn's
    with Blaengarw -0.50, and neither has a trade the other has not confirmed."""
    monkeypatch.chdir(tmp_path)  # the files of trades are written where the example says
    banks: dict[str, Cli] = {}
    for db, words in trading_example(readme, heading):
        bank = banks.setdefault(db, Cli(fresh_db(tmp_path, db.split(".")[0]), capsys))
        result = bank(*words)
        assert result.code == 0, (readme, db, words, result.err)
    assert sorted(banks) == ["blaengarw.sqlite3", "dyffryn.sqlite3"]
    blaengarw, dyffryn = banks["blaengarw.sqlite3"], banks["dyffryn.sqlite3"]
    ours, theirs = blaengarw.json("partner", "statement", "DYF"), dyffryn.json("partner", "statement", "BLA")
    assert (ours["balance_minutes"], theirs["balance_minutes"]) == (30, -30)
    assert not ours["unconfirmed_by_partner"] and not ours["unconfirmed_here"]
    assert [t["trade"] for t in ours["trades"]] == [t["trade"] for t in theirs["trades"]] == ["BLA-1", "BLA-2"]
    for bank in (blaengarw, dyffryn):
        bank.ok("check")
        balances = bank.json("balance")
        assert all(row["number"] >= 0 for row in balances)  # a partner's members are no members here
