"""The whole ledger as a plain-text accounting journal (hledger or beancount), commodity HRS.

Minutes are exact; hours are not (20 minutes is 0.3333... hours), so each amount is
written to six decimals and each transaction's largest posting is the negated sum of
the others. Every transaction then balances exactly, and each member's total differs
from the exact hours by far less than the 0.005 that two-decimal display could show.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Iterator, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.i18n import _, get_language, say
from timebank.ledger.records.categories import category_names
from timebank.ledger.integrity.chain import current_seal
from timebank.ledger.basics.names import message_name as display_name
from timebank.ledger.storage.models import Entry, Exchange, Member, PartnerAccount
from timebank.ledger.records.settings import load as load_settings
from timebank.ledger.basics.text import UNPRINTABLE

if TYPE_CHECKING:
    from timebank.ledger.storage.db import Ledger

PLACES = Decimal("0.000001")


def hours_exact(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(PLACES, rounding=ROUND_HALF_UP)


def account(number: int, style: str, partner: tuple[str, int] | None = None) -> str:
    """A member's account; a partner bank's member's is under the partner's code, so that
    `hledger bal partners:DYF` is this bank's clearing account with that bank."""
    if partner is not None:
        code, theirs = partner
        return f"Assets:Partners:{code}:M{theirs:05d}" if style == "beancount" else f"partners:{code}:{theirs:05d}"
    return f"Assets:Members:M{number:05d}" if style == "beancount" else f"members:{number:05d}"


def _postings(entries: list[tuple[int, int]]) -> list[tuple[int, Decimal]]:
    """(member, minutes) -> (member, hours) that sum to exactly zero."""
    amounts = [(member, hours_exact(minutes)) for member, minutes in entries]
    largest = max(range(len(amounts)), key=lambda i: abs(entries[i][1]))
    # Started at Decimal(0), so one posting alone balances against a Decimal too (-Decimal(0) shows as 0).
    rest = sum((amount for i, (_m, amount) in enumerate(amounts) if i != largest), Decimal(0))
    amounts[largest] = (amounts[largest][0], -rest)
    return amounts


def _one_line(text: str | None) -> str:
    """Any stored text as one plain line: a name or note can never start a directive,
    whatever it holds (a setting written before names refused newlines, say). Every
    character that could end a line or act on a terminal becomes a space."""
    return " ".join(UNPRINTABLE.sub(" ", text or "").split())


def _quote(text: str) -> str:
    return '"' + _one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _comment(text: str | None) -> str:
    """A whole-line comment (column 0): hledger reads no tags there, so a name such as
    "Ann, type:L" cannot declare an account type as it could in a directive's comment."""
    return f"; {_one_line(text)}\n"


def _transactions(session: Session) -> Iterator[tuple[int, date, str, str | None, int | None, bool,
                                                     list[tuple[int, int]]]]:
    query = (select(Exchange.number, Exchange.date, Exchange.category, Exchange.note, Exchange.reverses,
                    Exchange.welsh, Entry.member, Entry.minutes)
             .join(Entry, Entry.exchange == Exchange.number)
             .order_by(Exchange.date, Exchange.number, Entry.id)
             .execution_options(yield_per=10_000))
    head: tuple[int, date, str, str | None, int | None, bool] | None = None
    entries: list[tuple[int, int]] = []
    for number, on, category, note, reverses, welsh, member, minutes in session.execute(query):
        if head is None or head[0] != number:
            if head is not None:
                yield (*head, entries)
            head, entries = (number, on, category, note, reverses, bool(welsh)), []
        entries.append((member, minutes))
    if head is not None:
        yield (*head, entries)


def write_journal(session: Session, out: TextIO, style: str = "hledger") -> int:
    """Write the journal; returns the number of transactions."""
    settings = load_settings(session)
    first_entry = dict(session.execute(select(Entry.member, func.min(Entry.date)).group_by(Entry.member)).all())
    members = list(session.scalars(select(Member).order_by(Member.number)))
    partners = {member: (code, number) for member, code, number in session.execute(
        select(PartnerAccount.member, PartnerAccount.partner, PartnerAccount.number))}
    named = {m.number: account(m.number, style, partners.get(m.number)) for m in members}
    # Within a centre's part of the ledger, the members of other centres its exchanges reach.
    others = sorted(set(first_entry) - {m.number for m in members})
    title = settings.name or "timebank"
    header = _("{title}: timebank journal, 1 HRS = 1 hour of help").format(title=title)
    # Categories by the code a reader of the interface language knows (account names stay ASCII).
    lang = get_language()
    codes = {code: name.code_in(lang) for code, name in category_names(session).items()}
    # Beancount metadata keys are identifiers: the member's name is under the word for
    # "name" in the interface language ("enw" in Welsh, ASCII either way).
    name_key = _("name")
    # The seal of the history this journal was written from (`timebank check --seal`).
    seal = current_seal(session)
    sealed = _comment(_("seal: {seal}").format(seal=seal.text)) if seal is not None else ""
    if style == "beancount":
        out.write(_comment(header))
        out.write(sealed)
        out.write('option "operating_currency" "HRS"\n\n')
        for m in members:
            opened = min(m.joined, first_entry.get(m.number, m.joined))
            out.write(f"{opened.isoformat()} open {named[m.number]} HRS\n")
            out.write(f"  {name_key}: {_quote(say(display_name(m)))}\n")
        for number in others:
            out.write(f"{first_entry[number].isoformat()} open {account(number, style)} HRS\n")
        out.write("\n")
    else:
        out.write(_comment(header))
        out.write(sealed)
        out.write("commodity 1,000.00 HRS\n\n")
        for m in members:
            out.write(_comment(say(display_name(m))))
            out.write(f"account {named[m.number]}\n")
        for number in others:
            out.write(f"account {account(number, style)}\n")
        out.write("\n")

    count = 0
    # Help carried out in Welsh: a tag (hledger) or metadata (beancount), only on those exchanges.
    for number, on, category, note, reverses, welsh, entries in _transactions(session):
        count += 1
        description = _one_line(f"#{number} {codes.get(category, category)}" + (f": {note}" if note else ""))
        if style == "beancount":
            links = f" ^exchange-{reverses if reverses else number}"
            out.write(f"{on.isoformat()} * {_quote(description)}{links}\n")
            out.write(f"  exchange: {number}\n")
            if reverses:
                out.write(f"  reverses: {reverses}\n")
            if welsh:
                out.write("  welsh: TRUE\n")
            for member, amount in _postings(entries):
                out.write(f"  {named.get(member) or account(member, style)}  {amount} HRS\n")
        else:
            tags = f"  ; exchange:{number}" + (f", reverses:{reverses}" if reverses else "") + (
                ", welsh:" if welsh else "")
            out.write(f"{on.isoformat()} * {description.replace(';', ',')}{tags}\n")
            for member, amount in _postings(entries):
                out.write(f"    {named.get(member) or account(member, style)}  {amount} HRS\n")
        out.write("\n")
    return count


def read_journal(ledger: "Ledger", out: TextIO, style: str = "hledger", centre: str | None = None) -> int:
    """The journal of one snapshot of the ledger (the read a face asks for: it opens no
    session itself); returns the number of transactions. With `centre`, the transactions of
    that centre's exchanges (`reports.centre_view`), whole: a member of another centre on the
    other side is an account without a name."""
    from contextlib import ExitStack

    from timebank.ledger.storage.db import reading

    with reading(ledger) as session, ExitStack() as stack:
        if centre is not None:
            from timebank.ledger.reports.centre_view import centre_view

            stack.enter_context(centre_view(session, centre))
        return write_journal(session, out, style)
