"""Where a ledger is: paths are paths (Windows ones, and names holding '?' or '%41', too),
only explicit URLs are URLs, and every --db or TIMEBANK_DB a person can type gets either a
working ledger or one clear line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from conftest import ON_POSTGRES, Cli, Result, dump, env_without_timebank, sqlite_only
from timebank.cli.main import run
from timebank.ledger.storage.db import resolve
from timebank.ledger.errors import InvalidInput, LedgerUnusable

WINDOWS_PATHS = [
    "C:\\Users\\x\\banc.sqlite3",
    "D:\\banc amser\\l.sqlite3",
    "C:/Users/Cydlynydd/banc.sqlite3",
    "c:banc.sqlite3",
    "C://Users//x//banc.sqlite3",
    "\\\\server\\share\\banc amser\\l.sqlite3",
    "E:\\Banc Amser (2026)\\ledger #1.sqlite3",
]
ODD_PATHS = ["a?b.sqlite3", "x%41.sqlite3", "hash#1.sqlite3", "q?mode=ro&cache=shared", "per cent %%.sqlite3",
             "sqlite.sqlite3", "postgresql.sqlite3", "x:y.sqlite3"]


def run_in(folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    capsys.readouterr()
    previous = Path.cwd()
    os.chdir(folder)
    try:
        code = run(list(args))
    finally:
        os.chdir(previous)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


@pytest.mark.parametrize("typed", WINDOWS_PATHS + ODD_PATHS)
def test_windows_paths_and_odd_names_are_paths_never_urls(typed: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from timebank.ledger.storage import location
    monkeypatch.chdir(tmp_path)
    assert location.url_scheme(typed) is None
    url, path = resolve(typed)
    # On this system the whole text is one file name beside us (backslashes are letters here),
    # and the URL the engine opens names exactly that file: nothing cut at '?', nothing decoded.
    assert path == (tmp_path / typed).resolve()
    assert make_url(url).get_backend_name() == "sqlite"
    assert make_url(url).database == str(path)
    monkeypatch.setenv("TIMEBANK_DB", typed)
    assert resolve(None) == (url, path)
    assert location.quick_target(typed) == path  # what the language and completion reads open


@sqlite_only
@pytest.mark.parametrize("typed", ["C:\\Users\\x\\banc.sqlite3", "D:\\banc amser\\l.sqlite3", "a?b.sqlite3",
                                   "x%41.sqlite3"])
def test_a_ledger_at_such_a_path_is_that_file(typed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # Red-team: a path with '?' wrote the ledger to 'a' (mode 0644), and `backup` copied the
    # empty file it was given, saying it had succeeded.
    assert run_in(tmp_path, capsys, "--db", typed, "init", "--lang", "cy").code == 0
    assert run_in(tmp_path, capsys, "--db", typed, "member", "add", "Llŷr Gwŷn", "--joined", "2026-01-05").code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [typed], "the ledger went to another file"
    assert sqlite3.connect(tmp_path / typed).execute("SELECT name FROM members WHERE number = 1").fetchone() == (
        "Llŷr Gwŷn",)
    # The language is read from the same file before the app is built (help in Welsh).
    monkeypatch.setenv("TIMEBANK_DB", typed)
    assert "Defnydd" in run_in(tmp_path, capsys, "--help").out
    monkeypatch.delenv("TIMEBANK_DB")
    assert run_in(tmp_path, capsys, "--db", typed, "backup", "--output", "copy.sqlite3").code == 0
    assert sqlite3.connect(tmp_path / "copy.sqlite3").execute("SELECT count(*) FROM members").fetchone() == (2,)


def test_explicit_urls_are_urls(tmp_path: Path) -> None:
    from timebank.ledger.storage import location
    target = tmp_path / "a b?c.sqlite3"
    url, path = resolve("sqlite:///" + str(target).replace("?", "%3F").replace(" ", "%20"))
    assert path == target and make_url(url).database == str(target)
    # '?' in a URL starts its query, as in any URL: the file is the part before it.
    assert resolve(f"sqlite:///{tmp_path}/plain.sqlite3?timeout=5")[1] == tmp_path / "plain.sqlite3"
    server, file = resolve("postgresql://u:p%40ss@db.example:5432/banc")
    assert file is None and make_url(server).password == "p@ss"
    assert make_url(server).drivername == "postgresql+psycopg"
    assert make_url(resolve("postgres://u@h/banc")[0]).drivername == "postgresql+psycopg"
    assert location.sqlite_url_file("sqlite:///C:\\Users\\x\\banc.sqlite3") == "C:\\Users\\x\\banc.sqlite3"


@pytest.mark.parametrize("url", ["sqlite:///x.sqlite3", "sqlite:////tmp/a%3Fb%2541.sqlite3", "sqlite:///x.db?timeout=3",
                                 "sqlite:///C:\\Users\\x\\l.sqlite3", "sqlite:///D:/banc amser/l.sqlite3",
                                 "sqlite:///%7E/x.sqlite3", "sqlite+pysqlite:///y.sqlite3"])
def test_the_language_reader_and_the_engine_read_sqlite_urls_alike(url: str) -> None:
    from timebank.ledger.storage import location
    assert location.sqlite_url_file(url) == make_url(url).database
    assert location.quick_target(url) == resolve(url)[1]


@pytest.mark.parametrize(("label", "typed", "expected"), [
    ("mysql", "mysql://u@h/db", "PostgreSQL"),
    ("unknown scheme", "foo://x", "PostgreSQL"),
    ("file URL", "file:///tmp/x.sqlite3", "PostgreSQL"),
    ("no such user", "~nouser_zz/x.sqlite3", "~nouser_zz"),
    ("bad port", "postgresql://u@localhost:abc/db", ""),
    ("in-memory", "sqlite://", ""),
    ("sqlite host", "sqlite://host/x.sqlite3", "sqlite:///"),
    ("nul in path", "a\x00b.sqlite3", "NUL"),
    ("device name", "NUL.sqlite3", "Windows"),
    ("unencoded @ in password", "postgresql://u:p@ss@db.invalid/x", "%40"),
])
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_unusable_locations_are_one_clear_line(label: str, typed: str, expected: str, lang: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    result = run_in(tmp_path, capsys, "--lang", lang, "--db", typed, "balance")
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert result.code == 1 and len(lines) == 1, result
    assert "Unexpected error" not in result.err and "Gwall annisgwyl" not in result.err
    assert expected in result.err
    assert list(tmp_path.iterdir()) == []


def test_a_password_with_an_unencoded_at_is_never_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Red-team: 'p@ss' was read as password 'p' and host 'ss@db...', and the host was shown.
    for typed in ("postgresql://user:se@cret@127.0.0.1:1/banc", "postgresql+psycopg://u:a@b@c@localhost/x"):
        for command in (["balance"], ["--help"], ["init"]):
            result = run_in(tmp_path, capsys, "--db", typed, *command)
            assert "cret" not in result.out + result.err and "b@c" not in result.out + result.err
    result = run_in(tmp_path, capsys, "--db", "postgresql://user:s3cr3tpw@127.0.0.1:1/banc", "balance")
    assert result.code == 1 and "s3cr3tpw" not in result.err


@pytest.mark.parametrize(("typed", "secret"), [
    # Red-team (issue 26): a '?' before the '@' hid the second '@' from the check, and the
    # host 'qwxv@127.0.0.1' was shown.
    ("postgresql+psycopg://user:pa?ss@qwxv@127.0.0.1:1/db", "qwxv"),
    ("postgresql://user:pa#ss@qw/xv@127.0.0.1:1/db", "xv"),
    ("postgresql://user:pa/ss?x@qwxv@127.0.0.1:1/db", "qwxv"),
    # The password where the driver's message quotes it: as the host, in ?password=.
    ("postgresql://user:zorblax@zorblax:1/db", "zorblax"),
    ("postgresql://user@zorblax:1/db?password=zorblax", "zorblax"),
    ("postgresql://user@127.0.0.1:1/db?host=zorblax&password=zorblax", "zorblax"),
    ("postgresql://user:zorb%3Flax@zorb%3Flax:1/db", "zorb"),
])
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_no_part_of_a_password_is_ever_shown(typed: str, secret: str, lang: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["balance"], ["init"], ["check"]):
        result = run_in(tmp_path, capsys, "--lang", lang, "--db", typed, *command)
        lines = [line for line in result.err.splitlines() if line.strip()]
        assert result.code == 1 and len(lines) == 1 and "Traceback" not in result.err, result
        assert secret not in result.out + result.err, result


def test_a_very_long_path_is_one_short_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long = str(tmp_path / ("a" * 5000)) + ".sqlite3"
    for command in (["balance"], ["init"]):
        result = run_in(tmp_path, capsys, "--db", long, *command)
        assert result.code == 1 and len(result.err.splitlines()) == 1 and len(result.err) < 300, result
        assert "too long" in result.err


@sqlite_only
@pytest.mark.parametrize("command", [["balance"], ["init"], ["check"], ["--help"]])
def test_a_pipe_or_a_device_is_not_a_ledger(command: list[str], tmp_path: Path) -> None:
    # Red-team: TIMEBANK_DB naming a FIFO hung for ever; a character device left a stray
    # '-journal' beside it. Run as a subprocess with a timeout: the old code never returned.
    fifo = tmp_path / "ledger.fifo"
    os.mkfifo(fifo)
    device = tmp_path / "null"
    os.symlink(os.devnull, device)  # a link to a device is that device
    for target in (fifo, device):
        env = env_without_timebank() | {"TIMEBANK_DB": str(target)}
        result = subprocess.run([sys.executable, "-m", "timebank", *command], env=env, capture_output=True,
                                text=True, timeout=60)
        if command == ["--help"]:
            assert result.returncode == 0
        else:
            assert result.returncode == 1 and "not a ledger file" in result.stderr, result
        assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.fifo", "null"]
    assert not Path(os.devnull + "-journal").exists()


@pytest.mark.slow
@sqlite_only
def test_six_inits_at_once_create_one_ledger(tmp_path: Path) -> None:
    # Red-team: six concurrent inits each printed "Created".
    for round_ in range(3):
        db = tmp_path / f"ledger{round_}.sqlite3"
        env = env_without_timebank() | {"TIMEBANK_USER": "tester"}
        processes = [subprocess.Popen([sys.executable, "-m", "timebank", "--db", str(db), "init"], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
        outputs = [process.communicate(timeout=120) + (process.returncode,) for process in processes]
        assert all(code == 0 for _out, _err, code in outputs), [o for o in outputs if o[2]]
        said = [out.strip() for out, _err, _code in outputs]
        assert sum(line.startswith("Created a new ledger") for line in said) == 1, said
        assert sum(line.startswith("A ledger already exists") for line in said) == 5, said
        rows = sqlite3.connect(db).execute("SELECT count(*) FROM audit WHERE action = 'ledger.init'").fetchone()
        assert rows == (1,)


def test_inits_at_once_in_threads_on_any_backend(cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    # The same through the core, on SQLite or PostgreSQL: one creates, the others find it.
    from timebank.ledger.storage.db import open_ledger
    from timebank.ledger.schema import initialise

    results: list[bool] = []
    errors: list[BaseException] = []

    def one() -> None:
        ledger = open_ledger(str(cli.db), create=True)
        try:
            results.append(initialise(ledger, "tester", name=None, lang="en"))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            ledger.dispose()

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and sorted(results) == [False, False, False, True]
    cli.ok("check")


def test_init_on_another_programs_database_still_refused(cli: Cli) -> None:
    if isinstance(cli.db, Path):
        conn = sqlite3.connect(cli.db)
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.commit()
        conn.close()
        before = dump(cli.db)
        result = cli("init")
        assert result.code == 1 and "not a timebank ledger" in result.err
        assert dump(cli.db) == before


@pytest.mark.parametrize("name", ["CON", "con", "NUL.csv", "nul.tar.gz", "PRN.txt", "AUX", "COM1", "com9.csv",
                                  "LPT1.csv", "aux .csv", "CONOUT$", "COM\u00b9.csv"])
def test_windows_device_names_are_refused_for_output(name: str, ledger: Cli, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    commands = [["export", "members", "--output", name], ["journal", "-o", name],
                ["export", "summary", "-o", str(tmp_path / "sub" / name)]]
    if not ON_POSTGRES:  # a server database's backups are made with its own tools
        commands.append(["backup", "--output", name])
    for args in commands:
        for lang in ("en", "cy"):
            result = ledger(*args, lang=lang)
            assert result.code == 1 and len(result.err.strip().splitlines()) == 1, (args, result)
            assert "CON, PRN" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("name", ["console.csv", "CONTACTS.csv", "nullable.csv", "com10.csv", "lpt.csv", "my CON.csv"])
def test_names_that_only_look_like_devices_are_fine(name: str) -> None:
    from timebank.ledger.storage import location
    assert not location.windows_device(name)
    location.refuse_device_name(name)


def test_device_names_are_refused_with_the_error_kind_asked_for() -> None:
    from timebank.ledger.storage import location
    with pytest.raises(InvalidInput):
        location.refuse_device_name("x/NUL.csv")
    with pytest.raises(LedgerUnusable):
        location.file_path("C:\\ledgers\\con.sqlite3")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_very_long_file_name_for_output_or_restore_is_one_short_line(ledger: Cli, tmp_path: Path, lang: str) -> None:
    long = str(tmp_path / ("b" * 5000))
    before = dump(ledger.db)
    commands = [["export", "members", "-o", long + ".csv"], ["journal", "--output", long], ["restore", long, "--yes"]]
    if not ON_POSTGRES:
        commands.append(["backup", "--output", long])
    for args in commands:
        result = ledger(*args, lang=lang)
        assert result.code == 1 and len(result.err.splitlines()) == 1 and len(result.err) < 300, (args, result)
        assert "Unexpected" not in result.err and "annisgwyl" not in result.err
    assert dump(ledger.db) == before
