"""The ledger's bilingual categories of help."""

from __future__ import annotations

import re

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from timebank.ledger.basics.language import fold
from timebank.ledger.errors import InvalidInput, NotFound, Refused
from timebank.ledger.messages import _
from timebank.ledger.records import audit
from timebank.ledger.storage.models import Category
from timebank.ledger.basics.text import clean_text

# (English code, Welsh code, English name, Welsh name): the set a new ledger starts with.
DEFAULT_CATEGORIES = [
    ("transport", "cludiant", "Transport and lifts", "Cludiant a lifftiau"),
    ("gardening", "garddio", "Gardening", "Garddio"),
    ("shopping", "siopa", "Shopping and errands", "Siopa a negeseuon"),
    ("companionship", "cwmniaeth", "Companionship and visits", "Cwmnïaeth ac ymweliadau"),
    ("diy", "trwsio", "DIY and repairs", "Trwsio a gwaith DIY"),
    ("computers", "cyfrifiaduron", "Computers and phones", "Cyfrifiaduron a ffonau"),
    ("cooking", "coginio", "Cooking and meals", "Coginio a phrydau bwyd"),
    ("childcare", "gofal_plant", "Childcare", "Gofal plant"),
    ("teaching", "addysgu", "Teaching and learning", "Addysgu a dysgu"),
    ("events", "digwyddiadau", "Community events", "Digwyddiadau cymunedol"),
    ("admin", "gweinyddu", "Admin and office", "Gweinyddu a swyddfa"),
    ("other", "arall", "Other help", "Cymorth arall"),
]

# The seven well-being goals of the Well-being of Future Generations (Wales) Act 2015, by code,
# in the Act's order (their statutory names are the faces' words).
GOALS = ("prosperous", "resilient", "healthier", "equal", "cohesive", "culture", "global")
# Their Welsh codes (from the Act's Welsh names: Cymru lewyrchus, gydnerth, iachach, ...), accepted
# everywhere a goal is typed and shown to a Welsh reader; files and JSON keep the English codes.
GOALS_CY = {"prosperous": "llewyrchus", "resilient": "cydnerth", "healthier": "iachach", "equal": "cyfartal",
            "cohesive": "cydlynus", "culture": "diwylliant", "global": "byd-eang"}

# The goals each built-in category serves, as a new ledger starts (and migration 0013 gave the
# categories of every ledger made before): a time bank changes them with `category goals`.
DEFAULT_GOALS: dict[str, tuple[str, ...]] = {
    "transport": ("healthier", "equal", "cohesive"),
    "gardening": ("resilient", "healthier", "cohesive"),
    "shopping": ("healthier", "cohesive"),
    "companionship": ("healthier", "cohesive"),
    "diy": ("prosperous", "cohesive"),
    "computers": ("prosperous", "equal"),
    "cooking": ("healthier", "cohesive"),
    "childcare": ("prosperous", "equal"),
    "teaching": ("prosperous", "equal", "culture"),
    "events": ("cohesive", "culture"),
    "admin": ("prosperous",),
    "other": (),
}

CODE = re.compile(r"[a-z][a-z0-9_-]{0,31}")


@dataclass(frozen=True, slots=True)
class CategoryName:
    """A category as reports carry it: its codes and names in each language; the face picks
    the ones for the language it renders. `code` (English) is what files and JSON keep."""

    code: str
    en: str
    cy: str
    code_cy: str | None = None
    goals: tuple[str, ...] = ()  # the well-being goals it serves (`GOALS` codes, in the Act's order)

    def name(self, lang: str) -> str:
        return self.cy if lang == "cy" else self.en

    def code_in(self, lang: str) -> str:
        """The code a reader of `lang` types and reads: the Welsh code in Welsh, where there is one."""
        return self.code_cy if lang == "cy" and self.code_cy else self.code


def category_name(category: Category) -> CategoryName:
    return CategoryName(category.code, category.name_en, category.name_cy, category.code_cy,
                        goals_of(category.goals))


def goals_of(stored: str | None) -> tuple[str, ...]:
    """The goals a `categories.goals` cell names, in the Act's order (a code this version does
    not know is kept out of every figure rather than guessed at)."""
    named = set((stored or "").split())
    return tuple(goal for goal in GOALS if goal in named)


def goal_code_in(goal: str, lang: str) -> str:
    """The code a reader of `lang` types and reads for a goal."""
    return GOALS_CY.get(goal, goal) if lang == "cy" else goal


def find_goal(text: str, lang: str) -> str:
    """A goal by its English or Welsh code (ignoring case and accents); a refusal lists the
    codes a reader of `lang` types."""
    wanted = fold(text.strip())
    for goal in GOALS:
        if wanted in (goal, GOALS_CY[goal]):
            return goal
    raise NotFound(_("There is no well-being goal '{code}'. The goals are: {codes}.").format(
        code=text, codes=", ".join(goal_code_in(goal, lang) for goal in GOALS)))


def set_goals(session: Session, by: str, text: str, goals: list[str], lang: str) -> Category:
    """The goals `text`'s category serves, replacing those it had (none clears them)."""
    category = find_category(session, text, lang)
    found = {find_goal(goal, lang) for goal in goals}
    chosen = tuple(goal for goal in GOALS if goal in found)
    old = goals_of(category.goals)
    category.goals = " ".join(chosen) or None
    audit.log(session, by, "category.goals", code=category.code, old=list(old), new=list(chosen))
    return category


def category_names(session: Session) -> dict[str, CategoryName]:
    """Every category by its English code (one query: a list of a million exchanges names a dozen)."""
    return {c.code: category_name(c) for c in list_categories(session)}


def list_categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.code)))


def find_category(session: Session, text: str, lang: str) -> Category:
    """A category by its English or Welsh code, or by its English or Welsh name (ignoring
    case and accents), in either interface language; else a unique prefix of a code. A
    refusal lists the codes a reader of `lang` types."""
    wanted = fold(text.strip())
    categories = list_categories(session)
    for category in categories:
        if wanted in (category.code, category.code_cy, fold(category.name_en), fold(category.name_cy)):
            return category
    prefixed = [c for c in categories
                if any(form.startswith(wanted) for form in _forms(c))]
    if wanted and len(prefixed) == 1:
        return prefixed[0]
    codes = [category_name(c).code_in(lang) for c in categories]
    if wanted and len(prefixed) > 1:
        raise Refused(_("'{code}' could be any of these categories: {codes}. Type more of it.").format(
            code=text, codes=", ".join(sorted(category_name(c).code_in(lang) for c in prefixed))))
    close = _closest(categories, wanted)
    if close:
        raise NotFound(_("There is no category '{code}'. Did you mean {codes}?").format(
            code=text, codes=", ".join(f"'{category_name(c).code_in(lang)}'" for c in close)))
    raise NotFound(_("There is no category '{code}'. The categories are: {codes}.").format(
        code=text, codes=", ".join(sorted(codes))))


def _forms(category: Category) -> list[str]:
    """Everything a category answers to, folded: its codes and both its names."""
    return [form for form in (category.code, category.code_cy, fold(category.name_en), fold(category.name_cy))
            if form]


def _closest(categories: list[Category], wanted: str, most: int = 3) -> list[Category]:
    """Categories one of whose codes or names (or a word of a name) is a slip of the keys from
    `wanted`, nearest first: the same rule members' names follow."""
    from timebank.ledger.records.members import edit_distance

    if not wanted:
        return []
    limit = max(1, len(wanted) // 3)
    scored: dict[str, tuple[int, Category]] = {}
    for category in categories:
        forms = _forms(category)
        distance = min(edit_distance(wanted, part, limit) for form in forms for part in [form, *form.split()])
        if distance <= limit:
            scored[category.code] = (distance, category)
    ranked = sorted(scored.items(), key=lambda item: (item[1][0], item[0]))
    return [category for _code, (_distance, category) in ranked[:most]]


def add_category(session: Session, by: str, code: str, name_en: str, name_cy: str,
                 code_cy: str | None = None) -> Category:
    code = code.strip().lower()
    welsh_code = code_cy.strip().lower() if code_cy and code_cy.strip() else None
    for value in (code, welsh_code):
        if value is not None and not CODE.fullmatch(value):
            raise InvalidInput(_("'{code}' is not a category code: use up to 32 lower-case letters, digits, - or _, "
                                 "starting with a letter.").format(code=value))
    for value in (code, welsh_code):
        if value is not None and session.scalar(select(Category.code).where(
                (Category.code == value) | (Category.code_cy == value))) is not None:
            raise Refused(_("The category '{code}' already exists.").format(code=value))
    if welsh_code == code:
        welsh_code = None
    english = clean_text(name_en, _("English name"), required=True)
    welsh = clean_text(name_cy, _("Welsh name"), required=True)
    category = Category(code=code, code_cy=welsh_code, name_en=english, name_cy=welsh)
    session.add(category)
    audit.log(session, by, "category.add", code=code, code_cy=welsh_code, en=english, cy=welsh)
    return category


def add_defaults(session: Session) -> None:
    for code, code_cy, english, welsh in DEFAULT_CATEGORIES:
        goals = DEFAULT_GOALS.get(code)
        session.add(Category(code=code, code_cy=code_cy, name_en=english, name_cy=welsh,
                             goals=" ".join(goals) if goals else None))
