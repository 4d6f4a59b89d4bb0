"""Correct translations that are already there: replace the msgstr of each msgid a review
lists, and touch nothing else in the catalogue (no reordering, no rewrapping), so that
branches still merge by union.

    python3 tools/correct_translations.py cy.po review.py

`review.py` holds `S = {"msgid": "new msgstr"}` and `P = {"singular msgid": [forms...]}`,
as for tools/apply_translations.py (which only fills empty entries). A msgid the catalogue
does not hold, or a correction that drops a placeholder, stops the tool before it writes.
"""

from __future__ import annotations

import ast
import re
import runpy
import sys
from pathlib import Path

QUOTED = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*("(?:[^"\\]|\\.)*")\s*$')
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _escape(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _fields(block: list[str]) -> tuple[dict[str, str], int]:
    """The block's msgid and msgid_plural (unescaped), and the index of its first msgstr line."""
    fields: dict[str, str] = {}
    current = None
    first_msgstr = -1
    for index, line in enumerate(block):
        match = QUOTED.match(line)
        if not match:
            continue
        keyword, quoted = match.groups()
        if keyword:
            current = keyword
            if keyword.startswith("msgstr") and first_msgstr < 0:
                first_msgstr = index
        if current in ("msgid", "msgid_plural"):
            fields[current] = fields.get(current, "") + ast.literal_eval(quoted)
    return fields, first_msgstr


def correct(catalogue: Path, review: Path) -> int:
    found = runpy.run_path(str(review))
    singular: dict[str, str] = found.get("S", {})
    plural: dict[str, list[str]] = found.get("P", {})
    for msgid, text in list(singular.items()) + [(k, " ".join(v)) for k, v in plural.items()]:
        if set(PLACEHOLDER.findall(msgid)) - set(PLACEHOLDER.findall(text)):
            sys.exit(f"a placeholder is missing from the correction of {msgid!r}")
    blocks = catalogue.read_text(encoding="utf-8").split("\n\n")
    done: set[str] = set()
    for number, text in enumerate(blocks):
        lines = text.split("\n")
        fields, first = _fields(lines)
        msgid = fields.get("msgid")
        if not msgid or first < 0 or lines[0].startswith("#~"):
            continue
        if "msgid_plural" in fields and msgid in plural:
            new = [f"msgstr[{i}] {_escape(form)}" for i, form in enumerate(plural[msgid])]
        elif "msgid_plural" not in fields and msgid in singular:
            new = [f"msgstr {_escape(singular[msgid])}"]
        else:
            continue
        blocks[number] = "\n".join(lines[:first] + new + ([""] if text.endswith("\n") else []))
        done.add(msgid)
    missing = (set(singular) | set(plural)) - done
    if missing:
        sys.exit(f"not in {catalogue}: {sorted(missing)}")
    catalogue.write_text("\n\n".join(blocks), encoding="utf-8")
    return len(done)


if __name__ == "__main__":
    print(f"corrected {correct(Path(sys.argv[1]), Path(sys.argv[2]))} entries")
