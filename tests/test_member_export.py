"""A member's own copy of their data (issue 29, `member export`): one zip in the member's
language with a letter (PDF), data.json and CSV files. Everything about them is in it, and
no contact detail of anyone else -- searched for in every byte of every file, the letter read
back with pdftotext. Refusals (an erased member, a bad file name, a file already there) change
nothing; the copy's making is on the audit; the screen offers it on a member's page."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, dump, query
from refusal import refused
from timebank.i18n import Words
from timebank.ledger.basics.contact import ContactFilter, joined

TODAY = "2026-11-26"
EN, CY = Words("en"), Words("cy")

# The other members' contact details: none of them may be in Siân's copy, however written.
DAI = {"email": "dai.evans@example.net", "phone": "01656 870222"}
LLINOS = {"email": "Llinos.Hughes@Example.org", "phone": "870333"}       # a short local number
SIAN = {"email": "sian@example.cymru", "phone": "07700 900001"}
DAI_NOTE = "Dai asked us not to mention his hospital visits"
FORBIDDEN_TEXT = [DAI["email"], DAI["email"].upper(), LLINOS["email"].lower(), DAI_NOTE, "hospital"]
FORBIDDEN_DIGITS = ["01656870222", "1656870222", "870333"]


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)


@pytest.fixture
def bank(cli: Cli) -> Cli:
    """Siân (Welsh; 1), Dai (2) and Llinos (3), with exchanges, notes that name the others'
    contact details in several spellings, offers and requests, a void, and changes made by Siân
    herself (she helps in the office) to Dai's record."""
    cli.ok("init", "--name", "Banc Amser Blaengarw")
    cli.ok("settings", "set", "contact", "Canolfan Gymunedol, Blaengarw CF32 8AA, 01656 870000")
    cli.ok("member", "add", "Siân Jones", "--lang", "cy", "--joined", "2026-01-05", "--email", SIAN["email"],
           "--phone", SIAN["phone"], "--area", "CF32", "--note", f"Friend of Dai (ring him on {DAI['phone']})")
    cli.ok("member", "add", "Dai Evans", "--joined", "2026-01-05", "--email", DAI["email"], "--phone", DAI["phone"],
           "--note", DAI_NOTE)
    cli.ok("member", "add", "Llinos Hughes", "--joined", "2026-01-05", "--email", LLINOS["email"],
           "--phone", LLINOS["phone"])
    cli.ok("record", "Siân", "Dai", "2", "--date", "2026-02-03",
           "--note", "Lift for Dai, call 01656870222 or DAI.EVANS@EXAMPLE.NET; Siân on 07700 900001")
    cli.ok("record", "Dai", "Siân", "1.5", "--date", "2026-02-10", "--note", "=HYPERLINK(\"http://x\")", "--welsh")
    cli.ok("record", "Llinos", "Siân", "1", "--date", "2026-03-01",
           "--note", "Llinos (llinos.hughes@example.org, 870 333) did the shopping")
    cli.ok("record", "Dai", "Llinos", "3", "--date", "2026-03-02", "--note", "Not Siân's: Dai and Llinos only")
    cli.ok("exchange", "void", "3", "--reason", f"Llinos was away; ask her on {LLINOS['email']}")
    cli.ok("offer", "add", "Siân", "gardening", "--note", "Weekends; Dai (+44 1656 870222) can drive")
    cli.ok("request", "add", "Siân", "transport", "--note", "To the surgery")
    cli.ok("request", "add", "Dai", "gardening", "--note", "Dai's own request")
    # Siân keys in a change to Dai's record: made by her, but about him.
    cli.ok("member", "edit", "Dai", "--area", "CF31", "--by", "sian jones")
    return cli


def _files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _letter_text(files: dict[str, bytes], tmp_path: Path) -> str:
    name = next(name for name in files if name.endswith(".pdf"))
    pdf = tmp_path / "letter-read.pdf"
    pdf.write_bytes(files[name])
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())  # a phrase may break across lines


def _export(cli: Cli, member: str, path: Path, *args: str, lang: str | None = None) -> dict[str, bytes]:
    cli.ok("member", "export", member, "--output", str(path), *args, lang=lang)
    return _files(path)


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not here")


@needs_pdftotext
def test_the_copy_holds_everything_about_her_and_no_one_elses_contact_details(bank: Cli, tmp_path: Path) -> None:
    target = tmp_path / "sian.zip"
    result = bank.ok("member", "export", "Siân", "--output", str(target))
    files = _files(target)
    # Siân reads Welsh: the letter and the CSVs are named and written in Welsh.
    assert list(files) == ["llythyr.pdf", "data.json", "aelod.csv", "aelodaeth.csv", "cyfnewidiadau.csv",
                           "cynigion-a-cheisiadau.csv", "ceisiadau-mynediad.csv", "canlyniadau.csv",
                           "archwiliad.csv"]
    assert EN.ngettext("Wrote the copy of the data of {name} (member {number}) to {path}: {count} file, "
                       "{language}.",
                       "Wrote the copy of the data of {name} (member {number}) to {path}: {count} files, "
                       "{language}.", 9).format(name="Siân Jones", number=1, path=target, count=9,
                                                language="in Welsh") in result.out
    letter = _letter_text(files, tmp_path)
    texts = {name: content.decode("utf-8") for name, content in files.items() if not name.endswith(".pdf")}
    texts["letter"] = letter
    texts["pdf bytes"] = files["llythyr.pdf"].decode("latin-1")
    for name, text in texts.items():
        for forbidden in FORBIDDEN_TEXT:
            assert forbidden.casefold() not in text.casefold(), (name, forbidden)
        for forbidden in FORBIDDEN_DIGITS:
            # Dates and times are digits too: a phone number must not hide among them.
            assert forbidden not in re.sub(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}", "", text).replace(" ", ""), (
                name, forbidden)
    data = json.loads(texts["data.json"])
    # Her own details are hers to have.
    assert data["member"]["email"] == SIAN["email"] and data["member"]["phone"] == SIAN["phone"]
    assert data["member"]["note"] == f"Friend of Dai (ring him on {CY._('[contact details removed]')})"
    assert data["member"]["note_edited"] is True
    assert SIAN["email"] in letter and SIAN["phone"] in letter
    # Every exchange she took part in, the voided one and its reversal too; not Dai and Llinos's.
    assert [(e["number"], e["role"], e["void"]) for e in data["exchanges"]] == [
        (1, "giver", False), (2, "receiver", False), (3, "receiver", True), (5, "receiver", True)]
    assert data["exchanges"][0]["with"] == [{"number": 2, "name": "Dai Evans"}]
    assert [e["welsh"] for e in data["exchanges"]] == [False, True, False, False]   # help given in Welsh
    assert data["exchanges"][0]["note"] == ("Lift for Dai, call {x} or {x}; Siân on 07700 900001").format(
        x=CY._("[contact details removed]"))
    assert data["exchanges"][0]["note_edited"] is True and data["exchanges"][1]["note_edited"] is False
    assert data["exchanges"][2]["voided_by"] == 5 and data["exchanges"][3]["reverses"] == 3
    assert sum(e["balance_change_minutes"] for e in data["exchanges"]) == data["member"]["balance_minutes"] == 30
    assert [(o["number"], o["category"]) for o in data["offers"]] == [(1, "garddio")]
    assert [(r["number"], r["note"]) for r in data["requests"]] == [(2, "To the surgery")]
    assert data["offers"][0]["note"] == f"Weekends; Dai ({CY._('[contact details removed]')}) can drive"
    assert data["memberships"] == [{"joined": "2026-01-05", "left": None, "ended_by": None}]
    assert data["outcomes"] == [] and data["time_bank"]["name"] == "Banc Amser Blaengarw"
    # Her events: about her, or of exchanges she took part in, or made by her (whose details,
    # about Dai, are withheld). None of Dai's or Llinos's own.
    audit = data["audit"]
    assert {e["action"] for e in audit} >= {"member.add", "exchange.record", "exchange.void", "offer.add",
                                            "request.add", "member.edit"}
    for event in audit:
        assert event["about_member"] or event["made_by_member"], event
        assert event["member"] in (1, None) or event["details"] is None, event
    made_by_her = [e for e in audit if e["made_by_member"]]
    assert [(e["action"], e["member"], e["details"], e["details_withheld"]) for e in made_by_her] == [
        ("member.edit", 2, None, True)]
    assert all(e["exchange"] != 4 for e in audit)
    void = next(e for e in audit if e["action"] == "exchange.void")
    assert void["details"]["reason"] == f"Llinos was away; ask her on {CY._('[contact details removed]')}"
    assert void["details_edited"] is True
    # The letter lists the items: her exchanges, her offer, and says who the regulator is.
    assert "Comisiynydd Gwybodaeth" in letter and "ico.org.uk" in letter
    assert "Annwyl Siân Jones" in letter
    # (A table's cells are read column by column: a name wrapped in its cell comes apart.)
    for expected in ("Dai Evans", "Llinos", "Hughes", "Garddio", "To the surgery", "CF32", "Banc Amser Blaengarw"):
        assert expected in letter, expected
    assert "Not Siân's" not in letter + texts["data.json"]


def test_csv_files_are_formula_safe_and_match_the_json(bank: Cli, tmp_path: Path) -> None:
    files = _export(bank, "1", tmp_path / "c.zip")
    data = json.loads(files["data.json"])
    rows = list(csv.DictReader(io.StringIO(files["cyfnewidiadau.csv"].decode("utf-8-sig"))))
    assert len(rows) == len(data["exchanges"])
    notes = [row[CY._("note")] for row in rows]
    assert notes[1] == "'=HYPERLINK(\"http://x\")"        # a formula start neutralised
    assert [row[CY._("exchange")] for row in rows] == [str(e["number"]) for e in data["exchanges"]]
    member = list(csv.DictReader(io.StringIO(files["aelod.csv"].decode("utf-8-sig"))))
    assert member[0][CY._("email")] == SIAN["email"]
    listings = list(csv.DictReader(io.StringIO(files["cynigion-a-cheisiadau.csv"].decode("utf-8-sig"))))
    assert [row[CY._("number")] for row in listings] == ["1", "2"]
    audit = list(csv.DictReader(io.StringIO(files["archwiliad.csv"].decode("utf-8-sig"))))
    assert len(audit) == len(data["audit"])


@needs_pdftotext
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_letter_is_in_the_members_language_unless_asked(bank: Cli, tmp_path: Path, lang: str) -> None:
    # Dai reads English; --lang chooses the letter's language for anyone.
    files = _export(bank, "Dai", tmp_path / "dai.zip", lang=lang if lang == "cy" else None)
    w = Words(lang)
    letter = _letter_text(files, tmp_path)
    assert (("llythyr.pdf" if lang == "cy" else "letter.pdf")) in files
    assert w._("A copy of your data") in letter
    assert w._("Dear {name},").format(name="Dai Evans") in letter
    regulator = "Comisiynydd Gwybodaeth" if lang == "cy" else "Information Commissioner's Office"
    assert regulator in letter
    assert w._("Your rights") in letter and w._("How to complain") in letter
    # His own note is his; Siân's contact details are not.
    assert DAI_NOTE in letter
    assert SIAN["email"] not in letter and "900001" not in re.sub(r"\s", "", letter)
    data = json.loads(files["data.json"])
    assert data["lang"] == lang


def test_settings_controller_and_retention_reach_the_letter(bank: Cli, tmp_path: Path) -> None:
    bank.ok("settings", "set", "controller", "Garw Valley Community Trust, Blaengarw CF32 8AA")
    bank.ok("gosodiadau", "gosod", "cyfnod_cadw", "Six years after a member leaves.", lang="cy")
    shown = bank.json("settings", "show")
    assert shown["controller"] == "Garw Valley Community Trust, Blaengarw CF32 8AA"
    assert shown["retention"] == "Six years after a member leaves."
    files = _export(bank, "2", tmp_path / "dai.zip")
    data = json.loads(files["data.json"])
    assert data["time_bank"]["controller"] == "Garw Valley Community Trust, Blaengarw CF32 8AA"
    if shutil.which("pdftotext"):
        letter = _letter_text(files, tmp_path)
        assert "Garw Valley Community Trust" in letter and "Six years after a member leaves." in letter
    refused(bank, "settings", "set", "retention", "x" * 601)
    refused(bank, "settings", "set", "controller", "line\nbreak")


def test_refusals_change_nothing(bank: Cli, tmp_path: Path) -> None:
    target = tmp_path / "copy.zip"
    refused(bank, "member", "export", "Siân", code=2)                                   # no --output
    refused(bank, "member", "export", "Siân", "--output", str(tmp_path / "copy.pdf"), code=2)
    refused(bank, "member", "export", "Nobody", "--output", str(target))
    assert not target.exists()
    # A file already there: kept unless --force.
    target.write_bytes(b"keep me")
    refused(bank, "member", "export", "Siân", "--output", str(target))
    assert target.read_bytes() == b"keep me"
    bank.ok("member", "export", "Siân", "--output", str(target), "--force")
    assert zipfile.is_zipfile(target)
    if sys.platform != "win32":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_an_erased_member_cannot_be_exported_one_who_left_can(bank: Cli, tmp_path: Path) -> None:
    bank.ok("member", "leave", "Llinos", "--date", "2026-03-05")
    files = _export(bank, "3", tmp_path / "llinos.zip")
    data = json.loads(files["data.json"])
    assert data["member"]["left"] == "2026-03-05"
    assert data["memberships"] == [{"joined": "2026-01-05", "left": "2026-03-05", "ended_by": "left"}]
    bank.ok("member", "forget", "Dai", "--yes")
    said = refused(bank, "member", "export", "2", "--output", str(tmp_path / "dai.zip"))
    assert "erased" in said["en"].err and "dileu" in said["cy"].err
    assert not (tmp_path / "dai.zip").exists()


def test_the_copy_is_on_the_audit(bank: Cli, tmp_path: Path) -> None:
    before = len(query(bank.db, "SELECT id FROM audit"))
    _export(bank, "1", tmp_path / "c.zip")
    events = query(bank.db, "SELECT action, member, details FROM audit ORDER BY id")
    assert len(events) == before + 1
    action, member, details = events[-1]
    assert (action, member) == ("member.export", 1)
    assert json.loads(details)["files"][0] == "llythyr.pdf"
    listed = bank.json("audit")[-1]
    assert listed["action"] == "member.export"
    assert "member #1" in bank.ok("audit").out
    bank.ok("check")
    # The next copy lists the first one's making among her events.
    again = json.loads(_export(bank, "1", tmp_path / "d.zip")["data.json"])
    assert again["audit"][-1]["action"] == "member.export"


def test_her_access_requests_are_in_the_copy(bank: Cli, tmp_path: Path) -> None:
    bank.ok("member", "access-request", "Siân", "--received", "2026-10-31")
    bank.ok("member", "access-request", "1", "--received", "2026-11-20")
    bank.ok("member", "access-request", "done", "1", "--date", "2026-11-25")
    bank.ok("member", "access-request", "Dai", "--received", "2026-11-21")
    target = tmp_path / "c.zip"
    result = bank.ok("member", "export", "1", "--output", str(target))
    data = json.loads(_files(target)["data.json"])
    assert data["access_requests"] == [
        {"number": 1, "received": "2026-10-31", "due": "2026-11-30", "done": "2026-11-25"},
        {"number": 2, "received": "2026-11-20", "due": "2026-12-20", "done": None}]
    rows = list(csv.DictReader(io.StringIO(_files(target)["ceisiadau-mynediad.csv"].decode("utf-8-sig"))))
    assert [row[CY._("number")] for row in rows] == ["1", "2"]
    # The open one is named, so that the coordinator closes it once the copy is given.
    assert "access-request done 2" in result.err and "done 1'" not in result.err


def test_an_organisation_and_a_member_with_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    cli.ok("member", "add", "Caffi", "--kind", "organisation", "--joined", "2026-01-05")
    data = json.loads(_export(cli, "Caffi", tmp_path / "c.zip")["data.json"])
    assert data["member"]["kind"] == "organisation"
    assert data["exchanges"] == [] and data["offers"] == [] and data["requests"] == []
    assert data["member"]["balance_hours"] == "0.00"


def test_welsh_command_names(bank: Cli, tmp_path: Path) -> None:
    bank.ok("aelod", "allforio", "1", "--allbwn", str(tmp_path / "c.zip"), lang="cy")
    assert zipfile.is_zipfile(tmp_path / "c.zip")
    assert "allforio (export)" in bank.ok("aelod", "--help", lang="cy").out


# The filter itself -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("ring 07700 900123 or sian@ex.com", "ring [x] or [x]"),
    ("mine: 07700900111 me@x.org", "mine: 07700900111 me@x.org"),     # her own
    ("+44 (0)7700 900111 is mine too", "+44 (0)7700 900111 is mine too"),
    ("on 2026-11-03 2h, then 3/11/2026", "on 2026-11-03 2h, then 3/11/2026"),   # dates are no phones
    ("1.5 hours at 10:30", "1.5 hours at 10:30"),
    ("short 870 999 known", "short [x] known"),                       # another member's short number
    ("E: Bob.Jones@Mail.co.uk.", "E: [x]."),
    ("tel (01656) 870123", "tel [x]"),
])
def test_contact_filter(text: str, expected: str) -> None:
    found = ContactFilter("me@x.org", "07700 900111", [("sian@ex.com", "01656 870123"), (None, "870999")])
    assert joined(found.parts(text), "[x]") == expected


# The screen ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_screen_offers_the_copy_on_a_members_page(bank: Cli, lang: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from test_ui import notice, screen, settle

    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)
    said: list[str] = []
    w = Words(lang)

    async def test(app: Any, pilot: Any) -> None:
        app.open_member(1)
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("n")                     # No: nothing written
        await settle(pilot)
        assert not list(folder.iterdir())
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("i" if lang == "cy" else "y")
        await settle(pilot)
        said.append(notice(app))

    before = len(dump(bank.db))
    screen(bank, lang, test)
    written = list(folder.iterdir())
    assert [p.name for p in written] == [w._("data-of-member-{number}").format(number=1) + ".zip"]
    files = _files(written[0])
    assert "llythyr.pdf" in files                   # in Siân's language, whatever the screen's
    assert "Siân Jones" in said[0] and str(written[0].name) in said[0]
    assert len(dump(bank.db)) == before + 1         # the audit event (its link is in its row), nothing else


@needs_pdftotext
def test_large_print_letter_lists_each_item_as_lines(bank: Cli, tmp_path: Path) -> None:
    ordinary = _letter_text(_export(bank, "Siân", tmp_path / "a.zip"), tmp_path)
    bank.ok("member", "edit", "Siân", "--large-print")
    large = _letter_text(_export(bank, "Siân", tmp_path / "b.zip"), tmp_path)
    # At 16 pt each exchange is a heading and lines of 'Column: value', never a cramped table.
    line = f"{CY._('You')}: {CY._('gave help')}"
    assert line in large and line not in ordinary
    assert "3 Chwefror 2026 · #1" in large
    assert f"{CY._('Left')}: {CY._('still a member')}" in large
