"""Start-up cost: --help and --version never import SQLAlchemy or Alembic, no command but
`ui` imports Textual, and a command on an up-to-date ledger never imports Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import Cli

PROBE = """
import sys
from timebank.cli.main import run
code = run({args!r})
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', 'textual'))
print('LOADED', ' '.join(sorted({{m.split('.')[0] for m in loaded}})))
sys.exit(code)
"""


def modules_after(args: list[str]) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True)
    line = next(l for l in result.stdout.splitlines() if l.startswith("LOADED"))
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


def test_version_prints(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "timebank", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("timebank ")
