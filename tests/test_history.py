"""Issue 25, items 1, 2 and 4: membership as dated periods, reports made again exactly at a seal,
the restatement since a seal, and an erased member counted once."""

from __future__ import annotations

import re

import pytest

from conftest import Cli, dump
from refusal import refused

SEAL = re.compile(r"#\d+ [0-9a-f]{16}")
QUARTER = ("report", "period", "--from", "2026-04-01", "--to", "2026-06-30", "--by", "quarter")


def _seal(cli: Cli) -> str:
    found = SEAL.search(cli.ok("check", lang="en").out)
    assert found, "check prints the seal"
    return found.group(0)


@pytest.fixture
def year(ledger: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Siân (1), Llinos (2), Lowri (3) from January, Dai (4) from May; exchanges in April to
    June; a request met in May; the value of an hour set."""
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-10-15")
    cli = ledger
    cli.ok("member", "add", "Dai", "--joined", "2026-05-02", "--lang", "cy")
    cli.ok("record", "1", "2", "2", "--date", "2026-04-10", "--category", "gardening")
    cli.ok("record", "2", "3", "1.5", "--date", "2026-05-03", "--category", "transport")
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-05-10")
    cli.ok("request", "add", "3", "shopping")
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-10-15")
    cli.ok("record", "1", "3", "1", "--date", "2026-05-20", "--category", "shopping", "--request", "1")
    cli.ok("record", "4", "1", "3", "--date", "2026-06-11", "--category", "diy")
    cli.ok("settings", "set", "hour_value", "12.50")
    return cli


def _sent(cli: Cli) -> dict[str, str]:
    """What a coordinator sends a funder for the quarter (and the monthly report of May)."""
    return {"json": cli.ok(*QUARTER, "--format", "json", lang="en").out,
            "csv": cli.ok(*QUARTER, "--format", "csv", lang="cy").out,
            "summary": cli.ok("export", "summary", "--from", "2026-04-01", "--to", "2026-06-30", lang="en").out,
            "monthly": cli.ok("report", "monthly", "--month", "2026-05", "--format", "json", lang="en").out}


def _again(cli: Cli, seal: str) -> dict[str, str]:
    return {"json": cli.ok(*QUARTER, "--format", "json", "--seal", seal, lang="en").out,
            "csv": cli.ok(*QUARTER, "--format", "csv", "--seal", seal, lang="cy").out,
            "summary": cli.ok("export", "summary", "--from", "2026-04-01", "--to", "2026-06-30", "--seal", seal,
                              lang="en").out,
            "monthly": cli.ok("report", "monthly", "--month", "2026-05", "--format", "json", "--seal", seal,
                              lang="en").out}


def test_a_quarter_sent_with_its_seal_is_made_again_byte_for_byte(year: Cli) -> None:
    cli = year
    sent = _sent(cli)
    seal = _seal(cli)
    assert seal in sent["json"] and seal in sent["csv"] and seal in sent["monthly"]
    # Everything that moves a closed quarter's figures, after it was sent:
    cli.ok("record", "3", "1", "2", "--date", "2026-06-02", "--category", "gardening")      # back-dated: #5
    cli.ok("exchange", "void", "2", "--reason", "typed twice")                             # reverses #2 (May)
    cli.ok("member", "leave", "4", "--date", "2026-06-20")
    cli.ok("member", "rejoin", "4", "--date", "2026-09-01")
    cli.ok("member", "add", "Eleri", "--joined", "2026-04-02")                             # back-dated joining
    cli.ok("member", "edit", "2", "--lang", "cy")
    cli.ok("member", "forget", "3", "--yes")
    cli.ok("settings", "set", "hour_value", "15")
    cli.ok("category", "add", "music", "--en", "Music", "--cy", "Cerddoriaeth")
    now = _sent(cli)
    assert now["json"] != sent["json"] and now["summary"] != sent["summary"]
    again = _again(cli, seal)
    for key in ("json", "csv", "summary"):
        assert again[key] == sent[key], key
    # The monthly report lists members by name: an erased name stays erased (and sorts elsewhere);
    # every figure and every member's line is as it was.
    import json

    def lines(text: str) -> tuple[dict, list]:
        report = json.loads(text)
        members = sorted((m["number"], m["opening_minutes"], m["given_minutes"], m["received_minutes"],
                          m["closing_minutes"]) for m in report.pop("members"))
        return report, members

    assert lines(again["monthly"]) == lines(sent["monthly"])
    # The restatement names what moved, and why.
    changes = cli.json(*QUARTER, "--changes-since", seal)
    assert changes["since"] == seal
    quarter = next(p for p in changes["periods"] if p["period"] != "total")
    moved = {c["figure"]: (c["was"], c["now"]) for c in quarter["changes"]}
    assert "exchanges" not in moved                         # one back-dated in, one voided out
    assert moved["hours"] == ("7.50", "8.00")
    assert quarter["exchanges"] == [5] and quarter["voided"] == [2]
    assert {4, 5} <= set(quarter["members"])                # Dai left in June; Eleri joined in April
    assert moved["social_value_gbp"][0] != moved["social_value_gbp"][1]
    assert "hour_value" in quarter["settings"]
    table = {lang: cli.ok(*QUARTER, "--changes-since", seal, lang=lang).out for lang in ("en", "cy")}
    assert "Exchanges voided since: #2" in table["en"] and "#2" in table["cy"]
    assert "Cyfnewidiadau a ddiddymwyd ers hynny: #2" in table["cy"]
    csv = cli.ok(*QUARTER, "--changes-since", seal, "--format", "csv", lang="en").out.splitlines()
    assert csv[0].startswith("period,from,to,figure,was,now,exchanges,voided,members,settings")
    # Nothing changed since the newest seal.
    same = cli.ok(*QUARTER, "--changes-since", _seal(cli), lang="en").out
    assert "No figure has changed since" in same


def test_the_workbook_and_the_page_take_a_seal(year: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    def cells(path) -> list:  # type: ignore[no-untyped-def]
        # Every sheet but Outcomes: scores are not part of the sealed history (a workbook made
        # at a seal says so on that sheet, and the sent one says a copy made again leaves them out).
        return [[list(row) for row in sheet.iter_rows(values_only=True)]
                for sheet in load_workbook(path).worksheets if sheet.title != "Outcomes"]

    cli = year
    span = ("--from", "2026-04-01", "--to", "2026-06-30", "--by", "quarter")
    cli.ok("export", "workbook", *span, "--output", str(tmp_path / "sent.xlsx"))
    seal = _seal(cli)
    cli.ok("record", "3", "1", "2", "--date", "2026-06-02")
    cli.ok("member", "leave", "4", "--date", "2026-06-20")
    cli.ok("export", "workbook", *span, "--output", str(tmp_path / "now.xlsx"))
    cli.ok("export", "workbook", *span, "--seal", seal, "--output", str(tmp_path / "again.xlsx"))
    assert cells(tmp_path / "now.xlsx") != cells(tmp_path / "sent.xlsx")
    assert cells(tmp_path / "again.xlsx") == cells(tmp_path / "sent.xlsx")
    cli.ok(*QUARTER, "--seal", seal, "--output", str(tmp_path / "page.pdf"))
    assert (tmp_path / "page.pdf").read_bytes().startswith(b"%PDF")


def test_a_seal_the_ledger_does_not_hold_is_refused(year: Cli) -> None:
    cli = year
    link, digest = _seal(cli).split()
    wrong = "0" * 16 if not digest.startswith("0") else "1" * 16
    for seal in ("not a seal", f"{link} {wrong}", f"#99999 {digest}"):
        results = refused(cli, *QUARTER, "--seal", seal)
        assert "seal" in results["en"].err.lower() and "sêl" in results["cy"].err.lower()
    refused(cli, *QUARTER, "--changes-since", f"{link} {wrong}")
    refused(cli, "report", "monthly", "--month", "2026-05", "--seal", f"#99999 {digest}")
    refused(cli, "export", "exchanges", "--seal", f"{link} {digest}", code=2)


def test_rejoining_leaves_past_periods_as_they_were(year: Cli) -> None:
    cli = year
    before = cli.json(*QUARTER, "--format", "json")["periods"][0]
    cli.ok("member", "leave", "4", "--date", "2026-07-15")
    q2 = ("report", "period", "--from", "2026-07-01", "--to", "2026-09-30", "--by", "quarter", "--format", "json")
    left = cli.json(*q2)["periods"][0]
    assert left["members_left"] == 1 and left["members_registered"] == 3
    said = cli.ok("member", "rejoin", "4", "--date", "2026-10-01", lang="cy").out
    assert "eto o" in said
    assert cli.json(*QUARTER, "--format", "json")["periods"][0] == before
    assert cli.json(*q2)["periods"][0] == left          # the leaving in Q2 stays where it was
    q3 = cli.json("report", "period", "--from", "2026-10-01", "--to", "2026-10-15", "--format", "json")["total"]
    assert q3["members_new"] == 1 and q3["members_registered"] == 4
    shown = cli.json("member", "show", "4")
    assert shown["periods"] == [{"joined": "2026-05-02", "left": "2026-07-15", "ended_by": "left"},
                                {"joined": "2026-10-01", "left": None, "ended_by": None}]
    table = {lang: cli.ok("member", "show", "4", lang=lang).out for lang in ("en", "cy")}
    assert "Membership" in table["en"] and "still a member" in table["en"]
    assert "Aelodaeth" in table["cy"] and "yn aelod o hyd" in table["cy"]
    # A balance on a day between the periods does not list them.
    assert 4 not in {r["number"] for r in cli.json("balance", "--as-of", "2026-08-01")}
    assert 4 in {r["number"] for r in cli.json("balance", "--as-of", "2026-10-02")}


def test_an_exchange_between_two_periods_is_refused(year: Cli) -> None:
    cli = year
    cli.ok("member", "leave", "4", "--date", "2026-07-15")
    cli.ok("member", "rejoin", "4", "--date", "2026-10-01")
    results = refused(cli, "record", "4", "1", "1", "--date", "2026-08-10")
    assert "rejoined on 2026-10-01" in results["en"].err
    refused(cli, "record", "--giver", "1", "--receiver", "2", "--receiver", "4", "--hours", "1", "--date", "2026-09-30")
    cli.ok("record", "4", "1", "1", "--date", "2026-07-15")   # the day they left
    cli.ok("record", "4", "1", "1", "--date", "2026-10-01")   # the day they came back
    cli.ok("check")


def test_a_rejoining_before_the_leaving_is_refused(year: Cli) -> None:
    cli = year
    cli.ok("member", "leave", "4", "--date", "2026-07-15")
    refused(cli, "member", "rejoin", "4", "--date", "2026-07-01")
    refused(cli, "member", "rejoin", "4", "--date", "yesterday-ish")
    cli.ok("member", "rejoin", "4", "--date", "2026-07-15")
    refused(cli, "member", "rejoin", "4")


def test_an_erased_member_leaves_every_list_and_counts_as_having_left(year: Cli) -> None:
    cli = year
    sent = cli.ok(*QUARTER, "--format", "csv").out
    seal = _seal(cli)
    cli.ok("member", "forget", "3", "--yes")
    for which in ((), ("--all",), ("--left",), ("--inactive", "1")):
        assert 3 not in {m["number"] for m in cli.json("member", "list", *which)}, which
    assert 3 not in {r["number"] for r in cli.json("balance")}
    assert 3 not in {r["number"] for r in cli.json("balance", "--as-of", "2026-06-30")}
    assert cli.json("member", "show", "3")["periods"][-1]["ended_by"] == "erased"
    october = cli.json("report", "period", "--from", "2026-10-01", "--to", "2026-10-15", "--format", "json")["total"]
    assert october["members_left"] == 1 and october["members_registered"] == 3
    # Past periods keep their figures: the quarter is as it was sent, but for its seal line.
    assert cli.ok(*QUARTER, "--format", "csv").out.replace(_seal(cli), seal) == sent
    # Leaving an erased member is refused; erasing one who had left keeps their leaving day.
    refused(cli, "member", "leave", "3")
    cli.ok("member", "leave", "4", "--date", "2026-09-30")
    cli.ok("member", "forget", "4", "--yes")
    assert cli.json("member", "show", "4")["periods"][-1] == {"joined": "2026-05-02", "left": "2026-09-30",
                                                               "ended_by": "left"}


def test_check_still_passes_after_history(year: Cli) -> None:
    cli = year
    before = dump(cli.db)
    cli.ok("check")
    assert dump(cli.db) == before


def test_made_again_on_another_day_with_the_day_it_was_made(year: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """A year-to-date return, whose span reaches the day it was made: made again months
    later at its seal and with --made, it is the same, byte for byte."""
    cli = year
    span = ("report", "period", "--from", "2026-04-01", "--to", "2027-03-31", "--by", "quarter")
    sent = {fmt: cli.ok(*span, "--format", fmt, lang="cy").out for fmt in ("json", "csv")}
    summary = cli.ok("export", "summary", "--from", "2026-04-01", "--to", "2027-03-31", "--by", "quarter").out
    assert '"made": "2026-10-15"' in sent["json"] and '"partial": true' in sent["json"]
    seal = _seal(cli)
    monkeypatch.setenv("TIMEBANK_TODAY", "2027-02-01")
    cli.ok("record", "1", "2", "1", "--date", "2026-10-01")
    cli.ok("record", "2", "1", "1", "--date", "2027-01-20")
    for fmt in ("json", "csv"):
        assert cli.ok(*span, "--format", fmt, "--seal", seal, "--made", "2026-10-15", lang="cy").out == sent[fmt]
    assert cli.ok("export", "summary", "--from", "2026-04-01", "--to", "2027-03-31", "--by", "quarter",
                  "--seal", seal, "--made", "15/10/2026").out == summary
    # Without --made the figures are of the history at the seal, as of today: the span runs on.
    later = cli.json(*span, "--format", "json", "--seal", seal)
    assert later["made"] == "2027-02-01"
    refused(cli, *span, "--made", "2026-10-15", code=2)               # --made without --seal
    refused(cli, *span, "--seal", seal, "--made", "2027-03-01")        # a day still to come


def test_an_area_changed_then_erased_after_the_seal_keeps_its_area_at_the_seal(year: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Erasure takes the areas of the member's own edits down to their district (it had
    written '[erased]' over them, and the seal's Areas sheet then lost the member)."""
    from openpyxl import load_workbook

    def cells(path) -> list:  # type: ignore[no-untyped-def]
        return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in load_workbook(path).worksheets
                if sheet.title != "Outcomes"]  # not part of the sealed history

    cli = year
    for number, area in (("1", "CF31"), ("2", "CF31"), ("3", "CF33"), ("4", "CF32")):
        cli.ok("member", "edit", number, "--area", area)
    span = ("--from", "2026-04-01", "--to", "2026-06-30", "--by", "quarter", "--min-count", "1")
    cli.ok("export", "workbook", *span, "--output", str(tmp_path / "sent.xlsx"))
    seal = _seal(cli)
    cli.ok("member", "edit", "3", "--area", "CF99 8AB")  # a move after the figures were sent
    cli.ok("member", "forget", "3", "--yes")
    areas = [e["details"]["changes"]["area"] for e in cli.json("audit")
             if e["action"] == "member.edit" and e["member"] == 3 and "area" in e["details"].get("changes", {})]
    # The postcode's inward part is taken out of the text (a part of it: the district stays).
    assert areas and all("[erased]" not in ((change["old"] or "") + change["new"]).replace("CF99 [erased]", "CF99")
                         for change in areas), areas
    assert any(change["new"] == "CF99 [erased]" for change in areas), areas
    cli.ok("export", "workbook", *span, "--seal", seal, "--output", str(tmp_path / "again.xlsx"))
    assert cells(tmp_path / "again.xlsx") == cells(tmp_path / "sent.xlsx")
