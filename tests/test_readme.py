"""The README's tour of the everyday commands, in English and in Welsh, runs as written
(issue 7: README.cy.md's commands work)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from conftest import Cli, fresh_db

ROOT = Path(__file__).resolve().parent.parent


def tour(readme: str, heading: str) -> list[list[str]]:
    text = (ROOT / readme).read_text(encoding="utf-8")
    section = text[text.index(heading):]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, readme
    lines = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "timebank":
            lines.append(words[1:])
    return lines


@pytest.mark.parametrize(("readme", "heading"), [("README.md", "## A tour of the everyday commands"),
                                                 ("README.cy.md", "## Taith drwy'r gorchmynion bob dydd")])
def test_the_tour_runs_as_written(readme: str, heading: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-24")
    cli = Cli(fresh_db(tmp_path), capsys)
    commands = tour(readme, heading)
    assert len(commands) >= 15
    for words in commands:
        result = cli(*words)
        assert result.code == 0, (readme, words, result.err)
    # Two members were given Welsh and one English; the record and the void add up.
    assert sum(r["balance_minutes"] for r in cli.json("balance")) == 0
