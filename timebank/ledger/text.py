"""What may be stored as text: no control characters, and no invisible marks that
reorder how the text around them is shown."""

from __future__ import annotations

import unicodedata

# Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069): right-to-left text
# itself is welcome, but these make a name or note display as something it is not.
# What stands in stored text where an erased member's details were (`member forget`); the
# face shows it in the output language.
ERASED = "[erased]"

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS for ch in text)
