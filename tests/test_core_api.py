"""The core as an API: each user action is one call that does all of its steps, reports
are typed data in no language, and the faces are thin (every command importable by name,
with help in both languages; every audit action described in both)."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pytest

import timebank
from conftest import Cli, query, sqlite_only
from timebank.i18n import Words, get_language, set_language
from timebank.ledger import actions
from timebank.ledger.storage.db import open_ledger, reading
from timebank.ledger.errors import Refused
from timebank.ledger.schema import initialise

SOURCE = Path(timebank.__file__).resolve().parent


@pytest.fixture
def core(cli: Cli, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-20")
    ledger = open_ledger(str(cli.db), create=True)
    initialise(ledger, "api", name="Banc", lang="en")
    for name, lang in [("Siân Jones", "cy"), ("Llinos Evans", "cy"), ("Lowri ap Rhys", "en")]:
        actions.add_member(ledger, "api", name=name, lang=lang, joined=date(2026, 1, 5), email="x@example.org")
    yield ledger
    ledger.dispose()


def test_record_meets_the_request_and_void_reopens_it(core) -> None:  # type: ignore[no-untyped-def]
    number, _name, category = actions.add_listing(core, "api", "request", "Llinos", "transport",
                                                  on=date(2026, 11, 1), lang="en")
    done = actions.record(core, "api", givers=["sian"], receivers=[2], minutes=90, on=date(2026, 11, 10),
                          request=number, lang="en")
    assert category.code == "transport" and done.request == number
    assert [(n.number, b) for n, b in done.result.balances] == [(1, 90), (2, -90)]
    with reading(core) as session:
        from timebank.ledger.storage.models import Exchange, Listing

        assert session.get(Exchange, done.result.number).category == "transport"  # taken from the request
        assert session.get(Listing, number).closed_because == "met"
    reversal = actions.void(core, "api", done.result.number, "typed twice")
    with reading(core) as session:
        assert session.get(Listing, number).closed is None
        from timebank.ledger.records.balances import balances_by_member

        assert balances_by_member(session)[1] == 0 and reversal == done.result.number + 1


def test_leave_and_forget_close_listings_and_erase(core, cli: Cli) -> None:  # type: ignore[no-untyped-def]
    actions.add_listing(core, "api", "offer", "Lowri", "gardening", note="Lowri's Saturdays", lang="en")
    actions.add_listing(core, "api", "offer", "Llinos", "gardening", lang="en")
    name, day = actions.leave(core, "api", "Llinos", date(2026, 11, 15))
    assert name.number == 2 and day == date(2026, 11, 15)
    done = actions.forget(core, "api", 3)
    assert done.number == 3 and done.backups == []
    rows = query(cli.db, "SELECT member, closed_because, note FROM listings ORDER BY id")
    assert rows == [(3, "erased", None), (2, "left", None)]
    assert query(cli.db, "SELECT name, email FROM members WHERE number = 3") == [("", None)]
    with pytest.raises(Refused):
        actions.forget(core, "api", 3)


@sqlite_only
def test_restore_erases_again(core, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from timebank.ledger.storage.backups import backup

    copy = backup(core, tmp_path / "before.sqlite3")
    actions.forget(core, "api", 1)
    done = actions.restore(core, "api", copy)
    assert done.same_ledger and done.erased_again == [1] and done.safety_copy.exists()
    with reading(core) as session:
        from timebank.ledger.storage.models import Member

        assert session.get(Member, 1).forgotten is not None


def test_cached_totals_equal_the_entries_after_every_action(core) -> None:  # type: ignore[no-untyped-def]
    from timebank.ledger.storage.models import Member, MonthTotal
    from timebank.ledger.records.totals import expected_balances, expected_months

    actions.record(core, "api", givers=[1], receivers=[2, 3], minutes=60, on=date(2026, 10, 3), category="teaching",
                   lang="en")
    second = actions.record(core, "api", givers=[2], receivers=[1], minutes=45, on=date(2026, 11, 2), lang="en")
    actions.void(core, "api", second.result.number, "wrong")
    with reading(core) as session:
        cached = {n: b for n, b in session.query(Member.number, Member.balance_minutes)}
        assert {n: b for n, b in cached.items() if b} == expected_balances(session) | {}
        stored = {(m.month, m.category): (m.exchanges, m.minutes) for m in session.query(MonthTotal)
                  if m.exchanges or m.minutes}
        assert stored == expected_months(session) == {("2026-10", "teaching"): (1, 120)}


@sqlite_only
def test_a_check_that_cannot_finish_never_reads_as_passed(core, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """SQLite's own checks run in threads beside the pass: one that fails for any reason is
    reported as not completed, not as a check with no problems."""
    from timebank.ledger.integrity import checks
    def broken(conn):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in a check")

    monkeypatch.setattr(checks, "_stored_types", broken)
    report = actions.check(core)
    types = next(r for r in report.results if r.title == checks.TITLES["types"])
    assert types.problems == checks._not_completed()  # in the interface language, whichever it is
    integrity = next(r for r in report.results if r.title == checks.TITLES["integrity"])
    assert integrity.problems == []


def test_reports_are_typed_data_and_take_the_language(core) -> None:  # type: ignore[no-untyped-def]
    """A Welsh member's statement built and drawn in Welsh under an English interface."""
    from timebank.ledger.records.members import find_member
    from timebank.ledger.reports.statements import statement
    from timebank.render.jsonfile import report_data
    from timebank.render.views import statement as statement_view

    actions.record(core, "api", givers=["Siân"], receivers=["Lowri"], minutes=90, on=date(2026, 11, 2), lang="en")
    set_language("en")
    with reading(core) as session:
        sian = find_member(session, "1")
        result = statement(session, sian, sian.lang)
    assert result.lang == "cy" and result.closing == 90 and result.lines[0].others[0].name == "Lowri ap Rhys"
    view = statement_view(result)
    welsh = Words(result.lang)
    title = next(p for p in view.parts if getattr(p, "key", None) == "name").line(welsh)
    assert title == "Cyfriflen ar gyfer Siân Jones (#1)"
    assert get_language() == "en"  # nothing global was switched to draw it
    assert report_data(view, welsh)["closing_minutes"] == 90


def test_commands_are_importable_module_functions() -> None:
    from timebank.cli.admin import restore
    from timebank.cli.exchanges import record, void
    from timebank.cli.members import forget

    for command in (record, void, forget, restore):
        assert callable(command) and command.__module__.startswith("timebank.cli.")


def _calls_into_core(function) -> list[str]:  # type: ignore[no-untyped-def]
    """The `actions.<name>(...)` calls a command function makes."""
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return [node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "actions"]


def test_write_commands_make_one_core_call() -> None:
    from timebank.cli.admin import restore
    from timebank.cli.exchanges import record, void
    from timebank.cli.members import forget

    assert _calls_into_core(record) == ["record"]
    assert _calls_into_core(void) == ["void"]
    assert _calls_into_core(forget) == ["forget"]
    assert _calls_into_core(restore) == ["restore"]


def _all_commands(command, path=()):  # type: ignore[no-untyped-def]
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _all_commands(sub, path + (name,))


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_command_and_option_has_help(lang: str) -> None:
    from timebank.cli.app import build_command, translate_help

    set_language(lang)
    try:
        root = build_command([])
        translate_help(root)
        for path, command in _all_commands(root):
            assert command.help and command.help.strip(), path
            for param in command.params:
                assert (getattr(param, "help", None) or "").strip(), (path, param.name)
    finally:
        set_language("en")


def test_every_audit_action_is_described_in_both_languages() -> None:
    from timebank.ledger.records.audit import ACTIONS, AuditRow
    from timebank.render.views import describe_event

    logged = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "log" and len(node.args) >= 3:
                action = node.args[2]
                if isinstance(action, ast.Constant):
                    logged.add(action.value)
    assert logged <= ACTIONS
    english, welsh = Words("en"), Words("cy")
    for action in ACTIONS:
        event = AuditRow(1, None, "t", action, 1, 1, {"rows": 2, "key": "name", "id": 1})  # type: ignore[arg-type]
        in_english, in_welsh = describe_event(event, english), describe_event(event, welsh)
        assert in_english != action and in_welsh != action, action
        assert in_english != in_welsh, action
        # And a word for the action itself, for the audit's Action column.
        from timebank.render.sheet import action_words

        assert action_words(action, english) != action and action_words(action, welsh) != action_words(action, english)


def test_json_keeps_codes_whatever_the_language(core, cli: Cli) -> None:  # type: ignore[no-untyped-def]
    actions.record(core, "api", givers=[1], receivers=[2], minutes=60, on=date(2026, 11, 2), category="transport",
                   lang="en")
    english = json.loads(cli.ok("exchange", "list", "--format", "json", lang="en").out)
    welsh = json.loads(cli.ok("exchange", "list", "--format", "json", lang="cy").out)
    assert english == welsh and english[0]["category"] == "transport"
