"""Where a ledger is: a file path or a database URL, told apart by one rule in every place
that needs to know (opening the ledger, and reading its language before the app is built),
without importing SQLAlchemy.

The rule: a value is a URL only when it starts with a scheme of two or more characters and
`://` (`sqlite:///...`, `postgresql+psycopg://...`). Anything else is a file path exactly as
typed: `C:\\Users\\Cydlynydd\\banc.sqlite3`, `D:/banc amser/l.sqlite3`, `\\\\server\\share\\l.sqlite3`,
`~/banc.sqlite3`, and names holding `?`, `#` or `%41`. A drive letter is one letter, so it is
never a scheme; and a path is never passed through a URL parser, which would cut it at `?`
and decode `%41` (data went to another file).

Also here: the names Windows keeps for devices (`CON`, `NUL.csv`), refused as file names on
every system, since a ledger or an export is often carried to a Windows laptop.
"""

from __future__ import annotations

import re
from pathlib import Path, PureWindowsPath
from urllib.parse import unquote

from timebank.ledger.errors import InvalidInput, LedgerUnusable, TimebankError
from timebank.ledger.messages import _

_URL_START = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+)://")

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
_BACKENDS = {"sqlite": SQLITE, "postgresql": POSTGRESQL, "postgres": POSTGRESQL}

# Windows opens these as devices whatever the folder and whatever follows the first dot
# ("NUL.csv" is the null device); the superscript digits count too.
WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{kind}{digit}" for kind in ("COM", "LPT") for digit in "123456789\u00b9\u00b2\u00b3"})

# Paths longer than this are shortened in messages, which must stay one readable line.
SHOWN_LENGTH = 120


def url_scheme(value: str) -> str | None:
    """The scheme of a URL (lower case, driver included: 'postgresql+psycopg'), or None for a path."""
    match = _URL_START.match(value)
    return match.group(1).lower() if match else None


def backend(scheme: str) -> str | None:
    """'sqlite' or 'postgresql' for the schemes timebank can use, else None."""
    return _BACKENDS.get(scheme.split("+", 1)[0])


def sqlite_url_file(url: str) -> str:
    """The file a `sqlite:///...` URL names, read as SQLAlchemy reads it: everything after
    the third slash, up to a `?`, percent-decoded."""
    rest = url.split("://", 1)[1]
    host, _slash, database = rest.partition("/")
    if host:
        raise LedgerUnusable(_("A SQLite URL names a file, not a host: write sqlite:///path/to/ledger.sqlite3."))
    database = unquote(database.split("?", 1)[0])
    if not database or database == ":memory:":
        raise LedgerUnusable(_("A ledger must be a file, not an in-memory database."))
    return database


def check_server_url(url: str) -> None:
    """Refuse a server URL whose user name or password holds an unencoded '@': it would be
    read as part of the host or the database, and those are shown in error messages (with
    that part of the password). Counted in the whole URL: a password may hold a '?', '#'
    or '/' before its '@' ('pa?ss@word@host' has the host 'word@host'), so no part of it
    can be told from the query or path until the URL is known to hold one '@' at most."""
    rest = url.split("://", 1)[1]
    if rest.count("@") > 1:
        raise LedgerUnusable(_("The database URL has more than one '@': write an '@' in the user name or "
                               "password as %40."))


def quick_target(value: str) -> "Path | str | None":
    """What a --db value names, for the quick reads made before SQLAlchemy is imported (the
    ledger's language, completion): the SQLite file, the PostgreSQL URL as the driver alone
    takes it, or None when it can name no readable ledger. The engine's rule, exactly."""
    try:
        scheme = url_scheme(value)
        if scheme is None:
            return file_path(value)
        if backend(scheme) == SQLITE:
            return file_path(sqlite_url_file(value))
        if backend(scheme) == POSTGRESQL:
            check_server_url(value)
            return re.sub(r"^[A-Za-z0-9+.\-]+://", "postgresql://", value)
    except TimebankError:
        pass  # the command itself will say what is wrong with it
    return None


def shown(path: "Path | str") -> str:
    """A path for a one-line message: very long ones are shortened in the middle."""
    text = str(path)
    if len(text) <= SHOWN_LENGTH:
        return text
    half = SHOWN_LENGTH // 2 - 1
    return text[:half] + "..." + text[-half:]


def file_path(text: str) -> Path:
    """A ledger file as typed, made absolute (`~` expanded). Refuses what cannot be a file
    name, in one line."""
    if "\x00" in text:
        raise LedgerUnusable(_("A file name cannot contain a NUL character."))
    try:
        path = Path(text).expanduser()
    except RuntimeError:
        # "~nouser/x": there is no such user, or no home folder is known.
        user = text.split("/", 1)[0].split("\\", 1)[0]
        raise LedgerUnusable(_("Cannot find the home folder for '{user}' in {path}.").format(
            user=user, path=shown(text))) from None
    refuse_device_name(path, LedgerUnusable)
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        # resolve() without strict only fails on a loop of links or the like: keep the
        # path as typed, and opening it will say what is wrong.
        return path.absolute()


def windows_device(path: "Path | str") -> bool:
    """Whether Windows would open this file name as a device (CON, NUL.csv, com1.txt ...)."""
    name = PureWindowsPath(str(path)).name
    stem = name.split(".", 1)[0].rstrip(" ")
    return stem.upper() in WINDOWS_DEVICES


def refuse_device_name(path: "Path | str", error: type[TimebankError] = InvalidInput) -> None:
    if windows_device(path):
        raise error(_("'{name}' is a name Windows keeps for a device (like CON, PRN or NUL), not a file: "
                      "choose another name.").format(name=PureWindowsPath(str(path)).name))
