"""Printed statements: `statement MEMBER|--all --output FILE.pdf`, read back as a person
would get them -- pdfinfo for the pages, pdftotext for the words, pdftoppm for the ink --
in both languages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import Cli, dump

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")

MONTH = "2026-10"
WELSH_LETTERS = "âêîôûŵŷäëïöüẅÿ"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-20")


def pages_of(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))  # type: ignore[union-attr]


def texts_of(path: Path, layout: bool = True) -> list[str]:
    """The text of each page, as pdftotext reads it."""
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(path), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def owner(page: str) -> int:
    """The member whose statement a page belongs to, from the foot of the page."""
    found = re.findall(r"(?:member number|aelod rhif) (\d+)\s+(?:page|tudalen) \d+ (?:of|o) \d+\s*$", page.rstrip())
    assert found, page[-300:]
    return int(found[-1])


def by_member(path: Path) -> dict[int, list[str]]:
    pages: dict[int, list[str]] = {}
    for page in texts_of(path):
        pages.setdefault(owner(page), []).append(page)
    return pages


def figure(page: str, label: str) -> str:
    """The hours printed after a label in the statement's summary ('Balans agoriadol   +2.50')."""
    match = re.search(re.escape(label) + r"\s+([+-]?\d+\.\d\d)\b", page)
    assert match, (label, page[:1500])
    return match.group(1)


def signed(minutes: int) -> str:
    from timebank.render.sheet import signed_hours

    return signed_hours(minutes)


@pytest.fixture
def demo(cli: Cli) -> Cli:
    """The demo ledger, and three members whose names carry Welsh accents, in October."""
    cli.ok("demo")
    cli.ok("settings", "set", "name", "Banc Amser Blaengarw")
    cli.ok("settings", "set", "contact", "Canolfan Blaengarw, Heol y Brenin, CF32 8AA · 01656 871000")
    for name, lang in [("Siân Ŵyn", "cy"), ("Gwenllïan Prŷs", "cy"), ("Llŷr Ëvans", "en")]:
        cli.ok("member", "add", name, "--lang", lang, "--joined", "2026-09-01")
    cli.ok("record", "Siân Ŵyn", "Gwenllïan Prŷs", "1:30", "--date", "2026-10-12", "--category", "gardening",
           "--note", "Torri'r gwair")
    cli.ok("record", "Llŷr Ëvans", "Siân Ŵyn", "45m", "--date", "2026-10-14", "--category", "transport")
    return cli


def members_in(cli: Cli, month_start: str, month_end: str) -> list[dict]:
    rows = cli.json("member", "list", "--all", lang="en")
    return [r for r in rows if r["kind"] != "pot" and r["joined"] <= month_end
            and (r["left"] is None or r["left"] >= month_start)]


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_every_members_statement_in_their_own_language(demo: Cli, tmp_path: Path, lang: str) -> None:
    """Acceptance 1: a page or more per member of the month, names with accents intact, a
    Welsh member's page in Welsh and an English member's in English, whatever --lang."""
    out = tmp_path / "s.pdf"
    result = demo.ok("statement", "--all", "--month", MONTH, "--output", str(out), lang=lang)
    members = members_in(demo, "2026-10-01", "2026-10-31")
    assert pages_of(out) >= len(members) > 20
    assert str(out) in result.err and len(result.err.strip().splitlines()) == 1
    pages = by_member(out)
    assert sorted(pages) == sorted(m["number"] for m in members)
    for member in members:
        first = pages[member["number"]][0]
        assert member["name"] in first, member
        if member["lang"] == "cy":
            assert "Cyfriflen" in first and "Balans" in first and "Statement" not in first
            assert re.search(rf"tudalen 1 o {len(pages[member['number']])}\s*$", first.rstrip())
        else:
            assert "Statement" in first and "Closing balance" in first and "Cyfriflen" not in first
            assert re.search(rf"page 1 of {len(pages[member['number']])}\s*$", first.rstrip())
    plain = "\n".join(texts_of(out, layout=False))
    for name in ("Siân Ŵyn", "Gwenllïan Prŷs", "Llŷr Ëvans"):
        assert name in plain
    assert "Canolfan Blaengarw, Heol y Brenin, CF32 8AA · 01656 871000" in plain
    assert plain.split("\n")[0] == "Banc Amser Blaengarw"  # the time bank's name heads the first page


def test_order_follows_the_interface_language(ledger: Cli, tmp_path: Path) -> None:
    """Welsh order under cy (Llinos after Lowri: ll is a letter), English order under en."""
    for lang, expected in (("cy", [3, 2, 1]), ("en", [2, 3, 1])):
        out = tmp_path / f"{lang}.pdf"
        ledger.ok("statement", "--all", "--output", str(out), lang=lang)
        assert [owner(page) for page in texts_of(out)] == expected  # Lowri ap Rhys, Llinos, Siân


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_figures_equal_the_json_statement(demo: Cli, tmp_path: Path, lang: str) -> None:
    """Acceptance 2: opening, totals and closing on paper equal `statement --format json`,
    for one member's PDF and for the member's page among everyone's."""
    everyone = tmp_path / "all.pdf"
    demo.ok("statement", "--all", "--month", MONTH, "-o", str(everyone), lang=lang)
    pages = by_member(everyone)
    members = members_in(demo, "2026-10-01", "2026-10-31")
    welsh = next(m for m in members if m["lang"] == "cy" and m["name"] == "Siân Ŵyn")
    english = next(m for m in members if m["lang"] == "en" and m["kind"] == "person")
    busy = max(members, key=lambda m: len(demo.json("statement", str(m["number"]), "--month", MONTH)["lines"]))
    for member in (welsh, english, busy):
        data = demo.json("statement", str(member["number"]), "--month", MONTH, lang=lang)
        given = sum(l["minutes"] for l in data["lines"] if l["minutes"] > 0)
        received = -sum(l["minutes"] for l in data["lines"] if l["minutes"] < 0)
        one = tmp_path / f"{member['number']}.pdf"
        demo.ok("statement", str(member["number"]), "--month", MONTH, "--output", str(one), lang=lang)
        for text in ("\n".join(texts_of(one)), "\n".join(pages[member["number"]])):
            cy = "Cyfriflen" in text
            labels = (("Balans agoriadol", "Oriau a roddwyd", "Oriau a dderbyniwyd", "Balans terfynol") if cy else
                      ("Opening balance", "Hours given", "Hours received", "Closing balance"))
            assert figure(text, labels[0]) == signed(data["opening_minutes"])
            assert figure(text, labels[1]) == signed(given).lstrip("+")
            assert figure(text, labels[2]) == signed(received).lstrip("+")
            assert figure(text, labels[3]) == signed(data["closing_minutes"])
        # --lang names the language of one member's statement; --all keeps each member's own.
        assert ("Cyfriflen" in "\n".join(texts_of(one))) == (lang == "cy")
        assert ("Cyfriflen" in pages[member["number"]][0]) == (member["lang"] == "cy")


def test_a_page_shows_heading_table_and_balance(demo: Cli, tmp_path: Path) -> None:
    """Acceptance 3: the first page, rendered, has ink where the heading, the table and the
    closing balance are, and is mostly white paper."""
    from PIL import Image

    out = tmp_path / "sian.pdf"
    demo.ok("statement", "Siân Ŵyn", "--month", MONTH, "--output", str(out))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
                   check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    width, height = image.size
    pixels = image.load()

    def ink(left: float, top: float, right: float, bottom: float) -> float:
        """The share of dark pixels in a box given in fractions of the page."""
        xs = range(int(left * width), max(int(right * width), int(left * width) + 1))
        ys = range(int(top * height), max(int(bottom * height), int(top * height) + 1))
        return sum(1 for y in ys for x in xs if pixels[x, y] < 128) / (len(xs) * len(ys))

    assert 0.005 < ink(0, 0, 1, 1) < 0.3                  # printed, and not a black page
    boxes = word_boxes(out)
    # The heading, the table's header and a row, and the closing balance are drawn where
    # the text says they are.
    for word in ("Banc", "Cyfriflen", "Dyddiad", "Gwenllïan", "Garddio", "terfynol:"):
        x0, y0, x1, y1 = boxes[word]
        assert ink(x0, y0, x1, y1) > 0.08, word
    assert boxes["Banc"][3] - boxes["Banc"][1] > 1.5 * (boxes["Dyddiad"][3] - boxes["Dyddiad"][1])  # large type
    assert boxes["Dyddiad"][1] < boxes["Gwenllïan"][1] < boxes["terfynol:"][1]
    assert re.search(r"Balans terfynol: [+-]?\d+\.\d\d \(", texts_of(out)[0])


def word_boxes(path: Path) -> dict[str, tuple[float, float, float, float]]:
    """Where pdftotext finds each word on the first page (its first place), as fractions of the page."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    assert page
    width, height = float(page.group(1)), float(page.group(2))
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html):
        boxes.setdefault(word.replace("&apos;", "'"), (float(x0) / width, float(y0) / height, float(x1) / width,
                                                       float(y1) / height))
    return boxes


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_long_statement_runs_on_with_the_header_repeated(ledger: Cli, tmp_path: Path, lang: str) -> None:
    """Acceptance 4: sixty exchanges run to more than one page, each page with the table's
    header and its own 'page k of n'."""
    ledger.ok("settings", "set", "credit_limit", "")
    rows = ["date,giver,receiver,hours,category,note"]
    for i in range(60):
        giver, receiver = (3, 1) if i % 2 else (1, 2)
        rows.append(f"2026-10-{i % 28 + 1:02d},{giver},{receiver},1:15,gardening,Gardd rhif {i}")
    (tmp_path / "x.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    ledger.ok("import", "exchanges", str(tmp_path / "x.csv"))
    out = tmp_path / "long.pdf"
    ledger.ok("statement", "Siân", "--month", MONTH, "--output", str(out), lang=lang)
    pages = texts_of(out)
    assert pages_of(out) == len(pages) > 1
    # The header's last line ("Categori a" wraps above "nodyn", the header's cells sit on its foot).
    head = ("Dyddiad", "Gyda", "nodyn", "Balans") if lang == "cy" else ("Date", "With", "note", "Balance")
    category = "Categori a" if lang == "cy" else "Category and"
    for number, page in enumerate(pages, 1):
        lines = page.splitlines()
        at = next(i for i, line in enumerate(lines) if head[0] in line and head[1] in line)
        assert all(word in lines[at] for word in head), lines[at]
        assert category in lines[at - 1], lines[at - 1]
        said = f"tudalen {number} o {len(pages)}" if lang == "cy" else f"page {number} of {len(pages)}"
        assert page.rstrip().endswith(said)
    text = "\n".join(pages)
    flowing = " ".join(" ".join(texts_of(out, layout=False)).split())
    assert all(f"Gardd rhif {i}" in flowing for i in range(60))
    data = ledger.json("statement", "1", "--month", MONTH)
    assert len(data["lines"]) == 60
    label = "Balans terfynol" if lang == "cy" else "Closing balance"
    assert figure(text, label) == signed(data["closing_minutes"])


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_unknown_member_refused_with_no_file(ledger: Cli, tmp_path: Path, lang: str) -> None:
    """Acceptance 5: one line, exit 1, no x.pdf and no half-written one beside it."""
    before = dump(ledger.db)
    result = ledger("statement", "9999", "--output", str(tmp_path / "x.pdf"), lang=lang)
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1 and "9999" in result.err, result
    assert not list(tmp_path.glob("*x.pdf*"))
    assert dump(ledger.db) == before


@pytest.mark.parametrize("args, code", [
    (["statement", "1", "--all", "--output", "x.pdf"], 2),
    (["statement", "--output", "x.pdf"], 2),
    (["statement", "--all"], 2),
    (["statement", "--all", "--month", MONTH], 2),
    (["statement", "--all", "--output", "x.csv"], 2),
    (["statement", "--all", "--format", "json", "--output", "x.pdf"], 2),
    (["statement", "1", "--format", "pdf"], 2),
    (["statement", "1", "--output", "x.txt"], 2),
    (["statement", "1", "--format", "table", "--output", "x.pdf"], 2),
    (["statement", "1", "--month", "2026-13", "--output", "x.pdf"], 1),
    (["statement", "--all", "--from", "2026-10-05", "--to", "2026-10-01", "--output", "x.pdf"], 1),
    (["statement", "--all", "--to", "2025-12-31", "--output", "x.pdf"], 1),
])
def test_refusals_write_nothing(ledger: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str],
                                code: int) -> None:
    monkeypatch.chdir(tmp_path)
    before = dump(ledger.db)
    for lang in ("cy", "en"):
        result = ledger(*args, lang=lang)
        assert result.code == code and len(result.err.strip().splitlines()) == 1, (lang, result)
        assert "Traceback" not in result.err
    assert not list(tmp_path.glob("x.*")) and not list(tmp_path.glob(".x.*"))
    assert dump(ledger.db) == before


def test_output_folder_refused(ledger: Cli, tmp_path: Path) -> None:
    (tmp_path / "s.pdf").mkdir()
    result = ledger("statement", "--all", "--output", str(tmp_path / "s.pdf"))
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1


def test_a_failure_while_printing_leaves_no_file(ledger: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Half a PDF is never left behind: the statement is written beside the target and
    renamed only when whole."""
    import timebank.render.pdf as pdf

    def broken(documents, out, **kwargs):  # type: ignore[no-untyped-def]
        out.write(b"%PDF-1.4 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pdf, "write_pdf", broken)
    target = tmp_path / "s.pdf"
    target.write_bytes(b"the old statement")
    result = ledger("statement", "--all", "--output", str(target))
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result
    assert target.read_bytes() == b"the old statement"
    assert not list(tmp_path.glob(".s.pdf*"))


def test_without_notes_and_format_pdf(ledger: Cli, tmp_path: Path) -> None:
    ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-10-03", "--note", "Lifft i'r feddygfa")
    with_notes, without = tmp_path / "with.statement", tmp_path / "without.pdf"
    ledger.ok("statement", "Siân", "--month", MONTH, "--format", "pdf", "--output", str(with_notes))
    ledger.ok("statement", "Siân", "--month", MONTH, "--output", str(without), "--without-notes")
    # The note sits under the category, in a column headed "Categori a nodyn" (it may wrap there).
    flowing = " ".join(" ".join(texts_of(with_notes, layout=False)).split())
    assert "Lifft i'r feddygfa" in flowing and "Categori a nodyn" in flowing
    text = " ".join(" ".join(texts_of(without, layout=False)).split())
    assert "Lifft" not in text and "nodyn" not in text and "Categori" in text and "Llinos" in text
    # --without-notes leaves the notes out of the other formats too.
    assert "note" not in ledger.json("statement", "Siân", "--month", MONTH, "--without-notes")["lines"][0]


def test_output_as_csv_and_json_files(ledger: Cli, tmp_path: Path) -> None:
    ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-10-03")
    ledger.ok("statement", "Siân", "--month", MONTH, "--output", str(tmp_path / "s.json"))
    ledger.ok("statement", "Siân", "--month", MONTH, "--output", str(tmp_path / "s.csv"))
    import json

    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8")) == ledger.json(
        "statement", "Siân", "--month", MONTH)
    assert (tmp_path / "s.csv").read_text(encoding="utf-8") == ledger.ok(
        "statement", "Siân", "--month", MONTH, "--format", "csv").out


def test_erased_members_and_the_credit_limit(ledger: Cli, tmp_path: Path) -> None:
    """An erased member is the erasure mark in each reader's language; the credit limit is
    printed for people and not for organisations."""
    ledger.ok("member", "add", "Siop y Pentref", "--kind", "organisation", "--joined", "2026-01-05")
    ledger.ok("record", "Lowri ap Rhys", "Siân", "2", "--date", "2026-10-02", "--note", "Gardd Lowri ap Rhys")
    ledger.ok("record", "Lowri ap Rhys", "Llinos", "1", "--date", "2026-10-03", "--note", "Lowri ap Rhys drove")
    ledger.ok("record", "Siop y Pentref", "Lowri ap Rhys", "1", "--date", "2026-10-04")
    ledger.ok("member", "forget", "Lowri ap Rhys", "--yes")
    out = tmp_path / "s.pdf"
    ledger.ok("statement", "--all", "--month", MONTH, "--output", str(out))
    # Read as text flows (a cell's wrapped lines together): names and notes wrap inside their cells.
    pages = {owner(page): [" ".join(page.split())] for page in texts_of(out, layout=False)}
    sian, llinos, lowri, shop = (pages[n][0] for n in (1, 2, 3, 4))
    assert "Aelod 3 (wedi'i ddileu)" in sian and "Lowri" not in sian       # Siân reads Welsh
    assert "Member 3 (erased)" in llinos and "Lowri" not in llinos          # Llinos reads English
    assert "Member 3 (erased)" in lowri
    assert "Gardd [wedi'i ddileu]" in sian and "[erased] drove" in llinos
    assert "Terfyn credyd" in sian and "-10.00" in sian
    assert "Credit limit" in llinos and "Credit limit" not in shop
    ledger.ok("settings", "set", "credit_limit", "")
    ledger.ok("statement", "--all", "--month", MONTH, "--output", str(out), "--force")  # the same file again
    assert "Terfyn credyd" not in by_member(out)[1][0]


def test_contact_setting(ledger: Cli) -> None:
    before = dump(ledger.db)
    for bad in ("Heol y Brenin\nCF32 8AA", "a\tb", "x" * 301):
        for lang in ("cy", "en"):
            result = ledger("settings", "set", "contact", bad, lang=lang)
            assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result
    assert dump(ledger.db) == before
    ledger.ok("settings", "set", "contact", "  Canolfan Blaengarw · 01656 871000 ")
    shown = ledger.json("settings", "show")
    assert shown["contact"] == "Canolfan Blaengarw · 01656 871000"
    assert "statements" in ledger.ok("settings", "show", lang="en").out
    assert "gyfriflenni" in ledger.ok("settings", "show", lang="cy").out


def test_peoples_text_prints_as_typed(ledger: Cli, tmp_path: Path) -> None:
    """Names, notes and the contact line are never read as markup."""
    ledger.ok("settings", "set", "contact", "Siop <b>Ffion</b> & Co. &amp; 01656")
    ledger.ok("settings", "set", "name", "Banc <i>Amser</i>")
    ledger.ok("member", "edit", "Llinos", "--name", "Llinos <font size=40>Mawr</font>")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-10-03", "--note", "<br/>Te & bara brith")
    out = tmp_path / "s.pdf"
    ledger.ok("statement", "--all", "--month", MONTH, "--output", str(out))
    text = " ".join(" ".join(texts_of(out, layout=False)).split())
    for typed in ("Siop <b>Ffion</b> & Co. &amp; 01656", "Banc <i>Amser</i>", "Llinos <font size=40>Mawr</font>",
                  "<br/>Te & bara brith"):
        assert typed in text, typed


def test_the_font_has_every_welsh_letter_and_is_embedded(ledger: Cli, tmp_path: Path) -> None:
    from reportlab.pdfbase.ttfonts import TTFontFile

    from timebank.render.pdf import FONT_DIR

    letters = WELSH_LETTERS + WELSH_LETTERS.upper()
    assert len(set(letters)) == 28
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        assert not [c for c in letters if ord(c) not in TTFontFile(str(FONT_DIR / name)).charToGlyph]
    assert (FONT_DIR / "LICENSE.txt").is_file()
    ledger.ok("member", "edit", "Siân", "--name", f"Siân {letters}")
    out = tmp_path / "s.pdf"
    ledger.ok("statement", "1", "--output", str(out))
    assert f"Siân {letters}" in texts_of(out, layout=False)[0]
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in fonts), fonts  # embedded, subset, unicode
    assert all("DejaVuSans" in line for line in fonts)


@pytest.mark.parametrize("lang, cases", [
    ("en", {0: "0 hours", 1: "1 minute", 2: "2 minutes", 60: "1 hour", 90: "1 hour 30 minutes", 120: "2 hours",
            -90: "minus 1 hour 30 minutes", 6 * 60 + 6: "6 hours 6 minutes"}),
    ("cy", {0: "0 awr", 1: "1 munud", 2: "2 funud", 3: "3 munud", 60: "1 awr", 90: "1 awr 30 munud",
            120: "2 awr", 182: "3 awr 2 funud", -90: "minws 1 awr 30 munud", 6 * 60 + 6: "6 awr 6 munud"}),
])
def test_hours_as_a_person_says_them(lang: str, cases: dict[int, str]) -> None:
    from timebank.i18n import Words
    from timebank.render.sheet import said_hours

    assert {minutes: said_hours(minutes, Words(lang)) for minutes in cases} == cases


def test_every_statement_read_at_once_equals_each_read_alone(demo: Cli) -> None:
    """The one read for --all gives each member the statement `statement MEMBER` gives."""
    from timebank.ledger.records import settings as settings_module
    from timebank.ledger.storage.db import open_ledger, reading
    from timebank.ledger.storage.models import Member
    from timebank.ledger.reports.statements import statement, statements

    ledger = open_ledger(str(demo.db))
    try:
        with reading(ledger) as session:
            settings = settings_module.load(session)
            for start, end in ((date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 4, 1), None), (None, None)):
                everyone = statements(session, settings, "cy", start, end)
                assert everyone
                for one in everyone:
                    member = session.get(Member, one.number)
                    assert one == statement(session, member, member.lang, start, end, settings), one.number
    finally:
        ledger.dispose()


def test_every_statement_read_in_a_fixed_number_of_queries(tmp_path: Path) -> None:
    from sqlalchemy import event

    from conftest import fresh_db
    from timebank.ledger import actions
    from timebank.ledger.records import settings as settings_module
    from timebank.ledger.storage.db import open_ledger, reading
    from timebank.ledger.schema import initialise
    from timebank.ledger.reports.statements import statements

    def count(members: int) -> int:
        ledger = open_ledger(str(fresh_db(tmp_path, f"q{members}")), create=True)
        initialise(ledger, "t", name=None, lang="en")
        for index in range(members):
            actions.add_member(ledger, "t", name=f"Person {index}", joined=date(2026, 1, 1))
        for index in range(1, members):
            actions.record(ledger, "t", givers=[index], receivers=[index + 1], minutes=30, on=date(2026, 10, 2),
                               lang="en")
        seen: list[str] = []
        event.listen(ledger.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        with reading(ledger) as session:
            found = statements(session, settings_module.load(session), "en", date(2026, 10, 1),
                               date(2026, 10, 31))
        ledger.dispose()
        assert len(found) == members
        return len(seen)

    assert count(3) == count(40)


PROBE = """
import sys
from timebank.cli.main import run
code = run({args!r})
print('LOADED', 'reportlab' in sys.modules)
sys.exit(code)
"""


def test_only_a_pdf_imports_reportlab(ledger: Cli, tmp_path: Path) -> None:
    def loaded(args: list[str]) -> bool:
        out = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True).stdout
        return out.strip().splitlines()[-1] == "LOADED True"

    db = ["--db", str(ledger.db)]
    assert not loaded(["--help"]) and not loaded(["statement", "--help"])
    assert not loaded(db + ["statement", "1"]) and not loaded(db + ["balance"])
    assert loaded(db + ["statement", "1", "--output", str(tmp_path / "s.pdf")])


def test_progress_bar_on_a_terminal_only(ledger: Cli, tmp_path: Path) -> None:
    """Piped: one line saying what was written. At a terminal: a progress bar, gone at the end."""
    import os
    import pty

    env = dict(os.environ, TIMEBANK_DB=str(ledger.db), TERM="xterm-256color")
    # --force: the second run writes the same file again.
    command = [sys.executable, "-m", "timebank", "statement", "--all", "--output", str(tmp_path / "s.pdf"), "--force"]
    piped = subprocess.run(command, capture_output=True, text=True, env=env)
    assert piped.returncode == 0 and piped.stderr.strip().splitlines() == [
        f"Wrote 3 statements (3 pages) to {tmp_path / 's.pdf'}."]
    main, secondary = pty.openpty()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=secondary, env=env, timeout=120)
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main)
    assert done.returncode == 0
    assert b"Printing 3 statements" in seen and b"Wrote 3 statements" in seen


@pytest.mark.parametrize(("readme", "heading"), [("README.md", "## Printed statements"),
                                                 ("README.cy.md", "## Cyfriflenni ar bapur")])
def test_the_readme_printing_runs_as_written(ledger: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             readme: str, heading: str) -> None:
    from test_readme import tour

    monkeypatch.chdir(tmp_path)
    ledger.ok("record", "Siân", "Llinos", "1:30", "--date", "2026-10-03", "--note", "Lifft i'r feddygfa")
    commands = tour(readme, heading)
    assert len(commands) == 4
    for words in commands:
        result = ledger(*words)
        assert result.code == 0, (readme, words, result.err)
    written = sorted(tmp_path.glob("*.pdf"))
    assert len(written) == 3 and all(pages_of(path) >= 1 for path in written)
    assert "Canolfan Blaengarw" in texts_of(written[0])[0]


def test_any_report_prints_on_a_landscape_page(demo: Cli, tmp_path: Path) -> None:
    """The PDF layer is not statement-only: the monthly report (headline figures, tables with
    a total row, a bar chart of twelve months) prints on A4 landscape in either language."""
    from timebank.i18n import Words
    from timebank.ledger.storage.db import open_ledger
    from timebank.ledger.reports.reports import read_monthly
    from timebank.render import views
    from timebank.render.pdf import Document, write_pdf

    ledger = open_ledger(str(demo.db))
    try:
        report = read_monthly(ledger, date(2026, 10, 1), "cy")
    finally:
        ledger.dispose()
    for lang, title in (("cy", "Oriau a gyfnewidiwyd"), ("en", "Hours exchanged, last 12 months")):
        out = tmp_path / f"monthly-{lang}.pdf"
        with out.open("wb") as handle:
            pages = write_pdf([Document(views.monthly(report), Words(lang), lambda w: w._("Monthly report: {month}")
                                        .format(month=w.month(date(2026, 10, 1))))], handle, landscape=True)
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Page size:\s+841.89 x 595.27\d* pts \(A4\)", info) and pages == pages_of(out) >= 1
        text = "\n".join(texts_of(out))
        assert title in text
        chart_months = ("Tach 2025", "Hyd 2026") if lang == "cy" else ("Nov 2025", "Oct 2026")
        assert all(month in text for month in chart_months)
        total = next(l for l in text.splitlines() if l.strip().startswith("Total" if lang == "en" else "Cyfanswm"))
        assert re.search(r"\d+\.\d\d", total)
