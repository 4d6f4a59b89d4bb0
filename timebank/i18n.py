"""Language choice, message catalogues, Babel formatting and the Welsh sort key.

Kept free of heavy imports: the catalogues are compiled `.mo` files read with the standard
library's `gettext`, so that `--help` costs no more than Typer itself, and Babel is
imported only to format dates (and to compile a changed `.po` in a source checkout).
"""

from __future__ import annotations

import gettext as _gettext
import os
from contextlib import contextmanager, suppress
from functools import lru_cache
import datetime
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from timebank.ledger.basics.language import (LANGUAGES, WELSH_ALPHABET, fold, normalise_language,
                                             sort_key_in)
from timebank.ledger.messages import Joined, Message, Phrase

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message as Message_

    from timebank.ledger.errors import TimebankError

__all__ = ["LANGUAGES", "WELSH_ALPHABET", "fold", "normalise_language"]

BABEL_LOCALES = {"cy": "cy", "en": "en_GB"}

_PACKAGE_DIR = Path(__file__).resolve().parent


DOMAIN = "timebank"

# One language's messages: read by the standard library from the compiled catalogue (a
# GNUTranslations, plural forms from its header), or none at all (the messages themselves).
Catalogue = _gettext.NullTranslations


def catalogue_path(lang: str) -> Path:
    """Where the compiled catalogue of `lang` is: `timebank/locale/<lang>/LC_MESSAGES/timebank.mo`,
    made from `<lang>.po` when the wheel is built (hatch_build.py at the top of the repository)."""
    return _PACKAGE_DIR / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _source_po(lang: str) -> Path | None:
    """The `.po` of `lang` when running from a source checkout (never in an installed package,
    which holds only the compiled catalogues)."""
    po = _PACKAGE_DIR.parent / f"{lang}.po"
    return po if po.is_file() and (_PACKAGE_DIR.parent / "pyproject.toml").is_file() else None


def compile_po(po: Path) -> bytes:
    """A PO file compiled with Babel to the bytes of a `.mo` (fuzzy entries left out, as
    msgfmt does, and those that say the message as written): what hatch_build.py does for
    the wheel."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, abort_invalid=True)
    for message in list(catalog):
        if message.id and _said_as_written(message, catalog):
            catalog.delete(message.id)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    return compiled.getvalue()


def _said_as_written(message: Message_, catalog: Catalog) -> bool:
    """Whether gettext would say `message` the same without it: a translation that is the
    message itself (every entry of en.po), which `gettext` gives for a missing one anyway."""
    if isinstance(message.id, str):
        return bool(message.string == message.id)
    return bool(catalog.plural_expr in ("(n != 1)", "n != 1") and list(message.string or ()) == list(message.id))


def read_catalogue(lang: str) -> Catalogue:
    """The catalogue of `lang`, read from its `.mo`. In a source checkout whose `.po` has
    changed since the `.mo` was made (or that was never installed), the `.po` is compiled
    first and the `.mo` rewritten in the checkout's ignored `timebank/locale/`, so a test or
    a run from the checkout always speaks the catalogue as it is. An installed package is
    only ever read."""
    mo = catalogue_path(lang)
    po = _source_po(lang)
    if po is not None:
        try:
            stale = mo.stat().st_mtime_ns < po.stat().st_mtime_ns
        except OSError:
            stale = True
        if stale:
            import io

            data = compile_po(po)
            partial = mo.with_name(f"{mo.name}.{os.getpid()}.partial")
            try:
                mo.parent.mkdir(parents=True, exist_ok=True)
                partial.write_bytes(data)
                os.replace(partial, mo)  # whole or not at all, whoever else is writing it
            except OSError:  # a checkout that cannot be written: compiled each time instead
                with suppress(OSError):
                    partial.unlink(missing_ok=True)
            return _gettext.GNUTranslations(io.BytesIO(data))
    try:
        with mo.open("rb") as compiled:
            return _gettext.GNUTranslations(compiled)
    except OSError:  # a build without its catalogues, or one unreadable: the messages as written
        return _gettext.NullTranslations()


_catalogues: dict[str, Catalogue] = {}


def load_catalogue(lang: str) -> Catalogue:
    if lang not in _catalogues:
        _catalogues[lang] = read_catalogue(lang)
    return _catalogues[lang]


def parse_po(text: str) -> tuple[dict[str, str], dict[str, list[str]], str]:
    """A PO file's messages, for the tests and tools that read the catalogues' sources (the
    program reads the compiled `.mo`): singular translations, plural forms and the plural
    rule; fuzzy and untranslated entries left out."""
    import io

    from babel.messages.pofile import read_po

    catalog = read_po(io.StringIO(text), abort_invalid=True)
    singular: dict[str, str] = {}
    plural: dict[str, list[str]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (tuple, list)):
            forms = [str(form) for form in message.string or ()]
            if any(forms):
                plural[message.id[0]] = forms
        elif message.string:
            singular[message.id] = str(message.string)
    return singular, plural, catalog.plural_expr


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

    def date(self, value: datetime.date) -> str:
        return _format_date(value, self.lang)

    def date_short(self, value: datetime.date) -> str:
        """A date in a table cell: day/month/year, British order, in either language."""
        return f"{value.day:02d}/{value.month:02d}/{value.year % 100:02d}"

    def month(self, value: datetime.date) -> str:
        return format_month(value, self.lang)

    def month_short(self, value: datetime.date) -> str:
        return format_month_short(value, self.lang)

    def date_medium(self, value: datetime.date) -> str:
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
