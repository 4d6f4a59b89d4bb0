"""Restoring a backup so that the ledger is only ever the old ledger or the new one, whole,
checked and re-erased, even if the process is killed at any moment.

The backup is never copied over the ledger as it is. It is copied to a private staging
file beside the ledger, and everything is done there: its whole schema (tables' SQL,
constraints, indexes; no view or trigger) is compared with the one our migrations make at
its revision, read under a time limit, it is brought up to date, `check` must pass,
and everyone erased in the ledger it replaces is erased again. Only then is it copied over
the ledger, with SQLite's backup API in one transaction: a kill before that transaction
commits leaves the old ledger; after, the new one. A backup made before an erasure is
never, even for an instant on disk, the ledger.

The steps are here; the action that runs them in order is `actions.restore`.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from datetime import date
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from timebank.ledger.records import audit, erasure
from timebank.ledger.storage import filesystem
from timebank.ledger.storage.backups import copy_database, inspect_backup, is_the_ledger, took_too_long
from timebank.ledger.storage.db import HEAD_REVISION, Ledger, open_ledger, reading
from timebank.ledger.errors import InvalidInput, LedgerUnusable, Refused, TimebankError, os_reason
from timebank.ledger.messages import Phrase, _, ngettext
from timebank.ledger.storage.files import COMPANION_SUFFIXES, remove_leftovers, temporary_beside
from timebank.ledger.storage.location import shown
from timebank.ledger.storage.migrate import reference_schema
from timebank.ledger.storage.models import AuditEvent
from timebank.ledger.storage.shape import TookTooLong, read_limit, schema_differences, schema_of, time_limited

STAGING_TAG = "restore"

# What an unreadable ledger knew: nothing we can rely on.
UNKNOWN = object()


@dataclass
class Staged:
    """A verified, up-to-date copy of the backup, beside the ledger, not yet in its place."""

    path: Path
    ledger: Ledger
    revision: str

    def discard(self) -> None:
        self.ledger.dispose()
        for name in (self.path, *(self.path.with_name(self.path.name + s) for s in COMPANION_SUFFIXES)):
            name.unlink(missing_ok=True)


def stage(ledger_path: Path, file: Path) -> Staged:
    """Copy the backup beside the ledger and prove it sound: a SQLite ledger of a revision we
    know, with the whole schema that revision has and nothing else, brought up to date,
    and passing every check. Refused with one line, the ledger untouched, if not. Until the
    schema is known to be ours, the file is read under a time limit; after, only our own SQL
    runs on it, over data whose size the file bounds."""
    file = file.expanduser().resolve()
    if is_the_ledger(ledger_path, file):
        raise InvalidInput(_("That file is the ledger itself."))
    revision = inspect_backup(file)
    _remove_stale_staging(ledger_path)
    path = temporary_beside(ledger_path, STAGING_TAG)
    opened: Ledger | None = None
    try:
        try:
            copy_database(file, path)
        except sqlite3.Error as error:
            if disk_full(error):  # the ledger's disk, not the backup, is at fault
                raise LedgerUnusable(_("The disk holding {folder} is full: the ledger was not restored. Free some "
                                       "space there and restore again.").format(
                    folder=shown(ledger_path.parent))) from None
            raise InvalidInput(_("{path} could not be read: {reason}").format(path=file, reason=error)) from None
        difference = _schema_difference(path, file, revision)
        if difference:
            raise InvalidInput(_("{path} is not a whole timebank ledger: {difference}.").format(
                path=file, difference=difference))
        opened = open_ledger(str(path))
        if revision != HEAD_REVISION:
            from timebank.ledger.schema import upgrade

            upgrade(opened)
        _refuse_unless_checked(opened, file)
        return Staged(path, opened, revision)
    except BaseException:
        if opened is not None:
            Staged(path, opened, revision).discard()
        else:
            path.unlink(missing_ok=True)
        raise


def disk_full(error: BaseException) -> bool:
    return getattr(error, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in str(error)


def _refuse_unless_checked(ledger: Ledger, file: Path) -> None:
    from timebank.ledger.integrity.checks import run_checks

    try:
        with reading(ledger) as session:
            problems = [problem for result in run_checks(session, ledger) for problem in result.problems]
    except (TimebankError, SQLAlchemyError, ValueError) as error:
        reason: Phrase = error.phrase if isinstance(error, TimebankError) else str(error).splitlines()[0]
        raise InvalidInput(_("{path} could not be read: {reason}").format(path=file, reason=reason)) from None
    if problems:
        raise InvalidInput(ngettext("{path} fails the ledger's check ({count} problem): {problem}",
                                    "{path} fails the ledger's check ({count} problems), the first: {problem}",
                                    len(problems)).format(path=file, count=len(problems), problem=problems[0]))


def _remove_stale_staging(ledger_path: Path) -> None:
    """Staging copies left by a restore that was killed: they hold a backup's data. A
    restore still running (its pid alive) keeps its copy (`files.remove_leftovers`)."""
    remove_leftovers(ledger_path.parent, ledger_path.name)


# One restore at a time ---------------------------------------------------------------------

RESTORE_WAIT = 15 * 60   # seconds a restore waits for another one of the same ledger to finish


@contextmanager
def one_at_a_time(ledger_path: Path, wait: float = RESTORE_WAIT) -> Iterator[None]:
    """Hold the ledger's restore lock: a second restore of the same ledger waits for the
    first to finish, then runs (on the ledger the first left). The lock is a lock on a file
    of its own beside the ledger (`.<ledger>-restore-lock`, empty, kept): never on the ledger
    itself, whose POSIX locks SQLite owns and closing another handle on it would drop. The
    operating system releases it when the process ends, however it ends."""
    import time

    lock_path = ledger_path.with_name(f".{ledger_path.name}-restore-lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as error:
        raise LedgerUnusable(_("Cannot write {path}: {reason}").format(
            path=lock_path, reason=os_reason(error))) from None
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise Refused(_("Another restore of this ledger is still running: try again when it has "
                                "finished."))
            time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # releases the lock


def _try_lock(fd: int) -> bool:
    if os.name == "nt":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    else:
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


# The schema a revision should have ---------------------------------------------------------

def _schema_difference(path: Path, file: Path, revision: str) -> Phrase | None:
    """The first way the staged copy's whole schema differs from the one our migrations make
    at its revision (`storage.shape`), read under the time limit: the copy is compared, not
    only the backup, which could have been changed since it was inspected."""
    conn = sqlite3.connect(path)
    try:
        with time_limited(conn, read_limit(path.stat().st_size)):
            differences = schema_differences(schema_of(conn), reference_schema(revision))
    except TookTooLong as slow:
        raise InvalidInput(took_too_long(file, slow.seconds)) from None
    finally:
        conn.close()
    return differences[0] if differences else None


# What the ledger being replaced knew ---------------------------------------------------------

@dataclass(frozen=True)
class Knowledge:
    erased: dict[int, date] | None   # members erased in it and the day, or None if it could not be read
    origin: object            # its identity (`audit.origin`), or UNKNOWN


def what_it_knew(ledger: Ledger) -> Knowledge:
    """Who had been erased in the ledger about to be replaced, and which ledger it is, as far
    as it can still be read: a damaged ledger must still be restorable, and every part that
    can be read still counts (its members, else its audit)."""
    erased: dict[int, date] | None = None
    for read in (erasure.erased_on, _erased_in_audit):
        try:
            with reading(ledger) as session:
                found = read(session)
        except (TimebankError, SQLAlchemyError, ValueError):
            continue
        erased = found | (erased or {})
    try:
        with reading(ledger) as session:
            origin = audit.origin(session)
    except (TimebankError, SQLAlchemyError, ValueError):
        origin = UNKNOWN
    return Knowledge(erased, origin)


def _erased_in_audit(session: Session) -> dict[int, date]:
    return {member: at.date() for member, at in session.execute(
        select(AuditEvent.member, AuditEvent.at).where(AuditEvent.action == "member.forget",
                                                       AuditEvent.member.is_not(None))) if member is not None}


# Putting the staged copy in place --------------------------------------------------------------

def replace_ledger(staged: Staged, ledger: Ledger) -> None:
    """Copy the staged ledger over the ledger in one transaction (SQLite's backup API:
    readers see the old ledger or the new one, and a kill before the commit leaves the old).
    A ledger too damaged to be written that way is replaced as a file."""
    assert ledger.path is not None
    staged.ledger.dispose()
    ledger.dispose()
    _match_page_size(staged.path, ledger.path)
    try:
        src = sqlite3.connect(staged.path, timeout=30)
        dst = sqlite3.connect(ledger.path, timeout=30)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")
        finally:
            dst.close()
            src.close()
    except sqlite3.DatabaseError as error:
        if disk_full(error):
            raise LedgerUnusable(_("the disk is full")) from None
        if type(error) is not sqlite3.DatabaseError:  # busy, read-only: not damage
            raise LedgerUnusable(str(error)) from None
        _replace_damaged_file(staged.path, ledger.path)


def _match_page_size(staging: Path, ledger_path: Path) -> None:
    """The backup API cannot change a WAL ledger's page size: give the copy the ledger's."""
    try:
        conn = sqlite3.connect(ledger_path, timeout=30)
        try:
            wanted = conn.execute("PRAGMA page_size").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return  # a damaged ledger: it will be replaced as a file
    conn = sqlite3.connect(staging)
    try:
        if conn.execute("PRAGMA page_size").fetchone()[0] != wanted:
            conn.execute(f"PRAGMA page_size = {int(wanted)}")
            conn.execute("VACUUM")
    finally:
        conn.close()


def _replace_damaged_file(staging: Path, ledger_path: Path) -> None:
    """A ledger SQLite cannot open for writing is unusable to everyone, so nobody is reading
    it: its write-ahead log goes first (it would be replayed onto the new file; the safety
    copy holds it), then the staged file takes its name in one rename."""
    for suffix in COMPANION_SUFFIXES:
        ledger_path.with_name(ledger_path.name + suffix).unlink(missing_ok=True)
    filesystem.replace(staging, ledger_path)  # Windows: refused in one line if another program has it open
    conn = sqlite3.connect(ledger_path, timeout=30)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
