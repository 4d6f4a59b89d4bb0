"""The read-back of a recorded exchange: what was written, as one sentence in the reader's
language, then each party's balance. The command line and the screen both say this, so a
volunteer typing a paper sheet sees the date, names and hours the ledger now holds."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from timebank.i18n import N_, Words
from timebank.ledger.basics.hours import format_hours
from timebank.ledger.basics.names import MemberName
from timebank.render.sheet import member_words, said_hours, signed_hours

if TYPE_CHECKING:
    from timebank.ledger.actions import Recorded

# "On Thursday" as a sentence says it: Welsh mutates dydd after the verb ("ddydd Iau").
ON_WEEKDAY = (N_("on Monday {date}"), N_("on Tuesday {date}"), N_("on Wednesday {date}"),
              N_("on Thursday {date}"), N_("on Friday {date}"), N_("on Saturday {date}"), N_("on Sunday {date}"))


def on_day(day: date, words: Words) -> str:
    """'on Thursday 5 November 2026' / 'ddydd Iau 5 Tachwedd 2026'."""
    return words._(ON_WEEKDAY[day.weekday()]).format(date=words.date(day))


def people(names: list[MemberName], words: Words) -> str:
    """'Siân Jones (#1), Llinos Evans (#2)': names and numbers, as the balances show them."""
    # A partner bank's member is named with their bank and number (`DYF:12`), never a number here.
    return ", ".join(member_words(name, words) if name.kind == "partner" else f"{member_words(name, words)} "
                     f"(#{name.number})" for name in names)


def read_back(done: Recorded, words: Words) -> list[str]:
    """What `record` wrote, as the lines to show: the sentence, the balances after it, any
    receiver allowed below the credit limit, and the request it met."""
    result = done.result
    givers, receivers = result.givers, result.receivers
    if len(receivers) > 1:
        sentence = N_("Recorded exchange {number}: {on} {giver} gave each of {receivers} {hours} hours ({words}), "
                      "category {category}.")
    elif len(givers) > 1:
        sentence = N_("Recorded exchange {number}: {on} {givers} each gave {receiver} {hours} hours ({words}), "
                      "category {category}.")
    else:
        sentence = N_("Recorded exchange {number}: {on} {giver} gave {receiver} {hours} hours ({words}), "
                      "category {category}.")
    lines = [words._(sentence).format(
        number=result.number, on=on_day(result.on, words), giver=people(givers, words),
        givers=people(givers, words), receiver=people(receivers, words), receivers=people(receivers, words),
        hours=format_hours(result.minutes), words=said_hours(result.minutes, words),
        category=result.category.name(words.lang))]
    lines += [words._("  {name} (#{number}): balance {hours} hours").format(
        name=member_words(name, words), number=name.number, hours=signed_hours(balance))
        for name, balance in result.balances if name.kind != "partner"]
    lines += [words._("  Balance of trade with {name} ({code}): {hours} hours").format(
        name=name, code=code, hours=signed_hours(balance)) for code, name, balance in result.partners]
    lines += [words._("  Member #{number} is now below the credit limit (allowed).").format(number=number)
              for number in result.overdraft]
    if done.request is not None:
        lines.append(words._("Request {id} is met.").format(id=done.request))
    return lines
