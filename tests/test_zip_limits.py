"""A TimeOverflow zip is limited in what it holds IN ALL, not only entry by entry (issue 26:
six entries of 450 MB each, every one under the per-entry limit, exhausted the memory).
Refused from the zip's directory before anything is inflated, and counted while inflating."""

from __future__ import annotations

import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

import timebank.io.timeoverflow as timeoverflow
from conftest import Cli, dump
from refusal import refused

DATA = Path(__file__).parent / "data" / "timeoverflow"
MEMBERS_EN = DATA / "en" / "Banc Amser Dyffryn_Users_2026-11-20.csv"
DAY = "2026-11-20"
SAID = {"en": "{zip}: its CSV files hold more than {limit} MB in all, too much for a TimeOverflow export.",
        "cy": "{zip}: mae ei ffeiliau CSV yn dal mwy na {limit} MB i gyd, gormod i fod yn allforiad TimeOverflow."}


@pytest.fixture
def new(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-25")
    cli.ok("init")
    return cli


def padding(size: int) -> bytes:
    """A CSV of `size` bytes that deflates to almost nothing."""
    row = b"1,Banc Amser Dyffryn,0,0\n"
    return b"N,Name,Balance,Hours\n" + row * (size // len(row))


def write_zip(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)


def declare_sizes(path: Path, size: int) -> None:
    """Rewrite every entry's uncompressed size, in its local header and in the central
    directory, to `size`: the zip's directory then says what the bytes do not."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at != -1:
            struct.pack_into("<I", data, at + offset, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def assert_said(results: dict, name: str, limit: int) -> None:
    for lang, result in results.items():
        assert SAID[lang].format(zip=name, limit=limit) in " ".join(result.err.split()), result.err


def test_six_entries_declared_at_450_mb_are_refused_before_reading(new: Cli, tmp_path: Path) -> None:
    """The red team's zip, as its directory describes it: six entries of 450 MB, each under
    the per-entry limit. Refused at the real limits from the directory alone: the entries
    hold a few bytes, so reading them would have failed otherwise, and not with this line."""
    bomb = tmp_path / f"banc_{DAY}.zip"
    write_zip(bomb, {f"Banc_{name}_{DAY}.csv": MEMBERS_EN.read_bytes()
                     for name in ("Users", "Transfers", "Offers", "Inquiries", "More", "Again")})
    declare_sizes(bomb, 450 * 1024 * 1024)
    assert bomb.stat().st_size < 100_000
    assert 450 * 1024 * 1024 < timeoverflow.MAX_ZIP_MEMBER
    assert_said(refused(new, "import", "timeoverflow", str(bomb)), bomb.name, 256)
    assert_said(refused(new, "import", "timeoverflow", str(bomb), "--dry-run"), bomb.name, 256)


def test_a_zip_whose_entries_really_inflate_past_the_limit_is_refused(
        new: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real bytes, highly compressible: six entries of 300 KB each (1.8 MB in all, every one
    under the limit) against a limit of 1 MB, set low so that the test stays fast."""
    monkeypatch.setattr(timeoverflow, "MAX_ZIP_TOTAL", 1024 * 1024)
    bomb = tmp_path / f"banc_{DAY}.zip"
    write_zip(bomb, {f"Banc_Part{n}_{DAY}.csv": padding(300_000) for n in range(6)})
    assert bomb.stat().st_size < 50_000
    assert_said(refused(new, "import", "timeoverflow", str(bomb)), bomb.name, 1)


def test_the_limit_is_for_all_the_zips_of_one_import(
        new: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two zips of 600 KB each, each under a 1 MB limit: together over it. The second is named."""
    monkeypatch.setattr(timeoverflow, "MAX_ZIP_TOTAL", 1024 * 1024)
    first, second = tmp_path / f"banc_{DAY}.zip", tmp_path / f"banc-2_{DAY}.zip"
    write_zip(first, {f"Banc_Users_{DAY}.csv": padding(600_000)})
    write_zip(second, {f"Banc_Transfers_{DAY}.csv": padding(600_001)})
    assert_said(refused(new, "import", "timeoverflow", str(first), str(second)), second.name, 1)


def test_a_directory_that_understates_the_sizes_holds_nothing_back(
        new: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lying directory: 5 MB of real bytes declared as 100 bytes, under a 1 MB limit. Not
    more than the limit is ever held (measured), and the zip is refused in one line."""
    monkeypatch.setattr(timeoverflow, "MAX_ZIP_TOTAL", 1024 * 1024)
    liar = tmp_path / f"banc_{DAY}.zip"
    write_zip(liar, {f"Banc_Users_{DAY}.csv": padding(5_000_000)})
    declare_sizes(liar, 100)
    before = dump(new.db)
    tracemalloc.start()
    try:
        results = refused(new, "import", "timeoverflow", str(liar))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * 1024 * 1024, peak  # the 5 MB were never inflated
    assert dump(new.db) == before
    assert f"{liar} is not a zip file that can be read." in " ".join(results["en"].err.split())


def test_a_zip_within_the_limit_still_imports(new: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bank's own zip, read in chunks now, imports as before, also with the limit just above it."""
    fixture = DATA / f"banc-amser-dyffryn_{DAY}.zip"
    with zipfile.ZipFile(fixture) as archive:
        held = sum(info.file_size for info in archive.infolist())
    monkeypatch.setattr(timeoverflow, "MAX_ZIP_TOTAL", held)
    new.ok("import", "timeoverflow", str(fixture))
    assert new.ok("check").code == 0
