"""The Welsh catalogue is spelt right: every word of every cy.po translation is in
Debian's Welsh dictionary (aspell-cy) or in the project's word list (tools/cy-words.txt:
words the dictionary lacks, such as mutated forms and the ledger's own terms). A typo in
cy.po fails this test, and so CI."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from timebank.i18n import parse_po

ROOT = Path(__file__).resolve().parent.parent
WORD_LIST = ROOT / "tools" / "cy-words.txt"

needs_aspell = pytest.mark.skipif(
    shutil.which("aspell") is None or "cy" not in subprocess.run(["aspell", "dicts"], capture_output=True,
                                                                 text=True).stdout.split(),
    reason="aspell and Debian's aspell-cy are not installed (.ci/run installs them)")


def words_of(text: str) -> list[str]:
    """The Welsh words of a message: no placeholders, options, codes or numbers, and
    contractions split at the apostrophe (mae'r -> mae)."""
    text = re.sub(r"\{\w*\}", " ", text)
    text = re.sub(r"--[\w-]+", " ", text)
    words = []
    for token in re.findall(r"[\w'’.@/:-]+", text):
        if re.search(r"[\d_@/:.]", token) or re.fullmatch(r"[A-Z]{1,3}", token):
            continue
        for part in re.split(r"['’-]", token):
            if len(part) >= 2:
                words.append(part)
    return words


def catalogue_words(text: str) -> list[str]:
    singular, plural, _rule = parse_po(text)
    found: list[str] = []
    for message in [*singular.values(), *(form for forms in plural.values() for form in forms)]:
        found += words_of(message)
    return found


def unknown_words(words: list[str]) -> set[str]:
    result = subprocess.run(["aspell", "--lang=cy", "--encoding=utf-8", "list"], input="\n".join(words),
                            capture_output=True, text=True, check=True)
    allowed = {line.strip().lower() for line in WORD_LIST.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    return {word for word in result.stdout.split() if word.lower() not in allowed}


@needs_aspell
def test_welsh_catalogue_is_spelt_right() -> None:
    unknown = unknown_words(catalogue_words((ROOT / "cy.po").read_text(encoding="utf-8")))
    assert not unknown, f"not in aspell-cy or tools/cy-words.txt: {sorted(unknown)}"


@needs_aspell
def test_a_misspelt_word_fails() -> None:
    text = (ROOT / "cy.po").read_text(encoding="utf-8").replace('msgstr "Cofnodwyd cyfnewidiad"',
                                                                 'msgstr "Cofnodwyd cyfnewidad"')
    assert "cyfnewidad" in unknown_words(catalogue_words(text))
