"""The common words of English and Welsh (folded: no case, no accents), from
`common_words.txt` beside this module (made by tools/make_common_words.py). Erasure may not
take a name that is also a word ("Rose", "Hope", "Gwyn", "Haf") out of every text where it
stands alone: there it is most likely the word."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def common_words() -> frozenset[str]:
    text = files(__package__).joinpath("common_words.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_common(folded_word: str) -> bool:
    """Whether a folded word (apostrophes and hyphens left out) is a common word."""
    return folded_word.replace("'", "").replace("-", "") in common_words()
