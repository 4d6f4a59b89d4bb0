"""A network's centres (issue 28): `centre add`, a member's home centre, the centre an
exchange was recorded at, and `--centre CODE` on every report and export -- the figures of
that centre's members, an exchange across two centres counted once in the network and once
on each side. A centre is part of the record: `check` finds one changed behind timebank's
back, and a ledger with no centre keeps every link and digest it had."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from conftest import Cli, execute_sql, query
from refusal import refused

# Two centres and a member at none: Blaengarw (1 Siân, 2 Dai, 5 Neb), Pontycymer (3 Llinos,
# 4 the café, an organisation), 6 Gwen at no centre.
MEMBERS = [("Siân Jones", "BLA", "person"), ("Dai Evans", "BLA", "person"), ("Llinos Hughes", "PON", "person"),
           ("Caffi Cymunedol", "PON", "organisation"), ("Neb Arall", "BLA", "person"), ("Gwen Parry", None, "person")]
# giver, receiver, hours, date
EXCHANGES = [(1, 2, "2", "2026-02-03"), (1, 3, "1.5", "2026-02-05"), (3, 4, "3", "2026-02-07"),
             (4, 2, "1", "2026-03-02"), (2, 1, "0.5", "2026-03-05"), (6, 3, "1", "2026-03-09"),
             (0, 5, "2", "2026-03-10"), (2, 3, "4", "2026-03-12")]
VOIDED = 8  # the last one, voided: it counts nowhere
CENTRE_OF = {number: centre for number, (_name, centre, _kind) in enumerate(MEMBERS, 1)}
KIND_OF = {number: kind for number, (_name, _centre, kind) in enumerate(MEMBERS, 1)}


@pytest.fixture
def network(cli: Cli) -> Cli:
    cli.ok("init", "--name", "Rhwydwaith Cwm Garw")
    cli.ok("centre", "add", "Canolfan Blaengarw", "--code", "bla")
    cli.ok("canolfan", "ychwanegu", "Canolfan Pontycymer", "--code", "PON", lang="cy")
    for name, centre, kind in MEMBERS:
        cli.ok("member", "add", name, "--kind", kind, "--joined", "2026-01-05",
               *(["--centre", centre] if centre else []))
    for giver, receiver, hours, day in EXCHANGES:
        cli.ok("record", str(giver), str(receiver), hours, "--date", day, "--allow-overdraft")
    cli.ok("exchange", "void", str(VOIDED), "--reason", "typed twice")
    return cli


def test_centres_are_added_and_listed(network: Cli) -> None:
    listed = network.json("centre", "list")
    assert listed == [{"code": "BLA", "name": "Canolfan Blaengarw", "members": 3},
                      {"code": "PON", "name": "Canolfan Pontycymer", "members": 2}]
    table = network.ok("canolfan", "rhestr", lang="cy").out
    assert "Canolfannau" in table and "Canolfan Pontycymer" in table
    shown = network.json("member", "show", "1")
    assert shown["centre"] == "BLA"
    assert "centre" not in network.json("member", "show", "6")  # at no centre: nothing said
    assert "Home centre: BLA" in network.ok("member", "show", "1").out
    network.ok("member", "edit", "5", "--centre", "pon")
    assert network.json("member", "show", "5")["centre"] == "PON"
    assert "Changed home centre" in network.ok("member", "edit", "5", "--centre", "BLA").out


def test_centre_refusals_change_nothing(network: Cli) -> None:
    said = refused(network, "centre", "add", "Somewhere else", "--code", "BLA")
    assert "BLA" in said["en"].err and "Canolfan Blaengarw" in said["en"].err
    said = refused(network, "centre", "add", "CANOLFAN BLAENGARW", "--code", "BL2")
    assert "already a centre called" in said["en"].err and "eisoes" in said["cy"].err
    for code in ("B", "TOOLONGCODE", "BL-A", "BLÂ", ""):
        said = refused(network, "centre", "add", "Canolfan Newydd", "--code", code)
    assert "2 to 8 letters or digits" in said["en"].err
    refused(network, "centre", "add", "   ", "--code", "NEW")
    said = refused(network, "member", "add", "Someone", "--centre", "XYZ")
    assert "BLA, PON" in said["en"].err and "Y canolfannau yw: BLA, PON" in said["cy"].err
    refused(network, "member", "edit", "1", "--centre", "XYZ")
    refused(network, "record", "1", "2", "1", "--centre", "XYZ")
    refused(network, "statement", "1", "--centre", "BLA", code=2)  # --centre is for --all: a usage slip


def test_a_ledger_without_centres_says_how_to_add_one(ledger: Cli) -> None:
    said = refused(ledger, "report", "monthly", "--month", "2026-02", "--centre", "BLA")
    assert "no centres" in said["en"].err and "timebank centre add" in said["en"].err
    assert "No centres yet" in ledger.ok("centre", "list").out


def test_an_exchange_remembers_where_it_was_recorded(network: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    network.ok("record", "1", "2", "1", "--date", "2026-03-20", "--centre", "pon")
    monkeypatch.setenv("TIMEBANK_CENTRE", "PON")
    network.ok("record", "2", "1", "1", "--date", "2026-03-21")
    network.ok("record", "1", "5", "1", "--date", "2026-03-22", "--centre", "BLA")  # the option wins
    monkeypatch.setenv("TIMEBANK_CENTRE", "NOWHERE")
    said = refused(network, "record", "2", "1", "2", "--date", "2026-03-24")
    assert "NOWHERE" in said["en"].err
    monkeypatch.delenv("TIMEBANK_CENTRE")
    rows = dict(query(network.db, "SELECT number, centre FROM exchanges WHERE number > 9"))
    assert rows == {10: "PON", 11: "PON", 12: "BLA"}
    # Recorded without a centre (neither --centre nor TIMEBANK_CENTRE): at none.
    assert query(network.db, "SELECT centre FROM exchanges WHERE number = 1") == [(None,)]
    # A void carries its original's centre.
    network.ok("exchange", "void", "10", "--reason", "wrong day")
    assert query(network.db, "SELECT centre FROM exchanges WHERE reverses = 10") == [("PON",)]
    assert "passed every check" in network.ok("check").out


def test_null_centre_keeps_every_link_and_digest() -> None:
    from timebank.ledger.integrity import canonical, records

    args = (7, 3, "2026-02-02", "other", 90, None, "2026-11-24T10:00:00", [(1, "giver", "2026-02-02", 90),
                                                                            (2, "receiver", "2026-02-02", -90)],
            bytes(32))
    plain = canonical.exchange_content(*args)
    assert canonical.exchange_content(*args, centre=None) == plain
    assert len(json.loads(plain)) == 11
    at = json.loads(canonical.exchange_content(*args, centre="BLA"))
    assert at[-2:] == ["help", "BLA"] and len(at) == 13
    opening = json.loads(canonical.exchange_content(*args, purpose="opening"))
    assert opening[-1] == "opening" and len(opening) == 12
    import hashlib

    row = (4, "person", "en", "2026-01-05", None, None, "2026-01-05 10:00:00", 0)
    salt = b"\x01" * 16
    personal = ("Siân", None, None, None, None, None)
    # The digest of a member as migration 0009 wrote it, with no centre column (canonical's
    # "Records"): a member at no centre keeps it, so no member was linked again.
    committed = hashlib.sha256(salt + '["Siân",null,null,null,null,null]'.encode()).hexdigest()
    old = hashlib.sha256(('["members","4","person","en","2026-01-05",null,null,"2026-01-05T10:00:00",false,"'
                          + committed + '"]').encode()).digest()
    assert records.row_digest("members", (*row, None, *personal, salt)) == old
    assert records.row_digest("members", (*row, "BLA", *personal, salt)) != old


def test_check_finds_a_changed_centre(network: Cli) -> None:
    network.ok("record", "1", "2", "1", "--date", "2026-03-20", "--centre", "BLA")
    assert "passed every check" in network.ok("check").out
    for tamper, undo, named in (
            ("UPDATE exchanges SET centre = 'PON' WHERE number = 10",
             "UPDATE exchanges SET centre = 'BLA' WHERE number = 10",
             "Exchange 10 has changed since it was recorded"),
            ("UPDATE exchanges SET centre = NULL WHERE number = 10",
             "UPDATE exchanges SET centre = 'BLA' WHERE number = 10",
             "Exchange 10 has changed since it was recorded"),
            ("UPDATE exchanges SET centre = 'BLA' WHERE number = 1",
             "UPDATE exchanges SET centre = NULL WHERE number = 1",
             "Exchange 1 has changed since it was recorded"),
            ("UPDATE members SET centre = 'PON' WHERE number = 1", "UPDATE members SET centre = 'BLA' WHERE number = 1",
             "Member 1 has changed"),
            ("UPDATE members SET centre = NULL WHERE number = 3", "UPDATE members SET centre = 'PON' WHERE number = 3",
             "Member 3 has changed"),
            ("UPDATE centres SET name = 'Canolfan Arall' WHERE code = 'BLA'",
             "UPDATE centres SET name = 'Canolfan Blaengarw' WHERE code = 'BLA'", "Centre 'BLA' has changed")):
        execute_sql(network.db, tamper)
        result = network("check")
        assert result.code != 0, tamper
        assert named in result.out + result.err, (tamper, result)
        execute_sql(network.db, undo)
        assert "passed every check" in network.ok("check").out, undo
    assert "passed every check" in network.ok("check").out


def _expected(centre: str | None) -> dict[str, int]:
    """The figures of February and March 2026, by definition, from the list of exchanges."""
    counted = [(g, r, round(float(h) * 60)) for n, (g, r, h, _d) in enumerate(EXCHANGES, 1) if n != VOIDED]

    def ours(number: int) -> bool:
        return centre is None or CENTRE_OF.get(number) == centre

    mine = [(g, r, m) for g, r, m in counted if ours(g) or ours(r)]
    members = [n for n in CENTRE_OF if ours(n)]
    trading = {n for g, r, _m in mine for n in (g, r) if n in members}
    with_organisations = sum(m for g, r, m in mine if KIND_OF.get(g, "pot") != "person"
                             or KIND_OF.get(r, "pot") != "person")
    return {"exchanges": len(mine), "minutes": sum(m for _g, _r, m in mine), "members_trading": len(trading),
            "members_registered": len(members), "with_organisations": with_organisations,
            "cross": sum(1 for g, r, _m in counted if g and r and CENTRE_OF[g] and CENTRE_OF[r]
                         and CENTRE_OF[g] != CENTRE_OF[r])}


def _figures(cli: Cli, *centre: str) -> dict[str, int]:
    total = cli.json("report", "period", "--from", "2026-02-01", "--to", "2026-03-31", *centre)["total"]
    return {"exchanges": total["exchanges"], "minutes": total["minutes_exchanged"],
            "members_trading": total["members_trading"], "members_registered": total["members_registered"],
            "with_organisations": total["minutes_with_organisations"]}


def test_a_centres_figures_are_right_by_definition(network: Cli) -> None:
    network_figures = _figures(network)
    expected = _expected(None)
    assert network_figures == {k: v for k, v in expected.items() if k != "cross"}
    per_centre = {}
    for code in ("BLA", "PON"):
        per_centre[code] = _figures(network, "--centre", code)
        assert per_centre[code] == {k: v for k, v in _expected(code).items() if k != "cross"}, code
    # Across two centres: once on each side, once in the network. Gwen (at no centre) with
    # Llinos counts for Pontycymer; the pot with Neb for Blaengarw.
    cross = expected["cross"]
    assert cross == 2
    assert network_figures["exchanges"] == per_centre["BLA"]["exchanges"] + per_centre["PON"]["exchanges"] - cross
    # The monthly report counts the same way, and only the centre's members are active there.
    march = network.json("report", "monthly", "--month", "2026-03", "--centre", "BLA")
    assert march["centre"] == "BLA"
    assert march["exchanges"] == 3 and march["minutes_exchanged"] == 60 + 30 + 120
    assert march["members_active"] == 3  # Dai, Siân, Neb: not the café on the other side
    assert {line["number"] for line in march["members"]} <= {0, 1, 2, 5}
    assert "centre" not in network.json("report", "monthly", "--month", "2026-03")


def test_every_report_and_export_takes_a_centre(network: Cli, tmp_path: Path) -> None:
    period = ["--from", "2026-02-01", "--to", "2026-03-31"]
    seal = network.json("report", "period", *period)["seal"]
    commands = [
        ["report", "monthly", "--month", "2026-03"], ["report", "monthly", "--month", "2026-03", "--format", "csv"],
        ["report", "period", *period], ["report", "period", *period, "--format", "json"],
        ["report", "period", *period, "--output", str(tmp_path / "p.pdf"), "--force"],
        ["report", "period", *period, "--changes-since", seal],
        ["report", "period", *period, "--seal", seal],
        ["balance"], ["balance", "--as-of", "2026-02-28"],
        ["statement", "--all", "--output", str(tmp_path / "s.pdf"), "--force"],
        ["export", "exchanges"], ["export", "exchanges", "--with-names", "--include-void"], ["export", "members"],
        ["export", "summary", *period], ["export", "summary", *period, "--seal", seal], ["export", "areas"],
        ["export", "workbook", *period, "--output", str(tmp_path / "w.xlsx"), "--force"],
        ["journal"], ["journal", "--format", "beancount"],
    ]
    for args in commands:
        whole = network.ok(*args)
        for lang in ("en", "cy"):
            one = network.ok(*args, "--centre", "PON", lang=lang)
            assert one.out != whole.out or "--output" in args, args
        refused(network, *args, "--centre", "XYZ")
    # The files for a centre hold its members and its exchanges only.
    members = network.ok("export", "members", "--centre", "PON").out.splitlines()[1:]
    assert sorted(line.split(",")[0] for line in members) == ["3", "4"]
    pairs = network.ok("export", "exchanges", "--centre", "PON").out.splitlines()[1:]
    assert sorted(int(line.split(",")[0]) for line in pairs) == [2, 3, 4, 6]
    # A journal for a centre opens an account for the other side of each exchange, so that
    # it balances: Siân (Blaengarw) gave Llinos (Pontycymer) help.
    beancount = network.ok("journal", "--format", "beancount", "--centre", "PON").out
    assert "open Assets:Members:M00001 HRS" in beancount
    balances = network.json("balance", "--centre", "BLA")
    assert {row["number"] for row in balances} == {0, 1, 2, 5}
    # A centre's summary says whose figures it holds on every row; the network's keeps its columns.
    summary = network.ok("export", "summary", *period, "--centre", "pon").out.splitlines()
    assert summary[0].endswith(",centre") and all(row.endswith(",PON") for row in summary[1:])
    assert network.ok("export", "summary", *period, "--centre", "PON", lang="cy").out.splitlines()[0].endswith(",canolfan")
    assert "centre" not in network.ok("export", "summary", *period).out.splitlines()[0]


def test_the_definitions_say_what_a_centre_counts(network: Cli, tmp_path: Path) -> None:
    period = ["--from", "2026-02-01", "--to", "2026-03-31"]
    english = network.ok("report", "period", *period, "--centre", "BLA").out
    assert "Centre: Canolfan Blaengarw (BLA)" in english
    assert "counts once in each centre's figures and once in the network's" in " ".join(english.split())
    welsh = network.ok("report", "period", *period, "--centre", "BLA", lang="cy").out
    assert "Canolfan: Canolfan Blaengarw (BLA)" in welsh
    assert "unwaith yn ffigurau'r rhwydwaith" in " ".join(welsh.split())
    workbook = tmp_path / "w.xlsx"
    network.ok("export", "workbook", *period, "--centre", "BLA", "--output", str(workbook), lang="cy")
    from openpyxl import load_workbook

    about = load_workbook(workbook).worksheets[0]
    cells = [str(cell.value) for row in about.iter_rows() for cell in row if cell.value is not None]
    assert any("Canolfan Blaengarw (BLA)" in cell for cell in cells)
    assert any("unwaith yn ffigurau'r rhwydwaith" in cell for cell in cells)
    # Reproduced as made: the command the page prints names the centre.
    seal = network.json("report", "period", *period)["seal"]
    pdf = tmp_path / "p.pdf"
    network.ok("report", "period", *period, "--centre", "BLA", "--seal", seal, "--output", str(pdf))
    if shutil.which("pdftotext") is not None:  # poppler-utils, as the funder pack's tests
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "--centre BLA" in text and "Centre: Canolfan Blaengarw (BLA)" in " ".join(text.split())


def test_at_a_seal_a_centre_counts_its_members_then(network: Cli) -> None:
    period = ["--from", "2026-02-01", "--to", "2026-03-31"]
    made = network.json("report", "period", *period, "--centre", "PON")
    seal = made["seal"]
    network.ok("member", "edit", "4", "--centre", "BLA")  # the café moves to Blaengarw
    now = network.json("report", "period", *period, "--centre", "PON")
    assert now["total"]["members_registered"] == made["total"]["members_registered"] - 1
    again = network.json("report", "period", *period, "--centre", "PON", "--seal", seal, "--made", made["made"])
    assert again["total"] == made["total"]


def test_a_restatement_names_the_members_who_moved_centre(network: Cli) -> None:
    period = ["--from", "2026-02-01", "--to", "2026-03-31"]
    seal = network.json("report", "period", *period, "--centre", "PON")["seal"]
    network.ok("member", "edit", "4", "--centre", "BLA")  # the café moves to Blaengarw
    since = ["report", "period", *period, "--changes-since", seal]
    for centre in ("PON", "BLA"):  # out of one, into the other
        changes = network.json(*since, "--centre", centre)
        assert changes["periods"] and all(p["moved"] == [4] for p in changes["periods"])
        assert all(p["members"] == [] and p["exchanges"] == [] for p in changes["periods"])
    assert "Members who moved into or out of this centre since: #4" in network.ok(*since, "--centre", "PON").out
    welsh = network.ok(*since, "--centre", "PON", lang="cy").out
    assert "Aelodau a symudodd i'r ganolfan hon neu ohoni ers hynny: #4" in welsh
    rows = network.ok(*since, "--centre", "BLA", "--format", "csv").out.splitlines()
    assert rows[0].endswith(",settings,moved") and all(row.endswith(",4") for row in rows[1:])
    # The network's figures did not move, and its restatement keeps its columns.
    assert network.json(*since)["periods"] == []
    assert network.ok(*since, "--format", "csv").out.splitlines()[0].endswith(",settings")


def test_a_centres_period_counts_its_whole_history(cli: Cli) -> None:
    """`report period --centre` reads only the days the period needs of the centre's
    exchanges (issue 28: a year of one centre of a national ledger), yet counts what its whole
    history says: a first exchange long before the period (across two centres), an opening
    balance before it (in no activity figure: a member's first exchange is still their first
    help), a first exchange after it (how soon new members traded, up to the day the report
    is made), and the centre's last link after it (the seal printed with the figures)."""
    from timebank.ledger import queries
    from timebank.ledger.records.exchanges import NewExchange, write_exchanges
    from timebank.ledger.records.settings import load
    from timebank.ledger.reports.period_figures import period_report
    from timebank.ledger.storage.db import writing
    from timebank.ledger.storage.models import OPENING

    cli.ok("init", "--name", "Rhwydwaith Cwm Garw")
    cli.ok("centre", "add", "Canolfan Blaengarw", "--code", "BLA")
    cli.ok("centre", "add", "Canolfan Pontycymer", "--code", "PON")
    # 1 Siân (BLA), 2 Dai (BLA), 3 Llinos (PON), 4 Mair (BLA: joins in the period)
    for name, centre, joined in (("Siân Jones", "BLA", "2025-01-06"), ("Dai Evans", "BLA", "2025-01-06"),
                                 ("Llinos Hughes", "PON", "2025-01-06"), ("Mair Morgan", "BLA", "2026-02-10")):
        cli.ok("member", "add", name, "--joined", joined, "--centre", centre)
    cli.ok("record", "1", "3", "1", "--date", "2025-06-10", "--allow-overdraft")  # Siân's and Llinos's first
    ledger = queries.open_ledger(str(cli.db))
    try:
        with writing(ledger) as session:  # Dai's opening balance, moved in: not his first exchange
            write_exchanges(session, "tester", [NewExchange(date(2025, 7, 1), "other", 90, "moved in", (2,), (0,),
                                                            purpose=OPENING)])
        for giver, receiver, hours, day in ((2, 1, "2", "2026-02-03"), (3, 2, "1.5", "2026-03-02"),  # across two
                                            (2, 1, "1", "2026-03-20"), (4, 2, "1", "2026-05-04")):
            cli.ok("record", str(giver), str(receiver), hours, "--date", day, "--allow-overdraft")
        cli.ok("exchange", "void", "5", "--reason", "typed twice")  # 2026-03-20: counts nowhere
        # The chain's last link, after the period: the seal of Pontycymer's figures and ours.
        cli.ok("record", "1", "3", "0.25", "--date", "2026-06-10", "--allow-overdraft")
        span = ("--from", "2026-02-01", "--to", "2026-03-31")
        figures = cli.json("report", "period", *span, "--centre", "BLA")
        total = figures["total"]
        # By definition: Siân's first help was in June 2025 (3 months or more before the end of
        # March), Dai's in February (his opening balance is no help), Mair's 83 days after she
        # joined; the exchanges of February and March with a member of Blaengarw, but the void.
        assert (total["cohort_3m"], total["retained_3m"], total["cohort_6m"], total["cohort_12m"]) == (1, 1, 1, 0)
        assert total["days_to_first_exchange_median"] == (date(2026, 5, 4) - date(2026, 2, 10)).days
        assert (total["exchanges"], total["minutes_exchanged"], total["members_trading"]) == (2, 120 + 90, 2)
        assert (total["members_giving"], total["members_receiving"], total["members_both"]) == (1, 2, 1)
        assert not total["partial"]
        assert figures["seal"] == cli.json("report", "period", *span)["seal"] == cli.json(
            "report", "period", *span, "--centre", "PON")["seal"]
        # ... and every figure as the centre's whole history, copied whole, gives them.
        from timebank.ledger.reports.centre_view import centre_view

        with queries._snapshot(ledger) as session, centre_view(session, "BLA"):
            whole = period_report(session, load(session), date(2026, 2, 1), date(2026, 3, 31))
        windowed = queries.period_report(ledger, date(2026, 2, 1), date(2026, 3, 31), centre="BLA")
        assert windowed == dataclasses.replace(whole, centre=windowed.centre)
        assert windowed.total.cohorts == {3: 1, 6: 1, 12: 0}
    finally:
        ledger.dispose()


def test_imports_take_a_centre(network: Cli, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("name,joined\nOwain Glyn,2026-01-05\nMair Rhys,2026-01-05\n", encoding="utf-8")
    single = tmp_path / "single.csv"
    single.write_text("date,giver,receiver,hours\n2026-04-01,Owain,Mair,1.5\n", encoding="utf-8")
    grouped = tmp_path / "grouped.csv"
    grouped.write_text("exchange,date,giver,receiver,hours\nA,2026-04-02,Mair,Owain,1\nA,2026-04-02,Mair,Siân,1\n",
                       encoding="utf-8")
    for path in (people, single):  # an unknown code: refused before any row, in both languages
        said = refused(network, "import", "members" if path == people else "exchanges", str(path), "--centre", "XYZ")
        assert "BLA, PON" in said["en"].err
    said = refused(network, "import", "timeoverflow", str(single), "--centre", "PON", code=2)
    assert "--centre" in said["en"].err
    network.ok("import", "members", str(people), "--centre", "pon")
    network.ok("import", "exchanges", str(single), "--centre", "PON")
    network.ok("import", "exchanges", str(grouped), "--centre", "BLA", lang="cy")
    homes = dict(query(network.db, "SELECT name, centre FROM members WHERE name IN ('Owain Glyn', 'Mair Rhys')"))
    assert homes == {"Owain Glyn": "PON", "Mair Rhys": "PON"}
    at = query(network.db, "SELECT centre FROM exchanges ORDER BY number DESC LIMIT 2")
    assert at == [("BLA",), ("PON",)]
    actions = [event for event in network.json("audit") if event["action"].startswith("import.")]
    assert all('"centre"' in json.dumps(event) for event in actions[-3:])
    assert network.ok("check").code == 0
    # Without --centre, as before: no centre.
    again = tmp_path / "again.csv"
    again.write_text("date,giver,receiver,hours\n2026-04-03,Owain,Mair,1\n", encoding="utf-8")
    network.ok("import", "exchanges", str(again))
    assert query(network.db, "SELECT centre FROM exchanges ORDER BY number DESC LIMIT 1") == [(None,)]
