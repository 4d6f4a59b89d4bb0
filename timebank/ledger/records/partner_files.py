"""Files of trades between partner banks (issue 31): what one bank sends, what the other
takes, and what each has confirmed of the other's.

A file holds every trade the sender holds with the receiver and the void of each that was
voided, under the ids both banks keep (`BLA-17`: exchange 17 of the bank BLA), each with
its date, the two members' numbers (and the sender's members' first names: nothing else
of a person travels), the minutes, the category, the note and whether it was given in
Welsh. The file ends in the SHA-256 of its content, and is refused if a byte of it differs
from what was written: changed, re-saved or cut short.

Taking a file records here the mirror of every trade not yet held (the partner's members'
side of it, on their accounts here) and every void not yet made, in one transaction: a file
taken twice, or files taken out of order, record each trade and void once. A file for
another bank, from a bank that is no partner here, or naming a member this bank does not
have is refused with every bad trade listed, and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.basics.text import MAX_NOTE, clean_text
from timebank.ledger.basics.dates import today
from timebank.ledger.errors import InvalidInput, Refused, TradesRefused
from timebank.ledger.messages import Phrase, _, join, ngettext
from timebank.ledger.records import audit, partners
from timebank.ledger.records.categories import CategoryName, category_names, find_category
from timebank.ledger.records.exchanges import NewExchange, void_exchange, write_exchanges
from timebank.ledger.records.members import require_member_on
from timebank.ledger.storage.models import (ACCOUNT_KINDS, Category, Entry, Exchange, Member,
                                            Partner, PartnerAccount, PartnerFile, PartnerTrade)

FORMAT = "timebank partner trades"
# A trade's id: the code of the bank that recorded it, and its exchange number there.
TRADE_ID = re.compile(r"[A-Z][A-Z0-9]{1,7}-[1-9][0-9]{0,11}")
# A first name is a word or two: anything longer is not one.
MAX_FIRST_NAME = 100
# What a file's trade may hold: member numbers as the ledger's columns keep them, hours a
# person could give (a thousand days of help in one trade is none), days since 1900.
MAX_NUMBER = 2**31 - 1
MAX_MINUTES = 24 * 60 * 1000
FIRST_DAY = date(1900, 1, 1)
VERSION = 1
# A refusal lists this many bad trades, then counts the rest.
SHOWN = 20


# Sending -----------------------------------------------------------------------------------------

@dataclass
class _Trade:
    exchange: int
    trade: str
    on: date
    minutes: int
    category: str
    note: str | None
    welsh: bool
    givers: list[int] = field(default_factory=list)
    receivers: list[int] = field(default_factory=list)
    void: str | None = None
    reason: str | None = None


def _held(session: Session, partner: Partner) -> dict[int, _Trade]:
    """Every trade this ledger holds with `partner` (never a reversal), with its void."""
    rows = session.execute(
        select(PartnerTrade.exchange, PartnerTrade.trade, Exchange.date, Exchange.minutes, Exchange.category,
               Exchange.note, Exchange.welsh, Exchange.reverses)
        .join(Exchange, Exchange.number == PartnerTrade.exchange)
        .where(PartnerTrade.partner == partner.code).order_by(PartnerTrade.exchange)).all()
    trades: dict[int, _Trade] = {}
    voids: list[tuple] = []
    for number, trade, on, minutes, category, note, welsh, reverses in rows:
        if reverses is None:
            trades[number] = _Trade(number, trade, on, minutes, category, note, bool(welsh))
        else:
            voids.append((reverses, trade, note))
    for original, trade, note in voids:
        if original in trades:
            trades[original].void, trades[original].reason = trade, note
    if trades:
        numbers = list(trades)
        for start in range(0, len(numbers), 500):
            chunk = numbers[start:start + 500]
            for exchange, member, role in session.execute(
                    select(Entry.exchange, Entry.member, Entry.role).where(Entry.exchange.in_(chunk))
                    .order_by(Entry.exchange, Entry.id)):
                held = trades[exchange]
                (held.givers if role == "giver" else held.receivers).append(member)
    return trades


def _pairs(trade: _Trade, theirs: set[int]) -> tuple[list[int], list[int]]:
    """The givers and receivers of the pairs of a trade in which the partner's member took part
    (one side of an exchange is a single member, so they are every pair of the two lists)."""
    givers = [g for g in trade.givers if g in theirs or any(r in theirs for r in trade.receivers)]
    receivers = [r for r in trade.receivers if r in theirs or any(g in theirs for g in givers)]
    givers = [g for g in givers if g in theirs or any(r in theirs for r in receivers)]
    return givers, receivers


def _sent_name(member: Member) -> str | None:
    """What the partner learns of our member's name: a person's first name, an
    organisation's name; nothing once they were erased."""
    if member.forgotten is not None or not member.name:
        return None
    if member.kind == "organisation":
        return member.name[:MAX_FIRST_NAME]
    return member.name.split()[0][:MAX_FIRST_NAME]


def file_content(session: Session, partner: Partner, made: datetime) -> tuple[dict[str, Any], int, int]:
    """What a file to `partner` holds now: (content without its hash, trades, voids)."""
    from timebank.ledger.records import settings as settings_module

    settings = settings_module.load(session)
    ours = partners.own_code(session)
    trades = _held(session, partner)
    accounts = dict(session.execute(select(PartnerAccount.member, PartnerAccount.number)
                                    .where(PartnerAccount.partner == partner.code)).all())
    theirs = set(accounts)
    wanted = {m for t in trades.values() for m in (*t.givers, *t.receivers) if m not in theirs}
    members = {m.number: m for m in session.scalars(select(Member).where(Member.number.in_(wanted)))} \
        if wanted else {}

    def party(number: int) -> dict[str, Any]:
        if number in accounts:
            return {"bank": partner.code, "number": accounts[number]}
        member = members[number]
        return {"bank": ours, "number": number, "first_name": _sent_name(member)}

    out = []
    voids = 0
    for trade in trades.values():
        givers, receivers = _pairs(trade, theirs)
        if not givers or not receivers:
            continue
        out.append({
            "id": trade.trade, "date": trade.on.isoformat(), "minutes": trade.minutes, "category": trade.category,
            "note": trade.note, "welsh": trade.welsh,
            "givers": [party(g) for g in givers], "receivers": [party(r) for r in receivers],
            "void": None if trade.void is None else {"id": trade.void, "reason": trade.reason},
        })
        voids += trade.void is not None
    held_here = {trade.trade for trade in trades.values()}
    taken = session.scalar(select(PartnerFile.held).where(PartnerFile.partner == partner.code,
                                                          PartnerFile.direction == "received")
                           .order_by(PartnerFile.made.desc(), PartnerFile.id.desc()).limit(1))
    # Trades the partner voided that name a member this bank lacks: never recorded here, and
    # voided there, they count on neither side; the partner learns they need nothing more.
    declined = [{"id": trade, "void": void} for trade, void in sorted(json.loads(taken).items())
                if void is not None and trade not in held_here] if taken else []
    content = {
        "format": FORMAT, "version": VERSION,
        "sender": {"code": ours, "name": settings.name},
        "receiver": {"code": partner.code, "name": partner.name},
        # To the microsecond: of two files made in one second, the statement knows the later.
        "made": made.isoformat(timespec="microseconds"),
        "trades": out,
        "declined": declined,
    }
    return content, len(out), voids


def moment() -> datetime:
    """When a file is made, to the microsecond (UTC, as the audit's moments): two files made in
    one second are still one before the other."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the content in one canonical form (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_bytes(content: dict[str, Any]) -> bytes:
    """The file as written: the content, then its hash, one key a line where a reader looks."""
    whole = dict(content)
    whole["sha256"] = content_hash(content)
    return (json.dumps(whole, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def held_ids(content: dict[str, Any]) -> dict[str, str | None]:
    """Trade id -> the id of its void (or None): what a file says its sender holds, the
    voided trades it declined (as good as held voided) with them."""
    held: dict[str, str | None] = {d["id"]: d["void"] for d in content.get("declined", [])}
    held |= {t["id"]: (t.get("void") or {}).get("id") for t in content["trades"]}
    return held


@dataclass(frozen=True)
class Sent:
    partner: str
    name: str
    trades: int
    voids: int
    hash: str


def record_sent(session: Session, by: str, partner: Partner, content: dict[str, Any], trades: int,
                voids: int) -> Sent:
    digest = content_hash(content)
    session.add(PartnerFile(partner=partner.code, direction="sent", hash=digest,
                            made=datetime.fromisoformat(content["made"]), at=audit.now(), trades=trades,
                            voids=voids, held=json.dumps(held_ids(content), sort_keys=True)))
    session.flush()
    audit.log(session, by, "partner.export", code=partner.code, trades=trades, voids=voids, sha256=digest)
    return Sent(partner.code, partner.name, trades, voids, digest)


# Taking ----------------------------------------------------------------------------------------

def read_file(data: bytes, name: str) -> dict[str, Any]:
    """The content of a file from a partner, or a refusal if it is none or was changed."""
    changed = _("{file} has been changed since it was written (it does not match its own hash): it is refused. "
                "Ask the partner bank to send it again.").format(file=name)
    try:
        whole = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        if data[:1] == b"{" and FORMAT.encode() in data:
            raise InvalidInput(changed) from None
        raise InvalidInput(_("{file} is not a file of trades from a partner bank.").format(file=name)) from None
    if not isinstance(whole, dict) or whole.get("format") != FORMAT:
        raise InvalidInput(_("{file} is not a file of trades from a partner bank.").format(file=name))
    if whole.get("version") != VERSION:
        raise InvalidInput(_("{file} was written by a newer version of timebank (file version {version}): update "
                             "timebank to take it.").format(file=name, version=whole.get("version")))
    stated = whole.pop("sha256", None)
    if not isinstance(stated, str) or stated != content_hash(whole) or file_bytes(whole) != data:
        raise InvalidInput(changed)
    try:
        _shape(whole)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidInput(changed) from None
    return whole


def _shape(content: dict[str, Any]) -> None:
    """A file its hash vouches for, written by another program than timebank, is still checked."""
    for side in ("sender", "receiver"):
        if not isinstance(content[side]["code"], str):
            raise TypeError(side)
    if datetime.fromisoformat(content["made"]).tzinfo is not None:  # timebank writes UTC without an offset
        raise ValueError("made")
    if not isinstance(content["trades"], list):
        raise TypeError("trades")
    for declined in content.get("declined", []):
        if not (isinstance(declined["id"], str) and isinstance(declined["void"], str)):
            raise TypeError("declined")


@dataclass(frozen=True)
class Taken:
    partner: str
    name: str
    trades: int        # trades recorded here now
    voids: int         # voids made here now
    known: int         # trades in the file already held here
    repeated: bool     # the very file was taken before: nothing was read again
    balance_minutes: int


def take_file(session: Session, by: str, content: dict[str, Any], name: str, lang: str) -> Taken:
    ours = partners.own_code(session)
    sender, receiver = content["sender"], content["receiver"]
    if receiver["code"] != ours:
        raise Refused(_("{file} is for another time bank ({name}, code {code}), not this one ({ours}): nothing "
                        "was written.").format(file=name, name=receiver.get("name") or "", code=receiver["code"],
                                               ours=ours))
    partner = session.get(Partner, sender["code"])
    if partner is None:
        raise Refused(_("{file} is from {name} (code {code}), which is not a partner bank here: add it with "
                        "'timebank partner add' first. Nothing was written.").format(
            file=name, name=sender.get("name") or "", code=sender["code"]))
    digest = content_hash(content)
    earlier = session.scalar(select(PartnerFile.at).where(PartnerFile.partner == partner.code,
                                                          PartnerFile.direction == "received",
                                                          PartnerFile.hash == digest).limit(1))
    if earlier is not None:
        return Taken(partner.code, partner.name, 0, 0, len(content["trades"]), True,
                     partners.balances(session).get(partner.code, 0))
    bad: list[Phrase] = []
    known = 0
    categories = set(session.scalars(select(Category.code)))
    other = find_category(session, "other", "en").code if "other" in categories else sorted(categories)[0]
    new: list[tuple[str, NewExchange, dict[str, Any] | None]] = []
    voids: list[tuple[int, dict[str, Any]]] = []
    seen: set[str] = set()
    accounts: dict[int, int] = {}
    # Every trade held with the partner, read once: a file holds them all, each time.
    held = {trade: (exchange, on, minutes) for trade, exchange, on, minutes in session.execute(
        select(PartnerTrade.trade, PartnerTrade.exchange, Exchange.date, Exchange.minutes)
        .join(Exchange, Exchange.number == PartnerTrade.exchange).where(PartnerTrade.partner == partner.code))}
    for index, trade in enumerate(content["trades"], 1):
        try:
            trade_id = trade["id"]
            if not isinstance(trade_id, str) or not TRADE_ID.fullmatch(trade_id) or trade_id in seen:
                raise TypeError("id")
            seen.add(trade_id)
            outcome = _take_trade(session, partner, ours, trade, categories, other, lang, accounts, held)
        except (KeyError, TypeError, ValueError, AttributeError):
            bad.append(_("trade {number} in the file: it is not written as a trade.").format(number=index))
            continue
        except InvalidInput as error:  # a text no ledger would hold (control characters, too long)
            bad.append(join(": ", [_("trade {id}").format(id=trade["id"]), error.phrase]))
            continue
        if outcome is None:
            continue
        kind, value = outcome
        if kind == "bad":
            bad.append(value)
        elif kind == "new":
            new.append(value)
        elif kind == "known":
            known += 1
            if value[1] is not None:
                voids.append(value)
    if bad:
        rows: list[Phrase] = bad[:SHOWN]
        rest = len(bad) - SHOWN
        if rest > 0:
            rows.append(ngettext("... and {count} more.", "... and {count} more.", rest).format(count=rest))
        raise TradesRefused(ngettext(
            "{file} was not imported: {count} trade in it cannot be recorded here. Nothing was written.",
            "{file} was not imported: {count} trades in it cannot be recorded here. Nothing was written.",
            len(bad)).format(file=name, count=len(bad)), rows)
    _names_from(session, partner, content, lang)
    # Every new trade in one write (a file may hold thousands), then the voids, each its own reversal.
    if new:
        first, _count = write_exchanges(session, by, [exchange for _id, exchange, _void in new])
        session.add_all([PartnerTrade(exchange=first + offset, partner=partner.code, trade=trade_id)
                         for offset, (trade_id, _exchange, _void) in enumerate(new)])
        session.flush()
        voids += [(first + offset, void) for offset, (_id, _exchange, void) in enumerate(new) if void is not None]
    voided = sum(_void(session, by, partner, number, void) for number, void in voids)
    recorded = len(new)
    session.add(PartnerFile(partner=partner.code, direction="received", hash=digest,
                            made=datetime.fromisoformat(content["made"]), at=audit.now(),
                            trades=len(content["trades"]), voids=sum(1 for t in content["trades"] if t.get("void")),
                            held=json.dumps(held_ids(content), sort_keys=True)))
    session.flush()
    audit.log(session, by, "partner.import", code=partner.code, trades=recorded, voids=voided, sha256=digest)
    return Taken(partner.code, partner.name, recorded, voided, known, False,
                 partners.balances(session).get(partner.code, 0))


def _names_from(session: Session, partner: Partner, content: dict[str, Any], lang: str) -> None:
    """The first names a file gives the partner's members (none once the partner erased
    them) become their accounts' names here, from the newest file taken only: an older
    file taken late never brings back a name erased since."""
    made = datetime.fromisoformat(content["made"])
    newest = session.scalar(select(func.max(PartnerFile.made)).where(PartnerFile.partner == partner.code,
                                                                     PartnerFile.direction == "received"))
    if newest is not None and newest > made:
        return
    given: dict[int, str] = {}
    for trade in content["trades"]:
        for party in (*trade["givers"], *trade["receivers"]):
            if party.get("bank") == partner.code and isinstance(party.get("number"), int):
                given[party["number"]] = _first_name(party.get("first_name"))
    if not given:
        return
    known = dict(session.execute(select(PartnerAccount.number, Member.note)
                                 .join(Member, Member.number == PartnerAccount.member)
                                 .where(PartnerAccount.partner == partner.code)).all())
    for number, first in sorted(given.items()):
        if number in known and (known[number] or "") != first:
            partners.account(session, partner, number, date.today(), first=first, lang=lang)


def _void_reason(partner: Partner, void: dict[str, Any]) -> str:
    reason = void.get("reason")
    if isinstance(reason, str) and reason.strip():
        return reason
    return f"{partner.code} {void['id']}"


def _checked_parties(listed: Any) -> list[tuple[str, int, Any]]:
    """A trade's givers or receivers as a file must write them: (bank, number, first name)."""
    if not isinstance(listed, list) or not listed:
        raise TypeError("parties")
    out = []
    for party in listed:
        bank, number = party["bank"], party["number"]
        if not isinstance(bank, str) or not isinstance(number, int) or isinstance(number, bool) \
                or not 1 <= number <= MAX_NUMBER:
            raise ValueError("party")
        out.append((bank, number, party.get("first_name")))
    return out


def _first_name(text: Any) -> str:
    """The first name a file gives, as this ledger keeps it; one it cannot keep (too long,
    control characters) is no name, never a reason to refuse the trade."""
    if not isinstance(text, str):
        return ""
    try:
        return clean_text(text, _("name"), limit=MAX_FIRST_NAME) or ""
    except InvalidInput:
        return ""


def _take_trade(session: Session, partner: Partner, ours: str, trade: dict[str, Any], categories: set[str],
                other: str, lang: str, accounts: dict[int, int],
                held_here: dict[str, tuple[int, date, int]]) -> tuple[str, Any] | None:
    """What one trade of a file is here: ("known", (exchange, void or None)) for a trade held
    already, ("new", (id, the mirror to write, void or None)), ("bad", why), or None for a
    voided trade naming a member this bank lacks (on neither side does it count)."""
    trade_id: str = trade["id"]
    void = trade.get("void")
    if void is not None and (not isinstance(void, dict) or not isinstance(void.get("id"), str)
                             or not TRADE_ID.fullmatch(void["id"]) or void["id"] == trade_id):
        raise TypeError("void")
    if void is not None and void.get("reason") is not None:
        void["reason"] = clean_text(str(void["reason"]), _("reason"), limit=MAX_NOTE)
    on = date.fromisoformat(trade["date"])
    minutes = trade["minutes"]
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise ValueError("minutes")
    listed_givers, listed_receivers = _checked_parties(trade["givers"]), _checked_parties(trade["receivers"])
    if not FIRST_DAY <= on <= today() + timedelta(days=1):  # a day's grace for the partner's clock
        return "bad", join(": ", [_("trade {id}").format(id=trade_id), _("its date {date} is in the future or before "
                                                                           "1900").format(date=on.isoformat())])
    if trade_id in held_here:
        held, held_on, held_minutes = held_here[trade_id]
        if held_on != on or held_minutes != minutes:
            return "bad", _("trade {id}: its date or hours differ from this ledger's exchange {number} "
                            "({date}, {minutes} minutes).").format(id=trade_id, number=held,
                                                                  date=held_on.isoformat(), minutes=held_minutes)
        return "known", (held, void)
    if trade_id.startswith(ours + "-"):
        return "bad", _("trade {id} is this time bank's, but this ledger holds no such trade with {code}.").format(
            id=trade_id, code=partner.code)
    problems: list[Phrase] = []
    sides: list[list[tuple[bool, int, str]]] = []  # (theirs, number, first name) a side
    for listed in (listed_givers, listed_receivers):
        side = []
        for bank, number, first in listed:
            if bank == ours:
                member = session.get(Member, number)
                if member is None or member.kind in ACCOUNT_KINDS:
                    problems.append(_("there is no member number {number} here").format(number=number))
                    continue
                try:  # a member here on the day: not yet joined, left or erased is refused as on `record`
                    require_member_on(member, on)
                except Refused as refused:
                    problems.append(refused.phrase)
                    continue
                side.append((False, number, ""))
            elif bank == partner.code:
                side.append((True, number, _first_name(first)))
            else:
                problems.append(_("member {number} of {bank}, which is neither bank of this file").format(
                    number=number, bank=bank))
        sides.append(side)
    givers, receivers = sides
    if not problems and (not givers or not receivers or (len(givers) > 1 and len(receivers) > 1)
                         or len(set(givers + receivers)) != len(givers) + len(receivers)):
        problems = [_("its members are not one giver and receivers, or givers and one receiver")]
    if not problems and any(giver[0] == receiver[0] for giver in givers for receiver in receivers):
        problems = [_("each pair of a trade is one member of this bank and one of the partner bank's")]
    if problems:
        if void is not None:
            return None  # voided on the partner's side already: there is nothing to mirror
        return "bad", join(": ", [_("trade {id}").format(id=trade_id), join("; ", problems)])

    def number_here(theirs: bool, number: int, first: str) -> int:
        if not theirs:
            return number
        if number not in accounts:  # each of their members looked up (or made) once a file
            accounts[number] = partners.account(session, partner, number, on, first=first, lang=lang).number
        return accounts[number]

    category = trade.get("category")
    code = category if isinstance(category, str) and category in categories else other
    note = trade.get("note")
    note = clean_text(note, _("note"), limit=MAX_NOTE) if isinstance(note, str) else None
    mirror = NewExchange(on, code, minutes, note, tuple(number_here(*g) for g in givers),
                         tuple(number_here(*r) for r in receivers), welsh=trade.get("welsh") is True)
    return "new", (trade_id, mirror, void)


def _void(session: Session, by: str, partner: Partner, number: int, void: dict[str, Any]) -> int:
    """The partner's void of a trade held here: made once (either bank may void a trade)."""
    if session.scalar(select(Exchange.number).where(Exchange.reverses == number)) is not None:
        return 0
    already = session.scalar(select(PartnerTrade.exchange).where(PartnerTrade.partner == partner.code,
                                                                 PartnerTrade.trade == void["id"]))
    if already is not None:
        return 0
    reversal = void_exchange(session, by, number, _void_reason(partner, void), stamp=False)
    session.add(PartnerTrade(exchange=reversal, partner=partner.code, trade=void["id"]))
    # A trade with several partner banks at once is voided towards the others as this bank's own void.
    for code in partners.trades_of(session, number):
        if code != partner.code:
            partners.stamp(session, reversal, [code])
    session.flush()
    return 1


# Reconciliation --------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementTrade:
    trade: str
    exchange: int
    on: date
    minutes: int                 # this ledger's balance with the partner moved by this much (until voided)
    category: CategoryName
    ours: bool                   # recorded here (not taken from the partner's file)
    void: str | None             # the id of its void, if voided
    confirmed: bool              # the partner's latest file holds it as it stands here


@dataclass(frozen=True)
class PartnerStatement:
    code: str
    name: str
    limit_minutes: int | None
    left: date | None
    balance_minutes: int
    trades: list[StatementTrade]
    last_sent: datetime | None
    last_sent_hash: str | None
    last_received: datetime | None       # when the partner made their latest file we took
    last_received_hash: str | None
    unconfirmed_by_partner: list[str]    # trades (or voids) held here that their latest file lacks
    unconfirmed_here: list[str]          # trades (or voids) their latest file holds that we have not sent back


def statement(session: Session, partner: Partner) -> PartnerStatement:
    ours = partners.own_code(session)
    trades = _held(session, partner)
    accounts = set(session.scalars(select(PartnerAccount.member).where(PartnerAccount.partner == partner.code)))

    def latest(direction: str) -> PartnerFile | None:
        return session.scalar(select(PartnerFile).where(PartnerFile.partner == partner.code,
                                                        PartnerFile.direction == direction)
                              .order_by(PartnerFile.made.desc(), PartnerFile.id.desc()).limit(1))

    sent, received = latest("sent"), latest("received")
    theirs: dict[str, str | None] = json.loads(received.held) if received is not None else {}
    told: dict[str, str | None] = json.loads(sent.held) if sent is not None else {}
    rows: list[StatementTrade] = []
    unconfirmed: list[str] = []
    names = category_names(session)
    for trade in trades.values():
        moved = 0
        for g in trade.givers:
            if g in accounts:
                moved += trade.minutes * len(trade.receivers)
        for r in trade.receivers:
            if r in accounts:
                moved -= trade.minutes * len(trade.givers)
        confirmed = trade.trade in theirs and (trade.void is None) == (theirs[trade.trade] is None)
        category = names.get(trade.category) or CategoryName(trade.category, trade.category, trade.category)
        rows.append(StatementTrade(trade.trade, trade.exchange, trade.on, moved, category,
                                   trade.trade.startswith(ours + "-"), trade.void, confirmed))
        if not confirmed:
            unconfirmed.append(trade.trade if trade.void is None or trade.trade not in theirs else trade.void)
    here: list[str] = [trade if trade not in told or void is None else void
                       for trade, void in sorted(theirs.items())
                       if trade not in told or (void is not None and told.get(trade) is None)]
    return PartnerStatement(partner.code, partner.name, partner.limit_minutes, partner.left,
                            partners.balances(session).get(partner.code, 0), rows,
                            sent.at if sent else None, sent.hash if sent else None,
                            received.made if received else None, received.hash if received else None,
                            unconfirmed, here)
