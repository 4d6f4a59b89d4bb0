"""Shared fixtures: a real SQLite ledger in a temporary folder, and the CLI run in-process."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from timebank.cli.main import run


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli:
    """Runs `timebank ARGS` against one ledger file, capturing its output."""

    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self.capsys = capsys

    def __call__(self, *args: str, lang: str | None = None) -> Result:
        argv = ["--db", str(self.db)]
        if lang:
            argv += ["--lang", lang]
        self.capsys.readouterr()
        code = run(argv + list(args))
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def ok(self, *args: str, lang: str | None = None) -> Result:
        result = self(*args, lang=lang)
        assert result.code == 0, (args, result)
        return result

    def json(self, *args: str, lang: str | None = None):  # type: ignore[no-untyped-def]
        import json

        return json.loads(self.ok(*args, "--format", "json", lang=lang).out)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for variable in ("TIMEBANK_DB", "TIMEBANK_LANG", "TIMEBANK_USER", "TIMEBANK_TODAY", "LC_ALL",
                     "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TIMEBANK_USER", "tester")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "ledger.sqlite3", capsys)


@pytest.fixture
def ledger(cli: Cli) -> Cli:
    """An initialised ledger with Siân (1), Llinos (2) and Lowri ap Rhys (3)."""
    cli.ok("init", "--name", "Banc Amser Blaengarw")
    cli.ok("member", "add", "Siân", "--joined", "2026-01-05", "--lang", "cy")
    cli.ok("member", "add", "Llinos", "--joined", "2026-01-05")
    cli.ok("member", "add", "Lowri ap Rhys", "--joined", "2026-01-05")
    return cli


def dump(path: Path) -> list[tuple]:
    """Every row of every table, for proving that a refused command changed nothing."""
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows: list[tuple] = []
        for table in tables:
            rows.extend((table, *row) for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'))
        return rows
    finally:
        conn.close()


def env_without_timebank() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
