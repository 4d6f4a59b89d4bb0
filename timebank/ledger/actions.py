"""One function per thing a person does to the ledger. Each is one transaction and does
every step the action needs (recording meets the request; voiding reopens it; leaving and
forgetting close listings; forgetting scrubs the write-ahead log; restoring erases again),
so the CLI, the screen and any script make the same single call and get the same rules.

Members are named as a person types them (`17`, `#17`, `Siân`); results are typed values
(numbers, dates, `MemberName`s), never text in a language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Sequence

from timebank.i18n import _
from timebank.ledger import audit, erasure, listings, members
from timebank.ledger import settings as settings_module
from timebank.ledger.categories import CategoryName, add_category
from timebank.ledger.dates import today
from timebank.ledger.db import Ledger, flush_to_file, writing
from timebank.ledger.exchanges import RecordResult, record_exchange, void_exchange
from timebank.ledger.names import MemberName, member_name

MemberRef = str | int


def _find(session, ref: MemberRef):  # type: ignore[no-untyped-def]
    return members.find_member(session, str(ref))


# The ledger ----------------------------------------------------------------------------------

def set_setting(ledger: Ledger, by: str, key: str, value: str) -> str:
    with writing(ledger) as session:
        return settings_module.set_value(session, key, value, by)


def new_category(ledger: Ledger, by: str, code: str, en: str, cy: str) -> CategoryName:
    with writing(ledger) as session:
        category = add_category(session, by, code, en, cy)
        return CategoryName(category.code, category.name_en, category.name_cy)


# Members ---------------------------------------------------------------------------------------

def add_member(ledger: Ledger, by: str, *, name: str, kind: str = "person", area: str | None = None,
               email: str | None = None, phone: str | None = None, lang: str | None = None,
               joined: date | None = None, note: str | None = None, sort_as: str | None = None) -> MemberName:
    with writing(ledger) as session:
        default_lang = settings_module.load(session).lang
        member = members.add_member(session, by, name=name, kind=kind, area=area, email=email, phone=phone,
                                    lang=lang, joined=joined, note=note, sort_as=sort_as, default_lang=default_lang)
        return member_name(member)


def edit_member(ledger: Ledger, by: str, ref: MemberRef, **changes: str | None) -> tuple[MemberName, list[str]]:
    """Returns the member (as now named) and the fields that changed."""
    with writing(ledger) as session:
        member = _find(session, ref)
        changed = members.edit_member(session, by, member, **changes)
        return member_name(member), list(changed)


def leave(ledger: Ledger, by: str, ref: MemberRef, on: date | None = None) -> tuple[MemberName, date]:
    """The member leaves; their open offers and requests close with them."""
    with writing(ledger) as session:
        member = _find(session, ref)
        day = members.leave_member(session, by, member, on)
        listings.close_member_listings(session, by, member.number, "left", day)
        return member_name(member), day


def rejoin(ledger: Ledger, by: str, ref: MemberRef) -> MemberName:
    with writing(ledger) as session:
        member = _find(session, ref)
        members.rejoin_member(session, by, member)
        return member_name(member)


@dataclass(frozen=True)
class Forgotten:
    number: int
    backups: list[Path]          # backups beside the ledger that still hold the details
    backups_folder: Path | None


def forget(ledger: Ledger, by: str, ref: MemberRef) -> Forgotten:
    """UK GDPR erasure: details erased everywhere in the ledger, listings closed, and the
    SQLite write-ahead log folded into the file so no copy of the details lingers there."""
    from timebank.ledger.backups import backups_folder, existing_backups

    with writing(ledger) as session:
        member = _find(session, ref)
        erasure.forget_member(session, by, member)
        listings.close_member_listings(session, by, member.number, "erased", today())
        number = member.number
    flush_to_file(ledger)
    return Forgotten(number, existing_backups(ledger), backups_folder(ledger) if ledger.is_sqlite else None)


# Exchanges -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recorded:
    result: RecordResult
    request: int | None = None   # the request this exchange met


def record(ledger: Ledger, by: str, *, givers: Sequence[MemberRef], receivers: Sequence[MemberRef], minutes: int,
           on: date | None = None, category: str | None = None, note: str | None = None,
           allow_overdraft: bool = False, request: int | None = None) -> Recorded:
    """Record help given; with `request`, the exchange meets that request (and takes its
    category unless another is given)."""
    with writing(ledger) as session:
        giver_rows = [_find(session, ref) for ref in givers]
        receiver_rows = [_find(session, ref) for ref in receivers]
        met = listings.open_listing(session, "request", request) if request is not None else None
        result = record_exchange(session, by, settings_module.load(session), givers=giver_rows,
                                 receivers=receiver_rows, minutes=minutes, on=on,
                                 category=category or (met.category if met else None), note=note,
                                 allow_overdraft=allow_overdraft)
        if met is not None:
            listings.meet_request(session, by, met.id, result.number, on or today(), [r.number for r in receiver_rows])
        return Recorded(result, request)


def void(ledger: Ledger, by: str, number: int, reason: str) -> int:
    """Void a mistaken exchange by its reversal; a request it met is open again. Returns
    the reversal's number."""
    with writing(ledger) as session:
        reversal = void_exchange(session, by, number, reason)
        listings.reopen_for_void(session, by, number)
        return reversal


# Offers and requests ------------------------------------------------------------------------

def add_listing(ledger: Ledger, by: str, kind: str, ref: MemberRef, category: str, note: str | None = None,
                on: date | None = None) -> tuple[int, MemberName, CategoryName]:
    with writing(ledger) as session:
        member = _find(session, ref)
        listing = listings.add_listing(session, by, kind, member, category, note, on)
        from timebank.ledger.categories import category_names

        return listing.id, member_name(member), category_names(session)[listing.category]


def remove_listing(ledger: Ledger, by: str, kind: str, number: int) -> None:
    with writing(ledger) as session:
        listings.remove_listing(session, by, kind, number)


# Backups ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Restored:
    safety_copy: Path
    same_ledger: bool                 # the backup is of this ledger (not another one's)
    had_erasures: bool                # the replaced ledger had erased members
    erased_again: list[int] = field(default_factory=list)
    unreadable: bool = False          # the replaced ledger was too damaged to say who was erased


def restore(ledger: Ledger, by: str, file: Path) -> Restored:
    """Replace the ledger with a backup, which may be of any past revision, and erase again
    everyone erased in the ledger it replaces (a backup made before an erasure must not
    undo it). All of it happens in a staging copy beside the ledger, which replaces the
    ledger in one transaction only when it is verified, up to date and re-erased: a kill
    at any moment leaves either the old ledger or the new one (see `restoring`). The
    ledger being replaced may be broken: only its file is needed, and what can be read of it.
    The current ledger is copied aside first; any failure after that names the copy."""
    from timebank.ledger import restoring
    from timebank.ledger.backups import backup, require_sqlite
    from timebank.ledger.errors import LedgerUnusable, TimebankError, os_reason

    path = require_sqlite(ledger)
    staged = restoring.stage(path, file)
    safety: Path | None = None
    try:
        safety = backup(ledger, automatic=True, damaged_too=True)
        known = restoring.what_it_knew(ledger)
        with writing(staged.ledger) as session:
            audit.log(session, by, "ledger.restore", file=str(file), safety_copy=str(safety))
            # Member numbers mean something only within one ledger's history.
            same_ledger = known.origin is not restoring.UNKNOWN and audit.origin(session) == known.origin
            again = []
            if same_ledger and known.erased:
                for member in erasure.not_yet_erased(session, known.erased):
                    erasure.forget_member(session, by, member)
                    listings.close_member_listings(session, by, member.number, "erased", today())
                    again.append(member.number)
        restoring.replace_ledger(staged, ledger)
        flush_to_file(ledger)
    except BaseException as error:
        staged.discard()
        if safety is None or not isinstance(error, (TimebankError, OSError)):
            raise
        reason = error.message if isinstance(error, TimebankError) else os_reason(error)
        raise LedgerUnusable(_("The restore did not finish ({reason}). The ledger as it was is saved in "
                               "{safety}.").format(reason=reason, safety=safety)) from None
    staged.discard()
    unreadable = known.erased is None or known.origin is restoring.UNKNOWN
    return Restored(safety, same_ledger, bool(known.erased), again, unreadable)
