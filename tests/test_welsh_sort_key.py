"""The Welsh sort key (a string, built by the C string methods) orders names exactly as the
reading it replaced: each name split into Welsh letters left to right (`ch|dd|ff|ng|ll|ph|rh|th|.`
after folding case and accents), each letter a number above every character's code point."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from timebank.ledger.basics.language import WELSH_ALPHABET, fold, sort_key_in

_TOKEN = re.compile(r"ch|dd|ff|ng|ll|ph|rh|th|.", re.DOTALL)
_CODE = {letter: 0x110000 + rank for rank, letter in enumerate(WELSH_ALPHABET)}


def letters_key(text: str) -> tuple[int, ...]:
    """The order WELSH.md states, spelt out the slow way (as it was before the string key)."""
    return tuple(_CODE.get(token) or ord(token) for token in _TOKEN.findall(fold(text)))


def reference(text: str) -> tuple[object, ...]:
    return (letters_key(text), text)


# Letters and pairs that make Welsh letters, the accents folded away, and the odd characters
# a name may hold: space, hyphen, apostrophe, digits, letters of other alphabets, and the
# last private-use code points (where the key's own letters are).
PIECES = ["a", "b", "c", "ch", "d", "dd", "e", "f", "ff", "g", "ng", "h", "i", "l", "ll", "n", "p", "ph", "r",
          "rh", "s", "t", "th", "u", "w", "y", "k", "z", "Ll", "LL", "Ch", "Rh", "â", "ŵ", "ŷ", "Ŵ", "ï", " ", "-",
          "'", "3", "ł", "ß", "ø", "Ω", "語", "\U0010ff00", "\U0010ffe0", "\U0010ffff", "\U0010fffe", "e\u0301"]


def names(seed: int, count: int) -> list[str]:
    chosen = random.Random(seed)
    return ["".join(chosen.choice(PIECES) for _ in range(chosen.randint(0, 7))) for _ in range(count)]


@pytest.mark.parametrize("seed", range(6))
def test_welsh_key_orders_as_the_letters_do(seed: int) -> None:
    words = names(seed, 3000)
    assert sorted(words, key=lambda w: sort_key_in(w, "cy")) == sorted(words, key=reference)
    # Pair by pair too: equal, before and after agree with the letters' order.
    for a, b in zip(words, reversed(words)):
        assert (sort_key_in(a, "cy") < sort_key_in(b, "cy")) == (reference(a) < reference(b))
        assert (sort_key_in(a, "cy") == sort_key_in(b, "cy")) == (reference(a) == reference(b))


def test_digraphs_are_one_letter_each() -> None:
    ordered = ["Lowri", "Luned", "Llinos", "Lloyd", "Nia", "Ngaio", "Rhian", "Tomos", "Thomas", "Cai", "Chris",
               "Dafydd", "Ddafydd", "Fflur", "Phil"]
    assert sorted(ordered, key=lambda n: sort_key_in(n, "cy")) == sorted(ordered, key=reference)
    assert sorted(["Llyr", "Lyn", "Lllan"], key=lambda n: sort_key_in(n, "cy")) == ["Lyn", "Lllan", "Llyr"]
    # Spaces and punctuation before every letter, as in English.
    assert sorted(["Ann Ab", "Anna", "Ann-Ab"], key=lambda n: sort_key_in(n, "cy")) == ["Ann Ab", "Ann-Ab", "Anna"]


def folded_the_long_way(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@pytest.mark.parametrize("seed", range(3))
def test_fold_drops_every_accent_and_nothing_else(seed: int) -> None:
    """`fold` (which the stored folded names are made with) drops Latin accents in C: the same
    text as dropping every combining character one by one, the grapheme joiner (no accent)
    and the marks of other scripts included."""
    extra = ["\u034f", "\u0483", "\u1ab0", "\u20d7", "\u0301", "\u0308", "Ŵ", "ŷ", "Â", "ǅ", "ﬀ", "Å", "ı", "İ"]
    chosen = random.Random(seed)
    for _ in range(3000):
        text = "".join(chosen.choice(PIECES + extra) for _ in range(chosen.randint(0, 8)))
        assert fold(text) == folded_the_long_way(text), text
