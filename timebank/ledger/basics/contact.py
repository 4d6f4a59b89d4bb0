"""Contact details inside free text, and taking out those that are not a given person's.

A member's copy of their data (`reports.member_data`) gives them the notes of their exchanges
and listings and the reasons of their audit events, which a coordinator typed freely: "Lift
for Siân, ring her on 07700 900123". The copy must never hand over anyone else's contact
details, so every email address and every phone number in such a text that is not the
member's own is taken out, and the text says where.

Two nets, because either alone lets something through:
- the shapes: anything written as an email address, and any run of 9 to 15 digits (with
  spaces, dots, dashes, brackets or a leading + between them) -- a UK phone number has 10 or
  11 digits, an international one at most 15 (ITU E.164), and a date or an amount of hours
  has fewer than 9;
- the ledger's own contact details: every other member's stored email (in any case) and phone
  (by its digits, however the note spaced them), so a short local number stored for a member
  ("01656 87" would slip the shape) is still found.

The member's own email and phone stay (they are theirs). A text is given back as parts:
the text between the removals, and None where each removal was, so the face can say
"[contact details removed]" in the reader's language.
"""

from __future__ import annotations

import re
from typing import Iterable

# An email address: a local part and a domain with a dot, bounded by what cannot be in either.
_EMAIL = re.compile(r"[^\s@<>()\[\]{},;:\"'`]+@[^\s@<>()\[\]{},;:\"'`]+\.[^\s@<>()\[\]{},;:\"'`.]+")
# A run of digits with the separators people put in phone numbers; its digits are counted after.
_DIGITS = re.compile(r"(?:\+|\b00)?\(?\d(?:[\d \t.()/-]|\u00a0)*\d")
_NOT_DIGIT = re.compile(r"\D")
# Dates people write in notes ("2026-11-03", "3/11/2026", "03.11.26"): never part of a phone
# number, so a number after one is not read as one run of digits with it.
_DATE = re.compile(r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2}))\b")

PHONE_DIGITS = range(9, 16)
SHORTEST_KNOWN = 6   # a stored phone this short or longer is looked for by its digits


def phone_digits(text: str) -> str:
    """A phone number's digits as one form: +44 / 0044 and a trunk 0 read as the UK's 0."""
    digits = _NOT_DIGIT.sub("", text)
    if text.lstrip().startswith("+") and digits.startswith("44"):
        digits = "0" + digits[2:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    if digits.startswith("00"):  # (0)7700 written after +44: "+44 (0)7700 ..." -> 0 0 7700
        digits = digits[1:]
    return digits


Parts = tuple["str | None", ...]


class ContactFilter:
    """Takes out of texts every contact detail that is not `own_email` or `own_phone`.
    `others`: the other members' (email, phone) pairs, looked for as themselves too."""

    def __init__(self, own_email: str | None, own_phone: str | None,
                 others: Iterable[tuple[str | None, str | None]] = ()) -> None:
        self.own_email = (own_email or "").strip().casefold()
        self.own_phone = phone_digits(own_phone) if own_phone else ""
        emails: set[str] = set()
        phones: set[str] = set()
        for email, phone in others:
            if email and email.strip() and email.strip().casefold() != self.own_email:
                emails.add(email.strip().casefold())
            digits = phone_digits(phone) if phone else ""
            if len(digits) >= SHORTEST_KNOWN and digits != self.own_phone:
                phones.add(digits)
        self.emails = sorted(emails, key=len, reverse=True)
        self.phones = phones

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the contact details to take out are, in order, not overlapping."""
        found: list[tuple[int, int]] = []
        for match in _EMAIL.finditer(text):
            if match.group().casefold().rstrip(".") != self.own_email:
                found.append(match.span())
        folded = text.casefold()
        for email in self.emails:
            start = folded.find(email)
            while start >= 0:
                found.append((start, start + len(email)))
                start = folded.find(email, start + 1)
        # Dates blanked (same length, so the spans still fit the text) before digits are read.
        undated = _DATE.sub(lambda found: "#" * len(found.group()), text)
        for match in _DIGITS.finditer(undated):
            written = match.group()
            digits = phone_digits(written)
            if digits == self.own_phone:
                continue
            count = len(_NOT_DIGIT.sub("", written))
            if count in PHONE_DIGITS or digits in self.phones:
                found.append(match.span())
            elif self.phones and count >= SHORTEST_KNOWN:
                # A known number inside a longer run ("tel 01656870123 or ...").
                for phone in self.phones:
                    if phone in digits:
                        found.append(match.span())
                        break
        return _merged(found)

    def parts(self, text: str) -> Parts:
        """The text between removals, and None for each removal; a text with nothing to
        take out is one part, itself."""
        spans = self.spans(text)
        if not spans:
            return (text,)
        out: list[str | None] = []
        at = 0
        for start, end in spans:
            if text[at:start]:
                out.append(text[at:start])
            out.append(None)
            at = end
        if text[at:]:
            out.append(text[at:])
        return tuple(out)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def joined(parts: Parts, marker: str) -> str:
    """A text's parts as one text, `marker` where something was taken out."""
    return "".join(marker if part is None else part for part in parts)


def removed(parts: Parts) -> bool:
    return any(part is None for part in parts)


def removed_anywhere(value: object) -> bool:
    """Whether anything was taken out of a text anywhere in `value`: a text's parts, or the
    details of an event (dicts and lists holding texts, some of them parts)."""
    if isinstance(value, tuple):
        return removed(value)
    if isinstance(value, dict):
        return any(removed_anywhere(inner) for inner in value.values())
    if isinstance(value, list):
        return any(removed_anywhere(inner) for inner in value)
    return False
