"""Issue 27, for the volunteer who takes over on Saturday: at a terminal every missing
argument of `record`, `exchange void` and `member add` is asked for, in the reader's
language, and a slip is asked again; a void is checked before it is asked about and the
question shows the exchange; in a script nothing is asked and a missing argument is one
line. `demo` keeps away from a real ledger, `init` refuses to pass over other settings and
speaks the language asked for after the command; category slips get suggestions; `settings`
alone shows them; Welsh names for the kinds of export and import and the common options."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import Cli, at_a_terminal, dump, env_without_timebank, query, sqlite_only
from refusal import refused
from timebank.cli.main import run

TIMEBANK = [sys.executable, "-m", "timebank"]


def at_terminal(args: list[str], answers: list[str], db: "Path | str") -> tuple[int, str]:
    """Run timebank in a pseudo-terminal (stdin and stdout a terminal, as a person has),
    typing each answer when a question (ending ':' or ']') waits."""
    env = dict(env_without_timebank(), TIMEBANK_DB=str(db), TIMEBANK_USER="tester", COLUMNS="100")
    env.pop("CI", None)
    code, seen, pending = at_a_terminal(TIMEBANK + args, answers, env)
    assert not pending, (args, pending, seen)
    return code, seen.decode("utf-8", "replace").replace("\r\n", "\n")


def exchanges(cli: Cli) -> list[dict]:
    return list(cli.json("exchange", "list", "--include-void"))


# At a terminal ------------------------------------------------------------------------------

@sqlite_only
def test_record_asks_for_everything_missing_and_again_after_a_slip(ledger: Cli) -> None:
    code, out = at_terminal(["record"], ["Siân", "Siân", "Llinos", "1h3x", "1:30", "01/01/2099", "",
                                         "gardenning", "gard"], ledger.db)
    assert code == 0, out
    for prompt in ("Giver:", "Receiver:", "Hours:", "Date [today]:", "Category [other]:"):
        assert prompt in out, (prompt, out)
    assert "The same member cannot be on both sides" in out
    assert "Did you mean 'gardening'?" in out
    assert out.count("Hours:") == 2 and out.count("Category [other]:") == 2
    (row,) = exchanges(ledger)
    assert row["minutes"] == 90 and row["category"] == "gardening", row


@sqlite_only
def test_record_asks_in_welsh(ledger: Cli) -> None:
    code, out = at_terminal(["--lang", "cy", "cofnodi", "Siân"], ["Llinos", "2", "", "garddio"], ledger.db)
    assert code == 0, out
    for prompt in ("Derbynnydd:", "Oriau:", "Dyddiad [heddiw]:", "Categori [arall]:"):
        assert prompt in out, (prompt, out)
    assert "Giver" not in out and "Receiver" not in out
    (row,) = exchanges(ledger)
    assert row["category"] == "gardening"


@sqlite_only
def test_record_without_hours_asks_for_them(ledger: Cli) -> None:
    code, out = at_terminal(["record", "Llinos", "Siân"], ["1", "", ""], ledger.db)
    assert code == 0 and "Hours:" in out and "Giver:" not in out, out
    (row,) = exchanges(ledger)
    assert row["category"] == "other"


@sqlite_only
def test_an_empty_answer_gives_up_and_changes_nothing(ledger: Cli) -> None:
    before = dump(ledger.db)
    code, out = at_terminal(["record", "Llinos"], [""], ledger.db)
    assert code != 0 and "Nothing was given: nothing was changed." in out
    assert dump(ledger.db) == before


@sqlite_only
def test_void_checks_the_exchange_before_asking(ledger: Cli) -> None:
    before = dump(ledger.db)
    code, out = at_terminal(["exchange", "void", "99", "--reason", "x"], [], ledger.db)
    assert code == 1 and "There is no exchange number 99." in out and "[y/N]" not in out, out
    assert dump(ledger.db) == before
    ledger.ok("record", "Siân", "Llinos", "1:30", "--category", "gardening", "--date", "2026-02-06")
    code, out = at_terminal(["exchange", "void", "1"], ["Recorded twice", "n"], ledger.db)
    assert code == 1 and "Reason:" in out and "Nothing was voided." in out, out
    question = next(line for line in out.splitlines() if "[y/N]" in line)
    for shown in ("exchange 1", "Siân", "Llinos", "1.50", "Gardening", "2026"):
        assert shown in question, (shown, question)
    code, out = at_terminal(["--lang", "cy", "cyfnewidiad", "diddymu", "1"], ["Cofnodwyd ddwywaith", "i"], ledger.db)
    assert code == 0 and "Rheswm:" in out and "[i/N]" in out and "Garddio" in out, out
    before = dump(ledger.db)
    code, out = at_terminal(["exchange", "void", "1", "--reason", "x"], [], ledger.db)
    assert code == 1 and "already voided by exchange 2" in out and "[y/N]" not in out, out
    assert dump(ledger.db) == before


@sqlite_only
def test_void_asks_for_the_number_until_it_is_one_to_void(ledger: Cli) -> None:
    ledger.ok("record", "Siân", "Llinos", "1")
    code, out = at_terminal(["exchange", "void"], ["abc", "99", "1", "Wrong member", "y"], ledger.db)
    assert code == 0, out
    assert out.count("Exchange number:") == 3
    assert "'abc' is not an exchange number." in out and "There is no exchange number 99." in out
    assert [(row["void"], row["reverses"]) for row in exchanges(ledger)] == [(True, None), (True, 1)]


@sqlite_only
def test_member_add_asks_for_the_name(ledger: Cli) -> None:
    code, out = at_terminal(["member", "add"], ["x" * 201, "Nia Wyn"], ledger.db)
    assert code == 0 and out.count("Name:") == 2 and "Added Nia Wyn as member number 4." in out, out
    code, out = at_terminal(["--lang", "cy", "aelod", "ychwanegu"], ["Osian"], ledger.db)
    assert code == 0 and "Enw:" in out, out


@sqlite_only
def test_other_questions_are_capitalised_and_asked_again(ledger: Cli) -> None:
    code, out = at_terminal(["member", "show"], ["2"], ledger.db)
    assert code == 0 and "Member:" in out and "Llinos" in out
    code, out = at_terminal(["--lang", "cy", "aelod", "dangos"], ["2"], ledger.db)
    assert code == 0 and "Aelod:" in out, out


# In a script ---------------------------------------------------------------------------------

def test_a_script_is_never_asked_and_gets_one_line(ledger: Cli) -> None:
    refused(ledger, "record", "Llinos", "Siân", code=2)
    refused(ledger, "exchange", "void", "28", "--reason", "x")
    results = refused(ledger, "exchange", "void", "28")
    assert "28" in results["en"].err  # the number is checked first, also in a script
    ledger.ok("record", "Siân", "Llinos", "1")
    results = refused(ledger, "exchange", "void", "1", code=2)
    assert "--reason" in results["en"].err and "Usage" not in results["en"].err
    refused(ledger, "exchange", "void", code=2)
    refused(ledger, "member", "add", code=2)


# Guard rails -----------------------------------------------------------------------------------

def test_demo_refuses_a_ledger_with_members(ledger: Cli) -> None:
    results = refused(ledger, "demo", "--members", "4", "--months", "1")
    assert "already has members" in results["en"].err


def test_demo_without_a_ledger_named_makes_its_own_file_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert run(["demo", "--members", "4", "--months", "1"]) == 0
    out = capsys.readouterr().out
    made = folder / "demo.sqlite3"
    assert made.exists() and str(made) in out and "--db" in out
    assert not (tmp_path / "home" / "data" / "timebank").exists()  # never the default ledger
    assert run(["demo", "--members", "4", "--months", "1"]) == 1  # now it has members
    assert run(["--lang", "cy", "demo", "--members", "4", "--months", "1"]) == 1
    assert "Mae aelodau" in capsys.readouterr().err


def test_init_refuses_other_settings_and_names_the_command(ledger: Cli) -> None:
    results = refused(ledger, "init", "--name", "Banc Amser Go Iawn")
    assert "timebank settings set name \"Banc Amser Go Iawn\"" in results["en"].err
    assert "timebank gosodiadau gosod enw" in results["cy"].err
    results = refused(ledger, "init", "--lang", "cy")
    assert "timebank settings set lang cy" in results["en"].err
    before = dump(ledger.db)
    same = ledger.ok("init", "--name", "Banc Amser Blaengarw", "--lang", "en")
    assert "already exists" in same.out and dump(ledger.db) == before


def test_init_speaks_the_language_asked_for_after_the_command(cli: Cli) -> None:
    made = cli.ok("cychwyn", "--name", "Banc Amser Cwm Tawe", "--lang", "cy")
    assert made.out.startswith("Crëwyd cyfriflyfr newydd"), made.out
    again = cli.ok("init", "--lang", "cy")
    assert again.out.startswith("Mae cyfriflyfr yn bodoli eisoes"), again.out
    # A --lang typed before the command is the reader's, and wins.
    english = cli.ok("--lang", "en", "init", "--lang", "cy")
    assert english.out.startswith("A ledger already exists"), english.out


# Help for slips ------------------------------------------------------------------------------

def test_a_mistyped_category_gets_a_suggestion(ledger: Cli) -> None:
    results = refused(ledger, "record", "Siân", "Llinos", "1", "--category", "gardenning")
    assert "Did you mean 'gardening'?" in results["en"].err
    assert "Oeddech chi'n golygu 'garddio'?" in results["cy"].err
    results = refused(ledger, "record", "Siân", "Llinos", "1", "--category", "comp")
    assert "companionship, computers" in results["en"].err
    assert "cwmniaeth, cyfrifiaduron" in results["cy"].err
    results = refused(ledger, "record", "Siân", "Llinos", "1", "--category", "zzzzzz")
    assert "The categories are:" in results["en"].err


def test_settings_alone_shows_the_settings(ledger: Cli) -> None:
    for lang, group in (("en", "settings"), ("cy", "gosodiadau")):
        alone = ledger.ok(group, lang=lang)
        assert alone.out == ledger.ok("settings", "show", lang=lang).out and "Usage" not in alone.out


def test_welsh_names_for_kinds_and_options(ledger: Cli, tmp_path: Path) -> None:
    for welsh, english in (("aelodau", "members"), ("cyfnewidiadau", "exchanges"), ("crynodeb", "summary"),
                           ("ardaloedd", "areas")):
        assert ledger.ok("allforio", welsh, lang="cy").out == ledger.ok("export", english, lang="cy").out
    ledger.ok("export", "llyfr-gwaith", "--allbwn", str(tmp_path / "llyfr.xlsx"))
    assert (tmp_path / "llyfr.xlsx").exists()
    ledger.ok("cofnodi", "Siân", "Llinos", "1", "--categori", "garddio", "--dyddiad", "2026-02-06",
              "--nodyn", "Torri'r gwair", lang="cy")
    ledger.ok("record", "Siân", "Llinos", "1", "--categori=cooking", "--note", "Cawl")
    rows = exchanges(ledger)
    assert [(r["category"], r["date"], r["note"]) for r in rows] == [
        ("gardening", "2026-02-06", "Torri'r gwair"), ("cooking", rows[1]["date"], "Cawl")]
    # A Welsh word as an option's value stays as typed.
    ledger.ok("record", "Llinos", "Siân", "1", "--note", "--nodyn")
    assert exchanges(ledger)[-1]["note"] == "--nodyn"
    help_cy = ledger.ok("cofnodi", "--help", lang="cy").out
    assert "--categori" in help_cy and "--dyddiad" in help_cy and "--nodyn" in help_cy
    assert "--categori" not in ledger.ok("record", "--help").out
    assert query(ledger.db, "SELECT count(*) FROM exchanges")[0][0] == 3
