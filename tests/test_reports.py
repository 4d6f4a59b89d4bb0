"""Reports agree with the exchanges and balances they summarise (issue 3)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from conftest import Cli, dump, fresh_db
from timebank.ledger.records import settings as settings_module
from timebank.ledger.basics.dates import month_end
from timebank.ledger.storage.db import open_ledger, reading, writing
from timebank.ledger.records.members import add_member
from timebank.ledger.reports.period_figures import period_report
from timebank.ledger.reports.reports import monthly_report
from timebank.ledger.schema import initialise


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> "Path | str":
    from timebank.cli.main import run

    path = fresh_db(tmp_path_factory.mktemp("demo"), "demo")
    assert run(["--db", str(path), "--lang", "en", "demo", "--members", "30", "--seed", "7"]) == 0
    return path


@pytest.fixture
def demo(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(demo_db, capsys)


def months_of(demo: Cli) -> list[str]:
    days = sorted({r["date"][:7] for r in demo.json("exchange", "list", "--include-void")})
    return days


def test_monthly_agrees_with_exchanges_and_balances(demo: Cli) -> None:
    months = months_of(demo)
    assert len(months) >= 12
    previous: dict[int, int] | None = None
    for month in months:
        report = demo.json("report", "monthly", "--month", month)
        exchanges = demo.json("exchange", "list", "--month", month)
        assert report["exchanges"] == len(exchanges)
        assert report["minutes_exchanged"] == sum(e["minutes"] * len(e["givers"]) * len(e["receivers"])
                                                  for e in exchanges)
        first = date.fromisoformat(month + "-01")
        end = month_end(first).isoformat()
        balances = {r["number"]: r["balance_minutes"] for r in demo.json("balance", "--as-of", end)}
        closing = {m["number"]: m["closing_minutes"] for m in report["members"]}
        for number, minutes in closing.items():
            if number in balances:
                assert balances[number] == minutes, (month, number)
        for number, minutes in balances.items():
            assert closing.get(number, 0) == minutes, (month, number)
        opening = {m["number"]: m["opening_minutes"] for m in report["members"]}
        if previous is not None:
            for number, minutes in opening.items():
                assert previous.get(number, 0) == minutes, (month, number)
        previous = closing
        given = sum(m["given_minutes"] for m in report["members"])
        received = sum(m["received_minutes"] for m in report["members"])
        assert given == received == report["minutes_exchanged"]
        assert sum(c["minutes"] for c in report["categories"]) == report["minutes_exchanged"]


def test_period_report_adds_up_to_the_months(demo: Cli) -> None:
    months = months_of(demo)
    start, end = months[0] + "-01", month_end(date.fromisoformat(months[-1] + "-01")).isoformat()
    data = demo.json("report", "period", "--from", start, "--to", end)
    for line in data["periods"]:
        monthly = demo.json("report", "monthly", "--month", line["period"])
        assert line["exchanges"] == monthly["exchanges"]
        assert line["minutes_exchanged"] == monthly["minutes_exchanged"]
        assert line["members_active"] == monthly["members_active"]
        assert line["members_new"] == monthly["members_new"]
        assert line["members_total"] == monthly["members_total"]
    assert data["total"]["exchanges"] == sum(l["exchanges"] for l in data["periods"])
    quarters = demo.json("report", "period", "--from", start, "--to", end, "--by", "quarter")
    assert quarters["total"] == dict(data["total"])
    assert sum(q["minutes_exchanged"] for q in quarters["periods"]) == data["total"]["minutes_exchanged"]



def test_exchanges_that_do_not_count_are_the_rest_of_live_condition(demo_db: Path, ledger: Cli) -> None:
    """`dead_exchanges(start, end)` (the month's sums subtract its entries) is `live_condition` read
    from the other side, on ledgers with voids; the month's activity is what a grouped
    query over the live exchanges gives."""
    from sqlalchemy import case, func, select

    from timebank.ledger.basics.dates import add_months
    from timebank.ledger.storage.models import Entry, Exchange
    from timebank.ledger.reports.reports import month_activity
    from timebank.ledger.storage.sql import live_condition, dead_exchanges

    ledger.ok("record", "Siân", "Llinos", "2", "--date", "2026-03-10")
    ledger.ok("exchange", "void", "1", "--reason", "wrong")
    for path in (demo_db, ledger.db):
        opened = open_ledger(str(path))
        with reading(opened) as session:
            days = session.execute(select(func.min(Exchange.date), func.max(Exchange.date))).one()
            voids = session.scalar(select(func.count()).where(Exchange.reverses.is_not(None)))
            assert voids, "the ledger has voids to test against"
            month = days[0].replace(day=1)
            while month <= days[1]:
                start, end = month, month_end(month)
                every = set(session.scalars(select(Exchange.number).where(Exchange.date.between(start, end))))
                live = set(session.scalars(select(Exchange.number).where(Exchange.date.between(start, end),
                                                                         live_condition())))
                assert set(session.scalars(dead_exchanges(start, end))) == every - live, month
                # PostgreSQL's form (from the reversals to what they void) gives the same numbers.
                assert set(session.scalars(dead_exchanges(start, end, postgres=True))) == every - live, month
                rows = session.execute(
                    select(Entry.member, func.sum(case((Entry.minutes > 0, Entry.minutes), else_=0)),
                           func.sum(case((Entry.minutes < 0, -Entry.minutes), else_=0)))
                    .join(Exchange, Exchange.number == Entry.exchange)
                    .where(Entry.date.between(start, end), live_condition()).group_by(Entry.member)).all()
                assert month_activity(session, start, end) == ({n: int(g) for n, g, _r in rows},
                                                               {n: int(r) for n, _g, r in rows}), month
                month = add_months(month, 1)
        opened.dispose()



@pytest.mark.parametrize("lang", ["cy", "en"])
def test_figures_first_are_the_reports_own(demo_db: Path, lang: str) -> None:
    """A screen is handed the month's figures before the members' lines are made: once,
    and the very figures the report then carries."""
    from dataclasses import fields

    from sqlalchemy import func, select

    from timebank.ledger.storage.models import Exchange
    from timebank.ledger.reports.reports import MonthFigures, read_monthly

    opened = open_ledger(str(demo_db))
    try:
        with reading(opened) as session:
            month = session.scalar(select(func.max(Exchange.date))).replace(day=1)
        handed: list[MonthFigures] = []
        report = read_monthly(opened, month, lang, handed.append)
        assert len(handed) == 1 and report.members and report.exchanges
        assert {f.name: getattr(handed[0], f.name) for f in fields(MonthFigures)} == {
            f.name: getattr(report, f.name) for f in fields(MonthFigures)}
        assert read_monthly(opened, month, lang) == report
    finally:
        opened.dispose()


def test_void_leaves_the_month_as_if_never_recorded(ledger: Cli) -> None:
    ledger.ok("record", "Siân", "Llinos", "2", "--date", "2026-03-10")
    before = ledger.json("report", "monthly", "--month", "2026-03")
    ledger.ok("record", "Lowri", "Siân", "3", "--date", "2026-03-15", "--category", "gardening")
    assert ledger.json("report", "monthly", "--month", "2026-03") != before
    ledger.ok("exchange", "void", "2", "--reason", "wrong month")
    after = ledger.json("report", "monthly", "--month", "2026-03")
    # Every figure as if never recorded; the seal says the history behind them grew.
    assert dict(after, seal=None) == dict(before, seal=None) and after["seal"] != before["seal"]
    assert ledger.json("report", "monthly", "--month", "2026-04")["members"] == [
        dict(m, opening_minutes=m["closing_minutes"], given_minutes=0, received_minutes=0)
        for m in before["members"]]


@pytest.mark.parametrize("args", [
    ["report", "monthly", "--month", "2026-13"],
    ["report", "monthly", "--month", "October"],
    ["report", "period", "--from", "2026-05-01", "--to", "2026-04-01"],
    ["statement", "Nobody"],
    ["statement", "Siân", "--month", "2026-10", "--from", "2026-10-01"],
])
def test_report_refusals(ledger: Cli, args: list[str]) -> None:
    before = dump(ledger.db)
    for lang in ("en", "cy"):
        result = ledger(*args, lang=lang)
        assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result
    assert dump(ledger.db) == before


def test_inactive_members(ledger: Cli) -> None:
    recent = (date.today() - timedelta(days=3)).isoformat()
    ledger.ok("record", "Siân", "Llinos", "1", "--date", recent)
    rows = ledger.json("member", "list", "--inactive", "30")
    assert [r["name"] for r in rows] == ["Lowri ap Rhys"] and rows[0]["last_exchange"] is None


def count_queries(path: "Path | str", members: int) -> int:
    ledger = open_ledger(str(path), create=True)
    initialise(ledger, "t", name=None, lang="en")
    with writing(ledger) as session:
        for index in range(members):
            add_member(session, "t", name=f"Person {index}", joined=date(2026, 1, 1))
    statements: list[str] = []
    event.listen(ledger.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with reading(ledger) as session:
        settings = settings_module.load(session)
        monthly_report(session, settings, date(2026, 10, 1), "en")
        period_report(session, settings, date(2026, 1, 1), date(2026, 10, 31), "quarter")
    ledger.dispose()
    return len(statements)


def test_reports_use_a_fixed_number_of_queries(tmp_path: Path) -> None:
    assert count_queries(fresh_db(tmp_path, "small"), 3) == count_queries(fresh_db(tmp_path, "large"), 60)


HLEDGER_ENV = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PATH": __import__("os").environ["PATH"]}
needs_hledger = pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed (.ci/run installs it)")


@needs_hledger
def test_hledger_accepts_the_journal_and_agrees(demo: Cli, tmp_path: Path) -> None:
    journal = tmp_path / "ledger.journal"
    demo.ok("journal", "--output", str(journal))
    check = subprocess.run(["hledger", "-f", str(journal), "check"], capture_output=True, text=True,
                           env=HLEDGER_ENV)
    assert check.returncode == 0, check.stderr
    bal = subprocess.run(["hledger", "-f", str(journal), "bal", "--flat", "-N", "--no-elide", "-E",
                          "-O", "csv"], capture_output=True, text=True, check=True, env=HLEDGER_ENV).stdout
    theirs: dict[int, str] = {}
    for line in bal.splitlines()[1:]:
        account, amount = [cell.strip('"') for cell in line.split('","')]
        theirs[int(account.split(":")[1])] = amount.replace(" HRS", "").replace(",", "")
    ours = {r["number"]: r["balance_hours"] for r in demo.json("balance")}
    everyone = {r["number"]: r["balance_minutes"] for r in demo.json("member", "list", "--all")}
    for number, hours in ours.items():
        assert float(theirs.get(number, "0")) == pytest.approx(float(hours), abs=0.001), number
    for number, minutes in everyone.items():
        assert float(theirs.get(number, "0")) == pytest.approx(minutes / 60, abs=0.001), number


BEAN_CHECK = shutil.which("bean-check", path=str(Path(sys.executable).parent)) or shutil.which("bean-check")


@pytest.mark.skipif(BEAN_CHECK is None, reason="beancount is not installed (the test extras install it)")
def test_bean_check_accepts_the_journal(demo: Cli, tmp_path: Path) -> None:
    journal = tmp_path / "ledger.beancount"
    demo.ok("journal", "--format", "beancount", "--output", str(journal))
    check = subprocess.run([str(BEAN_CHECK), str(journal)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_journal_amounts_balance_exactly(ledger: Cli) -> None:
    ledger.ok("record", "--giver", "Siân", "--receiver", "Llinos", "--receiver", "Lowri", "--receiver", "#0",
              "--hours", "20m")
    text = ledger.ok("journal").out
    amounts = [line.split()[-2] for line in text.splitlines() if line.startswith("    members:")]
    from decimal import Decimal

    assert sum(Decimal(a) for a in amounts) == 0
    assert "Siân" in text and "; exchange:1" in text
