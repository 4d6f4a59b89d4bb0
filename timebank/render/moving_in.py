"""Moving in from TimeOverflow, as a person reads it: what the import did (or, in a dry
run, would do), and the table of balances the transfers do not explain."""

from __future__ import annotations

from typing import Any

from timebank.i18n import N_
from timebank.io.timeoverflow import DOWN
from timebank.render.sheet import INT, MEMBER, SIGNED, Line, Report, Say, Sheet, col, member_words
from timebank.render.views import _say, plural

# What each file was read as (codes from timebank.io.timeoverflow).
FILE_KINDS = {
    "members": N_("members export"),
    "transfers": N_("transfers export"),
    "offers": N_("offers export"),
    "requests": N_("inquiries (requests) export"),
    "admin-users": N_("admin's users file"),
    "admin-transfers": N_("admin's transfers file"),
    "admin-posts": N_("admin's posts file"),
    "zip": N_("zip of exports"),
}
LANGUAGE_NAMES = {"cy": N_("Welsh"), "en": N_("English")}


def differences(rows: list, *, opening: bool = False) -> Sheet:
    """Per member: the balance TimeOverflow's members file shows, what the transfers add
    up to, and the difference (in hours)."""
    title = N_("Opening exchanges with the pot, in hours") if opening else \
        N_("Balances the transfers do not explain, in hours")
    return Sheet(
        [col("number", "#", INT), col("name", N_("Name"), MEMBER),
         col("expected", N_("Members file"), SIGNED), col("found", N_("Transfers"), SIGNED),
         col("difference", N_("Difference"), SIGNED), col("minutes", N_("Minutes"), INT)],
        [{"number": d.number, "name": d.name, "expected": d.expected, "found": d.found,
          "difference": d.difference, "minutes": d.difference} for d in rows],
        title=_say(title))


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _indent(say: Say) -> Say:
    return lambda w: "  " + say(w)


def _file(name: str, kind: str) -> Say:
    # A file inside a zip is shown by its own name, under the zip's.
    archive, _colon, inner = name.partition(":")
    shown, indent = (inner, "      ") if inner and archive.lower().endswith(".zip") else (name, "    ")
    return lambda w: f"{indent}{w._(FILE_KINDS.get(kind, kind))}: {shown}"


def moved_in(result: Any) -> Report:
    organisation = result.organisation
    name = (lambda w: member_words(organisation, w))
    parts: list[Any] = []
    if result.dry_run:
        parts.append(Line(_say(N_("Dry run, nothing was written. Moving in from TimeOverflow ({name}) would bring:"),
                               name=name), bold=True))
    else:
        parts.append(Line(_say(N_("Moved in from TimeOverflow: {name}"), name=name), bold=True))
    parts.append(Line(_say(N_("Files read:"))))
    parts += [Line(_file(f.name, f.kind)) for f in result.files]
    lines: list[Any] = [
        plural("{count} member, numbered as in TimeOverflow", "{count} members, numbered as in TimeOverflow",
               result.members)]
    if result.placeholders:
        lines.append(_say(N_("Numbers of deleted or inactive members, kept by members who left: {numbers}"),
                          numbers=_numbers(result.placeholders)))
    lines.append(_say(N_("The organisation is member {number}, {name}"), number=organisation.number, name=name))
    if result.gone is not None:
        lines.append(_say(N_("Transfers with deleted members are with member {number}"), number=result.gone))
    if result.inactive is not None:
        lines.append(_say(N_("Transfers with inactive members are with member {number}"), number=result.inactive))
    lines.append(plural("{count} exchange from the transfers", "{count} exchanges from the transfers",
                        result.exchanges))
    lines.append(plural("{count} offer", "{count} offers", result.offers))
    lines.append(plural("{count} request", "{count} requests", result.requests))
    if result.merged:
        lines.append(plural("{count} post was joined to another of the same member and category",
                            "{count} posts were joined to another of the same member and category", result.merged))
    if result.categories:
        lines.append(_say(N_("Categories added: {codes}"), codes=", ".join(c.code for c in result.categories)))
    if result.cut_notes:
        lines.append(plural("{count} listing note was cut to the longest a note may be",
                            "{count} listing notes were cut to the longest a note may be", result.cut_notes))
    if result.rounded and result.rounding == DOWN:
        lines.append(plural("{count} amount was rounded down to whole minutes, as TimeOverflow shows it ({seconds} "
                            "seconds dropped in all)",
                            "{count} amounts were rounded down to whole minutes, as TimeOverflow shows them "
                            "({seconds} seconds dropped in all)",
                            result.rounded, seconds=result.rounded_seconds))
    elif result.rounded:
        lines.append(plural("{count} amount was rounded to the nearest minute ({seconds} seconds in all)",
                            "{count} amounts were rounded to the nearest minute ({seconds} seconds in all)",
                            result.rounded, seconds=result.rounded_seconds))
    if result.shown_lower:
        # Rounded to the nearest, a balance of 1:29:30 is 1:30 here and 1:29 on TimeOverflow's screens.
        lines.append(plural("{count} member's balance is a minute further from zero here than TimeOverflow shows it, "
                            "as it drops the seconds (--round down keeps it as shown)",
                            "{count} members' balances are a minute further from zero here than TimeOverflow shows "
                            "them, as it drops the seconds (--round down keeps them as shown)", result.shown_lower))
    if result.dropped:
        lines.append(plural("{count} transfer of under a minute was left out",
                            "{count} transfers of under a minute were left out", result.dropped))
    if result.same_side:
        lines.append(plural("{count} transfer between two absent members was left out: it moves no balance here",
                            "{count} transfers between two absent members were left out: they move no balance here",
                            result.same_side))
    if result.joined_moved:
        lines.append(_say(N_("Joined earlier than TimeOverflow says, since they traded before it: {numbers}"),
                          numbers=_numbers(result.joined_moved)))
    for locale, count in sorted(result.other_languages.items()):
        lines.append(plural("{count} member's language ({locale}) is not one this ledger speaks: given {language}",
                            "{count} members' language ({locale}) is not one this ledger speaks: given {language}",
                            count, locale=locale,
                            language=lambda w: w._(LANGUAGE_NAMES.get(result.ledger_lang, result.ledger_lang))))
    parts += [Line(_indent(line)) for line in lines]
    if result.opening:
        parts.append(Line(plural("{count} balance the transfers do not explain is made up by an opening exchange "
                                 "with the pot on {date}:",
                                 "{count} balances the transfers do not explain are made up by opening exchanges "
                                 "with the pot on {date}:", len(result.opening), date=result.opening_date)))
        parts.append(differences(result.opening, opening=True))
    if result.checked:
        parts.append(Line(plural("Every balance equals TimeOverflow's: {count} member checked",
                                 "Every balance equals TimeOverflow's: {count} members checked", result.checked),
                          bold=True))
    else:
        parts.append(Line(_say(N_("The members file shows no balances, so there were none to compare."))))
    if result.dry_run:
        parts.append(Line(_say(N_("Dry run: nothing was written."))))
    return Report(parts)
