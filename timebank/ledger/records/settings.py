"""The ledger's settings, stored as text and read as typed values."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from timebank.ledger.basics.hours import format_hours, hours_to_minutes_setting
from timebank.ledger.basics.language import normalise_language
from timebank.ledger.basics.text import MAX_TEXT, clean_text, has_control_characters
from timebank.ledger.errors import InvalidInput, Refused
from timebank.ledger.messages import _
from timebank.ledger.records import audit
from timebank.ledger.storage.models import Partner, PartnerTrade, Setting

KEYS = ("name", "lang", "credit_limit", "max_hours", "hour_value", "hour_value_source", "year_start", "contact",
        "controller", "retention", "outcome_min_pairs", "bank_code")
# Welsh names for the settings, accepted by `settings set` in either language and shown to
# Welsh readers; the English keys stay what the ledger stores and JSON shows.
WELSH_KEYS = {"enw": "name", "iaith": "lang", "terfyn_credyd": "credit_limit", "oriau_uchaf": "max_hours",
              "gwerth_awr": "hour_value", "ffynhonnell_gwerth_awr": "hour_value_source",
              "dechrau_blwyddyn": "year_start", "cyswllt": "contact", "rheolydd": "controller",
              "cyfnod_cadw": "retention", "isafswm_parau": "outcome_min_pairs", "cod_banc": "bank_code"}


def key_in(key: str, lang: str) -> str:
    """A setting's key as a reader of `lang` types it."""
    if lang == "cy":
        return next((welsh for welsh, english in WELSH_KEYS.items() if english == key), key)
    return key

# A new ledger lets a person go ten hours below zero (a common time-bank rule; TimeOverflow
# and hOurworld ledgers run limits of the same order). `settings set credit_limit ""` lifts it.
DEFAULTS = {"name": "", "lang": "en", "credit_limit": "10", "max_hours": "24", "hour_value": "",
            "hour_value_source": "", "year_start": "4", "contact": "", "controller": "", "retention": "",
            "outcome_min_pairs": "10", "bank_code": ""}

# The contact line printed under the name on every statement (an address, a phone number).
MAX_CONTACT = 300
# Where the value of an hour comes from (a wage, a study): printed beside every social value.
MAX_SOURCE = 300
# Who the data controller is (UK GDPR: the body that decides why members' data is held,
# e.g. the charity that runs the time bank, with its address) and how long the time bank
# keeps members' data: both printed in the letter of `member export`, a few lines each.
MAX_NOTICE = 600


@dataclass(frozen=True)
class Settings:
    name: str
    lang: str
    credit_limit_minutes: int | None
    max_minutes: int
    hour_value: Decimal | None
    contact: str = ""
    # Where `hour_value` comes from, shown wherever a social value is.
    hour_value_source: str = ""
    # The month the financial year starts (4: April, the UK's); quarters follow it.
    year_start: int = 4
    # The data controller and the retention of members' data, as the letter of a member's
    # copy of their data states them (empty: not set; the letter then says what the ledger does).
    controller: str = ""
    retention: str = ""
    # The fewest members with a first and a later score on a measure for `report outcomes` to
    # give its figures: below it a change in a handful of people says little, and could be
    # traced to them.
    outcome_min_pairs: int = 10
    # This time bank's own code, as its partner banks know it (`partner`): in every file of
    # trades it sends and in the id of every trade it records with them. Empty: not set.
    bank_code: str = ""

    def as_text(self) -> dict[str, str]:
        return {
            "name": self.name,
            "lang": self.lang,
            "credit_limit": "" if self.credit_limit_minutes is None else format_hours(self.credit_limit_minutes),
            "max_hours": format_hours(self.max_minutes),
            "hour_value": "" if self.hour_value is None else f"{self.hour_value:.2f}",
            "hour_value_source": self.hour_value_source,
            "year_start": str(self.year_start),
            "contact": self.contact,
            "controller": self.controller,
            "retention": self.retention,
            "outcome_min_pairs": str(self.outcome_min_pairs),
            "bank_code": self.bank_code,
        }


def raw_settings(session: Session) -> dict[str, str]:
    stored = {row.key: row.value for row in session.scalars(select(Setting))}
    return {key: stored.get(key, DEFAULTS[key]) for key in KEYS}


def load(session: Session) -> Settings:
    raw = raw_settings(session)
    return Settings(
        name=raw["name"],
        lang=raw["lang"],
        credit_limit_minutes=hours_to_minutes_setting(raw["credit_limit"]) if raw["credit_limit"] else None,
        max_minutes=hours_to_minutes_setting(raw["max_hours"]),
        hour_value=Decimal(raw["hour_value"]) if raw["hour_value"] else None,
        contact=raw["contact"],
        hour_value_source=raw["hour_value_source"],
        year_start=int(raw["year_start"]),
        controller=raw["controller"],
        retention=raw["retention"],
        outcome_min_pairs=int(raw["outcome_min_pairs"]),
        bank_code=raw["bank_code"],
    )


def normalise(key: str, value: str, lang: str) -> str:
    """Check a new value and return it as stored; refuse anything that would not read back.
    A refusal names the settings as a reader of `lang` types them."""
    value = value.strip()
    key = WELSH_KEYS.get(key, key)
    if key not in KEYS:
        raise InvalidInput(_("'{key}' is not a setting. The settings are: {keys}.").format(
            key=key, keys=", ".join(key_in(k, lang) for k in KEYS)))
    if key == "contact":
        # One printed line: a tab or a line break would not print as typed.
        if has_control_characters(value) or any(unicodedata.category(ch) in ("Zl", "Zp") for ch in value):
            raise InvalidInput(_("The contact line cannot hold control characters such as tabs or line breaks: "
                                 "separate its parts with commas."))
        if len(value) > MAX_CONTACT:
            raise InvalidInput(_("The contact line is too long (at most {count} characters).").format(
                count=MAX_CONTACT))
        return value
    if key == "hour_value_source":
        # Printed on one line beside the value: no tabs, line breaks or other controls.
        if has_control_characters(value) or any(unicodedata.category(ch) in ("Zl", "Zp") for ch in value):
            raise InvalidInput(_("The source of the hour value cannot hold control characters such as tabs or "
                                 "line breaks."))
        if len(value) > MAX_SOURCE:
            raise InvalidInput(_("The source of the hour value is too long (at most {count} characters).").format(
                count=MAX_SOURCE))
        return unicodedata.normalize("NFC", value)
    if key in ("controller", "retention"):
        # Printed as a paragraph of the letter: no tabs, line breaks or other controls.
        if has_control_characters(value) or any(unicodedata.category(ch) in ("Zl", "Zp") for ch in value):
            raise InvalidInput(_("The setting {key} cannot contain control characters such as tabs or line "
                                 "breaks.").format(key=key_in(key, lang)))
        if len(value) > MAX_NOTICE:
            raise InvalidInput(_("The setting {key} is too long (at most {count} characters).").format(
                key=key_in(key, lang), count=MAX_NOTICE))
        return unicodedata.normalize("NFC", value)
    if key == "year_start":
        if not re.fullmatch(r"[0-9]{1,2}", value) or not 1 <= int(value) <= 12:
            raise InvalidInput(_("'{value}' is not the number of a month: the year can start in month 1 "
                                 "(January) to 12 (December); 4 is April, the UK's financial year.").format(
                value=value))
        return str(int(value))
    if key == "outcome_min_pairs":
        if not re.fullmatch(r"[0-9]{1,6}", value) or int(value) < 1:
            raise InvalidInput(_("'{value}' is not a whole number of 1 or more: {key} is the fewest members with a "
                                 "first and a later score for an outcome's figures to be given.").format(
                value=value, key=key_in(key, lang)))
        return str(int(value))
    if key == "bank_code":
        if not value:
            return ""
        code = value.upper()
        if not re.fullmatch(r"[A-Z][A-Z0-9]{1,7}", code):
            raise InvalidInput(_("'{value}' is not a time bank's code: use 2 to 8 letters or digits, starting with a "
                                 "letter (e.g. BLA).").format(value=value))
        return code
    if has_control_characters(value):
        # A newline in the name had written directives into the journal's header.
        raise InvalidInput(_("The setting {key} cannot contain control characters.").format(
            key=key_in(key, lang)))
    if key == "name":
        return clean_text(value, _("name"), limit=MAX_TEXT) or ""
    if key == "lang":
        language = normalise_language(value)
        if language is None or language != value.lower():
            raise InvalidInput(_("'{value}' is not a language: use cy or en.").format(value=value))
        return language
    if key == "credit_limit":
        return "" if value == "" else format_hours(hours_to_minutes_setting(value))
    if key == "max_hours":
        minutes = hours_to_minutes_setting(value)
        if minutes < 1:
            raise InvalidInput(_("max_hours must be more than zero."))
        return format_hours(minutes)
    if value == "":
        return ""
    try:
        if not re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?", value):  # ASCII digits: "١٢" is not 12
            raise InvalidOperation
        money = Decimal(value.replace(",", "."))
    except InvalidOperation:
        money = Decimal(-1)
    if not money.is_finite() or not 0 <= money <= 10_000 or money != money.quantize(Decimal("0.01")):
        raise InvalidInput(_("'{value}' is not an amount in pounds (e.g. 12.50).").format(value=value))
    return f"{money:.2f}"


def store(session: Session, key: str, value: str, lang: str) -> tuple[str, str]:
    """Write a checked value; returns (old, new) as stored (`lang`: the reader of a refusal)."""
    stored = normalise(key, value, lang)
    key = WELSH_KEYS.get(key, key)
    row = session.get(Setting, key)
    old = row.value if row else DEFAULTS.get(key, "")
    if key == "bank_code" and stored and session.get(Partner, stored) is not None:
        raise Refused(_("{code} is the code of a partner bank here: this time bank needs a code of its own.").format(
            code=stored))
    if key == "bank_code" and stored != old and session.scalar(select(PartnerTrade.id).limit(1)) is not None:
        # Every trade's id and every file partners hold name the bank by its code.
        raise Refused(_("This time bank's code ({code}) is in the trades its partner banks hold: it cannot "
                        "change.").format(code=old))
    if row is None:
        session.add(Setting(key=key, value=stored))
    else:
        row.value = stored
    return old, stored


def set_value(session: Session, key: str, value: str, by: str, lang: str) -> str:
    """Change a setting, with its audit event (`lang`: the reader of a refusal)."""
    old, stored = store(session, key, value, lang)
    audit.log(session, by, "settings.set", key=WELSH_KEYS.get(key, key), old=old, new=stored)
    return stored


def credit_limit_applies(kind: str) -> bool:
    """The credit limit binds people; organisations and the pot may go below it."""
    return kind == "person"


def below_limit(settings: Settings, kind: str, balance_minutes: int) -> bool:
    """The one credit-limit rule: a person whose balance is below minus the limit."""
    limit = settings.credit_limit_minutes
    return limit is not None and credit_limit_applies(kind) and balance_minutes < -limit
