"""Activity is activity (issue 25, item 3): opening balances moved in from TimeOverflow are
marked as such and count in no activity figure, yet stay in balances, statements and the
journal, and are named on a line of their own. And the pot exists from the first day any
record needs it (item 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, execute_sql, query

DATA = Path(__file__).parent / "data" / "timeoverflow"
EN = sorted((DATA / "en").glob("*.csv"))
# The opening exchange is dated on the day of the import: a month with no other exchange.
TODAY = "2026-12-15"
MONTH = "2026-12"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)


def _moved_in(cli: Cli, tmp_path: Path) -> Cli:
    """TimeOverflow's files where Siân's balance (0:45) is not what her transfers say (-0:15):
    moved in with an opening exchange of one hour, Siân to the pot."""
    cli.ok("init")
    copies = []
    for path in EN:
        text = path.read_text(encoding="utf-8")
        if "_Users_" in path.name:
            assert ",en,-900\n2," in text
            text = text.replace(",en,-900\n2,", ",en,2700\n2,")
        copy = tmp_path / path.name
        copy.write_text(text, encoding="utf-8")
        copies.append(copy)
    cli.ok("import", "timeoverflow", *map(str, copies), "--opening-balances")
    return cli


@pytest.fixture
def moved(cli: Cli, tmp_path: Path) -> Cli:
    return _moved_in(cli, tmp_path)


def _opening(cli: Cli) -> dict[str, Any]:
    found = [e for e in cli.json("exchange", "list", "--month", MONTH)]
    assert len(found) == 1, found
    return found[0]


def test_the_import_marks_its_opening_exchange(moved: Cli) -> None:
    opening = _opening(moved)
    assert (opening["givers"], opening["receivers"], opening["minutes"]) == ([1], [0], 60)
    assert opening["purpose"] == "opening" and opening["category"] == "other"
    assert {e["purpose"] for e in moved.json("exchange", "list") if e["number"] != opening["number"]} == {"help"}
    assert query(moved.db, f"SELECT purpose FROM exchanges WHERE number = {opening['number']}") == [("opening",)]
    moved.ok("check")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_opening_balances_count_in_no_activity_figure(moved: Cli, lang: str) -> None:
    monthly = moved.json("report", "monthly", "--month", MONTH, lang=lang)
    assert (monthly["exchanges"], monthly["minutes_exchanged"], monthly["members_active"]) == (0, 0, 0)
    assert monthly["categories"] == []
    # ... yet the members' closing balances are their balances.
    balances = {row["number"]: row["balance_minutes"] for row in moved.json("balance")}
    closing = {line["number"]: line["closing_minutes"] for line in monthly["members"]}
    assert closing[1] == balances[1] == 45 and closing[0] == balances[0] == -60
    assert sum(closing.values()) == 0
    period = moved.json("report", "period", "--from", f"{MONTH}-01", "--to", f"{MONTH}-31", lang=lang)["total"]
    for key in ("exchanges", "members_trading", "members_giving", "members_receiving", "members_both",
                "hours_with_organisations"):
        assert period[key] in (0, "0.00"), (key, period[key])
    assert period["hours"] == "0.00"
    # The year: the opening hour in no month's figures, nor in the trend.
    year = moved.json("report", "period", "--from", "2026-01-01", "--to", f"{MONTH}-31", "--by", "month",
                      lang=lang)
    assert year["periods"][-1]["exchanges"] == 0 and year["periods"][-1]["hours"] == "0.00"
    areas = moved("export", "areas", "--from", f"{MONTH}-01", "--to", f"{MONTH}-31", "--min-count", "1",
                  lang=lang)
    assert areas.code == 0
    rows = [line.split(",") for line in areas.out.strip().splitlines()[1:]]
    # Nobody active, no hours, in any area (and no row for the pot: it moved no help).
    assert all(cell in ("", "0", "0.00") for row in rows for cell in row[2:]), areas.out


def test_the_months_cached_totals_leave_them_out_and_check_proves_it(moved: Cli) -> None:
    assert query(moved.db, f"SELECT count(*) FROM month_totals WHERE month = '{MONTH}' AND exchanges <> 0") == [(0,)]
    moved.ok("check")
    # Voiding it: still in no figure, and the totals still agree.
    number = _opening(moved)["number"]
    moved.ok("exchange", "void", str(number), "--reason", "wrong balance")
    assert query(moved.db, f"SELECT purpose FROM exchanges WHERE reverses = {number}") == [("opening",)]
    assert query(moved.db, f"SELECT count(*) FROM month_totals WHERE month = '{MONTH}' AND exchanges <> 0") == [(0,)]
    assert {row["number"]: row["balance_minutes"] for row in moved.json("balance")}[1] == -15
    moved.ok("check")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_help_beside_an_opening_balance_counts_alone(moved: Cli, lang: str) -> None:
    moved.ok("record", "2", "4", "1:30", "--date", f"{MONTH}-10", "--category", "transport", lang=lang)
    monthly = moved.json("report", "monthly", "--month", MONTH, lang=lang)
    assert (monthly["exchanges"], monthly["minutes_exchanged"], monthly["members_active"]) == (1, 90, 2)
    assert [(c["code"], c["exchanges"], c["minutes"]) for c in monthly["categories"]] == [("transport", 1, 90)]
    total = moved.json("report", "period", "--from", f"{MONTH}-01", "--to", f"{MONTH}-31", lang=lang)["total"]
    assert (total["exchanges"], total["hours"], total["members_trading"]) == (1, "1.50", 2)
    assert (total["members_giving"], total["members_receiving"]) == (1, 1)
    pairs = moved("export", "exchanges", "--from", f"{MONTH}-01", "--to", f"{MONTH}-31", lang=lang)
    assert len(pairs.out.strip().splitlines()) == 2, pairs.out  # the header and the help: no opening balance


@pytest.mark.parametrize("lang,words", [("en", "Opening balances: 1, 1.00 hours"),
                                        ("cy", "Balansau agoriadol: 1, 1.00 awr")])
def test_they_are_shown_on_a_line_of_their_own(moved: Cli, lang: str, words: str) -> None:
    assert words in moved.ok("report", "monthly", "--month", MONTH, lang=lang).out
    assert words in moved.ok("report", "period", "--from", f"{MONTH}-01", "--to", f"{MONTH}-31", lang=lang).out
    # Not in a month without any.
    assert words.split(":")[0] not in moved.ok("report", "monthly", "--month", "2026-10", lang=lang).out
    listed = moved.ok("exchange", "list", "--month", MONTH, lang=lang).out
    assert ("Opening balance" if lang == "en" else "Balans agoriadol") in listed
    shown = moved.ok("exchange", "show", str(_opening(moved)["number"]), lang=lang).out
    assert ("Opening balance, " if lang == "en" else "Balans agoriadol, ") in shown


def test_they_stay_in_statements_and_the_journal(moved: Cli) -> None:
    statement = moved.json("statement", "1", "--month", MONTH)
    assert [line["minutes"] for line in statement["lines"]] == [60]
    assert statement["closing_minutes"] == 45
    assert "Opening balance brought from TimeOverflow" in moved.ok("journal").out


def test_the_purpose_is_bound_by_the_chain(moved: Cli) -> None:
    number = _opening(moved)["number"]
    execute_sql(moved.db, f"UPDATE exchanges SET purpose = 'help' WHERE number = {number}")
    broken = moved("check", lang="en")
    assert broken.code == 1 and f"Exchange {number} has changed since it was recorded" in broken.out


def test_the_write_path_and_the_check_make_the_reference_bytes_with_a_purpose() -> None:
    """The purpose is the link's last element, only when it is not help: the writer's
    templates, for the common exchange and a group one, give `canonical`'s bytes."""
    from datetime import date, datetime

    from timebank.ledger.integrity import canonical
    from timebank.ledger.integrity.chain import ChainWriter

    salt = bytes(16)
    committed = canonical.parts_commitment(("Siân", None), salt)
    plain = canonical.exchange_content(7, 3, "2026-02-02", "other", 90, None, "2026-11-24T10:00:00",
                                       [(1, "giver", "2026-02-02", 90), (0, "receiver", "2026-02-02", -90)],
                                       committed)
    opening = canonical.exchange_content(7, 3, "2026-02-02", "other", 90, None, "2026-11-24T10:00:00",
                                         [(1, "giver", "2026-02-02", 90), (0, "receiver", "2026-02-02", -90)],
                                         committed, purpose="opening")
    assert opening == plain[:-1] + b',"opening"]'
    assert canonical.exchange_content(7, 3, "2026-02-02", "other", 90, None, "2026-11-24T10:00:00",
                                      [(1, "giver", "2026-02-02", 90), (0, "receiver", "2026-02-02", -90)],
                                      committed, purpose="help") == plain
    day = date(2026, 2, 2)
    for entries, minutes in (([(1, "giver", day, 90), (0, "receiver", day, -90)], 90),
                             ([(0, "receiver", day, -30), (1, "giver", day, 60), (2, "receiver", day, -30)], 30)):
        for purpose in ("help", "opening"):
            writer = ChainWriter(None)  # type: ignore[arg-type]
            writer._head = (6, bytes(range(32)))
            link, digest, _salt = writer.exchange(3, day, "other", minutes, None, datetime(2026, 11, 24, 10, 0),
                                                  entries, "Siân", None, salt=salt, purpose=purpose)
            expected = canonical.exchange_content(7, 3, "2026-02-02", "other", minutes, None, "2026-11-24T10:00:00",
                                                  [(m, r, d.isoformat(), a) for m, r, d, a in entries], committed,
                                                  purpose=purpose)
            assert link == 7 and digest == canonical.link_hash(bytes(range(32)), expected), (entries, purpose)


def test_exchanges_that_do_not_count_include_opening_balances(moved: Cli) -> None:
    """`dead_exchanges` (with and without dates) is `live_condition` read from the other side,
    with an opening balance and a void in the ledger."""
    from datetime import date

    from sqlalchemy import select

    from timebank.ledger.storage.db import open_ledger, reading
    from timebank.ledger.storage.models import Exchange
    from timebank.ledger.storage.sql import dead_exchanges, live_condition, moves_of_balance, standing_condition

    moved.ok("record", "2", "4", "1", "--date", f"{MONTH}-10")
    moved.ok("exchange", "void", "1", "--reason", "wrong")
    opened = open_ledger(str(moved.db))
    try:
        with reading(opened) as session:
            every = set(session.scalars(select(Exchange.number)))
            live = set(session.scalars(select(Exchange.number).where(live_condition())))
            standing = set(session.scalars(select(Exchange.number).where(standing_condition())))
            opening = _opening_numbers(session)
            assert opening and opening <= standing and not opening & live
            assert set(session.scalars(dead_exchanges())) == every - live
            start, end = date(2026, 12, 1), date(2026, 12, 31)
            month = set(session.scalars(select(Exchange.number).where(Exchange.date.between(start, end))))
            assert set(session.scalars(dead_exchanges(start, end))) == month - live
            assert set(session.scalars(dead_exchanges(start, end, postgres=True))) == month - live
            assert moves_of_balance(session, start, end) == (1, 60, {1: 60, 0: -60})
            assert moves_of_balance(session, date(2026, 1, 1), date(2026, 11, 30)) == (0, 0, {})
    finally:
        opened.dispose()


def _opening_numbers(session: Any) -> set[int]:
    from sqlalchemy import select

    from timebank.ledger.storage.models import Exchange

    return set(session.scalars(select(Exchange.number).where(Exchange.purpose == "opening")))


def test_the_partial_index_finds_them(moved: Cli) -> None:
    """SQLite reads the exchanges that are not help from their partial index, not the table."""
    from timebank.ledger.storage.db import open_ledger, reading
    from timebank.ledger.storage.sql import dead_exchanges

    opened = open_ledger(str(moved.db))
    try:
        with reading(opened) as session:
            if session.connection().dialect.name != "sqlite":
                return  # PostgreSQL plans by its statistics: nothing fixed to hold it to
            sql = str(dead_exchanges().compile(session.connection(), compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(row) for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "ix_exchanges_purpose" in plan, plan
    finally:
        opened.dispose()


# The pot from the first day a record needs it (item 7) --------------------------------------------

@pytest.mark.parametrize("lang,recorded", [("en", "Recorded exchange 1: on Wednesday 20 August 2025"),
                                                  ("cy", "Cofnodwyd cyfnewidiad 1: ddydd Mercher 20 Awst 2025")])
def test_a_back_dated_exchange_with_the_pot_is_accepted(cli: Cli, lang: str, recorded: str) -> None:
    """The ledger is made on TODAY; Siân and Llinos joined in January 2025. The pot gives
    Siân two hours on 2025-08-20 (long before the ledger was made): accepted, and the pot's
    joining day moves back to that day, so that reports of the month list it."""
    ledger = cli
    ledger.ok("init")
    ledger.ok("member", "add", "Siân", "--joined", "2025-01-05")
    ledger.ok("member", "add", "Llinos", "--joined", "2025-01-05")
    assert ledger.json("member", "show", "0")["joined"] == TODAY
    done = ledger.ok("record", "0", "1", "2", "--date", "2025-08-20", lang=lang)
    assert recorded in done.out
    assert ledger.json("member", "show", "0")["joined"] == "2025-08-20"
    ledger.ok("record", "1", "0", "0:30", "--date", "2025-03-01", lang=lang)
    assert ledger.json("member", "show", "0")["joined"] == "2025-03-01"
    monthly = ledger.json("report", "monthly", "--month", "2025-08", lang=lang)
    lines = {line["number"]: line for line in monthly["members"]}
    assert lines[0]["closing_minutes"] == 90 and lines[1]["closing_minutes"] == -90
    assert monthly["exchanges"] == 1 and monthly["members_active"] == 1
    assert {row["number"]: row["balance_minutes"] for row in ledger.json("balance", "--as-of", "2025-08-31")}[0] == 90
    # A later exchange leaves the pot's day where it is.
    ledger.ok("record", "0", "2", "1", "--date", "2026-02-01", lang=lang)
    assert ledger.json("member", "show", "0")["joined"] == "2025-03-01"
    ledger.ok("check")


@pytest.mark.parametrize("lang,words", [("en", "joined on 2026-01-05, after 2025-08-20"),
                                        ("cy", "2026-01-05")])
def test_a_member_is_still_held_to_their_joining_day(ledger: Cli, lang: str, words: str) -> None:
    """Only the pot has no joining day to keep: a member who joined later is refused, and
    the ledger is unchanged."""
    from conftest import dump

    before = dump(ledger.db)
    refused = ledger("record", "0", "1", "2", "--date", "2025-08-20", lang=lang)
    assert refused.code == 1 and words in refused.err, refused
    assert dump(ledger.db) == before
