"""Amounts: parse what a coordinator types into whole minutes, and show minutes as hours."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from timebank.ledger.errors import InvalidInput
from timebank.ledger.messages import _

# ASCII digits only: Python's \d, int() and Decimal() also take Arabic-Indic and fullwidth
# digits, and "٣" must not quietly mean three hours.
_CLOCK = re.compile(r"^([0-9]+):([0-5][0-9])$")
_UNITS = re.compile(r"^(?:([0-9]+(?:[.,][0-9]+)?)h)?(?:([0-9]+)m)?$")
_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")


def parse_hours(text: str) -> int:
    """'1.5', '1,5', '2', '1:30', '90m', '1h30m', '1h', '45m' -> minutes (an integer).

    Refuses anything that is not a positive whole number of minutes.
    """
    raw = text.strip().lower().replace(" ", "")
    minutes: Decimal | None = None
    try:
        clock = _CLOCK.match(raw)
        units = _UNITS.match(raw) if raw and not clock else None
        if clock:
            minutes = Decimal(int(clock.group(1)) * 60 + int(clock.group(2)))
        elif units and (units.group(1) or units.group(2)):
            hours_part = Decimal(units.group(1).replace(",", ".")) if units.group(1) else Decimal(0)
            minutes = hours_part * 60 + Decimal(units.group(2) or 0)
        elif _NUMBER.fullmatch(raw):
            minutes = Decimal(raw.replace(",", ".")) * 60
    except InvalidOperation:
        minutes = None
    if minutes is None:
        raise InvalidInput(_("'{text}' is not an amount of hours (try 1.5, 1:30 or 90m).").format(text=text))
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
