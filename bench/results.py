"""bench/RESULTS.md: every bench script's figures in one file, a dated section for each run,
newest first, below the file's introduction (older sections are kept as they were)."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
INTRODUCTION = """# Benchmark results

Every run of the bench scripts (bench/README.md says how to run each), newest first: each
section names its day, the script and the machine it ran on, with the machine's load. The
machine of most runs is shared by several sessions: compare ratios measured in the same run
(against the floor, or old code against new), not seconds across runs.
"""


def add_section(lines: list[str], day: str, path: Path = RESULTS) -> None:
    """A script's report as a new section: its title (`# ...`) becomes `## DAY: ...` and
    its own headings go down a level."""
    section: list[str] = []
    for line in lines:
        if line.startswith("#") and line.lstrip("#").startswith(" "):
            line = "#" + line
            if line.startswith("## ") and not section:
                line = f"## {day}: {line[3:]}"
        section.append(line)
    text = path.read_text(encoding="utf-8") if path.exists() else INTRODUCTION
    head, marker, rest = text.partition("\n## ")
    body = "\n".join(section).rstrip() + "\n"
    path.write_text(head.rstrip() + "\n\n" + body + ("\n## " + rest if marker else ""), encoding="utf-8")
