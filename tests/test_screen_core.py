"""The core reads the screen needs (issue 18), checked against the reads the command line
already had: given and received for one member, the month so far, the one member search,
the latest exchanges, partners' names, members to ring, and the credit limit as a question."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import Cli


@pytest.fixture
def busy(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-20")
    cli.ok("demo", "--members", "40", "--seed", "7")
    # A void in the month, so that "exchanges that count" matters.
    number = cli.json("exchange", "list", "--month", "2026-11")[0]["number"]
    cli.ok("exchange", "void", str(number), "--reason", "typed twice")
    return cli


def open_(cli: Cli):  # type: ignore[no-untyped-def]
    from timebank.ledger.storage.db import open_ledger

    return open_ledger(str(cli.db))


def test_given_received_agrees_with_the_statement(busy: Cli) -> None:
    from timebank.ledger.records.balances import given_received
    from timebank.ledger.storage.db import reading
    from timebank.ledger.records.members import find_member
    from timebank.ledger.reports.statements import statement

    ledger = open_(busy)
    try:
        with reading(ledger) as session:
            for number in range(1, 41):
                member = find_member(session, str(number))
                start = max(member.joined, date(2026, 1, 1))
                whole = statement(session, member, "en", start, date(2026, 11, 20))
                assert given_received(session, number, start, date(2026, 11, 20)) == (whole.given, whole.received)
    finally:
        ledger.dispose()


def test_month_so_far_is_the_monthly_reports_summary(busy: Cli) -> None:
    from timebank.ledger.storage.db import reading
    from timebank.ledger.reports.reports import month_so_far

    ledger = open_(busy)
    try:
        for month in ("2026-11", "2026-10", "2026-06"):
            report = busy.json("report", "monthly", "--month", month)
            with reading(ledger) as session:
                glance = month_so_far(session, date.fromisoformat(month + "-01"))
            assert (glance.exchanges, glance.minutes_exchanged, glance.members_active) == (
                report["exchanges"], report["minutes_exchanged"], report["members_active"]), month
    finally:
        ledger.dispose()


@pytest.mark.parametrize("search", ["", "ll", "LLINOS", "sian", "cf32", "#3", "3", "zz", " ap "])
def test_one_member_search_rule(busy: Cli, search: str) -> None:
    from timebank.ledger.storage.db import reading
    from timebank.ledger.records.members import MemberSearch, list_members

    ledger = open_(busy)
    try:
        with reading(ledger) as session:
            every = list_members(session, "cy", which="all")
            assert any(row.left for row in every)          # the demo has members who left
            for which, everyone in (("all", True), ("active", False)):
                expected = list_members(session, "cy", which=which, search=search)
                assert MemberSearch(every).find(search, everyone=everyone) == expected, (search, which)
    finally:
        ledger.dispose()


def test_latest_exchanges_and_partners_names(busy: Cli) -> None:
    from timebank.ledger.storage.db import reading
    from timebank.ledger.records.exchanges import iter_exchanges, names_by_number

    ledger = open_(busy)
    try:
        with reading(ledger) as session:
            for member in (1, 7, 40):
                whole = list(iter_exchanges(session, member=member))
                for include_void in (False, True):
                    full = list(iter_exchanges(session, member=member, include_void=include_void))
                    assert list(iter_exchanges(session, member=member, include_void=include_void, latest=10)) \
                        == full[-10:]
                assert [r.number for r in iter_exchanges(session, latest=3)] == \
                    [r.number for r in iter_exchanges(session)][-3:]
                partners = names_by_number(session, partners_of=member)
                named = {n.number for row in whole for n in row.giver_names + row.receiver_names}
                assert named <= set(partners) and member in partners
                assert set(partners) < set(names_by_number(session))
    finally:
        ledger.dispose()


def test_over_the_credit_limit_is_a_question_with_its_reason(ledger: Cli) -> None:
    from timebank.i18n import say, tell
    from timebank.ledger import actions
    from timebank.ledger.errors import OverLimit

    ledger.ok("settings", "set", "credit_limit", "1")
    the_ledger = open_(ledger)
    try:
        with pytest.raises(OverLimit) as refused:
            actions.record(the_ledger, "tester", givers=["Siân"], receivers=["Llinos"], minutes=120, lang="en")
        for lang in ("en", "cy"):
            reason, question = say(refused.value.reason, lang), say(refused.value.question, lang)
            assert say(refused.value.phrase, lang) == reason and question.startswith(reason + " ")
            # The core names no flag: the command line adds its own.
            assert "--allow-overdraft" not in tell(refused.value, lang) + question
    finally:
        the_ledger.dispose()
    # The command line says exactly what it said before, in both languages.
    result = ledger("record", "Siân", "Llinos", "2")
    assert result.code == 1 and result.err.strip() == (
        "Llinos (#2) would have a balance of -2.00 hours, below the credit limit of -1.00 hours. "
        "Use --allow-overdraft to record it anyway.")
    result = ledger("--lang", "cy", "record", "Siân", "Llinos", "2")
    assert result.code == 1 and result.err.strip() == (
        "Byddai gan Llinos (#2) falans o -2.00 awr, o dan y terfyn credyd o -1.00 awr. "
        "Defnyddiwch --allow-overdraft i'w gofnodi beth bynnag.")


def test_member_months_agree_with_monthly_statements(busy: Cli) -> None:
    from timebank.ledger.basics.dates import add_months, month_end
    from timebank.ledger.storage.db import reading
    from timebank.ledger.records.members import find_member
    from timebank.ledger.reports.statements import member_months, statement

    ledger = open_(busy)
    try:
        with reading(ledger) as session:
            for number in (1, 7, 40):
                member = find_member(session, str(number))
                points = member_months(session, number, date(2026, 11, 20))
                assert [p.month for p in points] == [add_months(date(2025, 12, 1), i) for i in range(12)]
                for point in points:
                    whole = statement(session, member, "en", point.month, month_end(point.month))
                    assert (point.given, point.received) == (whole.given, whole.received), (number, point)
    finally:
        ledger.dispose()
