"""Partner time banks (issue 31): a member of one bank helps a member of another.

When Siân (here) gives Mair (member 12 of the partner bank DYF) 1:30, this ledger records
Siân +1:30 and the account of `DYF:12` -1:30; the partner records Mair -1:30 and the account
of Siân there +1:30. The accounts of one partner bank's members are this ledger's clearing
account with that bank: its balance is their sum, and it is always minus the partner's
balance with us once the two have each other's files (`partner_trades`).

The account of a partner's member is a member row of kind 'partner' (`ACCOUNT_KINDS`): never
counted, listed or found by name as a member is, numbered below zero so that members'
numbers run on without gaps. Its name is the member's code and number at the partner bank
and the bank's name, with their first name once a file from the partner brings it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.basics.dates import today
from timebank.ledger.basics.hours import format_hours
from timebank.ledger.basics.language import fold
from timebank.ledger.basics.text import clean_text
from timebank.ledger.errors import InvalidInput, NotFound, OverLimit, Refused
from timebank.ledger.messages import _
from timebank.ledger.records import audit
from timebank.ledger.records import settings as settings_module
from timebank.ledger.storage.models import (PARTNER_KIND, POT_KIND, Exchange, Member, Partner, PartnerAccount,
                                            PartnerTrade)

# A letter, then up to seven letters or digits: never the hours a line may hold (12:30).
CODE = re.compile(r"[A-Z][A-Z0-9]{1,7}")
# A partner's member as typed wherever an exchange names a member: DYF:12 (or dyf:#12).
REFERENCE = re.compile(r"\s*([A-Za-z][A-Za-z0-9]{1,7})\s*:\s*#?\s*([0-9]{1,9})\s*")
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class PartnerRow:
    code: str
    name: str
    limit_minutes: int | None
    joined: date
    left: date | None
    balance_minutes: int   # this ledger's balance with the bank: + we owe them hours, - they owe us
    accounts: int          # their members who have traded with ours
    trades: int            # trades with them that count (neither a void nor voided)


def check_code(text: str) -> str:
    code = text.strip().upper()
    if not CODE.fullmatch(code):
        raise InvalidInput(_("'{code}' is not a time bank's code: use 2 to 8 letters or digits, starting with a "
                             "letter (e.g. BLA).").format(code=text.strip()))
    return code


def own_code(session: Session) -> str:
    """This bank's code, which trades with partners need; a refusal says how to set it."""
    code = settings_module.load(session).bank_code
    if not code:
        raise Refused(_("This time bank has no code of its own yet, which its partner banks know it by: set one "
                        "first with 'timebank settings set bank_code CODE' (e.g. BLA)."))
    return code


def _limit(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    return settings_module.hours_to_minutes_setting(text)


def add_partner(session: Session, by: str, name: str, code: str, limit: str | None = None,
                joined: date | None = None) -> PartnerRow:
    ours = own_code(session)
    wanted = check_code(code)
    if wanted == ours:
        raise Refused(_("{code} is this time bank's own code: a partner bank needs a code of its own.").format(
            code=wanted))
    cleaned = clean_text(name, _("name"), required=True, limit=MAX_NAME)
    assert cleaned is not None  # required
    for partner in session.scalars(select(Partner)):
        if partner.code == wanted:
            raise Refused(_("There is already a partner bank with the code {code}: {name}.").format(
                code=partner.code, name=partner.name))
        if fold(partner.name) == fold(cleaned):
            raise Refused(_("There is already a partner bank called {name} (code {code}).").format(
                name=partner.name, code=partner.code))
    row = Partner(code=wanted, name=cleaned, limit_minutes=_limit(limit), joined=joined or today(),
                  created_at=audit.now())
    session.add(row)
    session.flush()
    audit.log(session, by, "partner.add", code=wanted, name=cleaned, limit_minutes=row.limit_minutes)
    return partner_row(session, row)


def find_partner(session: Session, text: str) -> Partner:
    """A partner bank by its code (any case); a refusal lists the codes there are."""
    wanted = text.strip().upper()
    found = session.get(Partner, wanted) if wanted else None
    if found is not None:
        return found
    codes = list(session.scalars(select(Partner.code).order_by(Partner.code)))
    if not codes:
        raise NotFound(_("There is no partner bank {code}: this time bank has no partners yet ('timebank partner "
                         "add NAME --code CODE' adds one).").format(code=text.strip()))
    raise NotFound(_("There is no partner bank {code}. The partner banks are: {codes}.").format(
        code=text.strip(), codes=", ".join(codes)))


def edit_partner(session: Session, by: str, partner: Partner, *, name: str | None = None,
                 limit: str | None = None, no_limit: bool = False) -> dict[str, tuple]:
    changed: dict[str, tuple] = {}
    if name is not None:
        cleaned = clean_text(name, _("name"), required=True, limit=MAX_NAME)
        assert cleaned is not None
        other = session.scalar(select(Partner).where(Partner.code != partner.code, Partner.name == cleaned))
        if other is None:
            other = next((p for p in session.scalars(select(Partner).where(Partner.code != partner.code))
                          if fold(p.name) == fold(cleaned)), None)
        if other is not None:
            raise Refused(_("There is already a partner bank called {name} (code {code}).").format(
                name=other.name, code=other.code))
        if cleaned != partner.name:
            changed["name"] = (partner.name, cleaned)
            partner.name = cleaned
            _relabel(session, partner)
    if no_limit and limit is not None:
        raise InvalidInput(_("Give either a new limit or none, not both."))
    new_limit = None if no_limit else _limit(limit) if limit is not None else partner.limit_minutes
    if new_limit != partner.limit_minutes:
        changed["limit_minutes"] = (partner.limit_minutes, new_limit)
        partner.limit_minutes = new_limit
    if not changed:
        raise InvalidInput(_("Nothing to change: give at least one new detail."))
    audit.log(session, by, "partner.edit", code=partner.code,
              changes={k: {"old": v[0], "new": v[1]} for k, v in changed.items()})
    return changed


def leave_partner(session: Session, by: str, partner: Partner, on: date | None = None) -> date:
    """The partnership ends: no new trade with the bank is recorded from then. Its files are
    still taken and sent, so that the two ledgers agree about every trade made before."""
    if partner.left is not None:
        raise Refused(_("The partnership with {name} ({code}) already ended on {date}.").format(
            name=partner.name, code=partner.code, date=partner.left.isoformat()))
    on = on or today()
    if on < partner.joined:
        raise InvalidInput(_("The partnership with {name} ({code}) began on {joined}, after {date}.").format(
            name=partner.name, code=partner.code, joined=partner.joined.isoformat(), date=on.isoformat()))
    last = session.scalar(select(func.max(Exchange.date)).join(PartnerTrade, PartnerTrade.exchange == Exchange.number)
                          .where(PartnerTrade.partner == partner.code))
    if last is not None and on < last:
        raise InvalidInput(_("The partnership with {name} ({code}) has a trade on {last}, after {date}.").format(
            name=partner.name, code=partner.code, last=last.isoformat(), date=on.isoformat()))
    partner.left = on
    audit.log(session, by, "partner.leave", code=partner.code, date=on.isoformat())
    return on


def balances(session: Session) -> dict[str, int]:
    """Each partner bank's clearing balance here: the sum of its members' accounts."""
    return {code: int(total or 0) for code, total in session.execute(
        select(PartnerAccount.partner, func.sum(Member.balance_minutes))
        .join(Member, Member.number == PartnerAccount.member).group_by(PartnerAccount.partner))}


def partner_row(session: Session, partner: Partner) -> PartnerRow:
    return list_partners(session, [partner.code])[0]


def list_partners(session: Session, codes: Sequence[str] | None = None) -> list[PartnerRow]:
    query = select(Partner).order_by(Partner.code)
    if codes is not None:
        query = query.where(Partner.code.in_(codes))
    totals = balances(session)
    accounts = dict(session.execute(select(PartnerAccount.partner, func.count())
                                    .group_by(PartnerAccount.partner)).all())
    from timebank.ledger.storage.sql import is_a_reversal, reversal_alias

    reversal = reversal_alias()
    live = dict(session.execute(
        select(PartnerTrade.partner, func.count())
        .join(Exchange, Exchange.number == PartnerTrade.exchange)
        .outerjoin(reversal, reversal.reverses == Exchange.number)
        .where(~is_a_reversal(), reversal.number.is_(None)).group_by(PartnerTrade.partner)).all())
    return [PartnerRow(p.code, p.name, p.limit_minutes, p.joined, p.left, totals.get(p.code, 0),
                       int(accounts.get(p.code, 0)), int(live.get(p.code, 0)))
            for p in session.scalars(query)]


# A partner's member named in an exchange ---------------------------------------------------------

def is_reference(text: str) -> bool:
    return REFERENCE.fullmatch(str(text)) is not None


def label(partner_name: str, code: str, number: int, first_name: str | None) -> str:
    """The name of a partner member's account, as statements and lists show the other side:
    `DYF:12 Mair (Banc Amser Dyffryn)`, what tells them apart first (a narrow column cuts
    the end)."""
    return f"{code}:{number} {first_name} ({partner_name})" if first_name else f"{code}:{number} ({partner_name})"


def _relabel(session: Session, partner: Partner) -> None:
    """The partner's members' accounts named anew after the bank's name changed."""
    for account_row, member in session.execute(select(PartnerAccount, Member)
                                               .join(Member, Member.number == PartnerAccount.member)
                                               .where(PartnerAccount.partner == partner.code)):
        member.name = label(partner.name, partner.code, account_row.number, member.note)


def account(session: Session, partner: Partner, number: int, on: date, *, first: str | None = None,
            lang: str = "en") -> Member:
    """The account here of the partner's member `number`, made when they first trade. `first`:
    their first name as the partner's file gives it ("" once the partner erased them; None:
    typed here, which says nothing of the name)."""
    found = session.scalar(select(Member).join(PartnerAccount, PartnerAccount.member == Member.number)
                           .where(PartnerAccount.partner == partner.code, PartnerAccount.number == number))
    if found is not None:
        # A file brings the first name, or none once the partner erased the member.
        if first is not None and (found.note or "") != first:
            found.note = first or None
            found.name = label(partner.name, partner.code, number, found.note)
        return found
    lowest = session.scalar(select(func.min(Member.number))) or 0
    # The first name the partner's file gave (none when typed here) is the account's note.
    member = Member(number=min(lowest, 0) - 1, kind=PARTNER_KIND, name=label(partner.name, partner.code, number,
                                                                              first or None),
                    note=first or None, lang=lang, joined=on, created_at=audit.now())
    session.add(member)
    session.flush()
    session.add(PartnerAccount(member=member.number, partner=partner.code, number=number))
    session.flush()
    return member


def trading_member(session: Session, text: str, on: date, lang: str) -> Member:
    """`DYF:12` typed in an exchange: the account of member 12 of the partner bank DYF, which
    must be a partner still on the day of the trade."""
    match = REFERENCE.fullmatch(str(text))
    assert match is not None  # `is_reference`
    _not_our_own(session, match.group(1), match.group(2))
    partner = find_partner(session, match.group(1))
    if partner.left is not None and on > partner.left:
        raise Refused(_("The partnership with {name} ({code}) ended on {date}: no trade after it can be "
                        "recorded.").format(name=partner.name, code=partner.code, date=partner.left.isoformat()))
    if on < partner.joined:
        raise Refused(_("The partnership with {name} ({code}) began on {joined}, after {date}.").format(
            name=partner.name, code=partner.code, joined=partner.joined.isoformat(), date=on.isoformat()))
    number = int(match.group(2))
    if number < 1:
        raise InvalidInput(_("'{text}' names no member: a partner bank's member numbers start at 1.").format(
            text=str(text).strip()))
    return account(session, partner, number, on, lang=lang)


def reference_label(session: Session, text: str) -> str:
    """What `DYF:12` typed names, without making its account: the name it has or will have."""
    match = REFERENCE.fullmatch(str(text))
    assert match is not None  # `is_reference`
    partner = find_partner(session, match.group(1))
    number = int(match.group(2))
    found = session.scalar(select(Member.name).join(PartnerAccount, PartnerAccount.member == Member.number)
                           .where(PartnerAccount.partner == partner.code, PartnerAccount.number == number))
    return found or label(partner.name, partner.code, number, None)


def _not_our_own(session: Session, code: str, number: str) -> None:
    if code.strip().upper() == settings_module.load(session).bank_code:
        raise InvalidInput(_("{code} is this time bank's own code: name our member by their number ({number}) or "
                             "name.").format(code=code.strip().upper(), number=number))


def partners_of(session: Session, numbers: Iterable[int]) -> dict[int, str]:
    """Account number -> partner code, for the partner members' accounts among `numbers`."""
    wanted = [n for n in numbers if n < 0]
    if not wanted:
        return {}
    return dict(session.execute(select(PartnerAccount.member, PartnerAccount.partner)
                                .where(PartnerAccount.member.in_(wanted))).all())


def check_trade(session: Session, givers: Sequence[Member], receivers: Sequence[Member], minutes: int,
                allow_overdraft: bool) -> dict[int, str]:
    """The rules of an exchange with partner members in it (returns their accounts' partners):
    each of them trades with a member of this bank (never with another bank's member, nor
    with the pot), and no partner's balance of trade goes past its limit (unless allowed)."""
    accounts = {m.number for m in (*givers, *receivers) if m.kind == PARTNER_KIND}
    if not accounts:
        return {}
    of = partners_of(session, accounts)
    for giver in givers:
        for receiver in receivers:
            pair = (giver, receiver)
            theirs = [m for m in pair if m.kind == PARTNER_KIND]
            if len(theirs) == 2:
                raise InvalidInput(_("Two partner banks' members cannot trade through this ledger: one side of a "
                                     "trade is a member of this time bank."))
            if theirs and any(m.kind == POT_KIND for m in pair):
                raise InvalidInput(_("The time bank pot cannot trade with a partner bank's member."))
    change: dict[str, int] = {}
    for giver in givers:
        if giver.kind == PARTNER_KIND:
            change[of[giver.number]] = change.get(of[giver.number], 0) + minutes * len(receivers)
    for receiver in receivers:
        if receiver.kind == PARTNER_KIND:
            change[of[receiver.number]] = change.get(of[receiver.number], 0) - minutes * len(givers)
    if not allow_overdraft:
        now = balances(session)
        for code, moved in sorted(change.items()):
            partner = session.get(Partner, code)
            assert partner is not None
            limit = partner.limit_minutes
            before = now.get(code, 0)
            after = before + moved
            # Past the limit either way is refused, unless the trade only brings the balance back
            # towards zero (a trade that crosses zero is weighed on the other side).
            towards_zero = (before > 0 and 0 <= after < before) or (before < 0 and before < after <= 0)
            if limit is not None and abs(after) > limit and not towards_zero:
                reason = _("The balance of trade with {name} ({code}) would be {after} hours, past its limit of "
                           "{limit} hours either way.").format(name=partner.name, code=code,
                                                               after=("+" if after > 0 else "") + format_hours(after),
                                                               limit=format_hours(limit))
                raise OverLimit(reason, reason + " " + _("Record it anyway?"), reason)
    return of


def stamp(session: Session, exchange: int, partners: Iterable[str]) -> None:
    """The exchange just written is a trade with each of `partners` (or the void of one):
    its id is this bank's code and the exchange's number, which both banks keep."""
    codes = sorted(set(partners))
    if not codes:
        return
    ours = own_code(session)
    for code in codes:
        session.add(PartnerTrade(exchange=exchange, partner=code, trade=f"{ours}-{exchange}"))
    session.flush()


def trades_of(session: Session, exchange: int) -> list[str]:
    """The partner banks an exchange is a trade with."""
    return list(session.scalars(select(PartnerTrade.partner).where(PartnerTrade.exchange == exchange)
                                .order_by(PartnerTrade.partner)))


def traded(session: Session, codes: Iterable[str]) -> list[tuple[str, str, int]]:
    """(code, name, balance) of each partner bank in `codes`, for the read-back of a trade."""
    wanted = sorted(set(codes))
    if not wanted:
        return []
    now = balances(session)
    return [(p.code, p.name, now.get(p.code, 0))
            for p in session.scalars(select(Partner).where(Partner.code.in_(wanted)).order_by(Partner.code))]
