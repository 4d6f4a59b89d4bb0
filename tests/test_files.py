"""Funder exports and spreadsheet imports (issue 4)."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from conftest import Cli, dump, fresh_db, killed_inside_write, sqlite_only

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> "Path | str":
    from timebank.cli.main import run

    path = fresh_db(tmp_path_factory.mktemp("demo"), "demo")
    assert run(["--db", str(path), "--lang", "en", "demo", "--members", "30", "--seed", "3"]) == 0
    return path


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_round_trip_gives_identical_balances(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = Cli(demo_db, capsys)
    members, exchanges = tmp_path / "members.csv", tmp_path / "exchanges.csv"
    demo.ok("export", "members", "--with-names", "--output", str(members))
    demo.ok("export", "exchanges", "--with-names", "--output", str(exchanges))
    fresh = Cli(fresh_db(tmp_path, "fresh"), capsys)
    fresh.ok("init")
    fresh.ok("import", "members", str(members))
    fresh.ok("import", "exchanges", str(exchanges))
    assert fresh.json("balance") == demo.json("balance")
    def exchange_figures(report: dict) -> dict:  # listings are not part of these exports
        # (nor is the history's seal: these are two ledgers)
        return {k: v for k, v in report.items() if not k.startswith("requests_")
                and k not in ("median_days_to_meet", "seal")}

    assert exchange_figures(fresh.json("report", "monthly")) == exchange_figures(demo.json("report", "monthly"))
    fresh.ok("check")


def test_formulas_are_neutralised_and_numbers_stay_numbers(ledger: Cli, tmp_path: Path) -> None:
    ledger.ok("member", "add", '=HYPERLINK("http://x","y")', "--area", "@SUM(1)", "--joined", "2026-01-05")
    ledger.ok("record", "Siân", "#4", "1:30", "--note", "@SUM(1)", "--date", "2026-02-01")
    outputs = {
        "members": ledger.ok("export", "members", "--with-names").out,
        "exchanges": ledger.ok("export", "exchanges", "--with-names").out,
        "areas": ledger.ok("export", "areas", "--min-count", "1").out,
        "summary": ledger.ok("export", "summary").out,
    }
    for kind, text in outputs.items():
        for row in read_csv(text):
            for value in row.values():
                assert not value.startswith(("=", "+", "@", "\t", "\r")), (kind, value)
                if value.startswith("-"):
                    Decimal(value)  # a negative number, left as a number
    members = {r["member"]: r for r in read_csv(outputs["members"])}
    assert members["4"]["name"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert members["4"]["area"] == "'@SUM(1)"
    assert members["4"]["balance_hours"] == "-1.50"
    assert "@SUM(1)" not in outputs["exchanges"]  # notes are never exported
    exchange = read_csv(outputs["exchanges"])[0]
    assert exchange["receiver_name"].startswith("'=HYPERLINK")


def test_excel_bom_and_welsh_names_survive(ledger: Cli, tmp_path: Path) -> None:
    ledger.ok("member", "add", "Llŷr", "--joined", "2026-01-05")
    ledger.ok("member", "add", "Gwenllïan", "--joined", "2026-01-05")
    ledger.ok("record", "Llŷr", "Gwenllïan", "1", "--date", "2026-02-01")
    ledger.ok("record", "Gwenllïan", "Siân", "2", "--date", "2026-02-02")
    path = tmp_path / "members.csv"
    ledger.ok("export", "members", "--with-names", "--excel", "--output", str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    names = [r["name"] for r in read_csv(raw.decode("utf-8"))]
    assert {"Siân", "Llŷr", "Gwenllïan"} <= set(names)
    exchanges = tmp_path / "exchanges.csv"
    ledger.ok("export", "exchanges", "--with-names", "--excel", "--output", str(exchanges))
    assert exchanges.read_bytes().startswith(b"\xef\xbb\xbf")
    fresh = Cli(fresh_db(tmp_path, "fresh"), ledger.capsys)
    fresh.ok("init")
    fresh.ok("import", "members", str(path))
    fresh.ok("import", "exchanges", str(exchanges))
    assert [(r["name"], r["balance_minutes"]) for r in fresh.json("balance")] == \
        [(r["name"], r["balance_minutes"]) for r in ledger.json("balance")]


def test_summary_agrees_with_monthly_reports(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = Cli(demo_db, capsys)
    demo.ok("settings", "set", "hour_value", "12.34")
    months = sorted({r["date"][:7] for r in demo.json("exchange", "list")})
    start, end = months[0] + "-01", months[-1] + "-28"
    periods = read_csv(demo.ok("export", "summary", "--from", start, "--to", end).out)
    # No total row among the data: a spreadsheet's =SUM(C:C) would count it twice.
    assert "total" not in {row["period"] for row in periods}
    total = demo.json("report", "period", "--from", start, "--to", end)["total"]
    for row in periods:
        monthly = demo.json("report", "monthly", "--month", row["period"])
        assert int(row["exchanges"]) == monthly["exchanges"]
        assert Decimal(row["hours"]) == (Decimal(monthly["minutes_exchanged"]) / 60).quantize(Decimal("0.01"))
        assert Decimal(row["social_value_gbp"]) == (Decimal(monthly["minutes_exchanged"]) * Decimal("12.34") / 60
                                                    ).quantize(Decimal("0.01"))
        per_category = sum(Decimal(v) for k, v in row.items()
                           if k.startswith("hours_") and not k.startswith("hours_goal_")
                           and k not in ("hours_person_to_person", "hours_with_organisations", "hours_in_welsh"))
        assert abs(per_category - Decimal(row["hours"])) < Decimal("0.01") * len(months)
    assert total["exchanges"] == sum(int(r["exchanges"]) for r in periods)
    assert abs(Decimal(total["hours"]) - sum(Decimal(r["hours"]) for r in periods)) <= Decimal("0.01") * len(periods)
    demo.ok("settings", "set", "hour_value", "")
    assert "social_value_gbp" not in demo.ok("export", "summary").out


def test_welsh_headers(ledger: Cli) -> None:
    english = ledger.ok("export", "members").out.splitlines()[0]
    welsh = ledger.ok("export", "members", lang="cy").out.splitlines()[0]
    assert english == "member,kind,area,lang,joined,left,balance_hours"
    assert welsh != english


def test_areas_blank_small_counts(ledger: Cli) -> None:
    for index in range(6):
        ledger.ok("member", "add", f"Aelod {index}", "--area", "CF32", "--joined", "2026-01-05")
    ledger.ok("member", "edit", "Siân", "--area", "CF99")
    ledger.ok("record", "Aelod 0", "Siân", "1", "--date", "2026-02-01")
    rows = {r["area"]: r for r in read_csv(ledger.ok("export", "areas").out)}
    assert rows["CF32"]["members"] == "6"
    assert rows["CF99"]["members"] == "" and rows["CF99"]["hours_received"] == ""
    assert rows["CF32"]["hours_given"] == ""  # only one member active: blanked with its hours
    rows = {r["area"]: r for r in read_csv(ledger.ok("export", "areas", "--min-count", "1").out)}
    assert [rows[area]["members"] for area in ("(no area)", "CF32", "CF99")] == ["2", "6", "1"]
    # Llinos and Lowri (no area) traded not at all: a count under 1, blanked with its hours. Its
    # hours received (none) hidden beside CF32's alone (none) would add up to none, and so be
    # known: CF99's are blanked too.
    assert {rows[area]["hours_received"] for area in ("(no area)", "CF32", "CF99")} == {""}


def test_sample_spreadsheets_import(cli: Cli) -> None:
    cli.ok("init")
    assert "20" in cli.ok("import", "members", str(DATA / "members.csv")).out
    before = dump(cli.db)
    dry = cli.ok("import", "exchanges", str(DATA / "exchanges.csv"), "--dry-run")
    assert "200" in dry.out
    assert dump(cli.db) == before
    cli.ok("import", "exchanges", str(DATA / "exchanges.csv"))
    assert len(cli.json("exchange", "list")) == 200
    repeat = cli("import", "exchanges", str(DATA / "exchanges.csv"))
    assert repeat.code == 1 and "--again" in repeat.err
    cli.ok("check")
    audit = [e for e in cli.json("audit") if e["action"] == "import.exchanges"]
    assert audit[0]["details"]["file"] == "exchanges.csv" and len(audit[0]["details"]["sha256"]) == 64


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_bad_row_is_listed(cli: Cli, lang: str) -> None:
    cli.ok("init")
    cli.ok("import", "members", str(DATA / "members.csv"))
    before = dump(cli.db)
    result = cli("import", "exchanges", str(DATA / "exchanges-with-mistakes.csv"), lang=lang)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 6, result.err
    for number in (12, 53, 94, 134, 175):
        assert any(f" {number}:" in line for line in lines), number
    assert "Rhys Morgan" in result.err and "Rhys Williams" in result.err
    assert dump(cli.db) == before


@sqlite_only
@pytest.mark.slow
@pytest.mark.parametrize("moment", ["midway", "commit"])
def test_sigkill_during_import_changes_nothing(cli: Cli, tmp_path: Path, moment: str) -> None:
    # Killed from inside at a fixed point of the import's transaction (conftest.KILL_INSIDE_WRITE):
    # thousands of rows into it, and at its COMMIT with every row written.
    cli.ok("init")
    cli.ok("settings", "set", "credit_limit", "")
    cli.ok("member", "add", "Siân", "--joined", "2020-01-01")
    cli.ok("member", "add", "Llinos", "--joined", "2020-01-01")
    big = tmp_path / "big.csv"
    with big.open("w") as handle:
        handle.write("date,giver,receiver,hours\n")
        for index in range(5_000):
            handle.write(f"2021-{index % 12 + 1:02d}-{index % 28 + 1:02d},{1 + index % 2},{2 - index % 2},1\n")
    before = dump(cli.db)
    killed_inside_write(cli.db, moment, "import", "exchanges", str(big))
    assert dump(cli.db) == before
    cli.ok("check")


def test_import_whose_balances_cancel_out(ledger: Cli, tmp_path: Path) -> None:
    """Every member's net change is zero: no balance moves, and the import still lands."""
    path = tmp_path / "there-and-back.csv"
    path.write_text("date,giver,receiver,hours\n2026-02-01,1,2,1\n2026-02-02,2,1,1\n", encoding="utf-8")
    assert ledger.ok("import", "exchanges", str(path)).out.startswith("Imported 2 rows")
    assert [e["number"] for e in ledger.json("exchange", "list")] == [1, 2]
    assert {r["number"]: r["balance_minutes"] for r in ledger.json("balance")} == {0: 0, 1: 0, 2: 0, 3: 0}
    ledger.ok("check")


def test_the_same_rows_resaved_are_refused(ledger: Cli, tmp_path: Path) -> None:
    """A spreadsheet re-saves with CRLF, a BOM or trailing blank lines: still the same rows."""
    first = tmp_path / "february.csv"
    first.write_text("date,giver,receiver,hours\n2026-02-01,1,2,1\n2026-02-02,2,3,1:30\n", encoding="utf-8")
    ledger.ok("import", "exchanges", str(first))
    before = dump(ledger.db)
    resaved = tmp_path / "february-again.csv"
    resaved.write_bytes(b"\xef\xbb\xbfdyddiad,rhoddwr,derbynnydd,oriau\r\n2026-02-01,1,2,1\r\n2026-02-02,2,3,1:30\r\n\r\n")
    for lang in ("en", "cy"):
        result = ledger("import", "exchanges", str(resaved), lang=lang)
        assert result.code == 1 and "--again" in result.err
    assert dump(ledger.db) == before
    ledger.ok("import", "exchanges", str(resaved), "--again")
    assert len(ledger.json("exchange", "list")) == 4


def test_neutralised_names_come_back_as_they_were(ledger: Cli, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    ledger.ok("member", "add", '=HYPERLINK("http://x","y")', "--joined", "2026-01-05", "--area", "@home")
    ledger.ok("record", "Siân", "4", "1", "--date", "2026-02-01")
    members, exchanges = tmp_path / "m.csv", tmp_path / "e.csv"
    ledger.ok("export", "members", "--with-names", "--output", str(members))
    ledger.ok("export", "exchanges", "--with-names", "--output", str(exchanges))
    assert "'=HYPERLINK" in members.read_text(encoding="utf-8")
    fresh = Cli(fresh_db(tmp_path, "fresh"), capsys)
    fresh.ok("init")
    fresh.ok("import", "members", str(members))
    fresh.ok("import", "exchanges", str(exchanges))
    shown = {m["name"]: m["area"] for m in fresh.json("member", "list")}
    assert shown['=HYPERLINK("http://x","y")'] == "@home"
    assert fresh.json("balance") == ledger.json("balance")


def test_social_value_is_the_hours_shown_times_the_rate(ledger: Cli) -> None:
    ledger.ok("settings", "set", "hour_value", "12.50")
    for day in ("2026-02-01", "2026-03-01", "2026-04-01"):
        ledger.ok("record", "Siân", "Llinos", "10m", "--date", day)
    rows = read_csv(ledger.ok("export", "summary", "--from", "2026-02-01", "--to", "2026-04-30").out)
    total = ledger.json("report", "period", "--from", "2026-02-01", "--to", "2026-04-30")["total"]
    for row in rows + [total]:
        expected = (Decimal(row["hours"]) * Decimal("12.50")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert Decimal(row["social_value_gbp"]) == expected
    assert [r["hours"] for r in rows + [total]] == ["0.17", "0.17", "0.17", "0.50"]
    assert total["social_value_gbp"] == "6.25" and {r["hour_value"] for r in rows} == {"12.50"}


def test_areas_count_every_active_member_as_a_member(ledger: Cli) -> None:
    ledger.ok("member", "edit", "Siân", "--area", "CF32")
    ledger.ok("member", "edit", "Llinos", "--area", "CF32")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    ledger.ok("member", "leave", "Llinos", "--date", "2026-03-01")
    for args in ([], ["--from", "2026-02-01", "--to", "2026-02-28"], ["--from", "2026-04-01"]):
        for row in read_csv(ledger.ok("export", "areas", "--min-count", "1", *args).out):
            assert int(row["members_active"] or 0) <= int(row["members"] or 0), (args, row)


def test_reports_stop_at_today(ledger: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-03-15")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-01")
    for lang in ("en", "cy"):
        refused = ledger("report", "monthly", "--month", "2026-04", lang=lang)
        assert refused.code == 1 and "2026-04-01" in refused.err
    periods = [r["period"] for r in read_csv(ledger.ok("export", "summary", "--from", "2026-01-01",
                                                          "--to", "2026-12-31").out)]
    assert periods == ["2026-01", "2026-02", "2026-03"]


@pytest.mark.slow
def test_demo_of_five_thousand_members_has_room_for_every_name(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(fresh_db(tmp_path), capsys)
    cli.ok("demo", "--members", "1500", "--months", "1")
    assert len(cli.json("member", "list", "--all")) >= 1500


def test_exchanges_with_their_voids_and_reversals(ledger: Cli) -> None:
    """`export exchanges --include-void` (issue 25): voided exchanges and their reversals too,
    a last column `status` saying which is which (void, reversal; in Welsh files the words of
    the reader's language, as the headers), a reversal's minutes negative so the column adds
    up to the hours that count. Without the option the file is as it always was."""
    from refusal import refused

    ledger.ok("record", "1", "2", "1", "--date", "2026-02-01")
    ledger.ok("record", "2", "3", "0:20", "--date", "2026-02-03")
    ledger.ok("record", "3", "1", "1:30", "--date", "2026-02-05")
    plain_before = ledger.ok("export", "exchanges").out
    ledger.ok("exchange", "void", "2", "--reason", "Typed for the wrong member")
    plain = ledger.ok("export", "exchanges").out
    assert plain.splitlines()[0] == "exchange,date,giver,receiver,minutes,hours,category,welsh"
    assert plain.splitlines() == [line for line in plain_before.splitlines() if not line.startswith("2,")]
    rows = read_csv(ledger.ok("export", "exchanges", "--include-void").out)
    assert [(r["exchange"], r["minutes"], r["hours"], r["status"]) for r in rows] == [
        ("1", "60", "1.00", ""), ("2", "20", "0.33", "void"), ("4", "-20", "-0.33", "reversal"),
        ("3", "90", "1.50", "")]
    assert sum(int(r["minutes"]) for r in rows) == sum(int(r["minutes"]) for r in read_csv(plain))
    assert rows[2]["giver"] == "2" and rows[2]["receiver"] == "3" and rows[2]["date"] == "2026-02-03"
    welsh = ledger.ok("export", "exchanges", "--include-void", "--with-names", lang="cy").out
    header, *lines = list(csv.reader(io.StringIO(welsh)))
    assert header[-1] == "statws" and header[0] == "cyfnewidiad"
    assert [line[-1] for line in lines] == ["", "diddymwyd", "gwrthdroad", ""]
    assert lines[1][-3:-1] == ["Llinos", "Lowri ap Rhys"]
    # The option is for exchanges only: refused elsewhere, in the reader's language.
    refused(ledger, "export", "members", "--include-void", code=2)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_file_of_many_bad_rows_lists_the_first_and_counts_the_rest(cli: Cli, tmp_path: Path, lang: str) -> None:
    """Issue 26 (low): 60,000 bad rows printed 60,000 lines. A row whose note holds line breaks
    is named by the line it starts on."""
    cli.ok("init")
    cli.ok("member", "add", "Siân", "--joined", "2020-01-01")
    cli.ok("member", "add", "Llinos", "--joined", "2020-01-01")
    bad = tmp_path / "bad.csv"
    bad.write_text("date,giver,receiver,hours,note\n" + "".join(f"2026-01-02,Siân,Llinos,x{n},\n" for n in range(250)),
                   encoding="utf-8")
    before = dump(cli.db)
    result = cli("import", "exchanges", str(bad), lang=lang)
    lines = result.err.strip().splitlines()
    assert result.code == 1 and len(lines) == 102, len(lines)   # 100 rows, the rest counted, the verdict
    assert {"en": "150 more bad rows", "cy": "150 rhes wallus arall"}[lang] in lines[-2]
    assert dump(cli.db) == before
    folded = tmp_path / "folded.csv"
    folded.write_text('date,giver,receiver,hours,note\n2026-01-02,Siân,Llinos,1,"one\ntwo\nthree"\n'
                      "2026-01-03,Siân,Llinos,zz,\n", encoding="utf-8")
    result = cli("import", "exchanges", str(folded), lang=lang)
    assert result.code == 1 and (" 5:" in result.err), result.err
