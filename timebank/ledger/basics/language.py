"""The two languages as the core needs them without any catalogue: their codes, folding
case and accents for matching, and alphabetical order (Welsh digraphs are single letters)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

LANGUAGES = ("cy", "en")


def normalise_language(value: str | None) -> str | None:
    """'cy', 'cy_GB.UTF-8', 'CY' -> 'cy'; anything unknown -> None."""
    if not value:
        return None
    head = value.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return head if head in LANGUAGES else None



# The Welsh alphabet, with the letters it borrows (k, q, v, x, z) where English puts them.
WELSH_ALPHABET = ["a", "b", "c", "ch", "d", "dd", "e", "f", "ff", "g", "ng", "h", "i", "j", "k",
                  "l", "ll", "m", "n", "o", "p", "ph", "q", "r", "rh", "s", "t", "th", "u", "v",
                  "w", "x", "y", "z"]
_WELSH_RANK = {letter: index for index, letter in enumerate(WELSH_ALPHABET)}


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Siân' -> 'sian', 'LLŶR' -> 'llyr'."""
    if text.isascii():  # most names: nothing to strip, and sorting ten thousand of them is hot
        return text.casefold()
    # The accents of Latin letters (ŵ, ŷ, â: in U+0300-U+036F once decomposed) dropped in C;
    # what is left is read a character at a time only if it is not plain ASCII by then.
    decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(_LATIN_ACCENTS)
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# (U+034F, the grapheme joiner, is no accent: it stays, as `combining` says.)
_LATIN_ACCENTS = {code: None for code in range(0x300, 0x370) if unicodedata.combining(chr(code))}


# The key is a string, each Welsh letter one character above every character a name holds,
# so that spaces, digits and punctuation (their own code points) come before every letter,
# as in English: strings compare in C, where a tuple of numbers a letter cost fifty thousand
# members' names 0.3 s to build (a regular expression and a number for each letter).
# The letters take the last code points of all; the few characters at or above `_HIGH`
# (private use, in no name one would expect) are written as two, `_HIGH` then themselves,
# which keeps every key in the order of its letters.
_HIGH = 0x10FF00
_WELSH_CHAR = {letter: chr(0x110000 - len(WELSH_ALPHABET) + rank) for letter, rank in _WELSH_RANK.items()}
_DIGRAPHS = tuple(letter for letter in WELSH_ALPHABET if len(letter) == 2)
_LETTERS = str.maketrans({letter: char for letter, char in _WELSH_CHAR.items() if len(letter) == 1})
_HIGH_CHAR = chr(_HIGH)


def _welsh_key(text: str) -> str:
    folded = fold(text)
    if not folded.isascii() and max(folded) >= _HIGH_CHAR:
        folded = "".join(_HIGH_CHAR + ch if ch >= _HIGH_CHAR else ch for ch in folded)
    # Two letters that make one never overlap another pair but their own kind ("lll" is ll
    # then l, as a left-to-right reading gives), so replacing each digraph in turn, left to
    # right, reads every name as the letters it is spelt with.
    for digraph in _DIGRAPHS:
        if digraph in folded:
            folded = folded.replace(digraph, _WELSH_CHAR[digraph])
    return folded.translate(_LETTERS)


@lru_cache(maxsize=65536)
def sort_key_in(name: str, lang: str) -> tuple[object, ...]:
    """Alphabetical order in `lang` (Welsh digraphs are single letters)."""
    # Kept: the screen sorts the same ten thousand names again for each report it shows.
    return (letters_key(name, lang), name)


def letters_key(name: str, lang: str) -> str:
    """The first part of `sort_key_in` (names equal in it are then ordered as written)."""
    return _welsh_key(name) if lang == "cy" else fold(name)
