"""Files the program writes outside the ledger's own transactions: exports, journals,
backups, restore copies, and the folders that hold them.

Every such file holds personal data, so:

- it is private (0600) and every folder we create is 0700, whatever the umask;
- it is first written under a fresh name made with O_EXCL (a file or link planted where
  we write is never followed or reused), then put in place whole, so a failure or a kill
  never leaves half a file under the name asked for;
- the name asked for is never a symbolic link, a folder or a device, and an existing file
  is replaced only when the caller was told to (`force`: the command line's `--force`); a SQLite database (a ledger, a
  backup) or a ledger's companion file is never replaced by anything but a backup.

Kept free of SQLAlchemy: `cli.common` and `backups` use it alike. What differs between
operating systems (a replace Windows refuses, device names) is `filesystem`'s and
`location`'s, called from here.
"""

from __future__ import annotations

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

NEVER = "never"          # a live ledger (WAL mode) or a ledger's companion file
DATABASE = "database"    # another SQLite database: a backup, or a ledger not in WAL mode


def database_kind(path: Path) -> str | None:
    """Whether `path` is a SQLite file that only a backup may replace (DATABASE) or that
    nothing may replace (NEVER); None for any other file, or none."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(100)
    except OSError:
        return None
    if head.startswith(SQLITE_HEADER):
        # Bytes 18 and 19 are 2 in a WAL-mode database: our ledgers, never our backups.
        return NEVER if head[18:20] == b"\x02\x02" else DATABASE
    if head[:4] in WAL_MAGIC or head.startswith(JOURNAL_MAGIC):
        return NEVER
    for suffix in COMPANION_SUFFIXES:
        if path.name.endswith(suffix) and database_kind(path.with_name(path.name[: -len(suffix)])) is not None:
            return NEVER
    return None


def refuse_unsafe_target(target: Path, *, force: bool, backup: bool = False) -> None:
    """Refuse a name we must not write at. `backup`: the file is a SQLite backup, which may
    replace an older backup (with `force`), never a live ledger."""
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
    if kind == NEVER or (kind == DATABASE and not backup):
        raise Refused(_("{path} is a timebank ledger or backup: it is never written over.").format(path=shown(target)))
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


def temporary_beside(target: Path, tag: str = "partial") -> Path:
    """A new, empty, private file in the target's folder (O_EXCL: nothing planted there is
    followed), to be written and then put in place with `publish`."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".{tag}", dir=target.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
    except (OSError, NotImplementedError):
        pass  # a file system without modes (FAT, a network share): nothing to set
    finally:
        os.close(fd)
    return Path(name)


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


@contextmanager
def private_output(target: Path, *, force: bool = False, binary: bool = False,
                   encoding: str = "utf-8") -> Iterator[IO[Any]]:
    """Write a private file at `target` whole or not at all (see the module's docstring).
    OSErrors reach the caller, which says what failed in its own words."""
    refuse_device_name(target)  # CON, NUL.csv ...: a device on Windows, never a file
    refuse_unsafe_target(target, force=force)
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
