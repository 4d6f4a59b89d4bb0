"""The two languages as the core needs them without any catalogue: their codes, folding
case and accents for matching, and alphabetical order (Welsh digraphs are single letters)."""

from __future__ import annotations

import re
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
_WELSH_TOKEN = re.compile(r"ch|dd|ff|ng|ll|ph|rh|th|.", re.DOTALL)


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Siân' -> 'sian', 'LLŶR' -> 'llyr'."""
    if text.isascii():  # most names: nothing to strip, and sorting ten thousand of them is hot
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Each Welsh letter as a number above every character's code point, so that spaces, digits
# and punctuation (their own code points) come before every letter, as in English.
_WELSH_CODE = {letter: 0x110000 + rank for letter, rank in _WELSH_RANK.items()}


def _welsh_key(text: str) -> tuple[int, ...]:
    code = _WELSH_CODE.get
    # A token not in the alphabet is one character (every digraph the pattern knows is a letter).
    return tuple([code(token) or ord(token) for token in _WELSH_TOKEN.findall(fold(text))])


@lru_cache(maxsize=65536)
def sort_key_in(name: str, lang: str) -> tuple[object, ...]:
    """Alphabetical order in `lang` (Welsh digraphs are single letters)."""
    # Kept: the screen sorts the same ten thousand names again for each report it shows.
    if lang == "cy":
        return (_welsh_key(name), name)
    return (fold(name), name)
