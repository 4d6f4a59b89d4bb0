"""What may be stored as text, and the marks stored text can carry.

Every free text a person types (names, notes, areas, reasons) passes `clean_text`: trimmed,
NFC-normalised, no control characters, bounded. Kept at the bottom of the core: members,
categories, exchanges and imports all use it.
"""

from __future__ import annotations

import re
import unicodedata

from timebank.ledger.errors import InvalidInput
from timebank.ledger.messages import Phrase, _

# What stands in stored text where an erased member's details were (`member forget`); the
# face shows it in the output language.
ERASED = "[erased]"

MAX_TEXT = 200
MAX_NOTE = 2000

# Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069): right-to-left text
# itself is welcome, but these make a name or note display as something it is not.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Characters that show nothing: a zero-width space, the direction marks, word joiners, the
# byte-order mark, a soft hyphen. "Si\u200ban" looks like "Sian" yet is another name: a
# duplicate passes unseen, and a search never finds it. (The zero-width joiner and non-joiner,
# which Persian, Indic scripts and emoji need, are kept.)
INVISIBLE = frozenset("\u200b\u200e\u200f\u061c\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad")

# A text cell starting with one of these is run as a formula by a spreadsheet (OWASP's
# CSV-injection list); every CSV we write neutralises it, and imports undo that.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS for ch in text)


def clean_text(value: str | None, label: Phrase, *, limit: int = MAX_TEXT, required: bool = False) -> str | None:
    """Trim a text field and refuse control characters or excessive length. `label` is the
    field's name (a message the face translates), for the refusal."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        if required:
            raise InvalidInput(_("The {field} cannot be empty.").format(field=label))
        return None
    if has_control_characters(value):
        raise InvalidInput(_("The {field} contains control characters.").format(field=label))
    if any(ch in INVISIBLE for ch in value):
        raise InvalidInput(_("The {field} contains a character that shows nothing (a zero-width space, a direction "
                             "mark or a soft hyphen): type it again without it.").format(field=label))
    if len(value) > limit:
        raise InvalidInput(_("The {field} is too long (at most {count} characters).").format(field=label, count=limit))
    return value


# What must never reach a terminal as it is: C0 and C1 controls (escape sequences start
# with ESC or CSI), Unicode line and paragraph separators, bidirectional overrides.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text as it may be shown on a terminal: each control character as its escape (ESC as
    \\x1b, a newline as \\n), so nothing stored, typed or taken from the environment can
    move the cursor, recolour or clear the screen, or reorder what is shown. Every face
    that draws for a terminal passes what it draws through here."""
    if text.isprintable():
        return text
    return UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


def neutralise(value: str) -> str:
    """Text that a spreadsheet would evaluate gets a leading apostrophe (OWASP's advice)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def unneutralise(cell: str) -> str:
    """Undo `neutralise` ("'=x" -> "=x"), so that a name survives a round trip."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell
