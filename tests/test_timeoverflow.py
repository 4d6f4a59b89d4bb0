"""Moving in from TimeOverflow (issue 16): a bank's exports (or its admin files) imported
into a new ledger with every balance equal to TimeOverflow's, or nothing written."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, dump, killed_inside_write, sqlite_only

DATA = Path(__file__).parent / "data" / "timeoverflow"
EN = sorted((DATA / "en").glob("*.csv"))
ES = sorted((DATA / "es").glob("*.csv"))
ZIP = DATA / "banc-amser-dyffryn_2026-11-20.zip"
ADMIN = [DATA / "admin" / name for name in ("users.csv", "transfers.csv", "posts.csv")]
MEMBERS_EN = DATA / "en" / "Banc Amser Dyffryn_Users_2026-11-20.csv"
TRANSFERS_EN = DATA / "en" / "Banc Amser Dyffryn_Transfers_2026-11-20.csv"
TODAY = "2026-11-25"
PASSED_CY = "Llwyddodd y cyfriflyfr ym mhob gwiriad."


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)


@pytest.fixture
def new(cli: Cli) -> Cli:
    cli.ok("init")
    return cli


def members_file_balances(path: Path) -> dict[int, int]:
    """What TimeOverflow's members export says, in minutes (its Balance is in seconds)."""
    import csv

    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))[1:]
    return {int(row[0]): int(row[8]) // 60 for row in rows}


def copy_with(tmp_path: Path, files: list[Path], changes: dict[str, tuple[str, str]]) -> list[Path]:
    """The files copied into tmp_path, with one text replaced in the file whose name holds the key."""
    copies = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for key, (old, new) in changes.items():
            if key in path.name:
                assert old in text, (path, old)
                text = text.replace(old, new)
        copy = tmp_path / path.name
        copy.write_text(text, encoding="utf-8")
        copies.append(copy)
    return copies


def ledger_view(cli: Cli) -> dict[str, Any]:
    """The ledger as every list shows it (what "the same ledger" means to a coordinator)."""
    return {args: cli.json(*args.split()) for args in ("member list --all", "balance", "exchange list",
                                                       "offer list", "request list", "category list")}


# Acceptance 1 ------------------------------------------------------------------------------------

def test_every_balance_is_timeoverflows_and_check_passes(new: Cli) -> None:
    result = new.ok("import", "timeoverflow", *map(str, EN))
    assert "Every balance equals TimeOverflow's: 5 members checked" in result.out
    expected = members_file_balances(MEMBERS_EN)
    balances = {row["number"]: row["balance_minutes"] for row in new.json("balance")}
    assert {n: balances[n] for n in expected} == expected == {1: -15, 2: 0, 4: 90, 6: 180, 7: -15}
    assert "passed every check" in new.ok("check").out
    members = {m["number"]: m for m in new.json("member", "list", "--all")}
    # Numbers are TimeOverflow's member_uid; 3 (inactive) and 5 (deleted) are in no file.
    assert sorted(members) == list(range(1, 11))
    assert members[3]["left"] and members[5]["left"] and members[3]["balance_minutes"] == 0
    assert (members[8]["name"], members[8]["kind"], members[8]["balance_minutes"], members[8]["left"]) == \
        ("Banc Amser Dyffryn", "organisation", -60, None)
    assert members[9]["left"] == "2026-04-20" and members[9]["balance_minutes"] == -225  # deleted members' side
    assert members[9]["kind"] == members[10]["kind"] == "organisation" and members[3]["kind"] == "person"
    assert members[10]["left"] == "2026-06-05" and members[10]["balance_minutes"] == 45  # inactive members' side
    assert members[6]["joined"] == "2025-11-30" and members[1]["joined"] == "2024-01-10"
    exchanges = new.json("exchange", "list")
    assert [e["date"] for e in exchanges] == sorted(e["date"] for e in exchanges) and len(exchanges) == 9
    half_hour = [e for e in exchanges if e["minutes"] == 30]
    assert [(h["givers"], h["receivers"], h["date"]) for h in half_hour] == [([4], [2], "2026-10-02")]
    # The organisation's transfers: it paid Ana 2:00, and Mair paid it 1:00.
    assert {(e["givers"][0], e["receivers"][0], e["minutes"]) for e in exchanges if 8 in e["givers"] + e["receivers"]} \
        == {(6, 8, 120), (8, 7, 60)}
    assert sum(r["balance_minutes"] for r in new.json("member", "list", "--all")) == 0


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_same_files_again_are_refused(new: Cli, lang: str) -> None:
    new.ok("import", "timeoverflow", *map(str, EN))
    before = dump(new.db)
    for again in ([str(p) for p in EN], [str(ZIP)], [str(p) for p in ES]):
        result = new("import", "timeoverflow", *again, lang=lang)
        assert result.code == 1 and "2026" in result.err, result
        assert ("already imported" in result.err) == (lang == "en") and ("eisoes" in result.err) == (lang == "cy")
    assert dump(new.db) == before


def test_a_ledger_with_members_is_refused(ledger: Cli) -> None:
    before = dump(ledger.db)
    for lang, words in (("en", "new ledger"), ("cy", "gyfriflyfr newydd")):
        result = ledger("import", "timeoverflow", *map(str, EN), lang=lang)
        assert result.code == 1 and words in result.err, result
    assert dump(ledger.db) == before


# Acceptance 2 ------------------------------------------------------------------------------------

def test_spanish_headers_and_the_zip_import_the_same_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import fresh_db

    views = []
    for name, files in (("en", EN), ("es", ES), ("zip", [ZIP])):
        cli = Cli(fresh_db(tmp_path, name), capsys)
        cli.ok("init")
        cli.ok("import", "timeoverflow", *map(str, files))
        cli.ok("check")
        views.append(ledger_view(cli))
    assert views[0] == views[1] == views[2]
    categories = {c["code"] for c in views[0]["category list"]}
    assert "languages" in categories and "gardening-2" not in categories  # "Gardening [en]" is Gardening


def test_zip_holds_the_spanish_exports() -> None:
    with zipfile.ZipFile(ZIP) as archive:
        names = sorted(archive.namelist())
        assert names == ["Inquiries_2026-11-20.csv", "Members_2026-11-20.csv", "Offers_2026-11-20.csv",
                         "Transfers_2026-11-20.csv"]
        assert "El usuario ya no existe" in archive.read("Transfers_2026-11-20.csv").decode("utf-8")


# Acceptance 3 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "cy"])
def test_balances_the_transfers_cannot_explain(new: Cli, tmp_path: Path, lang: str) -> None:
    # Siân's balance is 0:45 in the members file, where her transfers add up to -0:15.
    files = copy_with(tmp_path, EN, {"_Users_": (",en,-900\n2,", ",en,2700\n2,")})
    before = dump(new.db)
    refused = new("import", "timeoverflow", *map(str, files), lang=lang)
    assert refused.code == 1
    table = refused.err
    assert "Siân Jones" in table and "+0.75" in table and "-0.25" in table and "+1.00" in table and " 60" in table
    assert "Mair Williams" not in table and "Rhys Morgan" not in table
    assert ("--opening-balances" in table) and (("nothing was imported" in table) == (lang == "en"))
    assert ("Members file" in table) == (lang == "en") and ("Ffeil aelodau" in table) == (lang == "cy")
    assert dump(new.db) == before
    dry = new("import", "timeoverflow", *map(str, files), "--dry-run", lang=lang)
    assert dry.code == 1 and "Siân Jones" in dry.err and dump(new.db) == before

    done = new.ok("import", "timeoverflow", *map(str, files), "--opening-balances", lang=lang)
    assert "Siân Jones" in done.out and "+1.00" in done.out
    balances = {row["number"]: row["balance_minutes"] for row in new.json("balance")}
    assert balances[1] == 45 and balances[7] == -15 and balances[0] == -60
    assert {n: balances[n] for n in (1, 2, 4, 6, 7)} == {1: 45, 2: 0, 4: 90, 6: 180, 7: -15}
    opening = [e for e in new.json("exchange", "list") if 0 in e["givers"] + e["receivers"]]
    assert [(e["givers"], e["receivers"], e["minutes"], e["date"]) for e in opening] == [([1], [0], 60, TODAY)]
    new.ok("check")


# Acceptance 4 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_transfer_naming_an_unknown_member_is_listed_by_line(new: Cli, tmp_path: Path, lang: str) -> None:
    files = copy_with(tmp_path, EN, {"_Transfers_": (
        "Llinos Evans (2),Rhys Morgan (4),,0:30", "Dafydd Rees (12),Rhys Morgan (4),,0:30")})
    files = copy_with(tmp_path, files, {"_Transfers_": ("Mair Williams (7),Banc Amser Dyffryn", "Mair Williams (7),"
                                                                                                  "Someone Else")})
    before = dump(new.db)
    result = new("import", "timeoverflow", *map(str, files), lang=lang)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 3, result.err
    transfers = "Banc Amser Dyffryn_Transfers_2026-11-20.csv"
    assert lines[0].startswith(f"{transfers}, ") and " 3:" in lines[0] and "12" in lines[0]
    assert lines[1].startswith(f"{transfers}, ") and " 5:" in lines[1] and "Someone Else" in lines[1]
    assert ("2 rows are bad" in lines[2]) == (lang == "en")
    assert dump(new.db) == before


def test_files_renamed_still_find_the_organisation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without TimeOverflow's file names, the one name in the transfers that is no member's
    is the organisation; with two such names, neither is taken for it."""
    from conftest import fresh_db

    renamed = []
    for path, name in zip(EN, ("offers.csv", "requests.csv", "transfers.csv", "members.csv")):
        renamed.append(tmp_path / name)
        renamed[-1].write_bytes(path.read_bytes())
    english = Cli(fresh_db(tmp_path, "english"), capsys)
    english.ok("init")
    english.ok("import", "timeoverflow", *map(str, EN))
    cli = Cli(fresh_db(tmp_path, "renamed"), capsys)
    cli.ok("init")
    cli.ok("import", "timeoverflow", *map(str, renamed))
    assert ledger_view(cli) == ledger_view(english)

    (tmp_path / "two").mkdir()
    two = copy_with(tmp_path / "two", renamed, {"transfers": ("Mair Williams (7),Banc Amser Dyffryn",
                                                             "Mair Williams (7),Banc Amser Arall")})
    other = Cli(fresh_db(tmp_path, "two"), capsys)
    other.ok("init")
    before = dump(other.db)
    refused = other("import", "timeoverflow", *map(str, two))
    assert refused.code == 1 and "transfers.csv, line 4: 'Banc Amser Dyffryn'" in refused.err
    assert "transfers.csv, line 5: 'Banc Amser Arall'" in refused.err and dump(other.db) == before
    # The ledger's own name settles it.
    other.ok("settings", "set", "name", "Banc Amser Dyffryn")
    refused = other("import", "timeoverflow", *map(str, two))
    assert refused.code == 1 and "line 4" not in refused.err and "line 5: 'Banc Amser Arall'" in refused.err


def test_a_name_that_does_not_match_its_number_is_listed(new: Cli, tmp_path: Path) -> None:
    files = copy_with(tmp_path, EN, {"_Transfers_": ("Llinos Evans (2),Rhys Morgan (4)", "Llinos Evans (4),"
                                                                                         "Rhys Morgan (4)")})
    result = new("import", "timeoverflow", *map(str, files))
    assert result.code == 1 and "line 3" in result.err and "Rhys Morgan" in result.err


# Seconds, dates and what the exports lose ------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "cy"])
def test_seconds_that_are_not_whole_minutes(new: Cli, lang: str) -> None:
    new.ok("settings", "set", "name", "Banc Amser Dyffryn")
    before = dump(new.db)
    refused = new("import", "timeoverflow", *map(str, ADMIN), lang=lang)
    assert refused.code == 1 and "transfers.csv" in refused.err and "5430" in refused.err
    assert ("line 2" in refused.err) == (lang == "en") and ("llinell 2" in refused.err) == (lang == "cy")
    assert dump(new.db) == before
    done = new.ok("import", "timeoverflow", *map(str, ADMIN), "--round", lang=lang)
    assert "30" in done.out
    assert ("1 amount was rounded to whole minutes (30 seconds in all)" in done.out) == (lang == "en")
    balances = {row["number"]: row["balance_minutes"] for row in new.json("member", "list", "--all")}
    # Siân paid Llinos 5430 seconds (90.5 minutes, rounded to 91); the organisation paid Ana 2 hours.
    assert balances == {1: -91, 2: 31, 3: 0, 4: 0, 5: 0, 6: 180, 7: 0, 8: -120}
    members = {m["number"]: m for m in new.json("member", "list", "--all")}
    assert members[8]["name"] == "Banc Amser Dyffryn" and members[8]["kind"] == "organisation"
    assert members[1]["name"] == "Siân Jones" and members[2]["joined"] == "2024-01-10"
    assert {o["category"] for o in new.json("offer", "list")} == {"timeoverflow-3"}
    new.ok("check")


def test_two_members_may_share_a_name_and_dates_may_be_day_first(new: Cli, tmp_path: Path) -> None:
    """TimeOverflow's people are distinct by number: two of one name both come in (and an
    admin's 15/03/2024 is the 15th of March)."""
    files = copy_with(tmp_path, ADMIN, {"users": ("7,2024-03-15,Mair,Williams", "7,15/03/2024,Siân,Jones")})
    new.ok("import", "timeoverflow", *map(str, files), "--round")
    members = {m["number"]: m for m in new.json("member", "list")}
    assert members[1]["name"] == members[7]["name"] == "Siân Jones" and members[7]["joined"] == "2024-03-15"


def test_a_quantity_of_nothing_is_refused_or_left_out(new: Cli, tmp_path: Path) -> None:
    files = copy_with(tmp_path, EN, {"_Transfers_": ("Llinos Evans (2),Rhys Morgan (4),,0:30",
                                                     "Llinos Evans (2),Rhys Morgan (4),,0:00")})
    refused = new("import", "timeoverflow", *map(str, files))
    assert refused.code == 1 and "line 3" in refused.err and "0:00" in refused.err
    # Left out with --round, Llinos's and Rhys's balances no longer match the members file.
    again = new("import", "timeoverflow", *map(str, files), "--round")
    assert again.code == 1 and "Llinos Evans" in again.err and "Rhys Morgan" in again.err
    done = new.ok("import", "timeoverflow", *map(str, files), "--round", "--opening-balances")
    assert "1 transfer of under a minute was left out" in done.out


def test_a_transfer_between_two_deleted_members_is_left_out(new: Cli, tmp_path: Path) -> None:
    files = copy_with(tmp_path, EN, {"_Transfers_": ("Date,From,To,Post,Quantity\n", "Date,From,To,Post,Quantity\n"
                                     "2026-05-01 10:00:00 UTC,The user no longer exists,The user no longer exists,,1:00\n"
                                     "2026-05-02 10:00:00 UTC,The user no longer exists,The user isn't active,,0:15\n")})
    done = new.ok("import", "timeoverflow", *map(str, files))
    assert "1 transfer between two absent members was left out" in done.out
    balances = {m["number"]: m["balance_minutes"] for m in new.json("member", "list", "--all")}
    assert balances[9] == -225 - 15 and balances[10] == 45 + 15 and len(new.json("exchange", "list")) == 10
    new.ok("check")


def test_a_member_who_traded_before_joining_joined_then(new: Cli, tmp_path: Path) -> None:
    files = copy_with(tmp_path, EN, {"_Users_": ("2025-11-30 12:00:00 UTC", "2026-02-01 12:00:00 UTC")})
    done = new.ok("import", "timeoverflow", *map(str, files))
    assert done.out.split("since they traded before it: ")[1].splitlines()[0] == "6"
    assert {m["number"]: m["joined"] for m in new.json("member", "list")}[6] == "2025-12-01"  # her first offer
    new.ok("check")


def test_a_member_number_far_beyond_the_bank_is_listed(new: Cli, tmp_path: Path) -> None:
    files = copy_with(tmp_path, EN, {"_Users_": ("\n7,Mair Williams", "\n700007,Mair Williams"),
                                     "_Transfers_": ("Mair Williams (7)", "Mair Williams (700007)")})
    before = dump(new.db)
    refused = new("import", "timeoverflow", *map(str, files))
    assert refused.code == 1 and "_Users_2026-11-20.csv, line 6: Member number 700007" in refused.err
    assert dump(new.db) == before


def test_a_transfer_in_the_future_is_listed(new: Cli, tmp_path: Path) -> None:
    files = copy_with(tmp_path, EN, {"_Transfers_": ("2026-11-15 10:00:00 UTC", "2026-12-15 10:00:00 UTC")})
    before = dump(new.db)
    refused = new("import", "timeoverflow", *map(str, files))
    assert refused.code == 1 and "line 2: 2026-12-15 is in the future" in refused.err
    assert dump(new.db) == before


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_dry_run_says_what_would_happen_and_writes_nothing(new: Cli, lang: str) -> None:
    before = dump(new.db)
    dry = new.ok("import", "timeoverflow", str(ZIP), "--dry-run", lang=lang)
    assert dump(new.db) == before
    assert ("Dry run" in dry.out) == (lang == "en") and ("Rhediad prawf" in dry.out) == (lang == "cy")
    assert "3, 5" in dry.out and "Banc Amser Dyffryn" in dry.out
    new.ok("import", "timeoverflow", str(ZIP))  # a dry run leaves no trace that refuses the real one


# Refusals: files, usage ------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "cy"])
def test_files_that_are_not_timeoverflows(new: Cli, tmp_path: Path, lang: str) -> None:
    spreadsheet = Path(__file__).parent / "data" / "members.csv"
    broken_zip = tmp_path / "bank_2026-11-20.zip"
    broken_zip.write_bytes(ZIP.read_bytes()[:200])
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(MEMBERS_EN.read_text(encoding="utf-8").encode("latin-1", "replace"))
    before = dump(new.db)
    cases = [
        [spreadsheet],                 # a coordinator's spreadsheet, not TimeOverflow's
        [TRANSFERS_EN],                # no members file
        [MEMBERS_EN, ADMIN[0]],        # two lists of members
        [broken_zip],
        [latin1],
        [tmp_path / "missing.csv"],
        [MEMBERS_EN, MEMBERS_EN],
    ]
    for files in cases:
        result = new("import", "timeoverflow", *map(str, files), lang=lang)
        assert result.code == 1 and len(result.err.strip().splitlines()) == 1, (files, result)
        assert "Traceback" not in result.err
    assert dump(new.db) == before


def test_usage(new: Cli) -> None:
    before = dump(new.db)
    for args in (["members", str(MEMBERS_EN), str(MEMBERS_EN)], ["exchanges", str(TRANSFERS_EN), "--round"],
                 ["members", str(MEMBERS_EN), "--opening-balances"], ["timeoverflow", str(ZIP), "--again"],
                 ["timeoverflow"], ["spreadsheet", str(ZIP)]):
        for lang in ("en", "cy"):
            result = new("import", *args, lang=lang)
            assert result.code == 2, (args, result)
    assert dump(new.db) == before


# The audit, the core, both languages -----------------------------------------------------------

def test_one_audit_event_with_the_files_hashes(new: Cli) -> None:
    new.ok("import", "timeoverflow", str(ZIP))
    events = [e for e in new.json("audit") if e["action"] == "import.timeoverflow"]
    assert len(events) == 1
    files = {f["file"]: f["sha256"] for f in events[0]["details"]["files"]}
    assert files[ZIP.name] == hashlib.sha256(ZIP.read_bytes()).hexdigest()
    with zipfile.ZipFile(ZIP) as archive:
        for name in archive.namelist():
            assert files[f"{ZIP.name}:{name}"] == hashlib.sha256(archive.read(name)).hexdigest()
    english = new.ok("audit", lang="en").out
    welsh = new.ok("audit", lang="cy").out
    assert "Moved in from TimeOverflow" in english and "Symudwyd i mewn o TimeOverflow" in welsh


def test_through_the_core(new: Cli) -> None:
    from timebank.io.moving_in import import_timeoverflow
    from timebank.ledger.storage.db import open_ledger

    ledger = open_ledger(str(new.db))
    try:
        result = import_timeoverflow(ledger, "api", ES)
    finally:
        ledger.dispose()
    assert (result.members, result.placeholders, result.organisation.number, result.gone, result.inactive) == \
        (5, [3, 5], 8, 9, 10)
    assert (result.exchanges, result.first_exchange, result.last_exchange) == (9, 1, 9)
    assert (result.offers, result.requests, result.merged, result.checked) == (2, 2, 1, 5)
    assert result.other_languages == {"ca": 1, "es": 1} and result.ledger_lang == "en"
    assert [c.code for c in result.categories] == ["languages"] and result.opening == []
    assert {f.kind for f in result.files} == {"members", "transfers", "offers", "requests"}


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_no_words_from_the_other_language(new: Cli, tmp_path: Path, lang: str) -> None:
    """The report, the table of differences and the listed rows, all in one language (in a
    ledger of that language: the accounts the import makes are named in the ledger's)."""
    from test_language_leaks import _foreign

    new.ok("settings", "set", "lang", lang)
    (tmp_path / "unexplained").mkdir()
    unexplained = copy_with(tmp_path / "unexplained", EN, {"_Users_": (",en,-900\n2,", ",en,2700\n2,")})
    unknown = copy_with(tmp_path, EN, {"_Transfers_": ("Llinos Evans (2),Rhys Morgan (4),,0:30",
                                                       "Dafydd Rees (12),Rhys Morgan (4),,0:00")})
    runs = [new("import", "timeoverflow", *map(str, EN), "--dry-run", lang=lang),
            new("import", "timeoverflow", *map(str, unexplained), lang=lang),
            new("import", "timeoverflow", *map(str, unexplained), "--opening-balances", "--dry-run", lang=lang),
            new("import", "timeoverflow", *map(str, unknown), lang=lang),
            new("import", "timeoverflow", *map(str, ADMIN), lang=lang),
            new("import", "timeoverflow", *map(str, ADMIN), "--round", "--dry-run", lang=lang)]
    text = "\n".join(r.out + r.err for r in runs)
    leaks = sorted({message for message, pattern in _foreign(lang) if pattern.search(text)})
    assert not leaks, leaks
    assert [r.code for r in runs] == [0, 1, 0, 1, 1, 0]


# Large files: kill-safety, the progress bar ------------------------------------------------------

def big_bank(folder: Path, transfers: int) -> list[Path]:
    members = folder / "Big_Users_2026-11-20.csv"
    members.write_text("N,Name,Email,Phone,Alternative Phone,Created,Last login,Locale,Balance\n"
                       "1,Siân Jones,,,,2020-01-01 10:00:00 UTC,,en,0\n"
                       "2,Llinos Evans,,,,2020-01-01 10:00:00 UTC,,en,0\n", encoding="utf-8")
    path = folder / "Big_Transfers_2026-11-20.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Date,From,To,Post,Quantity\n")
        for index in range(transfers):
            day = date(2021 + index % 5, index % 12 + 1, index % 28 + 1)
            a, b = ("Siân Jones (1)", "Llinos Evans (2)") if index % 2 else ("Llinos Evans (2)", "Siân Jones (1)")
            handle.write(f"{day} 10:00:00 UTC,{a},{b},,1:00\n")
    return [members, path]


@sqlite_only
@pytest.mark.slow
@pytest.mark.parametrize("moment", ["midway", "commit"])
def test_sigkill_during_the_import_changes_nothing(new: Cli, tmp_path: Path, moment: str) -> None:
    # Killed from inside at a fixed point of the import's transaction (conftest.KILL_INSIDE_WRITE).
    files = big_bank(tmp_path, 5_000)
    before = dump(new.db)
    killed_inside_write(new.db, moment, "import", "timeoverflow", *map(str, files))
    assert dump(new.db) == before
    new.ok("check")


def test_a_large_bank_piped_shows_no_progress_bar(new: Cli, tmp_path: Path) -> None:
    files = big_bank(tmp_path, 8_000)
    done = subprocess.run([sys.executable, "-m", "timebank", "--db", str(new.db), "import", "timeoverflow",
                           *map(str, files)], env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "8000 exchanges from the transfers" in done.stdout


@pytest.mark.parametrize(("readme", "heading"), [("README.md", "## Moving in from TimeOverflow"),
                                                 ("README.cy.md", "## Symud i mewn o TimeOverflow")])
def test_the_readme_runs_as_written(readme: str, heading: str, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's commands, run where the fixture zip is (it has the name the README uses)."""
    import re
    import shlex

    text = (Path(__file__).parent.parent / readme).read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text[text.index(heading):], re.DOTALL)
    assert block
    commands = [shlex.split(line, comments=True) for line in block.group(1).splitlines()]
    monkeypatch.chdir(DATA)
    for words in commands:
        assert words[0] == "timebank"
        # The ledger is the test's own (a file or a PostgreSQL database), not the README's.
        at = words.index("--db")
        result = cli(*(words[1:at] + words[at + 2:]))
        assert result.code == 0, (words, result)
    assert words[-1] == "check" and ("passed every check" if readme == "README.md" else PASSED_CY) in result.out
    assert {r["number"]: r["balance_minutes"] for r in cli.json("balance")}[6] == 180
