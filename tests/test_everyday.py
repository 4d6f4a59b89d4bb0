"""The everyday session of issue 2, through the CLI, in both languages."""

from __future__ import annotations

from datetime import date, timedelta

from conftest import Cli, dump


def balances(cli: Cli, *args: str) -> dict[int, int]:
    return {row["number"]: row["balance_minutes"] for row in cli.json("balance", *args)}


def test_record_moves_ninety_minutes(ledger: Cli) -> None:
    out = ledger.ok("record", "Siân", "Llinos", "1:30").out
    assert "1" in out
    assert balances(ledger) == {0: 0, 1: 90, 2: -90, 3: 0}
    rows = ledger.json("balance")
    assert [r["name"] for r in rows] == ["Time bank pot", "Llinos", "Lowri ap Rhys", "Siân"]
    assert rows[3]["balance_hours"] == "1.50" and rows[1]["balance_hours"] == "-1.50"


def test_init_twice_changes_nothing(ledger: Cli) -> None:
    before = dump(ledger.db)
    result = ledger.ok("init")
    assert "already" in result.out
    assert dump(ledger.db) == before


def test_accent_and_case_insensitive_names(ledger: Cli) -> None:
    ledger.ok("record", "sian", "#2", "45m")
    ledger.ok("record", "LOWRI", "siân", "1h")
    assert balances(ledger) == {0: 0, 1: -15, 2: -45, 3: 60}


def test_hours_forms(ledger: Cli) -> None:
    ledger.ok("settings", "set", "credit_limit", "")
    for text, minutes in [("1.5", 90), ("1,5", 90), ("2", 120), ("1:30", 90), ("90m", 90), ("1h30m", 90),
                          ("1h", 60), ("45m", 45)]:
        ledger.ok("record", "Siân", "Lowri", text, "--again")
        rows = ledger.json("exchange", "list")
        assert rows[-1]["minutes"] == minutes, text


def test_group_form(ledger: Cli) -> None:
    ledger.ok("member", "add", "Rhys", "--joined", "2026-01-05")
    ledger.ok("record", "--giver", "Siân", "--receiver", "Llinos", "--receiver", "Lowri", "--receiver", "Rhys",
              "--hours", "1")
    assert balances(ledger) == {0: 0, 1: 180, 2: -60, 3: -60, 4: -60}
    ledger.ok("record", "--giver", "Llinos", "--giver", "Lowri", "--receiver", "Siân", "--hours", "30m")
    assert balances(ledger) == {0: 0, 1: 120, 2: -30, 3: -30, 4: -60}
    rows = ledger.json("exchange", "list")
    assert rows[0]["givers"] == [1] and rows[0]["receivers"] == [2, 3, 4] and rows[0]["minutes"] == 60
    assert rows[1]["givers"] == [2, 3] and rows[1]["receivers"] == [1] and rows[1]["minutes"] == 30


def test_void_reads_as_if_never_happened(ledger: Cli) -> None:
    ledger.ok("record", "Siân", "Llinos", "2", "--date", "2026-03-10")
    ledger.ok("record", "Llinos", "Lowri", "1", "--date", "2026-03-12")
    before_void = {d: balances(ledger, "--as-of", d) for d in ("2026-03-09", "2026-03-10", "2026-03-11", "2026-04-01")}
    ledger.ok("record", "Lowri", "Siân", "3", "--date", "2026-03-10")
    assert balances(ledger, "--as-of", "2026-03-10") != before_void["2026-03-10"]
    result = ledger.ok("exchange", "void", "3", "--reason", "Cofnodwyd ddwywaith")
    assert "4" in result.out
    for day, expected in before_void.items():
        assert balances(ledger, "--as-of", day) == expected
    assert balances(ledger) == before_void["2026-04-01"]
    shown = ledger.json("exchange", "list")
    assert [r["number"] for r in shown] == [1, 2]
    with_void = ledger.json("exchange", "list", "--include-void")
    assert {r["number"]: (r["void"], r["reverses"]) for r in with_void} == {
        1: (False, None), 2: (False, None), 3: (True, None), 4: (True, 3)}
    assert next(r for r in with_void if r["number"] == 4)["date"] == "2026-03-10"
    audit = ledger.json("audit")
    assert any(e["action"] == "exchange.void" and e["exchange"] == 3 and e["details"]["reversal"] == 4
               for e in audit)
    assert any(e["action"] == "exchange.record" and e["exchange"] == 3 for e in audit)
    before = dump(ledger.db)
    again = ledger("exchange", "void", "3", "--reason", "again")
    assert again.code == 1 and "already" in again.err
    reversal = ledger("exchange", "void", "4", "--reason", "again")
    assert reversal.code == 1 and "reversal" in reversal.err
    cy = ledger("exchange", "void", "3", "--reason", "eto", lang="cy")
    assert cy.code == 1 and "already" not in cy.err
    assert dump(ledger.db) == before
    ledger.ok("check")


def test_statement_in_members_language(ledger: Cli) -> None:
    ledger.ok("record", "Siân", "Llinos", "2", "--date", "2026-03-10")
    out = ledger.ok("statement", "Siân", "--from", "2026-03-01").out  # Siân's language is cy
    assert "1 Mawrth 2026" in out and "Balans agoriadol" in out and "10/03/26" in out
    out_en = ledger.ok("statement", "Siân", "--from", "2026-03-01", lang="en").out
    assert "1 March 2026" in out_en and "Opening balance" in out_en
    data = ledger.json("statement", "Llinos", "--month", "2026-03")
    assert data["opening_minutes"] == 0 and data["closing_minutes"] == -120
    assert data["lines"][0]["minutes"] == -120


def test_member_lifecycle(ledger: Cli) -> None:
    ledger.ok("member", "edit", "Lowri", "--area", "CF32", "--email", "lowri@example.org")
    shown = ledger.json("member", "show", "Lowri")
    assert shown["area"] == "CF32" and shown["email"] == "lowri@example.org"
    ledger.ok("member", "leave", "Lowri", "--date", "2026-06-01")
    assert [m["name"] for m in ledger.json("member", "list")] == ["Llinos", "Siân"]
    assert [m["name"] for m in ledger.json("member", "list", "--left")] == ["Lowri ap Rhys"]
    assert len(ledger.json("member", "list", "--all")) == 3
    ledger.ok("member", "rejoin", "Lowri")
    assert len(ledger.json("member", "list")) == 3


def test_settings_and_categories(ledger: Cli) -> None:
    ledger.ok("settings", "set", "credit_limit", "5")
    assert ledger.json("settings", "show")["credit_limit"] == "5.00"
    ledger.ok("category", "add", "music", "--en", "Music", "--cy", "Cerddoriaeth")
    codes = [c["code"] for c in ledger.json("category", "list")]
    assert "music" in codes and "gardening" in codes
    ledger.ok("record", "Siân", "Llinos", "1", "--category", "music")
    assert ledger.json("exchange", "list")[0]["category"] == "music"


def test_credit_limit_and_overdraft(ledger: Cli) -> None:
    ledger.ok("settings", "set", "credit_limit", "2")
    ledger.ok("record", "Siân", "Llinos", "2")
    before = dump(ledger.db)
    refused = ledger("record", "Siân", "Llinos", "30m")
    assert refused.code == 1 and "credit limit" in refused.err
    assert dump(ledger.db) == before
    ledger.ok("record", "Siân", "Llinos", "30m", "--allow-overdraft")
    assert any(e["action"] == "exchange.overdraft" for e in ledger.json("audit"))
    ledger.ok("settings", "set", "credit_limit", "")
    ledger.ok("record", "Siân", "Llinos", "20")


def test_welsh_session(ledger: Cli) -> None:
    for name in ["Lloyd", "Luned", "Rhian", "Rhodri", "Robert", "Thomas", "Tomos"]:
        ledger.ok("member", "add", name)
    names = [m["name"] for m in ledger.json("member", "list", lang="cy")]
    assert names.index("Llinos") > names.index("Lowri ap Rhys")
    assert names == ["Lowri ap Rhys", "Luned", "Llinos", "Lloyd", "Robert", "Rhian", "Rhodri", "Siân", "Tomos",
                     "Thomas"]
    english = [m["name"] for m in ledger.json("member", "list", lang="en")]
    assert english == ["Llinos", "Lloyd", "Lowri ap Rhys", "Luned", "Rhian", "Rhodri", "Robert", "Siân",
                       "Thomas", "Tomos"]
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-11-02")
    table = ledger.ok("exchange", "list", lang="cy").out
    assert "Rhoddwr" in table and "02/11/26" in table
    assert "Tachwedd 2026" in ledger.ok("balance", "--as-of", "2026-11-02", lang="cy").out


def test_sort_as_is_honoured(ledger: Cli) -> None:
    ledger.ok("member", "add", "Llan-gollen Group", "--sort-as", "Lan gollen")
    names = [m["name"] for m in ledger.json("member", "list", lang="cy")]
    assert names.index("Llan-gollen Group") < names.index("Llinos")


def test_today_and_yesterday_words(ledger: Cli) -> None:
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "ddoe")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "heddiw")
    days = [r["date"] for r in ledger.json("exchange", "list")]
    assert days == [(date.today() - timedelta(days=1)).isoformat(), date.today().isoformat()]
