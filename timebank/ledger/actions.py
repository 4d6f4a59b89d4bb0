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
from typing import IO, TYPE_CHECKING, Callable, ContextManager, Sequence

from sqlalchemy.orm import Session

from timebank.ledger.basics.dates import today
from timebank.ledger.basics.names import MemberName, member_name
from timebank.ledger.errors import NotFound, TimebankError
from timebank.ledger.messages import N_, Joined, Phrase, _, join
from timebank.ledger.records import audit, listings, members, partners
from timebank.ledger.records import settings as settings_module
from timebank.ledger.records.categories import CategoryName, add_category, category_name
from timebank.ledger.records.exchanges import RecordResult, record_exchange, void_exchange
from timebank.ledger.storage.db import Ledger, flush_to_file, reading, retry_scrub, vacuum, writing
from timebank.ledger.storage.models import Member

if TYPE_CHECKING:
    # Erasure and the checks are imported by the actions that use them: `record`, run a
    # hundred times a day, should not pay for loading them.
    from timebank.ledger.records import erasure
    from timebank.ledger.records.access_requests import AccessRequestRow
    from timebank.ledger.records.centres import CentreName
    from timebank.ledger.records.outcomes import MeasureRow, ScoreRow
    from timebank.ledger.records.partner_files import Sent, Taken
    from timebank.ledger.records.partners import PartnerRow
    from timebank.ledger.integrity.checks import CheckReport

MemberRef = str | int


def _find(session: Session, ref: MemberRef) -> Member:
    return members.find_member(session, str(ref))


def _find_all(session: Session, *groups: Sequence[MemberRef], trading_on: date | None = None,
              lang: str = "en") -> list[list[Member]]:
    """Every member named, or one refusal that names every name not found (with the
    closest names for each), so a coordinator mends the whole line at once. With
    `trading_on` (an exchange's day), a partner bank's member may be named too (`DYF:12`)."""
    found: list[list[Member]] = []
    missing: list[NotFound] = []
    for group in groups:
        found.append([])
        for ref in group:
            try:
                if trading_on is not None and partners.is_reference(str(ref)):
                    found[-1].append(partners.trading_member(session, str(ref), trading_on, lang))
                else:
                    found[-1].append(_find(session, ref))
            except NotFound as error:
                missing.append(error)
    if len(missing) == 1:
        raise missing[0]
    if missing:
        raise NotFound(join(" ", [_told(error) for error in missing]))
    return found


def _told(error: TimebankError) -> Phrase:
    """What a refusal says, with its hint (as a face would tell it), to be said inside another."""
    return error.phrase if error.hint is None else Joined((error.phrase, " ", error.hint))


# The ledger ----------------------------------------------------------------------------------

def set_setting(ledger: Ledger, by: str, key: str, value: str, *, lang: str) -> str:
    """`lang`: the language a refusal names the settings in."""
    with writing(ledger) as session:
        return settings_module.set_value(session, key, value, by, lang)


def new_category(ledger: Ledger, by: str, code: str, en: str, cy: str, code_cy: str | None = None) -> CategoryName:
    with writing(ledger) as session:
        return category_name(add_category(session, by, code, en, cy, code_cy))


def set_category_goals(ledger: Ledger, by: str, category: str, goals: list[str], *, lang: str) -> CategoryName:
    """The well-being goals a category serves (replacing its set; an empty list clears it).
    `lang`: the language a refusal names the categories and goals in."""
    from timebank.ledger.records.categories import set_goals

    with writing(ledger) as session:
        return category_name(set_goals(session, by, category, goals, lang))


def new_centre(ledger: Ledger, by: str, name: str, code: str) -> CentreName:
    from timebank.ledger.records.centres import add_centre

    with writing(ledger) as session:
        return add_centre(session, by, name, code)


# Members ---------------------------------------------------------------------------------------

def add_member(ledger: Ledger, by: str, *, name: str, kind: str = "person", area: str | None = None,
               email: str | None = None, phone: str | None = None, lang: str | None = None,
               joined: date | None = None, note: str | None = None, sort_as: str | None = None,
               again: bool = False, centre: str | None = None) -> MemberName:
    with writing(ledger) as session:
        default_lang = settings_module.load(session).lang
        member = members.add_member(session, by, name=name, kind=kind, area=area, email=email, phone=phone,
                                    lang=lang, joined=joined, note=note, sort_as=sort_as, default_lang=default_lang,
                                    again=again, centre=centre)
        return member_name(member)


def edit_member(ledger: Ledger, by: str, ref: MemberRef, **changes: str | bool | None
                ) -> tuple[MemberName, list[str]]:
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


def rejoin(ledger: Ledger, by: str, ref: MemberRef, on: date | None = None) -> tuple[MemberName, date]:
    """The member belongs again from `on` (today by default): a new period of membership."""
    with writing(ledger) as session:
        member = _find(session, ref)
        day = members.rejoin_member(session, by, member, on)
        return member_name(member), day


def copy_given(ledger: Ledger, by: str, number: int, files: Sequence[str]) -> None:
    """A copy of a member's data was made for them (`member export`): the audit says who made
    it, when, and which files it held, as a record of every disclosure of their data."""
    with writing(ledger) as session:
        audit.log(session, by, "member.export", member=number, files=list(files))


@dataclass(frozen=True)
class Forgotten:
    number: int
    plan: erasure.ErasurePlan    # what erasure changes (and what it keeps), for the preview
    done: bool                   # False: only the preview was asked for
    backups: list[Path] = field(default_factory=list)  # backups beside the ledger that still hold the details
    backups_folder: Path | None = None
    files_clean: bool | None = None   # SQLite: the old bytes are gone from the file and its write-ahead log
    vacuumed: bool | None = None      # PostgreSQL: the server rewrote the tables that held them
    # SQLite: copies of the ledger left by killed backups and restores (`files.remove_leftovers`),
    # removed by this command (when it opened the ledger, or now).
    leftovers: int = 0


def forget(ledger: Ledger, by: str, ref: MemberRef, *,
           confirm: "bool | Callable[[erasure.ErasurePlan], bool]" = True) -> Forgotten:
    """UK GDPR erasure: details erased everywhere in the ledger, listings closed, and the
    old bytes scrubbed from the database's files (the SQLite write-ahead log folded into
    the file; on PostgreSQL the touched tables rewritten). Without `confirm`, only the
    plan: what would be erased, and where. With a function for `confirm`, it is shown the
    plan (outside any transaction: a person may take their time) and erases if it says yes."""
    from timebank.ledger.records import erasure
    from timebank.ledger.storage.backups import backups_folder, existing_backups

    leftovers = _leftovers_removed(ledger)
    if confirm is not True:
        with reading(ledger) as session:
            member = _find(session, ref)
            preview = Forgotten(member.number, erasure.plan_erasure(session, member), done=False, leftovers=leftovers)
        if not confirm or not confirm(preview.plan):
            return preview
    with writing(ledger) as session:
        member = _find(session, ref)
        plan = erasure.plan_erasure(session, member)
        erasure.apply_plan(session, by, member, plan)
        listings.close_member_listings(session, by, member.number, "erased", today())
        number = member.number
    if ledger.is_sqlite:
        clean = flush_to_file(ledger)
        return Forgotten(number, plan, True, existing_backups(ledger), backups_folder(ledger),
                         files_clean=clean, leftovers=leftovers + _leftovers_removed(ledger))
    return Forgotten(number, plan, True, vacuumed=vacuum(ledger, plan.tables))


def _leftovers_removed(ledger: Ledger) -> int:
    """The copies of the ledger's data that killed backups and restores left beside it, now
    removed: those found when the ledger was opened, and any whose writer has died since
    (counted once: the next call starts again from nothing)."""
    from timebank.ledger.storage.backups import remove_ledger_leftovers

    if ledger.path is None:
        return 0
    removed = ledger.leftovers_removed + remove_ledger_leftovers(ledger.path)
    ledger.leftovers_removed = 0
    return removed


# Exchanges -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recorded:
    result: RecordResult
    request: int | None = None   # the request this exchange met


def record(ledger: Ledger, by: str, *, givers: Sequence[MemberRef], receivers: Sequence[MemberRef], minutes: int,
           on: date | None = None, category: str | None = None, note: str | None = None,
           allow_overdraft: bool = False, request: int | None = None, again: bool = False, lang: str,
           centre: str | None = None, welsh: bool = False) -> Recorded:
    """Record help given; with `request`, the exchange meets that request (and takes its
    category unless another is given). `lang`: the language of a refusal's category codes;
    `welsh`: the help was carried out in Welsh."""
    with writing(ledger) as session:
        giver_rows, receiver_rows = _find_all(session, givers, receivers, trading_on=on or today(),
                                              lang=settings_module.load(session).lang)
        met = listings.open_listing(session, "request", request) if request is not None else None
        result = record_exchange(session, by, settings_module.load(session), givers=giver_rows,
                                 receivers=receiver_rows, minutes=minutes, on=on,
                                 category=category or (met.category if met else None), note=note,
                                 allow_overdraft=allow_overdraft, again=again, lang=lang, centre=centre,
                                 welsh=welsh)
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
                on: date | None = None, *, lang: str) -> tuple[int, MemberName, CategoryName]:
    """`lang`: the language of a refusal's category names and codes."""
    with writing(ledger) as session:
        member = _find(session, ref)
        listing = listings.add_listing(session, by, kind, member, category, note, on, lang=lang)
        from timebank.ledger.records.categories import category_names

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
    The current ledger is copied aside first; any failure after that names the copy. Two
    restores of one ledger run one after the other (`restoring.one_at_a_time`)."""
    from timebank.ledger import restoring
    from timebank.ledger.storage.backups import require_sqlite

    path = require_sqlite(ledger)
    with restoring.one_at_a_time(path):
        return _restore(ledger, by, path, file)


def _restore(ledger: Ledger, by: str, path: Path, file: Path) -> Restored:
    from timebank.ledger.records import erasure
    from timebank.ledger import restoring
    from timebank.ledger.storage.backups import backup
    from timebank.ledger.errors import LedgerUnusable, os_reason

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
                for member in erasure.not_yet_erased(session, set(known.erased)):
                    erasure.forget_member(session, by, member, known.erased[member.number])
                    listings.close_member_listings(session, by, member.number, "erased", today())
                    again.append(member.number)
        restoring.replace_ledger(staged, ledger)
        flush_to_file(ledger)
    except BaseException as error:
        staged.discard()
        if safety is None or not isinstance(error, (TimebankError, OSError)):
            raise
        reason = _told(error) if isinstance(error, TimebankError) else os_reason(error)
        raise LedgerUnusable(_("The restore did not finish ({reason}). The ledger as it was is saved in "
                               "{safety}.").format(reason=reason, safety=safety)) from None
    staged.discard()
    unreadable = known.erased is None or known.origin is restoring.UNKNOWN
    return Restored(safety, same_ledger, bool(known.erased), again, unreadable)


# Members' requests for their data (UK GDPR Article 15) ------------------------------------------

def log_access_request(ledger: Ledger, by: str, ref: MemberRef, received: date) -> AccessRequestRow:
    """A member's request for a copy of their data, received on `received`: its number and
    the day its answer is due."""
    from timebank.ledger.records.access_requests import log_request

    with writing(ledger) as session:
        return log_request(session, by, _find(session, ref), received)


def close_access_request(ledger: Ledger, by: str, number: int, on: date | None = None) -> AccessRequestRow:
    """Request `number` answered on `on` (today by default)."""
    from timebank.ledger.records.access_requests import close_request

    with writing(ledger) as session:
        return close_request(session, by, number, on or today())


# Outcome measures and members' scores (health data) ------------------------------------------------

def add_outcome_measure(ledger: Ledger, by: str, name: str, minimum: str, maximum: str, meaningful_change: str,
                        conversion: str | None = None) -> MeasureRow:
    """A new outcome measure; `conversion`: the text of its raw-to-metric table (CSV), if any."""
    from timebank.ledger.records.outcomes import add_measure

    with writing(ledger) as session:
        return add_measure(session, by, name, minimum, maximum, meaningful_change, conversion)


def record_outcome(ledger: Ledger, by: str, ref: MemberRef, measure: str, score: str, day: date,
                   assisted: bool = False) -> tuple[MemberName, ScoreRow]:
    """A member's score on a measure on `day` (`assisted`: they were helped to answer)."""
    from timebank.ledger.records.outcomes import record_score

    with writing(ledger) as session:
        member = _find(session, ref)
        return member_name(member), record_score(session, by, member, measure, score, day, assisted)


# Checking ----------------------------------------------------------------------------------------

def check(ledger: Ledger, seal: str | None = None) -> CheckReport:
    """Every check, and with `seal` the proof that the history up to it is unchanged. First
    finishes an erasure's scrub of the write-ahead log that a reader had held up."""
    from timebank.ledger.integrity.canonical import read_seal
    from timebank.ledger.integrity.checks import CheckResult, check_ledger

    asked = read_seal(seal) if seal is not None else None
    extra = []
    scrubbed = retry_scrub(ledger)
    if scrubbed is not None:
        extra.append(CheckResult(N_("Erased details are gone from the ledger's files"), [] if scrubbed else [
            _("Details erased earlier are not yet gone from {path} and its write-ahead log: another program holds "
              "an older snapshot of the ledger open. Close it and run the check again.").format(path=ledger.path)]))
    with reading(ledger) as session:
        report = check_ledger(session, ledger, asked, extra)
    if seal is not None:
        return report
    from dataclasses import replace

    from timebank.ledger.records.access_requests import overdue_warnings

    from sqlalchemy.exc import SQLAlchemyError

    # Not a problem of the ledger (the exit code stays 0), but something a coordinator must do.
    # A ledger too damaged to read them has its problems named by the checks already.
    try:
        with reading(ledger) as session:
            return replace(report, warnings=overdue_warnings(session))
    except (TimebankError, SQLAlchemyError, ValueError, TypeError):
        return report


# Creating, upgrading and copying a ledger, and writing a face's output file -----------------

def initialise(ledger: Ledger, by: str, *, name: str | None, lang: str, reader: str | None = None) -> bool:
    """`init`: the schema and the first rows in an empty database; False when another init
    created the ledger first. `reader`: the language a refusal names the settings in."""
    from timebank.ledger.schema import initialise as create

    return create(ledger, by, name=name, lang=lang, reader=reader)


def make_demo(ledger: Ledger, by: str, *, name: str, lang: str, members: int = 40, months: int = 12,
              seed: int = 1) -> dict[str, int]:
    """`demo`: an empty ledger (created if need be) filled with a year of help."""
    from timebank.ledger.demo import make_demo as fill

    return fill(ledger, by, name=name, lang=lang, members=members, months=months, seed=seed)


def ensure_current(ledger: Ledger) -> None:
    """Refuse a ledger that is not initialised or is newer than this timebank; upgrade an
    older one (a SQLite ledger is backed up first)."""
    from timebank.ledger.schema import ensure_current as upgrade

    upgrade(ledger)


def backup(ledger: Ledger, output: Path | None = None, *, force: bool = False) -> Path:
    """`backup`: a copy of the ledger, whole or not at all (default: the backups folder)."""
    from timebank.ledger.storage.backups import backup as copy

    return copy(ledger, output, force=force)


def output_file(target: Path, *, force: bool = False, binary: bool = False,
                encoding: str = "utf-8") -> ContextManager[IO]:
    """The core's one writer of a face's output files: private, never through a link or over
    a ledger or backup, over another file only with `force`, whole or not at all."""
    from timebank.ledger.storage.files import private_output

    return private_output(target, force=force, binary=binary, encoding=encoding)


# Partner banks (trade between time banks) ---------------------------------------------------------

def add_partner(ledger: Ledger, by: str, name: str, code: str, limit: str | None = None,
                joined: date | None = None) -> PartnerRow:
    """A partner bank, known by the code it uses for itself; `limit`: hours the balance of trade
    with it may reach either way (none: no limit)."""
    with writing(ledger) as session:
        return partners.add_partner(session, by, name, code, limit, joined)


def edit_partner(ledger: Ledger, by: str, code: str, *, name: str | None = None, limit: str | None = None,
                 no_limit: bool = False) -> tuple[PartnerRow, dict[str, tuple]]:
    with writing(ledger) as session:
        partner = partners.find_partner(session, code)
        changed = partners.edit_partner(session, by, partner, name=name, limit=limit, no_limit=no_limit)
        return partners.partner_row(session, partner), changed


def leave_partner(ledger: Ledger, by: str, code: str, on: date | None = None) -> tuple[PartnerRow, date]:
    with writing(ledger) as session:
        partner = partners.find_partner(session, code)
        day = partners.leave_partner(session, by, partner, on)
        return partners.partner_row(session, partner), day


def export_partner(ledger: Ledger, by: str, code: str, output: Path, *, force: bool = False) -> Sent:
    """Write the file of every trade and void held with a partner bank, for it to take."""
    from timebank.ledger.records import partner_files

    with writing(ledger) as session:
        partner = partners.find_partner(session, code)
        content, trades, voids = partner_files.file_content(session, partner, partner_files.moment())
        sent = partner_files.record_sent(session, by, partner, content, trades, voids)
        with output_file(output, force=force, binary=True) as out:
            out.write(partner_files.file_bytes(content))
        return sent


def import_partner(ledger: Ledger, by: str, path: Path, lang: str) -> Taken:
    """Take a partner bank's file: the mirror of every trade and void not yet held here, all or
    nothing. (`lang`: the language of the accounts made for its members.)"""
    from timebank.ledger.errors import InvalidInput, os_reason
    from timebank.ledger.records import partner_files

    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(_("Cannot read {file}: {reason}.").format(file=str(path), reason=os_reason(error))) \
            from None
    content = partner_files.read_file(data, path.name)
    with writing(ledger) as session:
        return partner_files.take_file(session, by, content, path.name, lang)
