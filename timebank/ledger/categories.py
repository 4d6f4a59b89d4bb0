"""The ledger's bilingual categories of help."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataclasses import dataclass

from timebank.i18n import _, fold
from timebank.ledger import audit
from timebank.ledger.errors import InvalidInput, NotFound, Refused
from timebank.ledger.models import Category
from timebank.ledger.text import clean_text

# (code, English, Welsh): the set a new ledger starts with.
DEFAULT_CATEGORIES = [
    ("transport", "Transport and lifts", "Cludiant a lifftiau"),
    ("gardening", "Gardening", "Garddio"),
    ("shopping", "Shopping and errands", "Siopa a negeseuon"),
    ("companionship", "Companionship and visits", "Cwmnïaeth ac ymweliadau"),
    ("diy", "DIY and repairs", "Gwaith tŷ a thrwsio"),
    ("computers", "Computers and phones", "Cyfrifiaduron a ffonau"),
    ("cooking", "Cooking and meals", "Coginio a phrydau bwyd"),
    ("childcare", "Childcare", "Gofal plant"),
    ("teaching", "Teaching and learning", "Addysgu a dysgu"),
    ("events", "Community events", "Digwyddiadau cymunedol"),
    ("admin", "Admin and office", "Gweinyddu a swyddfa"),
    ("other", "Other help", "Cymorth arall"),
]


@dataclass(frozen=True, slots=True)
class CategoryName:
    """A category as reports carry it: its code and its name in each language; the face
    picks the name for the language it renders."""

    code: str
    en: str
    cy: str

    def name(self, lang: str) -> str:
        return self.cy if lang == "cy" else self.en


def category_names(session: Session) -> dict[str, CategoryName]:
    """Every category by code (one query: a list of a million exchanges names a dozen)."""
    return {c.code: CategoryName(c.code, c.name_en, c.name_cy) for c in list_categories(session)}


def list_categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.code)))


def find_category(session: Session, text: str) -> Category:
    """A category by code, or by its English or Welsh name (ignoring case and accents)."""
    wanted = fold(text.strip())
    categories = list_categories(session)
    for category in categories:
        if wanted in (category.code, fold(category.name_en), fold(category.name_cy)):
            return category
    prefixed = [c for c in categories if c.code.startswith(wanted)]
    if wanted and len(prefixed) == 1:
        return prefixed[0]
    raise NotFound(_("There is no category '{code}'. The categories are: {codes}.").format(
        code=text, codes=", ".join(c.code for c in categories)))


def add_category(session: Session, by: str, code: str, name_en: str, name_cy: str) -> Category:
    code = code.strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", code):
        raise InvalidInput(_("'{code}' is not a category code: use up to 32 lower-case letters, digits, - or _, "
                             "starting with a letter.").format(code=code))
    if session.get(Category, code) is not None:
        raise Refused(_("The category '{code}' already exists.").format(code=code))
    english = clean_text(name_en, _("English name"), required=True)
    welsh = clean_text(name_cy, _("Welsh name"), required=True)
    category = Category(code=code, name_en=english, name_cy=welsh)
    session.add(category)
    audit.log(session, by, "category.add", code=code, en=english, cy=welsh)
    return category


def add_defaults(session: Session) -> None:
    for code, english, welsh in DEFAULT_CATEGORIES:
        session.add(Category(code=code, name_en=english, name_cy=welsh))
