"""The read API (`timebank.ledger.queries`) as a core library: a small ledger built with
`actions` only, and each query asked for the numbers it must give."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest

from conftest import fresh_db
from timebank.ledger import actions, queries
from timebank.ledger.errors import NotFound

TODAY = "2026-11-20"


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[queries.Ledger]:
    """Siân (1, cy, Blaengarw), Llinos (2, Blaengarw), Lowri (3, Pontycymer, left in
    November); four exchanges (one voided) and a request met, an offer and a request open."""
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)
    ledger = queries.open_ledger(str(fresh_db(tmp_path)), create=True)
    assert not queries.is_initialised(ledger)
    assert actions.initialise(ledger, "api", name="Banc Amser", lang="en")
    assert queries.is_initialised(ledger)
    joined = date(2026, 1, 5)
    actions.add_member(ledger, "api", name="Siân Jones", lang="cy", area="CF32 8", joined=joined)
    actions.add_member(ledger, "api", name="Llinos Evans", area="CF32 8", joined=joined)
    actions.add_member(ledger, "api", name="Lowri ap Rhys", area="CF32 9", joined=joined, phone="01656 000000")
    request, _name, _category = actions.add_listing(ledger, "api", "request", "Llinos", "transport", lang="en",
                                                    on=date(2026, 9, 1))
    actions.record(ledger, "api", givers=["Siân"], receivers=["Llinos"], minutes=90, on=date(2026, 9, 10),
                   request=request, lang="en")                                              # exchange 1
    actions.record(ledger, "api", givers=["Llinos"], receivers=["Lowri"], minutes=60, on=date(2026, 10, 3),
                   category="gardening", lang="en")                                         # exchange 2
    mistaken = actions.record(ledger, "api", givers=["Lowri"], receivers=["Siân"], minutes=30,
                              on=date(2026, 10, 4), lang="en")                              # exchange 3
    actions.void(ledger, "api", mistaken.result.number, "typed twice")                      # exchange 4
    actions.record(ledger, "api", givers=["Lowri"], receivers=["Siân"], minutes=45,
                   on=date(2026, 11, 2), category="gardening", lang="en")                   # exchange 5
    actions.add_listing(ledger, "api", "offer", "Lowri", "gardening", on=date(2026, 10, 1), lang="en")
    actions.add_listing(ledger, "api", "request", "Siân", "gardening", on=date(2026, 11, 3), lang="en")
    actions.leave(ledger, "api", "Lowri", date(2026, 11, 15))
    yield ledger
    ledger.dispose()


def test_settings_categories_and_lookups(bank: queries.Ledger) -> None:
    assert queries.name(bank) == "Banc Amser" and queries.settings(bank).name == "Banc Amser"
    codes = queries.categories(bank)
    assert "gardening" in codes and "transport" in codes
    # By code or by name, in either language: the core's rule.
    assert queries.category(bank, "gardening", "en").code == "gardening"
    assert queries.category(bank, codes["gardening"].name("cy"), "cy").code == "gardening"
    assert queries.member(bank, "Siân").number == 1 and queries.member(bank, "#2").name == "Llinos Evans"
    with pytest.raises(NotFound):
        queries.member(bank, "99")
    assert queries.welsh_key("terfyn_credyd") == "credit_limit" and queries.welsh_key("name") == "name"
    assert queries.current_user("coordinator") == "coordinator"


def test_members_inactive_and_balances(bank: queries.Ledger) -> None:
    every = queries.members(bank, "en")
    assert [m.number for m in every] == [2, 3, 1]  # by first name: Llinos, Lowri, Siân
    assert {m.number: m.balance_minutes for m in every} == {1: 90 - 45, 2: -90 + 60, 3: -60 + 45}
    assert [m.number for m in queries.members(bank, "en", which="active")] == [2, 1]
    assert [m.number for m in queries.members(bank, "en", which="left")] == [3]
    assert [m.number for m in queries.members(bank, "en", which="all", search="CF32 9")] == [3]
    # Llinos last traded on 3 October: 48 days before today; Siân on 2 November.
    assert [m.number for m in queries.inactive(bank, 40, "en")] == [2]
    assert queries.inactive(bank, 60, "en") == []
    rows = queries.balances(bank, "en", ["Siân", "3"])
    assert [(r.number, r.balance_minutes) for r in rows] == [(1, 45), (3, -15)]
    assert [(r.number, r.balance_minutes) for r in queries.balances(bank, "en", ["1"], date(2026, 9, 30))] == \
        [(1, 90)]


def test_member_page(bank: queries.Ledger) -> None:
    page = queries.member_page(bank, "Lowri", "en", date(2026, 11, 20))
    assert page.member.number == 3 and page.balance == -15
    assert (page.given, page.received) == (45, 60)
    assert [row.number for row in page.recent] == [5, 2]  # newest first, the voided pair left out
    assert [o.category.code for o in page.offers] == [] and page.requests == []  # closed when she left
    sian = queries.member_page(bank, 1, "en", date(2026, 11, 20))
    assert [r.category.code for r in sian.requests] == ["gardening"] and sian.year_start == date(2026, 1, 1)
    summary = queries.member_summary(bank, "Lowri")  # member show: the page without the year or listings
    assert (summary.member.number, summary.balance) == (3, -15)
    assert [row.number for row in summary.recent] == [5, 2]


def test_the_exchange_list_streams_with_its_filters(bank: queries.Ledger) -> None:
    with queries.exchanges(bank) as rows:
        assert not isinstance(rows, list)  # a stream, read while the snapshot is open
        assert [r.number for r in rows] == [1, 2, 5]
    with queries.exchanges(bank, include_void=True) as rows:
        assert [(r.number, r.void) for r in rows] == [(1, False), (2, False), (3, True), (4, True), (5, False)]
    with queries.exchanges(bank, member="Siân", category="gardening") as rows:
        assert [r.number for r in rows] == [5]
    with queries.exchanges(bank, start=date(2026, 10, 1), end=date(2026, 10, 31)) as rows:
        assert [r.number for r in rows] == [2]
    with queries.exchanges(bank, latest=2) as rows:
        assert [r.number for r in rows] == [2, 5]
    with pytest.raises(NotFound), queries.exchanges(bank, member="Nobody at all") as rows:
        list(rows)
    one = queries.exchange(bank, 4)
    assert one.reverses == 3 and one.minutes == 30 and one.givers == [3]
    with pytest.raises(NotFound):
        queries.exchange(bank, 6)


def test_statements(bank: queries.Ledger) -> None:
    found = queries.statement(bank, "Siân", None, date(2026, 10, 1), date(2026, 11, 30), months=True)
    assert found.member.number == 1 and found.statement.lang == "cy"
    assert (found.statement.opening, found.statement.closing) == (90, 45)
    assert [(line.exchange, line.minutes, line.balance) for line in found.statement.lines] == [(5, -45, 45)]
    assert found.statement.credit_limit is not None  # carries the limit that binds a person
    assert found.printed.bank_name == "Banc Amser" and found.printed.statements == [found.statement]
    assert [(m.month, m.given, m.received) for m in found.months][-3:] == [
        (date(2026, 9, 1), 90, 0), (date(2026, 10, 1), 0, 0), (date(2026, 11, 1), 0, 45)]
    assert queries.statement(bank, "1", "en", credit_limit=False).statement.credit_limit is None
    assert queries.statement(bank, "1").months == []
    everyone = queries.statements(bank, "en", date(2026, 11, 1), date(2026, 11, 30))
    assert [(s.number, s.opening, s.closing) for s in everyone.statements] == [(2, -30, -30), (3, -60, -15),
                                                                              (1, 90, 45)]


def test_reports(bank: queries.Ledger) -> None:
    shown: list[int] = []
    october = queries.monthly(bank, date(2026, 10, 1), "en", lambda figures: shown.append(figures.exchanges))
    assert (october.exchanges, october.minutes_exchanged, october.members_active) == (1, 60, 2) and shown == [1]
    assert queries.last_complete_month() == date(2026, 10, 1)
    so_far = queries.month_so_far(bank, date(2026, 11, 1))
    assert (so_far.exchanges, so_far.minutes_exchanged, so_far.members_active) == (1, 45, 2)
    report = queries.period_report(bank, date(2026, 9, 1), date(2026, 11, 30), "month")
    assert [p.minutes for p in report.periods] == [90, 60, 45] and report.total.exchanges == 3
    summary = queries.summary(bank, None, None, "quarter")
    assert summary.start == date(2026, 9, 10) and summary.end == date(2026, 11, 20)  # first exchange to today
    assert summary.total.minutes == 195
    pack = queries.funder_pack(bank, None, None, "month", 1)
    assert pack.report.total.minutes == 195 and pack.areas.total.minutes_given == 195
    year = queries.funder_year(bank, date(2026, 10, 1), 1)
    assert (year.first, year.last) == (date(2026, 4, 1), date(2026, 10, 31))  # the financial year from April
    assert year.pack.report.total.minutes == 150


def test_exports(bank: queries.Ledger) -> None:
    with queries.exchange_pairs(bank, None, None, with_names=True) as found:
        assert not isinstance(found.pairs, list)
        pairs = list(found.pairs)
        assert found.names is not None and found.names[1].name == "Siân Jones"
        assert "gardening" in found.categories
    assert [(p[0], p[1], p[2], p[3], p[4]) for p in pairs] == [
        (1, "2026-09-10", 1, 2, 90), (2, "2026-10-03", 2, 3, 60), (5, "2026-11-02", 3, 1, 45)]
    with queries.exchange_pairs(bank, date(2026, 10, 1), None) as found:
        assert [p[0] for p in found.pairs] == [2, 5] and found.names is None
    assert [(m.number, m.balance_minutes) for m in queries.members_by_number(bank)] == [(1, 45), (2, -30),
                                                                                        (3, -15)]
    assert [(m.number, m.balance_minutes) for m in queries.members_by_number(bank, date(2026, 9, 30))] == [
        (1, 90), (2, -90), (3, 0)]
    areas = queries.areas(bank, None, None, 1)
    assert {row.area: row.members for row in areas.rows if not row.pot} == {"CF32 8": 2, "CF32 9": 1}
    assert queries.areas(bank, None, None, 5).blanked > 0


def test_journal_is_one_read(bank: queries.Ledger) -> None:
    from timebank.io.journal import read_journal

    out = io.StringIO()
    assert read_journal(bank, out, "hledger") == 5  # voided exchanges and their reversals are history too
    assert "HRS" in out.getvalue()


def test_listings_and_matches(bank: queries.Ledger) -> None:
    assert [r.member for r in queries.listings(bank, "request", "en")] == [1]
    every = queries.listings(bank, "request", "en", include_closed=True)
    assert sorted((r.member, r.closed_because) for r in every) == [(1, None), (2, "met")]
    assert [r.id for r in queries.listings(bank, "offer", "en", member="Lowri", include_closed=True)] != []
    assert queries.listings(bank, "offer", "en") == []  # Lowri left: her offer closed
    actions.add_listing(bank, "api", "offer", "Llinos", "gardening", lang="en")
    found = queries.matches(bank, "en", request=queries.listings(bank, "request", "en")[0].id)
    assert found.category.code == "gardening" and found.area == "CF32 8"
    assert [(m.number, m.same_area) for m in found.found] == [(2, True)]
    by_category = queries.matches(bank, "en", category="gardening", area="CF32 9")
    assert [m.number for m in by_category.found] == [2] and by_category.area == "CF32 9"


def test_audit(bank: queries.Ledger) -> None:
    log = queries.audit(bank)
    assert "gardening" in log.categories
    assert [e.action for e in log.events].count("exchange.record") == 4
    assert queries.audit(bank, date(2030, 1, 1)).events == []


def test_the_screens_reads(bank: queries.Ledger) -> None:
    seen = queries.glance(bank, "en", date(2026, 11, 20))
    assert seen.name == "Banc Amser" and seen.month.exchanges == 1
    assert seen.to_ring == [] and [r.member for r in seen.open_requests] == [1]
    data = queries.form_data(bank, "cy")
    assert data.names == ["Llinos Evans", "Siân Jones"]  # active members only
    assert data.members.find("Siân").number == 1 and list(data.requests) == [r.id for r in seen.open_requests]
    assert "gardening" in data.categories


def test_the_quick_reads_need_no_open_ledger(bank: queries.Ledger, tmp_path: Path) -> None:
    db = str(bank.path) if bank.path is not None else bank.url
    if bank.path is None:
        pytest.skip("the quick reads of a server ledger need its URL with the password")
    assert queries.ledger_language(db) == "en"
    assert queries.members_matching(db, "si") == [(1, "Siân Jones")]
    assert any(row[0] == "gardening" for row in queries.category_codes(db))
    assert queries.ledger_language(str(tmp_path / "none.sqlite3")) is None
