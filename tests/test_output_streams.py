"""What reaches a file, a pipe or a terminal: UTF-8 to files and pipes whatever the console's
code page (Windows writes redirected output in cp1252, which has no ŵ or ŷ), plain letters for
a terminal that cannot show one, and one clear line when standard output is closed or full."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Cli, env_without_timebank, sqlite_only

NAME = "Llŷr Gwŷn"


@pytest.fixture
def welsh_names(ledger: Cli) -> Cli:
    ledger.ok("member", "add", NAME, "--joined", "2026-01-05", "--lang", "cy")
    ledger.ok("member", "add", "Gwenllïan Ŵyn", "--joined", "2026-01-05")
    ledger.ok("record", NAME, "Siân", "2", "--date", "2026-02-03", "--note", "Tŷ Gŵyr: garddio")
    ledger.ok("record", "Gwenllïan", NAME, "1:30", "--date", "2026-02-10")
    return ledger


def timebank(db: "Path | str", *args: str, encoding: str | None = "cp1252", stdout: object = subprocess.PIPE,
             extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The installed program in a process of its own, as a user runs it."""
    env = env_without_timebank() | {"TIMEBANK_USER": "tester", "TIMEBANK_TODAY": "2026-03-15", "COLUMNS": "100"}
    env.pop("PYTHONIOENCODING", None)
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    env |= extra or {}
    return subprocess.run([sys.executable, "-m", "timebank", "--db", str(db), *args], env=env, stdout=stdout,
                          stderr=subprocess.PIPE, timeout=120)


ACCEPTANCE = [
    ["--lang", "cy", "report", "monthly", "--month", "2026-02"],
    ["--lang", "en", "report", "monthly", "--month", "2026-02"],
    ["balance", "--format", "csv"],
    ["--lang", "cy", "balance", "--format", "csv"],
    ["journal"],
    ["--lang", "cy", "journal", "--format", "beancount"],
    ["--lang", "cy", "balance"],
    ["member", "list", "--format", "json"],
    ["--lang", "cy", "statement", NAME, "--month", "2026-02"],
    ["export", "exchanges", "--with-names"],
]


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "latin-1"])
@pytest.mark.parametrize("args", ACCEPTANCE, ids=[" ".join(a) for a in ACCEPTANCE])
def test_redirected_output_is_utf8_whatever_the_code_page(welsh_names: Cli, tmp_path: Path, args: list[str],
                                                           encoding: str) -> None:
    # Issue 19, acceptance 1: `PYTHONIOENCODING=cp1252 timebank --lang cy report monthly > f`
    # stopped with "'charmap' codec can't encode character '\u0177'".
    target = tmp_path / "f"
    with target.open("wb") as handle:
        result = timebank(welsh_names.db, *args, encoding=encoding, stdout=handle)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert result.stderr == b""
    text = target.read_bytes().decode("utf-8")  # strict: the file is UTF-8
    assert NAME in text or "Ll\\u0177r" in text, text[:500]
    assert not target.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM only with --excel
    assert b"\r\r\n" not in target.read_bytes()


@pytest.mark.parametrize("args", ACCEPTANCE[:5], ids=[" ".join(a) for a in ACCEPTANCE[:5]])
def test_piped_output_is_utf8_too(welsh_names: Cli, args: list[str]) -> None:
    result = timebank(welsh_names.db, *args)
    assert result.returncode == 0, result.stderr
    assert NAME in result.stdout.decode("utf-8")


def test_the_journal_in_a_file_has_the_names_intact(welsh_names: Cli, tmp_path: Path) -> None:
    with (tmp_path / "banc.journal").open("wb") as handle:
        assert timebank(welsh_names.db, "journal", stdout=handle).returncode == 0
    journal = (tmp_path / "banc.journal").read_text(encoding="utf-8")
    assert f"members:{NAME}" in journal or NAME in journal


def test_the_excel_bom_rule_holds_on_any_code_page(welsh_names: Cli, tmp_path: Path) -> None:
    with_bom = timebank(welsh_names.db, "export", "members", "--with-names", "--excel")
    assert with_bom.returncode == 0 and with_bom.stdout.startswith(b"\xef\xbb\xbf")
    assert NAME in with_bom.stdout.decode("utf-8-sig") and "\ufeff" not in with_bom.stdout.decode("utf-8-sig")
    without = timebank(welsh_names.db, "export", "members", "--with-names")
    assert without.stdout.startswith(b"member,") and NAME in without.stdout.decode("utf-8")
    assert without.stdout.count(b"\r\n") == without.stdout.count(b"\n")  # CRLF rows, as funders get them
    to_file = timebank(welsh_names.db, "export", "members", "--with-names", "--excel", "-o", str(tmp_path / "x.csv"))
    assert to_file.returncode == 0 and (tmp_path / "x.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_windows_text_stream_writes_lines_as_written(welsh_names: Cli) -> None:
    # Windows' text mode turns each "\n" into "\r\n", so a funder's CSV rows, written as
    # "\r\n", became "\r\r\n". A stream set up like Windows' redirected stdout (cp1252,
    # CRLF translation) stands in for it here.
    from timebank.cli.main import run

    def through_windows_stdout(*args: str) -> bytes:
        saved = sys.stdout
        raw = io.BytesIO()
        fake = io.TextIOWrapper(raw, encoding="cp1252", newline="\r\n", write_through=True)
        sys.stdout = fake
        try:
            assert run(["--db", str(welsh_names.db), *args]) == 0
            fake.flush()
            return raw.getvalue()
        finally:
            sys.stdout = saved

    funder = through_windows_stdout("export", "members", "--with-names")
    assert b"\r\r\n" not in funder and funder.count(b"\r\n") == funder.count(b"\n") >= 5
    assert NAME.encode("utf-8") in funder
    listing = through_windows_stdout("balance", "--format", "csv")
    assert b"\r" not in listing and listing.count(b"\n") >= 5 and NAME.encode("utf-8") in listing


def run_on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run with a pseudo-terminal as standard output and error, as at a console."""
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(master)
    # Read as the terminal would: in its own encoding (any byte it could not show fails here).
    return process.returncode, b"".join(chunks).decode(env["PYTHONIOENCODING"])


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_a_terminal_that_cannot_show_a_letter_gets_plain_letters(welsh_names: Cli, encoding: str) -> None:
    env = env_without_timebank() | {"PYTHONIOENCODING": encoding, "TIMEBANK_USER": "tester", "COLUMNS": "100",
                                    "TERM": "dumb", "TIMEBANK_TODAY": "2026-03-15"}
    base = [sys.executable, "-m", "timebank", "--db", str(welsh_names.db)]
    code, shown = run_on_terminal(base + ["--lang", "cy", "balance"], env)
    # ŷ is in neither; â and ï are in cp1252, so that terminal shows them.
    assert code == 0 and "Llyr Gwyn" in shown, shown
    assert ("Siân" in shown and "Gwenllïan" in shown) if encoding == "cp1252" else ("Sian" in shown), shown
    code, shown = run_on_terminal(base + ["--lang", "cy", "member", "show", NAME], env)
    assert code == 0 and "Llyr Gwyn" in shown and "Traceback" not in shown, shown
    code, shown = run_on_terminal(base + ["--lang", "cy", "member", "add", "Dŵr Ŷd", "--joined", "2026-01-05"], env)
    assert code == 0 and "Dwr Yd" in shown, shown  # Typer's echo, not only Rich, gets plain letters
    code, shown = run_on_terminal(base + ["--lang", "cy", "check"], env)
    assert code == 0 and "OK" in shown and ("cytuno â'u" if encoding == "cp1252" else "cytuno a'u") in shown, shown
    code, shown = run_on_terminal(base + ["--lang", "cy", "record", NAME, "Nobody", "1"], env)
    assert code == 1 and "Traceback" not in shown and "annisgwyl" not in shown, shown


def test_plain_letters() -> None:
    from timebank.cli import streams

    assert "".join(streams.plain(c, "ascii") for c in "Llŷr Gwŷn, Siân, Gwenllïan, Ẅ ŵ") == "Llyr Gwyn, Sian, Gwenllian, W w"
    assert streams.plain("ŷ", "cp1252") == "y" and streams.plain("â", "ascii") == "a"
    assert streams.plain("─", "ascii") == "-" and streams.plain("✓", "ascii") == "OK"
    assert streams.plain("😀", "ascii") == "?" and streams.plain("\udcff", "ascii") == "?"
    assert "Tŷ £5".encode("ascii", streams.FALLBACK) == b"Ty GBP5"


@sqlite_only
@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("args", [["balance"], ["balance", "--format", "csv"], ["journal"], ["nosuchcommand"],
                                  ["member", "show", "Nobody"], ["--version"]])
def test_closed_stdout_is_one_line_not_a_traceback(welsh_names: Cli, args: list[str], lang: str) -> None:
    # Red-team: with stdout closed (`>&-`) the error printer itself raised a traceback.
    env = env_without_timebank() | {"TIMEBANK_USER": "tester"}
    command = [sys.executable, "-m", "timebank", "--lang", lang, "--db", str(welsh_names.db), *args]
    result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: os.close(1), timeout=120)
    assert "Traceback" not in result.stderr and "annisgwyl" not in result.stderr
    assert "Unexpected" not in result.stderr
    assert result.returncode != 0, result
    if args in (["balance"], ["balance", "--format", "csv"], ["journal"], ["--version"]):
        assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    # Both closed: nowhere to say anything, and still no crash of the interpreter.
    both = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          preexec_fn=lambda: (os.close(1), os.close(2)), timeout=120)
    assert both.returncode in (1, 2)


@sqlite_only
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("args", [["balance"], ["balance", "--format", "csv"], ["journal"],
                                  ["export", "exchanges"], ["report", "monthly", "--month", "2026-02"]])
def test_stdout_to_a_full_disk_is_one_line(welsh_names: Cli, args: list[str], lang: str) -> None:
    with open("/dev/full", "wb") as full:
        result = timebank(welsh_names.db, "--lang", lang, *args, stdout=full)
    err = result.stderr.decode("utf-8")
    assert result.returncode == 1 and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "Unexpected" not in err and "annisgwyl" not in err
    assert ("disk is full" if lang == "en" else "llawn") in err


@sqlite_only
def test_a_reader_that_stops_early_is_no_error(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    assert timebank(db, "demo", "--months", "36", stdout=subprocess.DEVNULL).returncode == 0
    for args in (["journal"], ["export", "exchanges", "--with-names"]):
        process = subprocess.Popen([sys.executable, "-m", "timebank", "--db", str(db), *args],
                                   env=env_without_timebank(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()  # more than a pipe's buffer (64 KiB) is still to come
        err = process.stderr.read().decode("utf-8")
        process.wait(timeout=120)
        assert "Traceback" not in err and "Exception ignored" not in err and "Unexpected" not in err, err
