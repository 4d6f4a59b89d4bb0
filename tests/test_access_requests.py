"""Members' requests for a copy of their data (issue 29, UK GDPR Article 15): `member
access-request MEMBER --received DATE` logs one due a calendar month later, `... list` lists
them (overdue ones marked), `... done N` closes one. Every request is a record of the chain,
each change an audit event; `check` warns of overdue ones without failing."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from conftest import Cli, dump, execute_sql, query
from refusal import refused
from timebank.ledger.records.access_requests import due_date

TODAY = "2026-12-07"
KEYS = ["number", "member", "name", "received", "due", "done", "overdue"]


@pytest.fixture
def bank(ledger: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Siân (1), Llinos (2), Lowri ap Rhys (3), today 7 December 2026."""
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)
    return ledger


@pytest.mark.parametrize("received, due", [
    ("2026-01-03", "2026-02-03"),   # the ICO's own example
    ("2026-01-31", "2026-02-28"),   # February has no 31st: its last day
    ("2028-01-31", "2028-02-29"),   # ... in a leap year, the 29th
    ("2026-01-29", "2026-02-28"),
    ("2028-02-29", "2028-03-29"),
    ("2026-03-31", "2026-04-30"),
    ("2026-10-31", "2026-11-30"),
    ("2026-11-30", "2026-12-30"),
    ("2026-12-31", "2027-01-31"),   # over the year's end
    ("2026-12-07", "2027-01-07"),
])
def test_due_one_calendar_month_later(received: str, due: str) -> None:
    assert due_date(date.fromisoformat(received)) == date.fromisoformat(due)


def test_log_list_and_done_in_both_languages(bank: Cli) -> None:
    said = bank.ok("member", "access-request", "1", "--received", "2026-01-31", lang="en").out
    assert said.strip() == ("Logged access request 1 from Siân (#1), received on 31 January 2026: the answer is due "
                            "by 28 February 2026.")
    said = bank.ok("member", "cais-mynediad", "Llinos", "--received", "heddiw", lang="cy").out
    assert "Cofnodwyd cais mynediad 2 oddi wrth Llinos (#2)" in said and "7 Ionawr 2027" in said
    bank.ok("member", "access-request", "#3", "--received", "02/11/2026")
    bank.ok("member", "access-request", "Sian", "--received", "ddoe")  # no accent typed: found all the same
    listed = bank.json("member", "access-request", "list", "--format", "json")
    assert [list(row) for row in listed] == [KEYS] * 4
    # The soonest due first.
    assert [tuple(r.values()) for r in listed] == [
        (1, 1, "Siân", "2026-01-31", "2026-02-28", None, True),
        (3, 3, "Lowri ap Rhys", "2026-11-02", "2026-12-02", None, True),
        (4, 1, "Siân", "2026-12-06", "2027-01-06", None, False),
        (2, 2, "Llinos", "2026-12-07", "2027-01-07", None, False)]
    table = bank.ok("member", "access-request", "list", lang="en").out
    assert "Access requests" in table and "282 days late" in table and "5 days late" in table
    welsh = bank.ok("member", "cais-mynediad", "rhestr", lang="cy").out
    assert "Ceisiadau mynediad" in welsh and "5 diwrnod yn hwyr" in welsh and "ar agor" in welsh
    said = bank.ok("member", "access-request", "done", "3", "--date", "2026-12-03", lang="en").out
    assert said.strip() == "Access request 3 from Lowri ap Rhys (#3) done on 3 December 2026."
    said = bank.ok("member", "cais-mynediad", "cwblhau", "1", lang="cy").out
    assert "Cwblhawyd cais mynediad 1 oddi wrth Siân (#1) ar 7 Rhagfyr 2026" in said
    assert [r["number"] for r in bank.json("member", "access-request", "list", "--format", "json")] == [4, 2]
    everything = bank.json("member", "access-request", "list", "--all", "--format", "json")
    assert [(r["number"], r["done"], r["overdue"]) for r in everything] == [
        (1, TODAY, False), (3, "2026-12-03", False), (4, None, False), (2, None, False)]
    bank.ok("member", "cais-mynediad", "cwblhau", "2", "--dyddiad", "heddiw", lang="cy")  # the Welsh option too
    bank.ok("member", "access-request", "done", "4")
    assert "No open access requests." in bank.ok("member", "access-request", "list", lang="en").out
    assert "Dim ceisiadau mynediad ar agor." in bank.ok("member", "access-request", "list", lang="cy").out
    assert bank.json("member", "access-request", "list", "--format", "json") == []
    bank.ok("check")


def test_csv_from_the_same_list_and_formula_safe(bank: Cli) -> None:
    bank.ok("member", "add", "=HYPERLINK(\"http://x\",\"y\")", "--joined", "2026-01-05")
    bank.ok("member", "access-request", "4", "--received", "2026-11-02")
    rows = list(csv.reader(io.StringIO(bank.ok("member", "access-request", "list", "--format", "csv").out
                                       .lstrip("\ufeff"))))
    assert rows == [KEYS, ["1", "4", "'=HYPERLINK(\"http://x\",\"y\")", "2026-11-02", "2026-12-02", "", "true"]]


def test_a_member_named_like_a_command_is_reached_by_number(bank: Cli) -> None:
    bank.ok("member", "add", "list", "--joined", "2026-01-05")
    bank.ok("member", "add", "done", "--joined", "2026-01-05")
    assert "No open access requests." in bank.ok("member", "access-request", "list", lang="en").out
    bank.ok("member", "access-request", "4", "--received", "today")
    bank.ok("member", "access-request", "#5", "--received", "today")
    assert [r["name"] for r in bank.json("member", "access-request", "list", "--format", "json")] == ["list", "done"]


def test_a_member_who_left_may_ask_and_one_erased_may_not(bank: Cli) -> None:
    bank.ok("member", "leave", "2", "--date", "2026-11-01")
    bank.ok("member", "access-request", "2", "--received", "2026-11-20")
    bank.ok("member", "access-request", "3", "--received", "2026-11-20")
    bank.ok("member", "forget", "3", "--yes")
    said = refused(bank, "member", "access-request", "3", "--received", "today")
    assert said["en"].err.strip() == ("Member 3 has been erased: the ledger holds none of their details any more, so "
                                      "there is nothing to give them.")
    # Their request stays (a number and dates: nothing personal), closable, and the chain holds.
    listed = bank.json("member", "access-request", "list", "--format", "json")
    assert [(r["number"], r["member"]) for r in listed] == [(1, 2), (2, 3)]
    assert "Member 3 (erased)" in bank.ok("member", "access-request", "list", lang="en").out
    bank.ok("member", "access-request", "done", "2")
    assert "passed every check" in bank.ok("check", lang="en").out


def test_refusals_change_nothing(bank: Cli) -> None:
    bank.ok("member", "access-request", "1", "--received", "2026-11-20")
    bank.ok("member", "access-request", "2", "--received", "2026-11-20")
    bank.ok("member", "access-request", "done", "2", "--date", "2026-11-25")
    said = refused(bank, "member", "access-request", "99", "--received", "today")
    assert "99" in said["en"].err
    refused(bank, "member", "access-request", "Nobody At All", "--received", "today")
    said = refused(bank, "member", "access-request", "0", "--received", "today")
    assert "pot" in said["en"].err
    said = refused(bank, "member", "access-request", "1", "--received", "2026-12-08")
    assert "in the future" in said["en"].err and "yn y dyfodol" in said["cy"].err
    refused(bank, "member", "access-request", "1", "--received", "31/02/2026")
    said = refused(bank, "member", "access-request", "done", "7")
    assert said["en"].err.strip() == "There is no access request 7."
    said = refused(bank, "member", "access-request", "done", "2")
    assert said["en"].err.strip() == "Access request 2 was already done on 2026-11-25."
    said = refused(bank, "member", "access-request", "done", "1", "--date", "2026-11-19")
    assert said["en"].err.strip() == ("Access request 1 was received on 2026-11-20: it cannot be done on 2026-11-19, "
                                      "before that.")
    refused(bank, "member", "access-request", "done", "1", "--date", "2027-01-01")
    # Usage slips: exit 2, nothing changed, no traceback.
    for args in (["done", "abc"], ["done", "0"], ["done", "-3"], ["done"], ["1"], ["1", "--received"]):
        before = dump(bank.db)
        for lang in ("en", "cy"):
            result = bank("member", "access-request", *args, lang=lang)
            assert result.code == 2, (args, result)
            assert "Traceback" not in result.out + result.err
        assert dump(bank.db) == before, args


def test_overdue_requests_are_warnings_of_check(bank: Cli) -> None:
    bank.ok("member", "access-request", "1", "--received", "2026-10-01")  # due 1 November: 36 days late
    bank.ok("member", "access-request", "2", "--received", "2026-11-06")  # due 6 December: 1 day late
    bank.ok("member", "access-request", "3", "--received", "2026-11-07")  # due today: not yet late
    result = bank.ok("check", lang="en")  # exit 0: the ledger is fine
    warnings = [line for line in result.out.splitlines() if line.startswith("Warning:")]
    assert warnings == [
        "Warning: Access request 1 of member 1 was due on 2026-11-01: it is 36 days overdue.",
        "Warning: Access request 2 of member 2 was due on 2026-12-06: it is 1 day overdue."]
    assert result.out.rstrip().endswith("The ledger passed every check.")
    welsh = bank.ok("check", lang="cy").out
    assert "Rhybudd: Roedd cais mynediad 2 (aelod 2) i'w ateb erbyn 2026-12-06: mae'n 1 diwrnod yn hwyr." in welsh
    bank.ok("member", "access-request", "done", "1")
    bank.ok("member", "access-request", "done", "2")
    assert "Warning" not in bank.ok("check", lang="en").out


def test_audit_events(bank: Cli) -> None:
    bank.ok("member", "access-request", "2", "--received", "2026-11-02")
    bank.ok("member", "access-request", "done", "1", "--date", "2026-11-30")
    events = [e for e in bank.json("audit", "--format", "json") if e["action"].startswith("access_request.")]
    assert [(e["action"], e["member"], e["details"]) for e in events] == [
        ("access_request.log", 2, {"number": 1, "received": "2026-11-02", "due": "2026-12-02"}),
        ("access_request.done", 2, {"number": 1, "done": "2026-11-30"})]
    english = bank.ok("audit", lang="en").out
    assert "Member #2 asked for a copy of their data (access request 1, received 2026-11-02, due 2026-12-02)" in english
    assert "Answered access request 1 of member #2 on 2026-11-30" in english
    welsh = bank.ok("audit", lang="cy").out
    assert "Gofynnodd aelod #2 am gopi o'i ddata" in welsh and "access_request" not in welsh


def test_the_chain_proves_every_request(bank: Cli) -> None:
    bank.ok("member", "access-request", "1", "--received", "2026-11-02")
    bank.ok("member", "access-request", "2", "--received", "2026-11-20")
    bank.ok("member", "access-request", "done", "1", "--date", "2026-11-30")
    links = query(bank.db, "SELECT count(*) FROM record_links WHERE tbl = 'access_requests'")[0][0]
    assert links == 3  # two made, one closed
    assert "passed every check" in bank.ok("check", lang="en").out
    for tamper, undo, named in (
            ("UPDATE access_requests SET due = '2027-01-02' WHERE id = 2",
             "UPDATE access_requests SET due = '2026-12-20' WHERE id = 2",
             "Access request 2 of member 2 has changed behind timebank's back"),
            ("UPDATE access_requests SET done = NULL WHERE id = 1",
             "UPDATE access_requests SET done = '2026-11-30' WHERE id = 1",
             "Access request 1 of member 1 has changed behind timebank's back"),
            ("UPDATE access_requests SET member = 3 WHERE id = 1",
             "UPDATE access_requests SET member = 1 WHERE id = 1",
             "Access request 1 of member 3 has changed behind timebank's back")):
        execute_sql(bank.db, tamper)
        result = bank("check", lang="en")
        assert result.code == 1, tamper
        assert named in result.out, (tamper, result.out)
        assert "cais mynediad" in bank("check", lang="cy").out
        execute_sql(bank.db, undo)
        assert "passed every check" in bank.ok("check", lang="en").out, undo
    execute_sql(bank.db, "INSERT INTO access_requests (id, member, received, due, created_at) "
                         "VALUES (3, 3, '2026-11-01', '2026-12-01', '2026-12-07 10:00:00')")
    result = bank("check", lang="en")
    assert result.code == 1 and "Access request 3 of member 3 is not on the chain" in result.out
    execute_sql(bank.db, "DELETE FROM access_requests WHERE id = 3", "DELETE FROM access_requests WHERE id = 2")
    result = bank("check", lang="en")
    assert result.code == 1 and "Access request 2 was deleted behind timebank's back" in result.out


def test_welsh_names_and_help(bank: Cli) -> None:
    member_help = bank.ok("member", "--help", lang="cy").out
    assert "cais-mynediad (access-request)" in member_help
    group_help = bank.ok("member", "cais-mynediad", "--help", lang="cy").out
    assert "rhestr (list)" in group_help and "cwblhau (done)" in group_help
    assert "AELOD --received DYDDIAD" in group_help and "Erthygl 15" in group_help
    assert " log " not in group_help  # the hidden command is never offered
    english = bank.ok("member", "access-request", "--help", lang="en").out
    assert "MEMBER --received DATE |" in english and "COMMAND [ARGS]" in english
    assert "list" in english and "done" in english
    # Nothing after the group: its help, as every group.
    assert bank.ok("member", "access-request", lang="en").out == english
    # The member form's own help names the group's path, never the hidden name.
    own = bank.ok("member", "access-request", "1", "--help", lang="en").out
    assert "Usage: timebank member access-request [OPTIONS] {member}" in own and "--received DATE" in own
