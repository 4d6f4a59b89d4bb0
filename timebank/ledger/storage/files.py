"""Files the program writes outside the ledger's own transactions: exports, journals,
backups, restore copies, and the folders that hold them.

Every such file holds personal data, so:

- it is private (0600) and every folder we create is 0700, whatever the umask;
- it is first written under a fresh name made with O_EXCL (a file or link planted where
  we write is never followed or reused), then put in place whole, so a failure or a kill
  never leaves half a file under the name asked for;
- the name asked for is never a symbolic link, a folder or a device, and an existing file
  is replaced only when the caller was told to (`force`: the command line's `--force`);
- a SQLite file is never replaced by anything but a new backup, and a backup replaces only
  a backup: a file `timebank backup` marked as one and nobody has changed since (see
  `database_kind`). A ledger, in any journal mode, a ledger's journal, write-ahead log or
  shared memory, and any other SQLite database are never written over, `force` or not.

Kept free of SQLAlchemy: `cli.common` and `backups` use it alike. What differs between
operating systems (a replace Windows refuses, device names) is `filesystem`'s and
`location`'s, called from here.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

from timebank.ledger.errors import FileExists, InvalidInput, Refused
from timebank.ledger.messages import _
from timebank.ledger.storage import filesystem
from timebank.ledger.storage.location import refuse_device_name, shown

SQLITE_HEADER = b"SQLite format 3\x00"
# The first bytes of a SQLite write-ahead log and of a rollback journal.
WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
JOURNAL_MAGIC = b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")
# The header's application id of a file `timebank backup` wrote ("TBKP"). With it, the
# backup's user version is set to the file change counter its own marking left.
BACKUP_MARK = 0x54424B50
# Tables only a timebank ledger (or a copy of one) has, in every revision.
TIMEBANK_TABLES = frozenset({"alembic_version", "members", "exchanges", "entries", "audit"})

LEDGER = "ledger"          # a SQLite file holding a timebank schema, in any journal mode
BACKUP = "backup"          # a backup as `timebank backup` left it: the one kind a backup may replace
DATABASE = "database"      # another SQLite database (or one too damaged to read)
COMPANION = "companion"    # a SQLite database's journal, write-ahead log or shared memory


def is_marked_backup(head: bytes) -> bool:
    """The first 100 bytes of a SQLite file carry the backup mark, and no transaction was
    committed since it was set. SQLite adds one to the file change counter (bytes 24-27) at
    every commit in rollback-journal mode, and at every switch into or out of WAL mode: a
    ledger copied from a backup and then written to, or switched to WAL and back, no longer
    matches the user version (bytes 60-63) the mark set."""
    return (len(head) >= 100 and head.startswith(SQLITE_HEADER)
            and head[18:20] == b"\x01\x01"  # rollback-journal mode: never a WAL-mode file
            and int.from_bytes(head[68:72], "big") == BACKUP_MARK
            and head[60:64] == head[24:28])


def holds_timebank_schema(path: Path) -> bool:
    """`path`'s schema names a timebank table. Read-only and `immutable`: SQLite takes no
    lock and never creates or reads a journal or write-ahead log beside the file (a WAL
    ledger's newest pages are not seen; its mode already refuses it). A file SQLite cannot
    read holds no schema we can vouch for."""
    import sqlite3  # here: most commands never look at an existing output file

    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=1)
        try:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except (sqlite3.Error, OSError, ValueError):
        return False
    return bool(names & TIMEBANK_TABLES)


def database_kind(path: Path) -> str | None:
    """What a SQLite file at `path` is (LEDGER, BACKUP, DATABASE or COMPANION); None for any
    other file, or none. Only a BACKUP may be replaced, and only by a backup: a ledger in
    WAL mode or not (one restored from a copy, or switched with `PRAGMA journal_mode`) is a
    LEDGER whatever its name or folder."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(100)
    except OSError:
        return None
    if head.startswith(SQLITE_HEADER):
        in_use = any(os.path.lexists(path.with_name(path.name + suffix)) for suffix in COMPANION_SUFFIXES)
        if not holds_timebank_schema(path):
            return LEDGER if head[18:20] == b"\x02\x02" else DATABASE  # WAL mode: a ledger's, not yet checkpointed
        return BACKUP if is_marked_backup(head) and not in_use else LEDGER
    if head[:4] in WAL_MAGIC or head.startswith(JOURNAL_MAGIC):
        return COMPANION
    for suffix in COMPANION_SUFFIXES:
        if path.name.endswith(suffix) and database_kind(path.with_name(path.name[: -len(suffix)])) is not None:
            return COMPANION
    return None


def refuse_unsafe_target(target: Path, *, force: bool, backup: bool = False) -> None:
    """Refuse a name we must not write at. `backup`: the file is a new SQLite backup, which
    may replace an older backup (with `force`) and nothing else."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError:
        return  # the write itself will say why
    if stat.S_ISLNK(info.st_mode):
        raise Refused(_("{path} is a symbolic link: timebank does not write through links.").format(path=shown(target)))
    if stat.S_ISDIR(info.st_mode):
        raise InvalidInput(_("{path} is a folder.").format(path=shown(target)))
    if not stat.S_ISREG(info.st_mode):
        raise Refused(_("{path} is not a regular file: timebank writes only to files.").format(path=shown(target)))
    kind = database_kind(target)
    if kind == LEDGER:
        raise Refused(_("{path} is a timebank ledger, not a backup: it is never written over.").format(
            path=shown(target)))
    if kind == BACKUP and not backup:
        raise Refused(_("{path} is a timebank backup: only a new backup may replace it.").format(path=shown(target)))
    if kind == DATABASE:
        raise Refused(_("{path} is a SQLite database, not a timebank backup: it is never written over.").format(
            path=shown(target)))
    if kind == COMPANION:
        raise Refused(_("{path} belongs to a SQLite database (its journal, write-ahead log or shared memory): "
                        "it is never written over.").format(path=shown(target)))
    if backup and kind != BACKUP:
        raise Refused(_("{path} is not a timebank backup: a backup replaces only an older backup.").format(
            path=shown(target)))
    if not force:
        raise FileExists(shown(target))


def make_private_folder(folder: Path) -> None:
    """Create `folder` and its missing parents, each 0700 whatever the umask. Folders that
    already exist are left as they are."""
    missing: list[Path] = []
    current = folder
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs, not ours to change
        filesystem.make_private(path, 0o700)  # the umask may have taken even our own bits away


def refuse_linked_folder(folder: Path) -> None:
    if folder.is_symlink():
        raise Refused(_("{folder} is a symbolic link: timebank keeps backups only in a real folder.").format(
            folder=shown(folder)))


# Temporary files are named `.<owner>.<pid>.<random>.<tag>`: `owner` is the name of the file
# they become (an export's), or of the ledger whose data they hold (a backup's, a restore's
# staging copy), so that a later command can tell whose a leftover is and whether the
# process writing it is still alive. SQLite adds its own companions (`-journal`, `-wal`) to
# a copy it writes.
LEFTOVER_TAGS = ("partial", "restore")
LEFTOVER_AGE = 24 * 60 * 60   # seconds: older than this, a leftover's writer is gone whatever its pid says


def temporary_beside(target: Path, tag: str = "partial", *, owner: str | None = None) -> Path:
    """A new, empty, private file in the target's folder (O_EXCL: nothing planted there is
    followed), to be written and then put in place with `publish`. Named for `owner` (by
    default the target's own name) and this process (see `remove_leftovers`)."""
    fd, name = tempfile.mkstemp(prefix=f".{owner or target.name}.{os.getpid()}.", suffix=f".{tag}",
                                dir=target.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
    except (OSError, NotImplementedError):
        pass  # a file system without modes (FAT, a network share): nothing to set
    finally:
        os.close(fd)
    return Path(name)


def leftover_writer(name: str, owner: str) -> int | None | bool:
    """Whether a file name is one of `owner`'s temporary files (or their SQLite companions):
    False if not; the pid that wrote it; None for one an older timebank named without a pid."""
    prefix = f".{owner}."
    if not name.startswith(prefix):
        return False
    rest = name[len(prefix):]
    for suffix in COMPANION_SUFFIXES:
        if rest.endswith(suffix):
            rest = rest[: -len(suffix)]
            break
    parts = rest.split(".")
    if parts[-1] not in LEFTOVER_TAGS or not all(parts):
        return False
    if len(parts) == 3 and parts[0].isascii() and parts[0].isdigit():
        return int(parts[0])
    if len(parts) == 2 and len(parts[0]) == 8:  # tempfile's random part, before names carried a pid
        return None
    return False


def process_gone(pid: int) -> bool:
    """No process `pid` runs on this computer. Where that cannot be asked safely (Windows,
    where signal 0 is CTRL_C_EVENT), the answer is no: only a leftover's age tells."""
    if pid == os.getpid():
        return False
    if os.name == "nt" or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # PermissionError: alive, another user's
    return False


def remove_leftovers(folder: Path, owner: str) -> int:
    """Delete `owner`'s temporary files in `folder` whose writer is gone (its process no
    longer runs, or the file is older than a day: a pid used again by another process):
    what a killed backup, restore or export left. A live writer's file is left alone, and
    so is every other owner's. One listing of the folder; nothing here ever fails a command.
    Returns how many copies were removed (their SQLite companions not counted apart)."""
    import time

    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    now = time.time()
    for entry in entries:
        pid = leftover_writer(entry.name, owner)
        if pid is False:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            old = now - entry.stat(follow_symlinks=False).st_mtime > LEFTOVER_AGE
            if not old and (pid is None or not process_gone(pid)):
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # gone meanwhile, or not ours to delete: the next command tries again
        if not entry.name.endswith(COMPANION_SUFFIXES):
            removed += 1
    return removed


def publish(temporary: Path, target: Path, *, replace: bool) -> None:
    """Put a finished temporary file in place. Without `replace`, only where nothing is: a
    file, a link (even a dangling one) or anything else that appeared since the checks
    makes it a refusal, never an overwrite."""
    if replace:
        filesystem.replace(temporary, target)  # Windows: refused while another program has it open
        return
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise FileExists(shown(target)) from None
    except OSError:
        # A file system without hard links (FAT, some network shares): check, then rename.
        if os.path.lexists(target):
            raise FileExists(shown(target)) from None
        filesystem.replace(temporary, target)
        return
    os.unlink(temporary)


STANDARD_OUTPUT = "-"


def stream_target(target: Path) -> int | None:
    """The file descriptor to write to directly when `target` is not a file to create: `-`
    and our own standard output or error however named (/dev/stdout, /dev/fd/1,
    /proc/self/fd/2, whatever they are redirected to), a terminal, a pipe or another
    character device (/dev/null, /dev/tty). A write there cannot be made whole or not at
    all, and need not be: it is a stream, not a file left in place. None for anything else
    (a regular file, a folder, a disk), which goes through the rules of `private_output`."""
    if str(target) == STANDARD_OUTPUT:
        return 1
    try:
        if stat.S_ISREG(os.lstat(target).st_mode):
            return None  # a file named as itself: `--output out.csv > out.csv` still asks for --force
        info = os.stat(target)  # through links: /dev/stdout is one
    except OSError:
        return None
    for fd in (1, 2):
        try:
            if os.path.samestat(info, os.fstat(fd)):
                return fd
        except OSError:
            continue
    if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode):
        return -1
    return None


@contextmanager
def _stream_output(target: Path, fd: int, *, binary: bool, encoding: str) -> Iterator[IO[Any]]:
    import sys

    if fd in (1, 2):
        head = b""
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):  # standard output redirected into a file
                with open(f"/dev/fd/{fd}", "rb") as peek:  # Linux opens the file anew, for reading
                    head = peek.read(100)
        except OSError:
            pass
        if head.startswith(SQLITE_HEADER):
            # `> ledger.sqlite3` was the shell's doing, but `>>` would append to a ledger.
            raise Refused(_("{path} is a SQLite database, not a timebank backup: it is never written over.").format(
                path=shown(target)))
        (sys.stdout if fd == 1 else sys.stderr).flush()  # what was said before comes first
        descriptor = os.dup(fd)
    else:
        descriptor = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    raw = os.fdopen(descriptor, "wb")
    handle: IO[Any] = raw if binary else io.TextIOWrapper(raw, encoding=encoding, newline="")
    with handle:
        yield handle
        handle.flush()


@contextmanager
def private_output(target: Path, *, force: bool = False, binary: bool = False,
                   encoding: str = "utf-8") -> Iterator[IO[Any]]:
    """Write a private file at `target` whole or not at all (see the module's docstring).
    A stream (`-`, standard output however named, a pipe, a character device) is written
    directly (`stream_target`). What a killed earlier run left beside the target is removed
    first. OSErrors reach the caller, which says what failed in its own words."""
    refuse_device_name(target)  # CON, NUL.csv ...: a device on Windows, never a file
    stream = stream_target(target) if os.name != "nt" else (1 if str(target) == STANDARD_OUTPUT else None)
    if stream is not None:
        with _stream_output(target, stream, binary=binary, encoding=encoding) as streamed:
            yield streamed
        return
    refuse_unsafe_target(target, force=force)
    remove_leftovers(target.parent, target.name)
    temporary = temporary_beside(target)
    try:
        handle: IO[Any] = open(temporary, "wb") if binary else open(temporary, "w", encoding=encoding, newline="")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        publish(temporary, target, replace=force)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
