"""Help given in Welsh (issue 30, item 2): `record --welsh`/`--cymraeg`, the mark in the
exchange's link (only when true: every older link verifies as it did), shown by `exchange
list`/`show`, in exports and imports, on the screen's record form, and the figures
`hours_in_welsh` and `exchanges_in_welsh`, on both databases.

The hand-worked ledger (`welsh`): Siân (1, Welsh speaking), Llinos (2), Lowri ap Rhys (3);
today 2026-11-26.

    #1  2026-10-20  Llinos -> Siân       0:30   in Welsh            October
    #2  2026-11-02  Siân -> Llinos       1:30   in Welsh (--welsh)
    #3  2026-11-03  Llinos -> Lowri      2:00   not
    #4  2026-11-04  Lowri -> Siân        0:45   in Welsh (--cymraeg, typed in Welsh)
    #5  2026-11-05  Siân -> Llinos and Lowri, 1:00 each, in Welsh (group form): Siân earns
                    2:00 -- each minute counted once, as `hours` counts it
    #6  2026-11-06  Siân -> Lowri        3:00   in Welsh, then voided (#7 its reversal, which
                    carries the mark): neither counts
    #8  2026-11-10  an opening balance of 1:00 marked Welsh (written through the core's write
                    path): counts in no activity figure

By month, October to November:
    October:  exchanges 1, hours 0.50; exchanges_in_welsh 1, hours_in_welsh 0.50 (30 min)
    November: exchanges 4 (#2 #3 #4 #5), hours 1.50 + 2.00 + 0.75 + 2.00 = 6.25;
              exchanges_in_welsh 3 (#2 #4 #5), hours_in_welsh 1.50 + 0.75 + 2.00 = 4.25 (255 min)
    Total:    exchanges 5, hours 6.75; exchanges_in_welsh 4, hours_in_welsh 4.75 (285 min);
              members_welsh 1 (Siân).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, dump, execute_sql, fresh_db, query

TODAY = "2026-11-26"
SPAN = ("--from", "2026-10-01", "--to", "2026-11-30")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)


def _welsh_flags(db: "Path | str") -> dict[int, bool]:
    return {number: bool(welsh) for number, welsh in query(db, "SELECT number, welsh FROM exchanges ORDER BY number")}


@pytest.fixture
def welsh(ledger: Cli) -> Cli:
    ledger.ok("record", "Llinos", "Siân", "0:30", "--date", "2026-10-20", "--welsh")
    ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-11-02", "--welsh")
    ledger.ok("record", "Llinos", "Lowri", "2", "--date", "2026-11-03")
    ledger.ok("cofnodi", "Lowri", "Siân", "0:45", "--date", "2026-11-04", "--cymraeg", lang="cy")
    ledger.ok("record", "--giver", "Siân", "--receiver", "Llinos", "--receiver", "Lowri", "--hours", "1",
              "--date", "2026-11-05", "--welsh")
    ledger.ok("record", "Siân", "Lowri", "3", "--date", "2026-11-06", "--welsh")
    ledger.ok("exchange", "void", "6", "--reason", "typed on the wrong line")
    from timebank.ledger.records.exchanges import NewExchange, write_exchanges
    from timebank.ledger.storage.db import open_ledger, writing
    from timebank.ledger.storage.models import OPENING

    opened = open_ledger(str(ledger.db))
    try:
        with writing(opened) as session:
            write_exchanges(session, "tester", [NewExchange(date(2026, 11, 10), "other", 60, "moved in", (2,), (0,),
                                                            purpose=OPENING, welsh=True)])
    finally:
        opened.dispose()
    return ledger


# Recording and reading back ---------------------------------------------------------------------

def test_the_mark_is_stored_and_shown_in_both_languages(welsh: Cli) -> None:
    assert _welsh_flags(welsh.db) == {1: True, 2: True, 3: False, 4: True, 5: True, 6: True, 7: True, 8: True}
    listed = {row["number"]: row["welsh"] for row in welsh.json("exchange", "list", "--include-void")}
    assert listed == {1: True, 2: True, 3: False, 4: True, 5: True, 6: True, 7: True, 8: True}
    assert welsh.json("exchange", "show", "3")["welsh"] is False
    # A void's reversal carries its original's mark, as it carries its purpose.
    reversal = welsh.json("exchange", "show", "7")
    assert reversal["reverses"] == 6 and reversal["welsh"] is True
    for lang, mark, line in (("en", "in Welsh", "Language: Welsh"), ("cy", "yn Gymraeg", "Iaith: Cymraeg")):
        table = welsh.ok("exchange", "list", "--month", "2026-11", lang=lang).out
        rows = {line.split()[0]: line for line in table.splitlines() if line.split() and line.split()[0].isdigit()}
        assert mark in rows["2"] and mark in rows["5"] and mark not in rows["3"], table
        assert line in welsh.ok("exchange", "show", "4", lang=lang).out
        assert line not in welsh.ok("exchange", "show", "3", lang=lang).out
    # Both spellings in either language; the audit says so.
    welsh.ok("record", "Llinos", "Lowri", "0:15", "--cymraeg", lang="en")
    welsh.ok("cofnodi", "Llinos", "Lowri", "0:20", "--welsh", lang="cy")
    assert [r["welsh"] for r in welsh.json("exchange", "list")][-2:] == [True, True]
    recorded = [e for e in welsh.json("audit") if e["action"] == "exchange.record"]
    assert recorded[-1]["details"].get("welsh") is True
    assert "welsh" not in recorded[2]["details"]  # exchange 3
    welsh.ok("check")


# The chain ---------------------------------------------------------------------------------------

def test_check_verifies_welsh_links_and_finds_the_mark_changed(welsh: Cli) -> None:
    welsh.ok("check")
    before = dump(welsh.db)
    execute_sql(welsh.db, "UPDATE exchanges SET welsh = true WHERE number = 3")
    result = welsh("check", lang="en")
    assert result.code != 0 and "Exchange 3 has changed since it was recorded" in result.out, result.out
    execute_sql(welsh.db, "UPDATE exchanges SET welsh = false WHERE number = 3",
                "UPDATE exchanges SET welsh = false WHERE number = 2")
    result = welsh("check", lang="en")
    assert result.code != 0 and "Exchange 2 has changed since it was recorded" in result.out, result.out
    assert "Exchange 3 " not in result.out
    execute_sql(welsh.db, "UPDATE exchanges SET welsh = true WHERE number = 2")
    welsh.ok("check")
    assert dump(welsh.db) == before


def test_canonical_form_adds_the_mark_only_when_true() -> None:
    from timebank.ledger.integrity import canonical

    common = dict(link=5, number=3, day="2026-11-02", category="other", minutes=90, reverses=None,
                  recorded_at="2026-11-02T10:00:00", entries=[(1, "giver", "2026-11-02", 90),
                                                              (2, "receiver", "2026-11-02", -90)],
                  committed=bytes(32))
    plain = canonical.exchange_content(**common)  # type: ignore[arg-type]
    assert canonical.exchange_content(**common, welsh=False) == plain  # type: ignore[arg-type]
    assert canonical.exchange_content(**common, welsh=True) == plain[:-1] + b',"help",null,true]'  # type: ignore[arg-type]
    assert canonical.exchange_content(**common, centre="BLA", welsh=True) == (  # type: ignore[arg-type]
        plain[:-1] + b',"help","BLA",true]')
    assert canonical.exchange_content(**common, centre="BLA") == plain[:-1] + b',"help","BLA"]'  # type: ignore[arg-type]


def test_every_link_of_an_older_ledger_is_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ledger-0012 upgraded: every exchange is not Welsh, the seal it had still holds, check
    passes, and a Welsh exchange recorded afterwards verifies too."""
    import sqlite3

    from test_migrations import FIXTURES, _load_fixture

    target = fresh_db(tmp_path, "old")
    _load_fixture("0012", target)
    conn = sqlite3.connect(FIXTURES / "ledger-0012.sqlite3")
    hashes = dict(conn.execute("SELECT number, link_hash FROM exchanges"))
    links = conn.execute("SELECT max(link) FROM (SELECT link FROM exchanges UNION ALL SELECT link FROM audit "
                         "UNION ALL SELECT link FROM record_links)").fetchone()[0]
    last = conn.execute(f"SELECT link_hash FROM exchanges WHERE link = {links} UNION ALL SELECT link_hash FROM audit "
                        f"WHERE link = {links} UNION ALL SELECT link_hash FROM record_links WHERE link = {links}"
                        ).fetchone()[0]
    conn.close()
    cli = Cli(target, capsys)
    checked = cli.ok("check", "--seal", f"#{links} {bytes(last).hex()[:16]}", lang="en")
    assert "still holds exactly the history sealed" in checked.out, checked.out
    assert {n: bytes(h) for n, h in query(target, "SELECT number, link_hash FROM exchanges")} == {
        n: bytes(h) for n, h in hashes.items()}
    assert set(_welsh_flags(target).values()) == {False}
    person = query(target, "SELECT min(number) FROM members WHERE kind = 'person' AND forgotten IS NULL "
                           "AND \"left\" IS NULL")[0][0]
    cli.ok("record", "0", str(person), "1", "--allow-overdraft", "--welsh")
    assert list(_welsh_flags(target).values())[-1] is True
    cli.ok("check")


# Exports and imports ------------------------------------------------------------------------------

def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_and_import_round_trip(welsh: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _csv(welsh.ok("export", "exchanges").out)
    assert list(rows[0])[:8] == ["exchange", "date", "giver", "receiver", "minutes", "hours", "category", "welsh"]
    assert {r["exchange"]: r["welsh"] for r in rows} == {"1": "true", "2": "true", "3": "false", "4": "true",
                                                         "5": "true"}
    assert _csv(welsh.ok("export", "exchanges", "--include-void").out)[-1]["welsh"] == "true"  # the reversal
    cymraeg = welsh.ok("export", "exchanges", "--lang", "cy").out
    assert cymraeg.splitlines()[0].split(",")[7] == "cymraeg"
    # Into a ledger with the same members: every exchange keeps its mark (the group too).
    for lang, text in (("en", welsh.ok("export", "exchanges").out), ("cy", cymraeg)):
        other = Cli(fresh_db(tmp_path, f"other-{lang}"), capsys)
        other.ok("init")
        for name in ("Siân", "Llinos", "Lowri ap Rhys"):
            other.ok("member", "add", name, "--joined", "2026-01-05")
        path = tmp_path / f"exchanges-{lang}.csv"
        path.write_text(text, encoding="utf-8")
        other.ok("import", "exchanges", str(path), lang=lang)
        assert [(r["date"], r["minutes"], r["givers"], r["receivers"], r["welsh"])
                for r in other.json("exchange", "list")] == [
            (r["date"], r["minutes"], r["givers"], r["receivers"], r["welsh"]) for r in welsh.json("exchange", "list")
            if r["purpose"] == "help"]
        other.ok("check")


@pytest.mark.parametrize("header", ["welsh", "Yn Gymraeg", "cymraeg", "In Welsh"])
def test_import_reads_the_welsh_column(ledger: Cli, tmp_path: Path, header: str) -> None:
    values = ["true", "FALSE", "yes", "No", "ie", "na", "1", "0", "", " Ie "]
    path = tmp_path / "in.csv"
    path.write_text(f"date,giver,receiver,hours,{header}\n" + "".join(
        f"2026-11-{day + 1:02d},1,2,1,{value}\n" for day, value in enumerate(values)), encoding="utf-8")
    ledger.ok("import", "exchanges", str(path))
    assert list(_welsh_flags(ledger.db).values()) == [True, False, True, False, True, False, True, False, False,
                                                      True]
    ledger.ok("check")


def _refused(cli: Cli, *args: str) -> dict[str, str]:
    """An import refused in both languages (its bad rows, a line each, then the count), the
    ledger unchanged; what it said in each."""
    said = {}
    for lang in ("en", "cy"):
        before = dump(cli.db)
        result = cli(*args, lang=lang)
        assert result.code == 1 and "Traceback" not in result.out + result.err, result
        assert dump(cli.db) == before
        said[lang] = result.err
    assert said["en"] != said["cy"]
    return said


def test_import_refuses_a_welsh_cell_it_cannot_read(ledger: Cli, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("date,giver,receiver,hours,welsh\n2026-11-02,1,2,1,yes\n2026-11-03,1,2,1,maybe\n",
                    encoding="utf-8")
    results = _refused(ledger, "import", "exchanges", str(path))
    assert "maybe" in results["en"] and "Line 3" in results["en"]
    # Rows of one exchange must agree on it.
    path.write_text("exchange,date,giver,receiver,hours,welsh\n7,2026-11-02,1,2,1,yes\n7,2026-11-02,1,3,1,no\n",
                    encoding="utf-8")
    results = _refused(ledger, "import", "exchanges", str(path))
    assert "Welsh" in results["en"] and "Gymraeg" in results["cy"]


# The figures ---------------------------------------------------------------------------------------

def test_figures_by_hand(welsh: Cli) -> None:
    report = welsh.json("report", "period", *SPAN, "--by", "month")
    october, november = report["periods"]
    assert (october["exchanges_in_welsh"], october["hours_in_welsh"], october["minutes_in_welsh"]) == (1, "0.50", 30)
    assert (november["exchanges"], november["hours"]) == (4, "6.25")
    assert (november["exchanges_in_welsh"], november["hours_in_welsh"], november["minutes_in_welsh"]) == (
        3, "4.25", 255)
    total = report["total"]
    assert (total["exchanges"], total["hours"], total["members_welsh"]) == (5, "6.75", 1)
    assert (total["exchanges_in_welsh"], total["hours_in_welsh"], total["minutes_in_welsh"]) == (4, "4.75", 285)
    keys = list(total)
    assert keys.index("hours_in_welsh") == keys.index("members_welsh") + 1
    for lang, label, count_label in (("en", "Hours given in Welsh", "Exchanges in Welsh"),
                                     ("cy", "Oriau a roddwyd yn Gymraeg", "Cyfnewidiadau yn Gymraeg")):
        table = welsh.ok("report", "period", *SPAN, lang=lang).out
        assert any(line.startswith(label) and line.split()[-1] == "4.75" for line in table.splitlines()), table
        assert any(line.startswith(count_label) and line.split()[-1] == "4" for line in table.splitlines()), table
    # The summary CSV: right after members_welsh, Welsh headers in Welsh.
    summary = welsh.ok("export", "summary", *SPAN).out
    header = summary.splitlines()[0].split(",")
    at = header.index("members_welsh")
    assert header[at + 1:at + 3] == ["hours_in_welsh", "exchanges_in_welsh"]
    assert [(r["hours_in_welsh"], r["exchanges_in_welsh"]) for r in _csv(summary)] == [("0.50", "1"), ("4.25", "3")]
    cy_header = welsh.ok("export", "summary", *SPAN, lang="cy").out.splitlines()[0].split(",")
    assert cy_header[at + 1:at + 3] == ["oriau_yn_gymraeg", "cyfnewidiadau_yn_gymraeg"]


def test_figures_in_the_workbook_and_the_one_page_report(welsh: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book_path = tmp_path / "pack.xlsx"
    welsh.ok("export", "workbook", *SPAN, "--output", str(book_path))
    cells = [[cell for cell in row] for sheet in load_workbook(book_path) for row in sheet.iter_rows(values_only=True)]
    found = [row for row in cells if "hours_in_welsh" in row or "Hours given in Welsh" in row]
    assert found, "no hours_in_welsh in the workbook"
    definitions = [row for row in cells if any(isinstance(c, str) and c.startswith("Hours of help given in the "
                                                                                    "period in exchanges carried "
                                                                                    "out in Welsh") for c in row)]
    assert definitions
    for lang, label in (("en", "Hours given in Welsh"), ("cy", "Oriau a roddwyd yn Gymraeg")):
        pdf = tmp_path / f"report-{lang}.pdf"
        result = welsh.ok("report", "period", *SPAN, "--output", str(pdf), lang=lang)
        assert "(1 page)" in result.err or "(1 dudalen)" in result.err, result.err
        if shutil.which("pdftotext") is not None:  # poppler-utils, as the funder pack's tests
            text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout
            assert any(label in line and "4.75" in line for line in text.splitlines()), text


def test_figures_at_a_seal_and_for_a_centre(welsh: Cli) -> None:
    seal = welsh.ok("check").out.strip().splitlines()[-2].split(": ", 1)[1]
    welsh.ok("centre", "add", "Bala", "--code", "BLA")
    welsh.ok("member", "add", "Gwen", "--joined", "2026-01-05", "--centre", "BLA")
    welsh.ok("record", "Gwen", "Llinos", "2", "--date", "2026-11-20", "--welsh", "--centre", "BLA")
    welsh.ok("record", "Lowri", "Gwen", "1", "--date", "2026-11-21")
    now = welsh.json("report", "period", *SPAN)["total"]
    assert (now["exchanges_in_welsh"], now["hours_in_welsh"]) == (5, "6.75")
    then = welsh.json("report", "period", *SPAN, "--seal", seal)["total"]
    assert (then["exchanges_in_welsh"], then["hours_in_welsh"]) == (4, "4.75")
    centre = welsh.json("report", "period", *SPAN, "--centre", "BLA")["total"]
    assert (centre["exchanges"], centre["exchanges_in_welsh"], centre["hours_in_welsh"]) == (2, 1, "2.00")
    summary = _csv(welsh.ok("export", "summary", *SPAN, "--seal", seal).out)
    assert [r["hours_in_welsh"] for r in summary] == ["0.50", "4.25"]
    welsh.ok("check")


# The screen ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_record_form_marks_help_in_welsh(ledger: Cli, lang: str) -> None:
    """At 80x24: the box, focused, and the read-back under it stay above the keys at the foot."""
    from test_ui import fill, screen, settle, words

    async def test(app: Any, pilot: Any) -> None:
        from textual.widgets import Checkbox

        await pilot.press("f3")
        await settle(pilot)
        w = words(lang)
        assert w._("In Welsh") in [str(label.render()) for label in app.screen.query("Label")]
        await fill(app, pilot, giver="Siân", receiver="Llinos", hours="1")
        box = app.screen.query_one("#welsh", Checkbox)
        for _ in range(6):  # from hours, past date, category, note and request: Tab reaches it
            if app.focused is box:
                break
            await pilot.press("tab")
        assert app.focused is box
        await pilot.press("space")
        assert box.value is True
        assert box.region.bottom <= 22 and box.region.right <= 80, box.region  # the foot takes two lines
        await pilot.press("enter")  # Enter records, as in every field
        await settle(pilot)
        from timebank.ui.base import Notice

        shown = app.screen.query_one(Notice)
        assert shown.region.y >= box.region.bottom and shown.region.y < 22, (shown.region, box.region)
        assert box.value is True  # kept for the next line of the sheet
        await fill(app, pilot, giver="Llinos", receiver="Lowri", hours="0:30")
        box.focus()
        await pilot.press("space")
        assert box.value is False
        await pilot.press("enter")
        await settle(pilot)

    screen(ledger, lang, test, size=(80, 24))
    assert [(r["givers"], r["welsh"]) for r in ledger.json("exchange", "list")] == [([1], True), ([2], False)]
    ledger.ok("check")


def test_the_journal_tags_help_in_welsh(welsh: Cli) -> None:
    hledger = welsh.ok("journal").out
    tagged = {line.split("#")[1].split()[0]: "welsh:" in line for line in hledger.splitlines() if " * #" in line}
    assert tagged == {"1": True, "2": True, "3": False, "4": True, "5": True, "6": True, "7": True, "8": True}
    beancount = welsh.ok("journal", "--format", "beancount").out
    assert beancount.count("  welsh: TRUE\n") == 7
