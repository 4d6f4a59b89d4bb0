"""Invariants under any sequence of records and voids (hypothesis), and `check` catching
tampering done behind the ledger's back."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from conftest import Cli, execute_sql, fresh_db
from timebank.ledger.records import settings as settings_module
from timebank.ledger.integrity.checks import run_checks
from timebank.ledger.storage.db import open_ledger, reading, writing
from timebank.ledger.errors import TimebankError
from timebank.ledger.records.exchanges import record_exchange, void_exchange
from timebank.ledger.records.members import add_member
from timebank.ledger.storage.models import Entry, Member
from timebank.ledger.schema import initialise

START = date(2026, 1, 1)

record_step = st.tuples(
    st.just("record"),
    st.lists(st.integers(1, 6), min_size=1, max_size=3, unique=True),
    st.lists(st.integers(1, 6), min_size=1, max_size=3, unique=True),
    st.integers(1, 600),
    st.integers(0, 300),
)
void_step = st.tuples(st.just("void"), st.integers(1, 40))
steps = st.lists(st.one_of(record_step, void_step), max_size=30)


def _ledger(tmp: Path):  # type: ignore[no-untyped-def]
    ledger = open_ledger(str(tmp), create=True)
    initialise(ledger, "prop", name=None, lang="en")
    with writing(ledger) as session:
        for index in range(6):
            add_member(session, "prop", name=f"Member {chr(65 + index)}", joined=START,
                       kind="organisation" if index == 5 else "person")
    return ledger


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_zero_sum_under_any_records_and_voids(tmp_path_factory: pytest.TempPathFactory, sequence: list) -> None:
    path = fresh_db(tmp_path_factory.mktemp("prop"))
    ledger = _ledger(path)
    expected: dict[int, int] = {n: 0 for n in range(0, 7)}
    live: dict[int, dict[int, int]] = {}
    try:
        for step in sequence:
            try:
                with writing(ledger) as session:
                    if step[0] == "record":
                        _, givers, receivers, minutes, day = step
                        members = {m.number: m for m in session.scalars(select(Member))}
                        result = record_exchange(
                            session, "prop", settings_module.load(session),
                            givers=[members[g] for g in givers], receivers=[members[r] for r in receivers],
                            minutes=minutes, on=START + timedelta(days=day), lang="en")
                        change = {g: minutes * len(receivers) for g in givers}
                        for r in receivers:
                            change[r] = change.get(r, 0) - minutes * len(givers)
                        live[result.number] = change
                    else:
                        reversal = void_exchange(session, "prop", step[1], "prop")
                        change = live.pop(step[1])
                        live[reversal] = {}
                        change = {m: -v for m, v in change.items()}
                    for member, amount in change.items():
                        expected[member] += amount
            except TimebankError:
                pass  # refused (over the limit, same member twice, unknown exchange...): nothing written
        with reading(ledger) as session:
            sums = dict(session.execute(select(Entry.member, func.sum(Entry.minutes)).group_by(Entry.member)).all())
            per_exchange = session.execute(select(Entry.exchange, func.sum(Entry.minutes))
                                           .group_by(Entry.exchange)).all()
            assert all(total == 0 for _, total in per_exchange)
            assert sum(sums.values()) == 0
            assert {m: sums.get(m, 0) for m in expected} == expected
            assert all(not result.problems for result in run_checks(session, ledger))
    finally:
        ledger.dispose()


@pytest.mark.parametrize("sql", [
    "UPDATE entries SET minutes = minutes + 1 WHERE id = 1",
    "DELETE FROM entries WHERE id = 2",
    "UPDATE exchanges SET reverses = 1 WHERE number = 4",
    "UPDATE entries SET date = '2026-01-01' WHERE id = 3",
    "DELETE FROM exchanges WHERE number = 2",
])
def test_check_catches_tampering(ledger: Cli, sql: str) -> None:
    ledger.ok("settings", "set", "credit_limit", "")
    ledger.ok("record", "Siân", "Llinos", "2", "--date", "2026-03-01")
    ledger.ok("record", "Llinos", "Lowri", "1", "--date", "2026-03-02")
    ledger.ok("record", "Lowri", "Siân", "1", "--date", "2026-03-03")
    ledger.ok("exchange", "void", "2", "--reason", "mistake")  # reversal is exchange 4
    assert "✓" in ledger.ok("check").out
    execute_sql(ledger.db, sql)
    result = ledger("check")
    assert result.code == 1, result
    assert "✗" in result.out
    assert result.err.strip()
