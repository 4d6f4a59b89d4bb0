"""Start-up cost: --help and --version never import SQLAlchemy or Alembic, no command but
`ui` imports Textual, a command on an up-to-date ledger never imports Alembic, and the
commands a coordinator types most never import Pydantic (Typer's checking of values)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import timebank
from conftest import Cli

PROBE = """
import sys
from timebank.cli.main import run
code = run({args!r})
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', 'textual', 'pydantic'))
dialects = sorted(m for m in sys.modules if m == 'sqlalchemy.dialects.postgresql')
print('LOADED', ' '.join(sorted({{m.split('.')[0] for m in loaded}} | set(dialects))))
sys.exit(code)
"""


def modules_after(args: list[str]) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True)
    line = next(text for text in result.stdout.splitlines() if text.startswith("LOADED"))
    return set(line.split()[1:])


def test_help_and_version_import_no_database_code() -> None:
    assert modules_after(["--help"]) == set()
    assert modules_after(["--version"]) == set()
    assert modules_after(["--lang", "cy", "record", "--help"]) == set()


def test_only_the_screen_imports_textual(ledger: Cli) -> None:
    assert modules_after(["ui", "--help"]) == set()
    assert modules_after(["--lang", "cy", "sgrin", "--help"]) == set()
    assert "textual" not in modules_after(["--db", str(ledger.db), "balance"])
    assert "textual" not in modules_after(["--db", str(ledger.db), "record", "1", "2", "1"])


def test_help_by_importtime() -> None:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "timebank", "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert "sqlalchemy" not in result.stderr and "alembic" not in result.stderr and "textual" not in result.stderr


def test_command_on_current_ledger_skips_alembic(ledger: Cli) -> None:
    loaded = modules_after(["--db", str(ledger.db), "balance"])
    assert "sqlalchemy" in loaded and "alembic" not in loaded


def test_point_commands_skip_pydantic(ledger: Cli) -> None:
    """Typer would build a Pydantic adapter for each parameter (`timebank.cli.coercion`), and
    a SQLite ledger needs nothing of SQLAlchemy's PostgreSQL dialect (`models`)."""
    db = ["--db", str(ledger.db)]
    for args in (["balance", "1"], ["balance", "Siân", "--format", "json"], ["member", "show", "1"],
                 ["--lang", "cy", "aelod", "dangos", "1"], ["record", "1", "2", "0:01", "--allow-overdraft"],
                 ["statement", "1", "--from", "2020-01-01"]):
        loaded = modules_after(db + args)
        assert "pydantic" not in loaded, args
        assert ("sqlalchemy.dialects.postgresql" in loaded) == (not isinstance(ledger.db, Path)), args
    # A value that is not plain still gets Typer's own check (and its refusal).
    assert "pydantic" in modules_after(db + ["balance", "1", "--format", "bogus"])


def test_version_prints(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "timebank", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("timebank ")


def package_files() -> dict[str, tuple[int, int]]:
    """Every file of the timebank package (Python's own compiled modules aside): size and time."""
    package = Path(timebank.__file__).resolve().parent
    return {str(path.relative_to(package)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in package.rglob("*") if path.is_file() and path.suffix != ".pyc"}


def test_commands_write_nothing_into_the_package(ledger: Cli, tmp_path: Path) -> None:
    """The catalogues are compiled when the package is built and only read at run time: no
    cache or other file appears or changes in the package, whatever the language."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}  # as a user runs it

    def run(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "timebank", *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path)  # not the checkout: the package the tests import
        assert done.returncode == 0, done.stderr

    run("--lang", "cy", "--help")  # a checkout whose .po changed compiles its .mo here, first
    run("--lang", "en", "--help")
    before = package_files()
    for lang in ("cy", "en"):
        run("--lang", lang, "--help")
        run("--lang", lang, "--db", str(ledger.db), "balance")
    assert package_files() == before
