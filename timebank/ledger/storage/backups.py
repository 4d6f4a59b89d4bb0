"""Backups of a SQLite ledger, with SQLite's online backup API: the copy is consistent even
while another process writes. (Restoring one is `restoring`'s work.)

Every connection here is an ordinary read-write one: read-only (`mode=ro`) connections
to a WAL ledger lost other processes' commits under load in our concurrency test."""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from timebank.ledger.errors import InvalidInput, LedgerUnusable, Refused, os_reason
from timebank.ledger.messages import Phrase, _, ngettext
from timebank.ledger.storage.db import HEAD_REVISION, KNOWN_REVISIONS, Ledger
from timebank.ledger.storage.files import (BACKUP_MARK, COMPANION_SUFFIXES, make_private_folder, publish,
                                           refuse_linked_folder, refuse_unsafe_target, remove_leftovers,
                                           temporary_beside)
from timebank.ledger.storage.location import refuse_device_name, shown

KEEP_AUTOMATIC = 30   # a ledger's own automatic backups; another ledger's in the same folder are not counted
AUTOMATIC_PREFIX = "timebank-auto-"
# `timebank-auto-<the ledger's file name without its extension>-<stamp>.sqlite3`: the stamp
# ends the name, so the ledger's is whatever stands between (it may hold hyphens and digits
# itself). Two ledgers whose names differ only in their extension (`a.db`, `a.sqlite3`) share one.
STAMP = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9]{6}\.sqlite3")


def backups_folder(ledger: Ledger) -> Path:
    assert ledger.path is not None
    return ledger.path.parent / "backups"


def automatic_prefix(ledger_path: Path) -> str:
    return f"{AUTOMATIC_PREFIX}{ledger_path.stem}-"


def remove_ledger_leftovers(ledger_path: Path) -> int:
    """Delete what killed backups and restores of this ledger left beside it and in its
    backups folder (`files.remove_leftovers`: only its own, only a dead writer's); run by
    every command that opens the ledger (`queries.open_ledger`). Returns how many copies
    were removed."""
    removed = remove_leftovers(ledger_path.parent, ledger_path.name)
    backups = ledger_path.parent / "backups"
    if not backups.is_symlink():  # deleting through a link would delete in someone else's folder
        removed += remove_leftovers(backups, ledger_path.name)
    return removed


def require_sqlite(ledger: Ledger) -> Path:
    if ledger.path is None:
        raise Refused(_("Backups of a server database are made with its own tools (pg_dump)."))
    return ledger.path


def copy_database(source: Path, target: Path) -> None:
    """Copy one SQLite database into another (an empty file we made), page by page, online.
    The copy never carries a backup's mark: a backup restored into a ledger is a ledger."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
        dst.execute("PRAGMA application_id = 0")
        dst.execute("PRAGMA user_version = 0")
    finally:
        dst.close()
        src.close()


def mark_as_backup(path: Path) -> None:
    """Mark a finished copy as a backup (see `files.is_marked_backup`): the application id
    says so, and the user version is the file change counter this very commit leaves (SQLite
    adds one per commit in rollback-journal mode). Any later commit to the file, or a switch
    to WAL mode, makes the two differ: the file is then a ledger, never replaced."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        with open(path, "rb") as handle:
            counter = int.from_bytes(handle.read(28)[24:28], "big")
        after = (counter + 1) % 2**32
        signed = after - 2**32 if after >= 2**31 else after  # PRAGMA user_version is a signed 32-bit number
        conn.execute(f"PRAGMA application_id = {BACKUP_MARK}")
        conn.execute(f"PRAGMA user_version = {signed}")
        conn.execute("COMMIT")
    finally:
        conn.close()


def is_the_ledger(ledger_path: Path, target: Path) -> bool:
    """`target` names the ledger or one of its companion files, through any link."""
    resolved = target.resolve()
    return resolved == ledger_path or any(resolved == ledger_path.with_name(ledger_path.name + suffix)
                                          for suffix in COMPANION_SUFFIXES)


def backup(ledger: Ledger, output: Path | None = None, *, automatic: bool = False, force: bool = False,
           damaged_too: bool = False) -> Path:
    """Copy the ledger to `output` (default: a new file in the backups folder beside it).
    The copy is written under a temporary name and appears whole; it never replaces the
    ledger, goes through a symbolic link, or replaces an existing file without `force`.
    With `damaged_too` (the safety copy before a restore), a ledger SQLite cannot read is
    copied byte for byte, with its write-ahead log beside the copy."""
    path = require_sqlite(ledger)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    if output is None:
        folder = backups_folder(ledger)
        refuse_linked_folder(folder)
        prefix = automatic_prefix(path) if automatic else "timebank-"
        output = folder / f"{prefix}{stamp}.sqlite3"
    else:
        refuse_device_name(output)  # CON, NUL.csv ...: a device on Windows, never a file
        # Absolute, but the last part is not resolved: a link there is refused, not followed.
        output = Path(os.path.abspath(output.expanduser()))
        try:
            if output.is_dir():
                output = output / f"timebank-{stamp}.sqlite3"
        except OSError as error:  # a name too long, a folder we may not look into
            raise InvalidInput(_("Cannot write {path}: {reason}").format(
                path=shown(output), reason=os_reason(error))) from None
    if is_the_ledger(path, output):
        raise InvalidInput(_("A backup cannot overwrite the ledger itself."))
    refuse_unsafe_target(output, force=force, backup=True)
    temporary: Path | None = None
    try:
        make_private_folder(output.parent)
        # Named for the ledger, whose data it holds: its next command removes it if this
        # process is killed (here or in the backups folder), and so does its next backup elsewhere.
        remove_leftovers(output.parent, path.name)
        temporary = temporary_beside(output, owner=path.name)
        try:
            copy_database(path, temporary)
            mark_as_backup(temporary)
        except sqlite3.DatabaseError as error:
            if not damaged_too or type(error) is not sqlite3.DatabaseError:  # not damage: busy, full...
                raise
            _copy_bytes(path, temporary, output, owner=path.name)
        publish(temporary, output, replace=force)
    except (sqlite3.Error, OSError) as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)  # a half-written copy must not pass for a backup
        if "full" in str(error) or getattr(error, "errno", None) == errno.ENOSPC:
            # The disk that filled is the one being written to, not the backup's fault.
            raise LedgerUnusable(_("The disk holding {folder} is full: no backup was made. Free some space "
                                   "there, or back up to another disk with --output.").format(
                folder=shown(output.parent))) from None
        reason = os_reason(error) if isinstance(error, OSError) else str(error)
        raise LedgerUnusable(_("The backup failed: {reason}").format(reason=reason)) from None
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    if automatic:
        prune_automatic(ledger)
    return output


def _copy_bytes(path: Path, temporary: Path, output: Path, *, owner: str) -> None:
    shutil.copyfile(path, temporary)
    wal = path.with_name(path.name + "-wal")
    if wal.is_file():
        wal_copy = temporary_beside(output, owner=owner)
        try:
            shutil.copyfile(wal, wal_copy)
            publish(wal_copy, output.with_name(output.name + "-wal"), replace=False)
        except BaseException:
            wal_copy.unlink(missing_ok=True)
            raise


def existing_backups(ledger: Ledger) -> list[Path]:
    """The backup files in the folder beside a SQLite ledger (none for a server database)."""
    if ledger.path is None or not backups_folder(ledger).is_dir():
        return []
    return sorted(backups_folder(ledger).glob("*.sqlite3"))


def prune_automatic(ledger: Ledger) -> None:
    """Keep this ledger's newest KEEP_AUTOMATIC automatic backups; never touch another
    ledger's, nor one named before backups carried the ledger's name (`timebank-auto-<stamp>`:
    whose it is cannot be told, so only a person deletes it)."""
    assert ledger.path is not None
    folder = backups_folder(ledger)
    refuse_linked_folder(folder)  # deleting through a link would delete someone else's files
    prefix = automatic_prefix(ledger.path)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    automatic = sorted(name for name in names if name.startswith(prefix) and STAMP.fullmatch(name[len(prefix):]))
    for old in automatic[:-KEEP_AUTOMATIC]:
        (folder / old).unlink(missing_ok=True)
        (folder / f"{old}-wal").unlink(missing_ok=True)


def inspect_backup(file: Path) -> str:
    """Refuse a file that is not a sound timebank ledger of a revision we know, with the whole
    schema that revision has and nothing else (no view, no trigger); return its revision.
    Read under a time limit (`shape.time_limited`): the schema first, from `sqlite_master`
    alone, so nothing the file defines runs before it is known to be ours."""
    from timebank.ledger.storage.migrate import reference_schema
    from timebank.ledger.storage.shape import Table, TookTooLong, is_code, read_limit, schema_differences, \
        schema_of, time_limited

    try:
        is_file = file.is_file()
        size = file.stat().st_size if is_file else 0
    except OSError as error:
        raise InvalidInput(_("Cannot read {path}: {reason}").format(
            path=shown(file), reason=os_reason(error))) from None
    if not is_file:
        raise InvalidInput(_("{path} is not a file.").format(path=file))
    with file.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise InvalidInput(_("{path} is not a timebank ledger.").format(path=file))
    try:
        conn = sqlite3.connect(file, timeout=30)
        try:
            with time_limited(conn, read_limit(size)):
                found = schema_of(conn)
                code = sorted(key for key in found if is_code(key))
                if code:
                    raise InvalidInput(_("{path} is not a whole timebank ledger: {difference}.").format(
                        path=file, difference=schema_differences(found, {})[0]))
                if not isinstance(found.get("table alembic_version"), Table):
                    raise InvalidInput(_("{path} is not a timebank ledger.").format(path=file))
                revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if not revision:
                    raise InvalidInput(_("{path} is not a timebank ledger.").format(path=file))
                if revision[0] not in KNOWN_REVISIONS:
                    raise InvalidInput(_("{path} was made by a newer version of timebank.").format(path=file))
                differences = schema_differences(found, reference_schema(str(revision[0])))
                if differences:
                    raise InvalidInput(_("{path} is not a whole timebank ledger: {difference}.").format(
                        path=file, difference=differences[0]))
                result = conn.execute("PRAGMA integrity_check").fetchall()
                if result != [("ok",)]:
                    raise InvalidInput(_("{path} is damaged (integrity check failed).").format(path=file))
        finally:
            conn.close()
    except TookTooLong as slow:
        raise InvalidInput(took_too_long(file, slow.seconds)) from None
    except sqlite3.Error:
        raise InvalidInput(_("{path} is not a timebank ledger.").format(path=file)) from None
    return str(revision[0])


def took_too_long(file: Path, seconds: int) -> Phrase:
    return ngettext("Reading {path} took longer than {seconds} second, far longer than a sound ledger of its "
                    "size takes: it is refused.",
                    "Reading {path} took longer than {seconds} seconds, far longer than a sound ledger of its "
                    "size takes: it is refused.", seconds).format(path=file, seconds=seconds)


__all__ = ["backup", "inspect_backup", "copy_database", "is_the_ledger", "HEAD_REVISION"]
