"""Language choice, message catalogues, Babel formatting and the Welsh sort key.

Kept free of heavy imports: the catalogues are read with a small PO reader so that
`--help` costs no more than Typer itself, and Babel is imported only to format dates.
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from timebank.ledger.basics.language import (LANGUAGES, WELSH_ALPHABET, fold, normalise_language,
                                             sort_key_in)
from timebank.ledger.messages import Joined, Message, Phrase

if TYPE_CHECKING:
    from timebank.ledger.errors import TimebankError

__all__ = ["LANGUAGES", "WELSH_ALPHABET", "fold", "normalise_language"]

BABEL_LOCALES = {"cy": "cy", "en": "en_GB"}

_PACKAGE_DIR = Path(__file__).resolve().parent


class Catalogue:
    """The translations of one language, read from its PO file."""

    def __init__(self, singular: dict[str, str], plural: dict[str, list[str]],
                 plural_rule: Callable[[int], int]) -> None:
        self.singular = singular
        self.plural = plural
        self.plural_rule = plural_rule

    def gettext(self, msgid: str) -> str:
        return self.singular.get(msgid) or msgid

    def ngettext(self, msgid: str, msgid_plural: str, n: int) -> str:
        forms = self.plural.get(msgid)
        if forms:
            index = self.plural_rule(n)
            if 0 <= index < len(forms) and forms[index]:
                return forms[index]
        return msgid if n == 1 else msgid_plural


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)")


def _unquote(text: str) -> str:
    """A PO string literal's text. (ast.literal_eval compiles each one: 40 ms a start-up.)"""
    inner = text[1:-1] if len(text) >= 2 else ""
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[1]), inner) if "\\" in inner else inner


def parse_po(text: str) -> tuple[dict[str, str], dict[str, list[str]], str]:
    """Read a PO file: returns singular messages, plural forms and the plural rule."""
    singular: dict[str, str] = {}
    plural: dict[str, list[str]] = {}
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {}
    field: str | None = None
    fuzzy = False

    def finish() -> None:
        nonlocal current, fuzzy
        if current and not fuzzy:
            entries.append(current)
        current = {}
        fuzzy = False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            field = None
            continue
        if line.startswith("#,") and "fuzzy" in line:
            if "msgid" in current:
                finish()
            fuzzy = True
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            key = match.group(1)
            if key == "msgid" and "msgid" in current:
                keep_fuzzy = fuzzy
                finish()
                fuzzy = keep_fuzzy
            field = key
            current[field] = _unquote(match.group(3))
        elif line.startswith('"') and field is not None:
            current[field] = str(current[field]) + _unquote(line)
    finish()

    rule = "n != 1"
    for entry in entries:
        msgid = str(entry.get("msgid", ""))
        if msgid == "":
            header = str(entry.get("msgstr", ""))
            found = re.search(r"plural=([^;\n]+)", header)
            if found:
                rule = found.group(1).strip()
            continue
        if "msgid_plural" in entry:
            forms = []
            index = 0
            while f"msgstr[{index}]" in entry:
                forms.append(str(entry[f"msgstr[{index}]"]))
                index += 1
            if any(forms):
                plural[msgid] = forms
        elif entry.get("msgstr"):
            singular[msgid] = str(entry["msgstr"])
    return singular, plural, rule


def catalogue_path(lang: str) -> Path | None:
    """The PO file for `lang`: inside the installed package, else the source checkout."""
    for candidate in (_PACKAGE_DIR / "locale" / f"{lang}.po", _PACKAGE_DIR.parent / f"{lang}.po"):
        if candidate.is_file():
            return candidate
    return None


_catalogues: dict[str, Catalogue] = {}
CACHE_VERSION = 1  # of what the cache holds: raise it if parse_po's result changes shape


def read_catalogue(path: Path) -> tuple[dict[str, str], dict[str, list[str]], str]:
    """`parse_po` of a PO file, kept once read in `__pycache__` beside it (as Python keeps
    compiled modules), under the length and CRC-32 of the file's bytes: any change to the
    file, even one that keeps its size and time (a reinstalled release), is read afresh.
    Every command reads its language's catalogue at start-up: a thousand messages take 4 ms
    to parse and 0.3 ms to load. (Not SHA-256: loading hashlib's OpenSSL costs 4.7 ms.)
    Nothing is written where Python is told not to write bytecode, or where the folder
    cannot be written: the file is then parsed each time."""
    import binascii
    import marshal
    import sys

    data = path.read_bytes()
    stamp = (CACHE_VERSION, len(data), binascii.crc32(data))
    cache = path.parent / "__pycache__" / f"{path.name}.marshal"
    try:
        kept_stamp, kept = marshal.loads(cache.read_bytes())
        if kept_stamp == stamp:
            return kept  # type: ignore[no-any-return]
    except (OSError, ValueError, EOFError, TypeError):
        pass  # none yet, unreadable, or from another version: parse the file
    parsed = parse_po(data.decode("utf-8"))
    if not sys.dont_write_bytecode:
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
        try:
            cache.parent.mkdir(exist_ok=True)
            partial.write_bytes(marshal.dumps((stamp, parsed)))
            os.replace(partial, cache)  # whole or not at all, whoever else is writing it
        except OSError:
            try:
                partial.unlink(missing_ok=True)
            except OSError:
                pass
    return parsed


def load_catalogue(lang: str) -> Catalogue:
    if lang not in _catalogues:
        path = catalogue_path(lang)
        if path is None:
            _catalogues[lang] = Catalogue({}, {}, lambda n: int(n != 1))
        else:
            singular, plural, rule = read_catalogue(path)
            _catalogues[lang] = Catalogue(singular, plural, _gettext.c2py(rule))
    return _catalogues[lang]


_language = "en"


def system_language() -> str | None:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "cy" if value.lower().startswith("cy") else None
    return None


def set_language(lang: str) -> None:
    global _language
    _language = normalise_language(lang) or "en"


def get_language() -> str:
    return _language


@contextmanager
def using_language(lang: str | None) -> Iterator[None]:
    """Speak another language for a while (a statement in the member's own language)."""
    previous = _language
    if lang:
        set_language(lang)
    try:
        yield
    finally:
        set_language(previous)


def _(message: str) -> str:
    return load_catalogue(_language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return load_catalogue(_language).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


class Words:
    """One language's messages and formats, passed to whatever renders in it (a statement
    in the member's language, a report in the interface language): no global involved."""

    def __init__(self, lang: str) -> None:
        self.lang = normalise_language(lang) or "en"
        self._catalogue = load_catalogue(self.lang)

    def _(self, message: str) -> str:
        return self._catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue.ngettext(singular, plural, n)

    def date(self, value: date) -> str:
        return _format_date(value, self.lang)

    def date_short(self, value: date) -> str:
        """A date in a table cell: day/month/year, British order, in either language."""
        return f"{value.day:02d}/{value.month:02d}/{value.year % 100:02d}"

    def month(self, value: date) -> str:
        return format_month(value, self.lang)

    def month_short(self, value: date) -> str:
        return format_month_short(value, self.lang)

    def date_medium(self, value: date) -> str:
        """'1 Hyd 2026' / '1 Oct 2026': the date column of a printed table."""
        return _format_date_medium(value, self.lang)

    def sort_key(self, name: str) -> tuple[object, ...]:
        return sort_key_in(name, self.lang)

    def say(self, phrase: Phrase) -> str:
        """What the core said, in this language."""
        return _say(phrase, self._catalogue)

    def tell(self, error: TimebankError) -> str:
        """A refusal of the core in this language: what it says, then its hint."""
        return tell(error, self.lang)


def words(lang: str | None = None) -> Words:
    """The words of `lang`, or of the interface language."""
    return Words(lang or _language)


# Formatting -------------------------------------------------------------------

def babel_locale(lang: str | None = None) -> str:
    return BABEL_LOCALES[lang or _language]


def format_date(value: date, lang: str | None = None) -> str:
    return _format_date(value, lang or _language)


@lru_cache(maxsize=4096)
def _format_date(value: date, lang: str) -> str:
    # Cached: a list of ten thousand members repeats the same few hundred dates, and each
    # Babel call costs tens of microseconds.
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format="long", locale=babel_locale(lang))


@lru_cache(maxsize=4096)
def _format_date_medium(value: date, lang: str) -> str:
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format="medium", locale=babel_locale(lang))


def format_month(value: date, lang: str | None = None) -> str:
    """'Tachwedd 2026' / 'November 2026': the stand-alone month name and the year."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", value, locale=babel_locale(lang))


def format_month_short(value: date, lang: str | None = None) -> str:
    from babel.dates import format_skeleton

    return format_skeleton("MMM", value, locale=babel_locale(lang))


# Sorting ------------------------------------------------------------------------

def sort_key(name: str, lang: str | None = None) -> tuple[object, ...]:
    """Alphabetical order for the output language (Welsh digraphs are single letters)."""
    return sort_key_in(name, lang or _language)


# Saying what the core said ------------------------------------------------------

def say(phrase: Phrase, lang: str | None = None) -> str:
    """What the core said (`timebank.ledger.messages`), in `lang` or the interface language."""
    return _say(phrase, load_catalogue(lang or _language))


def tell(error: TimebankError, lang: str | None = None) -> str:
    """A refusal of the core in words: what it says, then its hint."""
    text = say(error.phrase, lang)
    return text + " " + say(error.hint, lang) if error.hint is not None else text


def os_reason(error: OSError, lang: str | None = None) -> str:
    """Why the operating system said no, in the output language (its own text is English)."""
    from timebank.ledger.errors import os_reason as reason

    return say(reason(error), lang)


def _say(phrase: Phrase, catalogue: Catalogue) -> str:
    if isinstance(phrase, str):
        return phrase
    if isinstance(phrase, Joined):
        return "".join(_say(part, catalogue) for part in phrase.parts)
    if phrase.plural is None:
        text = catalogue.gettext(phrase.msgid)
    else:
        text = catalogue.ngettext(phrase.msgid, phrase.plural, phrase.n)
    if not phrase.params:
        return text
    return text.format(**{key: _say(value, catalogue) if isinstance(value, (Message, Joined)) else value
                          for key, value in phrase.params})
