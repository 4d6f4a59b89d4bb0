"""Amounts: parse what a coordinator types into whole minutes, and show minutes as hours."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from timebank.ledger.errors import InvalidInput
from timebank.ledger.messages import _

# ASCII digits only: Python's \d, int() and Decimal() also take Arabic-Indic and fullwidth
# digits, and "٣" must not quietly mean three hours.
_CLOCK = re.compile(r"^([0-9]+):([0-5][0-9])$")
_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")

# A number as a paper sheet writes it: 1, 1.5, 1,5, or with a vulgar fraction (½, 1½, 1¼, ¾).
_FRACTIONS = {"½": Decimal("0.5"), "¼": Decimal("0.25"), "¾": Decimal("0.75")}
_FIGURE = r"(?:[0-9]+[.,][0-9]+|[0-9]*[½¼¾]|[0-9]+)"
_HOUR_UNITS = r"(?:hours|hour|hrs|hr|h|oriau|awr)"
_MINUTE_UNITS = r"(?:minutes|minute|mins|min|m|munudau|munud|funud)"
# Hours, then minutes, each with its unit; the minutes' unit may be left off after hours
# ("1h30", "1h 30"); an "and" may join them ("1 hour and 30 minutes", "1 awr a 30 munud").
# Single spaces only (the text is collapsed first): "1 5" is two numbers, not fifteen hours.
_SPOKEN = re.compile(
    rf"^(?P<sign>-)?(?:(?P<hours>{_FIGURE}) ?{_HOUR_UNITS})?"
    rf"(?:(?(hours) ?(?:(?:and|ac|a) )?|)(?P<minutes>{_FIGURE})(?: ?(?P<unit>{_MINUTE_UNITS}))?)?$")

# Hours in Welsh words: "awr", "dwy awr", "tair awr a hanner", "awr a chwarter", "hanner awr".
# Awr is feminine (dwy, tair, pedair); the masculine forms are accepted too, as people write them.
_WELSH_COUNTS = {
    "un": 1, "dwy": 2, "dau": 2, "tair": 3, "tri": 3, "pedair": 4, "pedwar": 4, "pump": 5, "pum": 5,
    "chwe": 6, "chwech": 6, "saith": 7, "wyth": 8, "naw": 9, "deg": 10, "deng": 10, "un ar ddeg": 11,
    "deuddeg": 12, "deuddeng": 12,
}
_WELSH_PARTS = {"hanner": 30, "chwarter": 15}
_WELSH_HOURS = re.compile(
    rf"^(?:(?P<count>[0-9]+|{'|'.join(sorted(_WELSH_COUNTS, key=len, reverse=True))}) )?awr"
    r"(?: (?:a|ac) (?P<part>hanner|chwarter))?$")
_WELSH_PART_OF_HOUR = {"hanner awr": 30, "chwarter awr": 15, "tri chwarter awr": 45}


def _figure(text: str) -> Decimal:
    """'1.5', '1,5', '1½', '¾' -> a Decimal."""
    if text[-1] in _FRACTIONS:
        return Decimal(int(text[:-1]) if text[:-1] else 0) + _FRACTIONS[text[-1]]
    return Decimal(text.replace(",", "."))


def _minutes(raw: str) -> Decimal | None:
    """The minutes `raw` (lower case, spaces collapsed) says, or None if it is no amount."""
    clock = _CLOCK.match(raw)
    if clock:
        return Decimal(int(clock.group(1)) * 60 + int(clock.group(2)))
    if raw in _WELSH_PART_OF_HOUR:
        return Decimal(_WELSH_PART_OF_HOUR[raw])
    welsh = _WELSH_HOURS.match(raw)
    if welsh:
        count = welsh.group("count")
        whole = 1 if count is None else int(count) if count.isdigit() else _WELSH_COUNTS[count]
        return Decimal(whole * 60 + _WELSH_PARTS.get(welsh.group("part") or "", 0))
    if _NUMBER.fullmatch(raw):
        return Decimal(raw.replace(",", ".")) * 60
    spoken = _SPOKEN.match(raw)
    if not spoken or not (spoken.group("hours") or spoken.group("minutes")):
        return None
    sign = -1 if spoken.group("sign") else 1
    hours, minutes = spoken.group("hours"), spoken.group("minutes")
    if hours is None:
        # A number alone is hours ("1½", "¾"); with a minutes unit, minutes ("90 mins").
        assert minutes is not None
        return sign * _figure(minutes) * (1 if spoken.group("unit") else 60)
    if minutes is None:
        return sign * _figure(hours) * 60
    # Hours and minutes together: whole hours, and minutes under the hour ("1h70" is a slip).
    if not hours.isdigit() or not minutes.isdigit() or int(minutes) >= 60:
        return None
    return Decimal(sign * (int(hours) * 60 + int(minutes)))


def parse_hours(text: str) -> int:
    """Hours as people write them -> minutes (an integer): '1.5', '1,5', '2', '1:30', '90m',
    '1h30m', '1h30', '1h 30', '1hr', '2 hrs', '90 mins', '1.5hrs', '1 hour', '2 hours 15 minutes',
    '½', '1½', '1¼', '¾', and in Welsh '2 awr', '1 awr 30 munud', 'awr a hanner', 'hanner awr',
    'chwarter awr', 'tair awr'. Case is ignored and spaces tolerated.

    Refuses anything that is not a positive whole number of minutes.
    """
    raw = " ".join(text.lower().split())
    try:
        minutes = _minutes(raw) if raw else None
    except InvalidOperation:
        minutes = None
    if minutes is None:
        raise InvalidInput(_("'{text}' is not an amount of hours (try 1.5, 1:30, 1h30, 90 mins or 1½).")
                           .format(text=text))
    if minutes != minutes.to_integral_value():
        raise InvalidInput(_("'{text}' is not a whole number of minutes.").format(text=text))
    if minutes < 1:
        raise InvalidInput(_("The hours must be at least one minute: '{text}'.").format(text=text))
    return int(minutes)


def format_hours(minutes: int) -> str:
    """Minutes as hours with two decimals: 90 -> '1.50', -20 -> '-0.33'."""
    sign = "-" if minutes < 0 else ""
    hundredths = (abs(minutes) * 100 * 2 + 60) // 120  # round half up, in integers
    return f"{sign}{hundredths // 100}.{hundredths % 100:02d}"


def hours_to_minutes_setting(text: str) -> int:
    """A setting given in hours ('10', '7.5') as whole minutes; zero is allowed."""
    try:
        if not _NUMBER.fullmatch(text.strip()):
            raise InvalidOperation
        hours = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(_("'{text}' is not a number of hours.").format(text=text)) from None
    # NaN, infinity and a limit beyond a lifetime of help are typing slips, not settings.
    if not hours.is_finite() or not 0 <= hours <= MAX_SETTING_HOURS or hours * 60 != (hours * 60).to_integral_value():
        raise InvalidInput(_("'{text}' is not a number of hours from 0 to {most}.").format(
            text=text, most=MAX_SETTING_HOURS))
    return int(hours * 60)


MAX_SETTING_HOURS = 100_000
