"""Outcome measures and scores (issue 30 items 3 and 4): `outcome measure add|list`,
`outcome record`, `report outcomes`; scores as health data (erased with the member, in their
own copy, never in the audit, never with names).

The hand-worked fixture (`scored`): a measure "Lles" scored 7 to 35, a change of 3 meaningful.
Ten members (4 to 13) have a first and a last score in 2026; their changes (last - first) are

    -2, 0, 1, 3, 3, 4, 5, 6, 8, 12          n = 10, sum 40, mean 4.00

    deviations from 4: -6 -4 -3 -1 -1 0 1 2 4 8; squares 36 16 9 1 1 0 1 4 16 64 = 148
    s = √(148 / 9) = √16.444 = 4.0552;  s/√n = 4.0552 / 3.1623 = 1.2824
    t(0.975, 9) = 2.262 (a printed t-table);  2.262 × 1.2824 = 2.9007
    CI 4.00 ± 2.90: 1.10 to 6.90;  improved meaningfully (change ≥ 3): 3 3 4 5 6 8 12 = 7

Members 4, 5 and 6 (changes -2, 0, 1) were helped to answer once each: the assisted pairs are
three, below the default minimum of ten (withheld). With `outcome_min_pairs` 3:

    mean -1/3 = -0.33; deviations -5/3 1/3 4/3, squares 25/9 1/9 16/9 = 42/9; s² = 42/18 = 2.3333
    s = 1.5275; s/√3 = 0.8819; t(0.975, 2) = 4.303; 4.303 × 0.8819 = 3.7948
    CI -0.33 ± 3.79: -4.13 to 3.46 (from the unrounded mean: -4.1281, 3.4614); improved: 0

Erasing member 13 (change 12) leaves nine pairs: withheld again at the default minimum.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import pytest

from conftest import Cli, query
from refusal import refused
from timebank.ledger.reports.outcomes import t_quantile

TODAY = "2026-12-07"
ROOT = Path(__file__).resolve().parent.parent
KEYS = ["measure", "pairs", "mean_change", "ci95_low", "ci95_high", "improved_meaningfully", "withheld", "assisted"]
FIGURES = ["pairs", "mean_change", "ci95_low", "ci95_high", "improved_meaningfully", "withheld"]

# (first, middle or None, last, assisted) for members 4 to 13: the changes of the docstring.
SCORES = [(20, None, 18, True), (20, 25, 20, True), (14, None, 15, True), (14, None, 17, False),
          (22, 10, 25, False), (7, None, 11, False), (30, None, 35, False), (10, 12, 16, False),
          (15, None, 23, False), (16, None, 28, False)]


@pytest.mark.parametrize("df, printed", [(1, 12.706), (2, 4.303), (5, 2.571), (9, 2.262), (10, 2.228),
                                         (29, 2.045), (120, 1.980)])
def test_t_quantile_matches_a_printed_t_table(df: int, printed: float) -> None:
    assert round(t_quantile(0.975, df), 3) == printed


@pytest.fixture
def bank(ledger: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)
    ledger.ok("outcome", "measure", "add", "Lles", "--min", "7", "--max", "35", "--meaningful-change", "3")
    return ledger


@pytest.fixture
def scored(bank: Cli) -> Cli:
    for number, (first, middle, last, assisted) in enumerate(SCORES, 4):
        bank.ok("member", "add", f"Aelod {number}", "--joined", "2026-01-05")
        bank.ok("outcome", "record", str(number), "lles", str(first), "--date", "2026-02-01",
                *(["--assisted"] if assisted else []))
        if middle is not None:
            bank.ok("outcome", "record", str(number), "Lles", str(middle), "--date", "2026-05-01")
        bank.ok("outcome", "record", str(number), "LLES", str(last), "--date", "2026-10-01")
    # Outside the span, and a member with two scores on one day only: neither counts.
    bank.ok("outcome", "record", "4", "Lles", "35", "--date", "2026-01-10")
    bank.ok("outcome", "record", "1", "Lles", "8", "--date", "2026-03-01")
    bank.ok("outcome", "record", "1", "Lles", "30", "--date", "2026-03-01")
    return bank


def _report(cli: Cli, *extra: str, lang: str | None = None) -> dict:
    return cli.json("report", "outcomes", "--from", "2026-02-01", "--to", "2026-12-01", *extra, lang=lang)


def test_paired_change_with_its_confidence_interval_by_hand(scored: Cli) -> None:
    report = _report(scored)
    assert report["outcome_min_pairs"] == 10 and report["from"] == "2026-02-01"
    [lles] = report["measures"]
    assert list(lles) == KEYS
    assert lles == {"measure": "Lles", "pairs": 10, "mean_change": "4.00", "ci95_low": "1.10", "ci95_high": "6.90",
                    "improved_meaningfully": 7, "withheld": None,
                    "assisted": {"pairs": 3, "mean_change": None, "ci95_low": None, "ci95_high": None,
                                 "improved_meaningfully": None, "withheld": "fewer_pairs_than_minimum"}}
    # The setting lowers the minimum: the assisted pairs' figures are given.
    scored.ok("settings", "set", "isafswm_parau", "3", lang="cy")
    assisted = _report(scored)["measures"][0]["assisted"]
    assert assisted == {"pairs": 3, "mean_change": "-0.33", "ci95_low": "-4.13", "ci95_high": "3.46",
                        "improved_meaningfully": 0, "withheld": None}
    # And raises it: everything withheld, the pairs still counted.
    scored.ok("settings", "set", "outcome_min_pairs", "11")
    lles = _report(scored)["measures"][0]
    assert lles["pairs"] == 10 and lles["mean_change"] is None and lles["withheld"] == "fewer_pairs_than_minimum"


def test_csv_and_table_in_both_languages(scored: Cli) -> None:
    english = scored.ok("report", "outcomes", "--from", "2026-02-01", "--to", "2026-12-01", "--format", "csv").out
    [row] = list(csv.DictReader(io.StringIO(english)))
    assert (row["measure"], row["pairs"], row["mean_change"], row["ci95_low"], row["ci95_high"],
            row["improved_meaningfully"], row["withheld"]) == ("Lles", "10", "4.00", "1.10", "6.90", "7", "")
    assert (row["assisted_pairs"], row["assisted_mean_change"], row["assisted_withheld"]) == (
        "3", "", "fewer_pairs_than_minimum")
    welsh = scored.ok("adroddiad", "canlyniadau", "--from", "2026-02-01", "--to", "2026-12-01", "--format", "csv",
                      lang="cy").out
    assert welsh.splitlines()[0].startswith("mesur,parau,newid_cymedrig,cyfwng95_isaf,cyfwng95_uchaf")
    table = scored.ok("report", "outcomes", "--from", "2026-02-01", "--to", "2026-12-01").out
    assert "4.00" in table and "6.90" in table and "fewer pairs than the setting outcome_min_pairs (10)" in table
    table = scored.ok("report", "outcomes", "--from", "2026-02-01", "--to", "2026-12-01", lang="cy").out
    assert "llai o barau na'r gosodiad isafswm_parau (10)" in table and "gyda chymorth" in table


def test_erasing_a_member_deletes_their_scores_and_the_figures_change(scored: Cli) -> None:
    preview = scored("member", "forget", "13").out  # the preview (exit 1 without --yes)
    assert "outcome score" in preview
    scored.ok("member", "forget", "13", "--yes")
    assert query(scored.db, "SELECT count(*) FROM outcome_scores WHERE member = 13") == [(0,)]
    scored.ok("check")
    lles = _report(scored)["measures"][0]
    assert lles["pairs"] == 9 and lles["mean_change"] is None and lles["withheld"] == "fewer_pairs_than_minimum"
    scored.ok("settings", "set", "outcome_min_pairs", "9")
    # The nine left: changes -2 0 1 3 3 4 5 6 8, mean 28/9 = 3.11; improved 6.
    lles = _report(scored)["measures"][0]
    assert (lles["mean_change"], lles["improved_meaningfully"]) == ("3.11", 6)
    refused(scored, "outcome", "record", "13", "Lles", "20", "--date", "2026-11-01")


def test_the_audit_says_who_entered_a_score_never_the_score(scored: Cli) -> None:
    events = [e for e in scored.json("audit") if e["action"] == "outcome.record"]
    assert len(events) == 26 and all(e["by"] == "tester" for e in events)
    assert events[0]["details"] == {"measure": "Lles", "date": "2026-02-01", "assisted": True}
    assert events[0]["member"] == 4
    english = scored.ok("audit").out
    assert "Recorded a score of member #4 on Lles for 2026-02-01 (helped to answer)" in english
    assert "Cofnodwyd sgôr aelod #4 ar Lles ar gyfer 2026-02-01 (cafodd help i ateb)" in scored.ok(
        "archwilio", lang="cy").out


def test_a_conversion_table_made_up_here(bank: Cli, tmp_path: Path) -> None:
    table = tmp_path / "table.csv"
    table.write_text("raw,metric\n1,0\n2,2.5\n3,7\n4,10\n", encoding="utf-8")
    said = bank.ok("canlyniad", "mesur", "ychwanegu", "Prawf", "--min", "0", "--max", "10", "--meaningful-change",
                   "2.5", "--conversion", str(table), lang="cy").out
    assert "Prawf" in said
    [_lles, prawf] = bank.json("outcome", "measure", "list")
    assert prawf["conversion"] is True and prawf["meaningful_change"] == "2.5"
    bank.ok("outcome", "record", "1", "Prawf", "2", "--date", "2026-02-01")
    assert query(bank.db, "SELECT raw, score FROM outcome_scores") == [("2", "2.5")]
    refused(bank, "outcome", "record", "1", "Prawf", "5", "--date", "2026-02-02")  # not a raw score of the table
    bad = tmp_path / "bad.csv"
    bad.write_text("1,0\n2,11\n", encoding="utf-8")  # 11 is above --max
    refused(bank, "outcome", "measure", "add", "Drwg", "--min", "0", "--max", "10", "--meaningful-change", "1",
            "--conversion", str(bad))


@pytest.mark.parametrize("args", [
    ("outcome", "measure", "add", "lles", "--min", "0", "--max", "5", "--meaningful-change", "1"),  # taken
    ("outcome", "measure", "add", "X", "--min", "5", "--max", "5", "--meaningful-change", "1"),
    ("outcome", "measure", "add", "X", "--min", "0", "--max", "5", "--meaningful-change", "0"),
    ("outcome", "measure", "add", "X", "--min", "0", "--max", "5", "--meaningful-change", "6"),
    ("outcome", "measure", "add", "X", "--min", "zero", "--max", "5", "--meaningful-change", "1"),
    ("outcome", "measure", "add", "X", "--min", "0", "--max", "5", "--meaningful-change", "1", "--conversion",
     "/nonexistent/table.csv"),
    ("outcome", "record", "1", "Lles", "36", "--date", "2026-02-01"),      # above the range
    ("outcome", "record", "1", "Lles", "6.5", "--date", "2026-02-01"),     # below it
    ("outcome", "record", "1", "Nothing", "20", "--date", "2026-02-01"),   # no such measure
    ("outcome", "record", "1", "Lles", "20", "--date", "2027-01-01"),      # in the future
    ("outcome", "record", "1", "Lles", "20", "--date", "2025-12-01"),      # before she joined
    ("outcome", "record", "99", "Lles", "20", "--date", "2026-02-01"),     # no such member
    ("settings", "set", "outcome_min_pairs", "0"),
    ("settings", "set", "outcome_min_pairs", "two"),
])
def test_refusals_leave_the_ledger_as_it_was(bank: Cli, args: tuple[str, ...]) -> None:
    refused(bank, *args)


def test_names_are_refused_on_outcome_figures(bank: Cli) -> None:
    refused(bank, "report", "outcomes", "--from", "2026-01-01", "--to", "2026-12-01", "--with-names", code=2)


def test_a_member_who_left_cannot_be_scored_after_leaving(bank: Cli) -> None:
    bank.ok("member", "leave", "2", "--date", "2026-06-01")
    bank.ok("outcome", "record", "2", "Lles", "20", "--date", "2026-05-01")
    refused(bank, "outcome", "record", "2", "Lles", "20", "--date", "2026-07-01")


def test_no_scale_wording_or_conversion_table_in_the_repository() -> None:
    """The scale's items and its conversion table are its authors' (the time bank obtains them
    under licence): none are shipped. The phrases are put together here, so that this file
    does not hold them either."""
    try:
        tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    feeling = "I've been " + "feeling "
    items = [feeling + "optimistic about the future", feeling + "useful", feeling + "relaxed",
             "dealing with " + "problems well", "thinking " + "clearly", feeling + "close to other people",
             "able to make up " + "my own mind"]
    sequence = ",".join(["7.00", "9." + "51", "11." + "25"])
    pair = ("9." + "51", "11." + "25")
    found = []
    for name in filter(None, tracked.decode().split("\0")):
        path = ROOT / name
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        folded = text.lower().replace("\u2019", "'")
        found += [f"{name}: {item}" for item in items if item.lower() in folded]
        if sequence in text.replace(" ", "") or all(number in text for number in pair):
            found.append(f"{name}: the conversion table")
    assert not found, found
    assert len(tracked) > 0


def test_a_members_own_copy_holds_their_scores(bank: Cli, tmp_path: Path) -> None:
    import json
    import zipfile

    bank.ok("outcome", "record", "2", "Lles", "20", "--date", "2026-02-01", "--assisted")
    bank.ok("outcome", "record", "2", "Lles", "24.5", "--date", "2026-09-01")
    target = tmp_path / "llinos.zip"
    bank.ok("member", "export", "Llinos", "--output", str(target))
    with zipfile.ZipFile(target) as archive:
        data = json.loads(archive.read("data.json"))
        rows = list(csv.DictReader(io.StringIO(archive.read("outcomes.csv").decode("utf-8-sig"))))
    assert data["outcomes"] == [
        {"measure": "Lles", "date": "2026-02-01", "raw": "20", "score": "20", "assisted": True},
        {"measure": "Lles", "date": "2026-09-01", "raw": "24.5", "score": "24.5", "assisted": False}]
    assert [(r["measure"], r["date"], r["score"], r["helped_to_answer"]) for r in rows] == [
        ("Lles", "2026-02-01", "20", "true"), ("Lles", "2026-09-01", "24.5", "false")]


# The funder pack: the workbook's Outcomes sheet and the one-page report ----------------------

def _sheet_rows(path: Path, sheet: str) -> list[tuple]:
    from openpyxl import load_workbook

    return [r for r in load_workbook(path)[sheet].iter_rows(values_only=True) if r and r[0] is not None]


def _equal(cell: object, text: object) -> bool:
    from decimal import Decimal

    return (cell is None and text is None) or (text is not None and Decimal(str(cell)) == Decimal(str(text)))


@pytest.mark.parametrize("lang, sheet, answers, reason", [
    ("en", "Outcomes", ("all", "assisted"), "fewer pairs than the setting outcome_min_pairs (10)"),
    ("cy", "Canlyniadau", ("pob ateb", "gyda chymorth"), "llai o barau na'r gosodiad isafswm_parau (10)")])
def test_the_workbooks_outcomes_sheet_holds_report_outcomes(scored: Cli, tmp_path: Path, lang: str, sheet: str,
                                                          answers: tuple[str, str], reason: str) -> None:
    scored.ok("outcome", "measure", "add", "Unig", "--min", "3", "--max", "9", "--meaningful-change", "1")
    path = tmp_path / "pack.xlsx"
    scored.ok("export", "workbook", "--from", "2026-02-01", "--to", "2026-12-01", "--output", str(path), lang=lang)
    rows = _sheet_rows(path, sheet)
    report = _report(scored)
    measures = [r for r in rows[1:] if r[2] in answers]
    assert len(measures) == 4  # two measures, a row for all pairs and one for the assisted
    for (everyone, assisted), m in zip(zip(measures[::2], measures[1::2]), report["measures"]):
        for row, figures in ((everyone, m), (assisted, m["assisted"])):
            assert row[0] == m["measure"]
            assert row[3] == figures["pairs"] and row[7] == figures["improved_meaningfully"]
            assert all(_equal(row[i], figures[k]) for i, k in ((4, "mean_change"), (5, "ci95_low"), (6, "ci95_high")))
    assert measures[0][:8] == ("Lles", 3, answers[0], 10, 4, 1.1, 6.9, 7)
    assert measures[1][8] == reason
    notes = " ".join(str(r[0]) for r in rows)
    assert ("Student's t" in notes and "outcome_min_pairs, now 10" in notes) == (lang == "en")
    assert ("dosraniad t" in notes and "isafswm_parau, sef 10" in notes) == (lang == "cy")


def test_the_outcomes_sheet_of_a_ledger_without_measures_and_at_a_seal(ledger: Cli, tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    ledger.ok("export", "workbook", "--from", "2026-01-01", "--to", "2026-03-31", "--output", str(path))
    assert ("No outcome measures yet.",) in [r[:1] for r in _sheet_rows(path, "Outcomes")]
    ledger.ok("member", "add", "Someone")
    sealed = tmp_path / "sealed.xlsx"
    out = ledger.ok("check").out
    found = re.search(r'#\d+ [0-9a-f]{8,}', out)
    assert found, out
    ledger.ok("export", "workbook", "--from", "2026-01-01", "--to", "2026-03-31", "--seal", found.group(0),
              "--output", str(sealed))
    assert "not part of the sealed history" in " ".join(str(r[0]) for r in _sheet_rows(sealed, "Outcomes"))


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_outcomes_on_the_one_page_report(scored: Cli, tmp_path: Path, lang: str) -> None:
    for name in ("Short Warwick-Edinburgh Mental Wellbeing Scale, as answered at the community hub",
                 "Loneliness and social connectedness scale of the health board (three items)"):
        scored.ok("outcome", "measure", "add", name, "--min", "3", "--max", "35", "--meaningful-change", "1")
    path = tmp_path / "page.pdf"
    scored.ok("report", "period", "--from", "2026-02-01", "--to", "2026-12-01", "--output", str(path), lang=lang)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    if lang == "en":
        assert "Lles: 10 pairs, mean change 4.00 (95% CI 1.10 to 6.90), 7 improved meaningfully" in text
        assert "assisted: 3 pairs, withheld (fewer than 10)" in text
    else:
        assert "Lles: 10 pâr, newid cymedrig 4.00 (cyfwng hyder 95% 1.10 i 6.90), 7 wedi gwella'n ystyrlon" in text
        assert "gyda chymorth: 3 phâr, ffigurau wedi'u hatal (llai na 10)" in text
    assert "Loneliness" in text
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", pages), pages  # still one page
