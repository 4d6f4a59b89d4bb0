"""A printed cell with an unbroken run of any length wraps (issue 26): a 620-character URL or
300 emoji in one note made `statement --all` fail for the whole bank ('negative availWidth':
the note's column was held as wide as its longest word, which squeezed every other column to
nothing)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Cli

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")

URL = "https://example.org/" + "a" * 600  # 620 characters, no space to break at
EMOJI = "😀" * 300
WELSH = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch" * 4  # one word, 232 letters
LONG_NAME = "Gwenllïan-" + "Llywelyn" * 20


@pytest.fixture
def runs(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-20")
    cli.ok("init", "--name", "Banc Amser Blaengarw")
    cli.ok("member", "add", "Siân Ŵyn", "--lang", "cy", "--joined", "2026-09-01")
    cli.ok("member", "add", "Rhys Evans", "--lang", "en", "--joined", "2026-09-01")
    cli.ok("member", "add", LONG_NAME, "--lang", "cy", "--joined", "2026-09-01")
    for day, (giver, taker, note) in enumerate([("1", "2", URL), ("2", "1", EMOJI), ("1", "3", WELSH),
                                                ("3", "2", "Torri'r gwair")], start=10):
        cli.ok("record", giver, taker, "1", "--date", f"2026-10-{day}", "--note", note, "--allow-overdraft")
    return cli


def page_size(path: Path) -> tuple[float, float]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", out, re.M)
    assert match, out
    return float(match.group(1)), float(match.group(2))


def rightmost_ink(path: Path) -> float:
    """The right edge of the rightmost word on any page, in points."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return max(float(x) for x in re.findall(r'xMax="([\d.]+)"', out))


def squeezed(path: Path) -> str:
    """Every page's text without its spaces and line breaks: a run broken across lines reads whole."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def assert_whole_and_inside(path: Path) -> None:
    text = squeezed(path)
    # The name breaks after its hyphen first, and pdftotext joins such a word back without it.
    assert URL in text and WELSH in text and (LONG_NAME in text or LONG_NAME.replace("-", "") in text)
    width, _height = page_size(path)
    assert rightmost_ink(path) <= width - 20, rightmost_ink(path)  # nothing runs off the page


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_one_statement_with_long_runs_prints(runs: Cli, tmp_path: Path, lang: str) -> None:
    for member in ("1", "2", "3"):
        out = tmp_path / f"statement-{member}.pdf"
        result = runs.ok("statement", member, "--output", str(out), lang=lang)
        assert "Traceback" not in result.err and out.stat().st_size > 0
    assert_whole_and_inside(tmp_path / "statement-1.pdf")
    said = {"en": "Wrote the statement of Siân Ŵyn", "cy": "Ysgrifennwyd cyfriflen Siân Ŵyn"}[lang]
    assert said in runs.ok("statement", "1", "--output", str(tmp_path / "again.pdf"), lang=lang).err


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_statement_with_long_runs_prints(runs: Cli, tmp_path: Path, lang: str) -> None:
    out = tmp_path / "all.pdf"
    result = runs.ok("statement", "--all", "--output", str(out), lang=lang)
    said = {"en": "Wrote 3 statements", "cy": "Ysgrifennwyd 3 cyfriflen"}[lang]
    assert said in result.err, result.err
    assert_whole_and_inside(out)


def test_columns_never_narrower_than_a_character() -> None:
    """Too many columns for the line, even at their narrowest: scaled, but none below a
    character's room inside its padding (a cell of no width is what ReportLab refused)."""
    from timebank.i18n import words
    from timebank.render import pdf
    from timebank.render.sheet import INT, TEXT, Column

    pdf.register_fonts()
    english = words("en")
    columns = [Column(f"t{i}", kind=TEXT) for i in range(3)] + [Column(f"n{i}", kind=INT) for i in range(40)]
    heads = [pdf._Cell([], False) for _ in columns]
    row = [pdf.pdf_cell(URL, TEXT, english) for _ in range(3)] + [
        pdf.pdf_cell(123456789, INT, english) for _ in range(40)]
    widths = pdf.column_widths(columns, heads, [row], 500.0)
    assert min(widths) >= 2 * pdf.PAD + 1 + pdf.CELL_SIZE - 0.001, min(widths)
    # And a long word alone no longer holds its column wide: the words' columns give way first.
    few = columns[:1] + columns[3:8]
    widths = pdf.column_widths(few, heads[:6], [row[:1] + row[3:8]], 500.0)
    assert abs(sum(widths) - 500.0) < 0.01 and min(widths[1:]) > 40, widths
