"""Moving in from TimeOverflow: the whole bank written into a new ledger in one
transaction, every balance proved equal to the one TimeOverflow shows, or nothing written.

The files are read and mapped by `timeoverflow`; here every member goes through
`members.add_member`, every transfer through `exchanges.check_exchange` and the one write
path `exchanges.write_exchanges`, every post through `listings.add_listing`, so an imported
ledger obeys the same rules as a typed one. Every bad row of every file is listed (with
the file and line) before anything is kept.

After the write the balances are read back from the ledger and compared with the members
file, its seconds made whole minutes as the amounts were (`round_`: to the nearest, or
down as TimeOverflow shows them). A difference (the exports leave out what TimeOverflow
keeps of deleted members' own transfers, and an export's H:MM drops seconds) refuses the
import with a table of differences, or, with `opening_balances`, is recorded as an
opening exchange with the pot dated on the day of the import, after which every balance
is compared again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from timebank.i18n import _, fold, get_language, ngettext, tell, words
from timebank.io.imports import DryRunDone, Progress, earlier_import
from timebank.io.timeoverflow import (NEAREST, PERSON, Bank, FileRead, Plan, PlannedMember, RowError,
                                      RowsRejected, map_bank, read_bank, slug)
from timebank.ledger.records import audit, listings, members
from timebank.ledger.records import settings as settings_module
from timebank.ledger.records.categories import CategoryName, add_category, category_name, list_categories
from timebank.ledger.basics.dates import today
from timebank.ledger.storage.db import Ledger, writing
from timebank.ledger.errors import InvalidInput, Refused, TimebankError
from timebank.ledger.records.exchanges import NewExchange, check_exchange, write_exchanges
from timebank.ledger.storage.models import OPENING, Exchange, Listing, Member
from timebank.ledger.basics.names import MemberName, member_name
from timebank.ledger.records.settings import Settings
from timebank.ledger.basics.text import MAX_NOTE, clean_text


Step = Callable[..., None]  # step() or step(count): work done, for the progress bar


@dataclass(frozen=True)
class Difference:
    """A member whose balance in TimeOverflow's members file the transfers do not explain."""

    number: int
    name: MemberName
    file: str
    line: int
    expected: int      # minutes, as the members file says
    found: int         # minutes, as the transfers add up

    @property
    def difference(self) -> int:
        return self.expected - self.found


class BalancesDiffer(Refused):
    """The transfers do not add up to the members file's balances: nothing was written."""

    def __init__(self, differences: list[Difference], *, rounded_up: bool = False) -> None:
        self.differences = differences
        phrase = ngettext(
            "The transfers do not add up to the balance the members file shows for {count} member: nothing was "
            "imported. With --opening-balances each difference is recorded as an opening exchange with the pot.",
            "The transfers do not add up to the balances the members file shows for {count} members: nothing was "
            "imported. With --opening-balances each difference is recorded as an opening exchange with the pot.",
            len(differences)).format(count=len(differences))
        if rounded_up:
            # An export's H:MM drops the seconds; balances rounded to the nearest minute may not.
            phrase += " " + _("With --round down, balances are taken without their seconds, as TimeOverflow shows "
                              "them.")
        super().__init__(phrase)


@dataclass(frozen=True)
class MoveResult:
    """What the import did (or, in a dry run, would do): typed values for the face."""

    dry_run: bool
    files: list[FileRead]
    members: int                      # TimeOverflow's members, numbered as there
    placeholders: list[int]           # numbers no file lists: members who left
    organisation: MemberName
    gone: int | None                  # the account for deleted members' side of transfers
    inactive: int | None              # the same for inactive members
    exchanges: int
    first_exchange: int | None
    last_exchange: int | None
    offers: int
    requests: int
    merged: int                       # posts that joined another listing of the same member and category
    categories: list[CategoryName]    # categories this import added
    checked: int                      # members whose balance was compared with TimeOverflow's
    opening: list[Difference]         # differences recorded as opening exchanges with the pot
    rounded: int                      # amounts made whole minutes (`rounding` says how)
    rounded_seconds: int              # by how many seconds in all
    dropped: int                      # transfers of under a minute left out
    same_side: int                    # transfers between two absent members of one kind, left out
    joined_moved: list[int]           # members who traded before the day TimeOverflow says they joined
    other_languages: dict[str, int]   # TimeOverflow locales this ledger does not speak, and how many members
    ledger_lang: str                  # the language those members were given
    cut_notes: int = 0
    opening_date: date | None = None
    rounding: str = NEAREST           # NEAREST or DOWN (as TimeOverflow shows: seconds dropped)
    shown_lower: int = 0              # balances TimeOverflow shows a minute nearer zero (rounded to the nearest here)


def import_timeoverflow(ledger: Ledger, by: str, paths: Iterable[Path], *, dry_run: bool = False,
                        opening_balances: bool = False, round_: str = NEAREST,
                        progress: Progress | None = None) -> MoveResult:
    """The import action: the files read and checked, then one transaction that writes the
    whole bank or nothing (a dry run does everything, then rolls back). `round_` is how
    amounts in seconds become whole minutes: NEAREST, or DOWN as TimeOverflow shows them.
    Raises RowsRejected listing every bad row, or BalancesDiffer with a table of differences."""
    def reading(done: int, total: int) -> None:
        # Writing takes about two steps a row (each transfer is checked, then written): a
        # third of the bar for reading.
        if progress:
            progress(done, 3 * total)

    bank = read_bank(list(paths), round_=round_, now=today(), progress=reading)
    try:
        with writing(ledger) as session:
            result = _move_in(session, by, bank, opening_balances=opening_balances, dry_run=dry_run,
                              progress=progress)
            if dry_run:
                raise DryRunDone(result)  # rolls the transaction back
            return result
    except DryRunDone as done:
        # Raised just above, with the MoveResult.
        assert isinstance(done.result, MoveResult)
        return done.result


def _refuse_repeat(session: Session, bank: Bank) -> None:
    for read in bank.files:
        earlier = earlier_import(session, read.sha256, read.content)
        if earlier is not None:
            raise Refused(_("{file} was already imported into this ledger on {date}: a bank moves in once.").format(
                file=read.name, date=earlier.date().isoformat()))


def _require_new(session: Session) -> None:
    busy = (session.scalar(select(Member.number).where(Member.kind != "pot").limit(1)) is not None
            or session.scalar(select(Exchange.number).limit(1)) is not None
            or session.scalar(select(Listing.id).limit(1)) is not None)
    if busy:
        raise Refused(_("This ledger already has members or exchanges: a bank moves in from TimeOverflow into a new "
                        "ledger, so that every member keeps their number. Make one with 'timebank --db FILE init'."))


class _Categories:
    """TimeOverflow's categories as this ledger's: one that matches by code or name is
    used; any other is added (its name in both languages, as TimeOverflow wrote it)."""

    def __init__(self, session: Session, by: str) -> None:
        self.session, self.by = session, by
        self.known = list_categories(session)
        self.codes: dict[tuple, str] = {}
        self.added: list[CategoryName] = []

    def code(self, key: tuple | None) -> str:
        if key is None:
            return "other"
        if key not in self.codes:
            self.codes[key] = self._find_or_add(key)
        return self.codes[key]

    def _find_or_add(self, key: tuple) -> str:
        # A code may not be another category's code in either language.
        taken = {c.code for c in self.known} | {c.code_cy for c in self.known if c.code_cy}
        if key[0] == "id":
            code = f"timeoverflow-{key[1]}"
            if code in taken:
                return code
            english = words("en")._("TimeOverflow category {number}").format(number=key[1])
            welsh = words("cy")._("TimeOverflow category {number}").format(number=key[1])
        else:
            name = key[1]
            for category in self.known:
                if fold(name) in (category.code, category.code_cy, fold(category.name_en), fold(category.name_cy)):
                    return category.code
            base = slug(name)[:32].strip("-") or "timeoverflow"
            if not base[0].isalpha():
                base = f"c-{base}"[:32].strip("-")
            code, suffix = base, 2
            while code in taken:
                code = f"{base[:31 - len(str(suffix))]}-{suffix}"
                suffix += 1
            english = welsh = name
        category = add_category(self.session, self.by, code, english, welsh)
        self.known.append(category)
        self.added.append(category_name(category))
        return category.code


def _move_in(session: Session, by: str, bank: Bank, *, opening_balances: bool, dry_run: bool,
             progress: Progress | None) -> MoveResult:
    _refuse_repeat(session, bank)
    _require_new(session)
    settings = settings_module.load(session)
    now = today()
    plan = map_bank(bank, lang=settings.lang, ledger_name=settings.name, today=now)
    errors: list[RowError] = list(plan.errors)
    read = bank.rows
    total = read + len(plan.members) + 2 * len(plan.exchanges) + len(plan.listings) or 1
    done = read

    def step(count: int = 1) -> None:
        nonlocal done
        done += count
        if progress:
            progress(min(done, total), total)

    categories = _Categories(session, by)
    added = _add_members(session, by, settings, plan, errors, step)
    exchanges = _check_exchanges(settings, plan, added, categories, errors, now, step)
    offers, requests = _add_listings(session, by, plan, added, categories, errors, step)
    if errors:
        raise RowsRejected(_in_file_order(errors, bank))

    written = 0

    def written_so_far(count: int) -> None:
        nonlocal written
        step(count - written)
        written = count

    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # As for a spreadsheet import: each row adds to three indexes at scattered places.
        connection.exec_driver_sql("PRAGMA cache_size = -131072")
    first, count = write_exchanges(session, by, exchanges, progress=written_so_far)
    step(count - written)

    differences = _differences(session, plan, added)
    opening: list[Difference] = []
    if differences:
        if not opening_balances:
            raise BalancesDiffer(differences, rounded_up=bank.rounding.mode == NEAREST
                                 and bank.rounding.shown_lower > 0)
        _open_balances(session, by, settings, differences, added, now, bank)
        opening = differences
        if _differences(session, plan, added):
            raise Refused(_("The balances still differ after the opening exchanges: nothing was imported."))

    last = first + count - 1 if count else None
    result = MoveResult(
        dry_run=dry_run, files=bank.files, members=sum(1 for m in plan.members if m.role == PERSON),
        placeholders=plan.placeholders, organisation=member_name(added[plan.organisation]), gone=plan.gone,
        inactive=plan.inactive, exchanges=count, first_exchange=first if count else None, last_exchange=last,
        offers=offers, requests=requests, merged=plan.merged, categories=categories.added,
        checked=sum(1 for m in plan.members if m.expected is not None), opening=opening,
        rounded=bank.rounding.count, rounded_seconds=bank.rounding.seconds, dropped=bank.rounding.dropped,
        same_side=plan.same_side, joined_moved=plan.joined_moved, other_languages=plan.other_locales,
        ledger_lang=settings.lang, cut_notes=plan.cut, opening_date=now if opening else None,
        rounding=bank.rounding.mode, shown_lower=bank.rounding.shown_lower)
    audit.log(session, by, "import.timeoverflow",
              files=[{"file": f.name, "kind": f.kind, "sha256": f.sha256, "content": f.content, "rows": f.rows}
                     for f in bank.files],
              members=result.members, placeholders=result.placeholders, organisation=plan.organisation,
              gone=plan.gone, inactive=plan.inactive, exchanges=count, first=result.first_exchange, last=last,
              offers=offers, requests=requests, opening=[{"member": d.number, "minutes": d.difference}
                                                         for d in opening],
              rounding=result.rounding, rounded=result.rounded, rounded_seconds=result.rounded_seconds,
              dropped=result.dropped)
    return result


def _in_file_order(errors: list[RowError], bank: Bank) -> list[RowError]:
    order = {read.name: index for index, read in enumerate(bank.files)}
    return sorted(errors, key=lambda e: (order.get(e[0], len(order)), e[1]))


def _make_member(session: Session, by: str, settings: Settings, planned: PlannedMember) -> Member:
    """The one place the import makes a member: added as planned (kind, joining day) and,
    for one who left (a number no file lists, a deleted or inactive members' account),
    left on the planned day. The ledger is new and holds no exchanges yet, and no planned
    exchange falls after a planned leaving day, so leaving first refuses nothing the
    exchanges need."""
    # No savepoint needed: whatever either refuses is listed, and a listed row rolls the whole import back.
    member = members.add_member(session, by, name=planned.name, kind=planned.kind, email=planned.email,
                                phone=planned.phone, lang=planned.lang, joined=planned.joined,
                                default_lang=settings.lang, again=True)
    if planned.left is not None:
        members.leave_member(session, by, member, planned.left)
    return member


def _add_members(session: Session, by: str, settings: Settings, plan: Plan, errors: list[RowError],
                 step: Step) -> dict[int, Member]:
    """Every member in number order, so that each takes the number planned for it (the
    ledger is new: the next number is always the next one)."""
    added: dict[int, Member] = {}
    for planned in plan.members:
        try:
            member = _make_member(session, by, settings, planned)
        except TimebankError as error:
            if planned.place is None:
                raise InvalidInput(_("The account for {name} cannot be made: {reason}").format(
                    name=planned.name, reason=tell(error))) from None
            errors.append((*planned.place, tell(error)))
            continue
        finally:
            step()
        assert errors or member.number == planned.number, (member.number, planned.number)
        added[planned.number] = member
    return added


def _check_exchanges(settings: Settings, plan: Plan, added: dict[int, Member], categories: _Categories,
                     errors: list[RowError], now: date, step: Step) -> list[NewExchange]:
    """Each transfer against the rules every exchange obeys (members on the day, hours
    within max_hours, never in the future)."""
    checked: list[NewExchange] = []
    for planned in plan.exchanges:
        giver, receiver = added.get(planned.giver), added.get(planned.receiver)
        step()
        if giver is None or receiver is None:
            continue  # that member's own row is listed already
        try:
            note = clean_text(planned.note, _("note"), limit=MAX_NOTE)
            check_exchange(settings, [giver], [receiver], planned.minutes, planned.on, now=now)
            code = categories.code(planned.category)
        except TimebankError as error:
            errors.append((*planned.place, tell(error)))
            continue
        checked.append(NewExchange(planned.on, code, planned.minutes, note, (giver.number,), (receiver.number,)))
    return checked


def _add_listings(session: Session, by: str, plan: Plan, added: dict[int, Member], categories: _Categories,
                  errors: list[RowError], step: Step) -> tuple[int, int]:
    counts = {"offer": 0, "request": 0}
    for planned in plan.listings:
        member = added.get(planned.member)
        step()
        if member is None:
            continue
        try:
            # No savepoint needed: add_listing refuses before it adds anything.
            listings.add_listing(session, by, planned.kind, member, categories.code(planned.category), planned.note,
                                 planned.opened, lang=get_language())
        except TimebankError as error:
            errors.append((*planned.place, tell(error)))
            continue
        counts[planned.kind] += 1
    return counts["offer"], counts["request"]


def _differences(session: Session, plan: Plan, added: dict[int, Member]) -> list[Difference]:
    """The balances as the ledger now holds them, against the members file's."""
    balances = dict(session.execute(select(Member.number, Member.balance_minutes)).all())
    return [Difference(p.number, member_name(added[p.number]), p.place[0] if p.place else "",
                       p.place[1] if p.place else 0, p.expected, balances.get(p.number, 0))
            for p in plan.members if p.expected is not None and balances.get(p.number, 0) != p.expected]


def _open_balances(session: Session, by: str, settings: Settings, differences: list[Difference],
                   added: dict[int, Member], on: date, bank: Bank) -> None:
    """Each difference as an exchange with the pot on the day of the import: a member owed
    time gives it to the pot's account, one with too much receives from it. Marked as an
    opening balance (`OPENING`): it moves a balance, and counts in no activity figure."""
    pot = session.get(Member, members.POT)
    assert pot is not None
    note = words(settings.lang)._("Opening balance brought from TimeOverflow")
    errors: list[RowError] = []
    opening: list[NewExchange] = []
    for difference in differences:
        member = added[difference.number]
        givers, receivers = ([member], [pot]) if difference.difference > 0 else ([pot], [member])
        try:
            check_exchange(settings, givers, receivers, abs(difference.difference), on, now=on)
        except TimebankError as error:
            errors.append((difference.file, difference.line, tell(error)))
            continue
        opening.append(NewExchange(on, "other", abs(difference.difference), note,
                                   tuple(m.number for m in givers), tuple(m.number for m in receivers),
                                   purpose=OPENING))
    if errors:
        raise RowsRejected(_in_file_order(errors, bank))
    write_exchanges(session, by, opening)
