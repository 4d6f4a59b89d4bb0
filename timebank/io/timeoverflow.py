"""Reading what TimeOverflow gives a time bank that leaves it, and mapping it onto this
ledger. Pure: files in, a `Plan` out; nothing here touches a database (`moving_in` writes
the plan in one transaction).

TimeOverflow (coopdevs/timeoverflow) hands a bank two kinds of CSV:

- Exports, one per list, or all four in one zip (`Members_…`, `Transfers_…`, `Offers_…`,
  `Inquiries_…`). Their headers are in the admin's language, so each file is recognised by
  its shape and its columns are read by position. Members: `N, Name, Email, Phone,
  Alternative Phone, Created, Last login, Locale, Balance` (active members only; Balance in
  seconds). Transfers: `Date, From, To, Post, Quantity` (a party is `Name (member_uid)`,
  the organisation's name, or a sentence standing for a deleted or inactive member;
  Quantity is `H:MM`). Offers and inquiries: a row `["", category, "", "", ""]` before
  each group, then `post id, title, tags, "Name (uid)", created`.
- The header-less files its admins import: users `member_uid, entry_date, name1, name2,
  name3, gender, date_of_birth, phone, alt_phone, email`; transfers `source_id,
  source_type, destination_id, destination_type, amount (seconds), created_at, reason,
  post_id`; posts `user_id, type, title, description, category_id, created_at, start_on,
  end_on`.

In a TimeOverflow transfer the source pays the time and the destination earns it: the
destination gave the help (our giver) and the source received it (our receiver).

What the exports lose is handled in the open rather than guessed:
- member numbers that no file mentions (deleted or inactive members) become placeholder
  members who left, so that every number here is TimeOverflow's member_uid and numbers
  still run without gaps from 1;
- transfers with a member shown only as "The user no longer exists" or "The user isn't
  active" (in any of TimeOverflow's languages) go to one account for each kind of absent
  member: a person who left on the day of the last transfer naming them (they were people,
  so hours with them are hours between people), so that every listed member's side of them
  still counts;
- the organisation's own account becomes an organisation member, the only one;
- a transfer's category is its own post's: the post its row names by id (an admin's
  transfers file), or, in an export, which names the post only by its title, the post of
  that title of the member who posted it (an offer's member earned the time, an inquiry's
  paid it). Another member's post of the same title says nothing of this transfer;
- seconds: TimeOverflow keeps amounts and balances in seconds and shows them in whole
  minutes, dropping the seconds. Amounts that are not whole minutes are rounded to the
  nearest minute (`nearest`, the default) or, as TimeOverflow shows them, down (`down`).

An admin's posts file names its member by `user_id`, TimeOverflow's internal user number,
which no other file carries: it is read as the member_uid, as a file prepared for moving
would give it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from timebank.i18n import _, fold, os_reason, tell, words
from timebank.io.imports import ImportRejected, dialect_of
from timebank.ledger.basics.dates import parse_date
from timebank.ledger.errors import InvalidInput, TimebankError
from timebank.ledger.basics.text import MAX_NOTE

# Facts about TimeOverflow's files, from its locale files (en, es, ca, eu, gl, fr, pt-BR,
# nl-NL, ja): what an export writes in place of a member it cannot name.
GONE_SENTENCES = (
    "The user no longer exists", "El usuario ya no existe", "L'usuari ja no existeix",
    "Erabiltzaile hau jada ez dago.", "A persoa usuaria xa non existe", "Cet·te utilisateur·rice n'existe plus",
    "O usuário não existe mais", "De gebruiker bestaat niet meer", "ユーザーは存在しません",
)
INACTIVE_SENTENCES = (
    "The user isn't active", "El usuario no está activo", "L'usuari no està actiu",
    "Erabiltzailea ez dago erabilgarri", "A persoa usuaria non está activa", "L'utilisateur·rice n'est pas actif·ive",
    "O usuário não está ativo", "De gebruiker is niet actief", "ユーザーはアクティブではありません",
)
# The names of offers and inquiries (requests) in the same languages, singular and plural:
# a posts export says which it is only in its second header and in its file's name.
OFFER_WORDS = ("offer", "offers", "oferta", "ofertas", "ofertes", "eskaintza", "eskaintzak", "offre", "offres",
               "aanbieding", "aanbiedingen", "オファー")
REQUEST_WORDS = ("request", "requests", "inquiry", "inquiries", "demanda", "demandas", "demandes", "demande",
                 "eskaera", "eskaerak", "verzoek", "verzoeken", "リクエスト")

# What each file was read as: codes, put into words by the face.
MEMBERS, TRANSFERS, OFFERS, REQUESTS = "members", "transfers", "offers", "requests"
ADMIN_USERS, ADMIN_TRANSFERS, ADMIN_POSTS = "admin-users", "admin-transfers", "admin-posts"
ZIP = "zip"
# Which lists a file holds: two files may not hold the same one.
FAMILIES = {MEMBERS: (MEMBERS,), ADMIN_USERS: (MEMBERS,), TRANSFERS: (TRANSFERS,), ADMIN_TRANSFERS: (TRANSFERS,),
            OFFERS: (OFFERS,), REQUESTS: (REQUESTS,), ADMIN_POSTS: (OFFERS, REQUESTS)}

# Kinds of party in a transfer.
MEMBER, ORGANISATION, GONE, INACTIVE, TEXT = "member", "organisation", "gone", "inactive", "text"

# How amounts in seconds become whole minutes: to the nearest (half away from zero), or
# down, dropping the seconds as TimeOverflow's own screens and exports show them.
NEAREST, DOWN = "nearest", "down"
ROUNDINGS = (NEAREST, DOWN)

MAX_ZIP_MEMBER = 512 * 1024 * 1024  # far beyond any bank's export; a guard against a zip bomb
# All the CSVs read out of the zips of one import, uncompressed. The largest bank's export
# (100,000 transfers) is about 10 MB; six entries each under MAX_ZIP_MEMBER once exhausted
# the machine's memory, so the whole is limited, not only each entry.
MAX_ZIP_TOTAL = 256 * 1024 * 1024
_ZIP_CHUNK = 1024 * 1024
MOST_PLACEHOLDERS = 10_000  # numbers no file lists, kept by placeholders (more if the bank is large)

_NAMED = re.compile(r"^(?P<name>.*?\S)\s*\((?P<uid>[0-9]+)\)$")
_DAY = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4})(?:[ T].*)?$")
_CLOCK = re.compile(r"^([0-9]+):([0-5][0-9])$")
_LOCALE_MARK = re.compile(r"\s*\[[A-Za-z]{2}(?:-[A-Za-z]{2})?\]$")  # "Garden [ca]": a name shown in another language
_EXPORT_NAME = re.compile(r"^(?P<org>.+)_(?P<list>[^_]+)_[0-9]{4}-[0-9]{2}-[0-9]{2}\.csv$", re.IGNORECASE)
_ZIP_NAME = re.compile(r"^(?P<slug>.+)_[0-9]{4}-[0-9]{2}-[0-9]{2}\.zip$", re.IGNORECASE)

Place = tuple[str, int]          # (file as shown, line)
RowError = tuple[str, int, str]  # (file, line, reason in the interface language)
Rows = list[tuple[int, list[str]]]  # (line, cells)
Read = Callable[[Place, list[str]], "tuple[Any, list[Any]]"]  # a row's record (or None) and fingerprint
Parsed = Iterator["tuple[Place, Any, list[Any] | None]"]


def _sentence(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text.replace("\u2019", "'"))).strip().rstrip(".")


_GONE = frozenset(_sentence(s) for s in GONE_SENTENCES)
_INACTIVE = frozenset(_sentence(s) for s in INACTIVE_SENTENCES)


def slug(text: str) -> str:
    """A name as Rails' `parameterize` writes it into a zip's name: 'Banc Amser Dyffryn'
    -> 'banc-amser-dyffryn'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


# Files ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """One CSV as read: its name as shown (`bank.zip:Members_….csv` inside a zip), bytes,
    SHA-256, and what its name says of the organisation."""

    name: str
    data: bytes
    sha256: str
    organisation: str | None = None   # from an export's name: `<Org>_<List>_<date>.csv`
    organisation_slug: str | None = None  # from a zip's name: `<org-slug>_<date>.zip`
    base: str = ""                    # the file's own name, without a folder


@dataclass(frozen=True)
class FileRead:
    """What one file was read as, for the report and the audit: `content` fingerprints
    what it says (not its bytes), so the same data re-saved or in another language matches."""

    name: str
    kind: str
    sha256: str
    content: str | None
    rows: int


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInput(_("Cannot read {path}: {reason}").format(path=path, reason=os_reason(error))) from None


def open_sources(paths: Iterable[Path]) -> tuple[list[Source], list[FileRead]]:
    """Every CSV named, a zip opened into its CSVs. Also returns each zip as read (its own
    hash goes into the audit too)."""
    sources: list[Source] = []
    zips: list[FileRead] = []
    seen: set[str] = set()
    unzipped = 0  # bytes read out of zips so far, against MAX_ZIP_TOTAL
    for path in paths:
        data = _read_bytes(path)
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            raise InvalidInput(_("{path} was given twice.").format(path=path))
        seen.add(digest)
        if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
            found = _open_zip(path, data, unzipped)
            unzipped += sum(len(source.data) for source in found)
            zips.append(FileRead(path.name, ZIP, digest, None, len(found)))
            sources += found
            continue
        named = _EXPORT_NAME.match(path.name)
        sources.append(Source(path.name, data, digest, named["org"] if named else None, base=path.name))
    return sources, zips


def _too_large_in_all(path: Path) -> InvalidInput:
    return InvalidInput(_("{path}: its CSV files hold more than {limit} MB in all, too much for a TimeOverflow "
                          "export.").format(path=path.name, limit=MAX_ZIP_TOTAL // (1024 * 1024)))


def _open_zip(path: Path, data: bytes, unzipped: int) -> list[Source]:
    """The zip's CSV files, read into memory. `unzipped`: bytes already read out of other
    zips of the same import; the whole is held within MAX_ZIP_TOTAL."""
    named = _ZIP_NAME.match(path.name)
    found: list[Source] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = [info for info in archive.infolist()
                       if not (info.is_dir() or info.filename.startswith("__MACOSX/")
                               or info.filename.rsplit("/", 1)[-1].startswith(".")
                               or not info.filename.lower().endswith(".csv"))]
            # Before anything is inflated: what the zip's own directory says the files hold.
            for info in entries:
                if info.file_size > MAX_ZIP_MEMBER:
                    raise InvalidInput(_("{path}: {file} is too large to be a TimeOverflow export.").format(
                        path=path.name, file=info.filename))
            if unzipped + sum(info.file_size for info in entries) > MAX_ZIP_TOTAL:
                raise _too_large_in_all(path)
            for info in entries:
                # And while inflating, counted from the bytes themselves: a directory that
                # understates a size must not be what holds the memory down.
                parts: list[bytes] = []
                with archive.open(info) as stream:
                    while chunk := stream.read(_ZIP_CHUNK):
                        unzipped += len(chunk)
                        if unzipped > MAX_ZIP_TOTAL:
                            raise _too_large_in_all(path)
                        parts.append(chunk)
                content = b"".join(parts)
                base = info.filename.rsplit("/", 1)[-1]
                export = _EXPORT_NAME.match(base)
                found.append(Source(f"{path.name}:{info.filename}", content, hashlib.sha256(content).hexdigest(),
                                    export["org"] if export else None, named["slug"] if named else None, base))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
            zlib.error):
        raise InvalidInput(_("{path} is not a zip file that can be read.").format(path=path)) from None
    if not found:
        raise InvalidInput(_("{path} holds no CSV files.").format(path=path))
    return found


# The first bytes of files people mistake for an export (pictures, documents, archives,
# programs) that no text begins with.
_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF-", b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b",
          b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"II*\x00", b"MM\x00*",
          b"\x7fELF", b"\x28\xb5\x2f\xfd", b"\xfd7zXZ\x00")
# Control characters no text holds: NUL and the like. Tab, line feed, vertical tab (a line
# break inside a cell, from some databases), form feed, return and DOS's end-of-file mark are text.
_CONTROL = frozenset(range(32)) - {9, 10, 11, 12, 13, 26}


def is_text(data: bytes) -> bool:
    """Whether the bytes are text in some encoding (UTF-8 or not), judged by their content
    as `file` does: a known magic number, or a NUL or another control character in the
    first 8 KiB, says not. UTF-16 (full of NULs) is text, by its byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:8192]
    return not head.startswith(_MAGIC) and not any(byte in _CONTROL for byte in head)


def _cells(source: Source) -> Rows:
    """The file's non-blank rows, trimmed, with their line numbers."""
    if not is_text(source.data):
        raise InvalidInput(_("{path} is not a text file: TimeOverflow's exports are CSV files, or a zip of them.")
                           .format(path=source.name))
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("{path} is not UTF-8 text: save the spreadsheet as CSV UTF-8.").format(
            path=source.name)) from None
    # The delimiter from the first line, the quote always '"' (as every import): a sniffed
    # quote took the apostrophes of names like 'Peggy' for quotes.
    dialect = dialect_of(text[:4096])
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, [cell.strip() for cell in cells]))
    except csv.Error as error:
        raise InvalidInput(_("{path} is not a readable CSV file: {reason}").format(
            path=source.name, reason=error)) from None
    if not rows:
        raise InvalidInput(_("{path} is empty.").format(path=source.name))
    return rows


def _number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also takes Arabic-Indic and fullwidth digits."""
    return text.isascii() and text.isdigit()


def _is_day(text: str) -> bool:
    return bool(_DAY.match(text))


def _iso(day: str) -> str:
    """An admin's DD/MM/YYYY (day first, as TimeOverflow's Spanish and Catalan admins write
    it) as YYYY-MM-DD, for parse_date (which refuses an impossible one)."""
    parts = day.split("/")
    if len(parts) != 3:
        return day
    return f"{parts[2]}-{int(parts[1]):02d}-{int(parts[0]):02d}"


def _which_posts(source: Source, header: list[str]) -> str:
    for word in [header[1]] + re.split(r"[_.\s]+", source.base):
        if fold(word) in OFFER_WORDS:
            return OFFERS
        if fold(word) in REQUEST_WORDS:
            return REQUESTS
    raise InvalidInput(_("{path} lists posts, but says neither offers nor requests: give it the name TimeOverflow "
                         "gave it (Offers_… or Inquiries_…).").format(path=source.name))


def shape(source: Source, rows: Rows) -> str:
    """Which TimeOverflow file this is, from the shape of its rows (headers are translated)."""
    first = rows[0][1]
    later = rows[1][1] if len(rows) > 1 else None
    if len(first) >= 9 and first[0] == "N":
        return MEMBERS
    if len(first) >= 5 and first[0] == "" and first[1]:
        return _which_posts(source, first)
    if len(first) >= 4 and fold(first[1]) in ("member", "organization") and fold(first[3]) in ("member",
                                                                                              "organization"):
        return ADMIN_TRANSFERS
    if len(first) >= 3 and fold(first[1]) in ("offer", "inquiry"):
        return ADMIN_POSTS
    if len(first) >= 3 and _number(first[0]) and (_is_day(first[1]) or not first[1]):
        return ADMIN_USERS
    if len(first) == 5 and not _is_day(first[0]) and (
            later is None or (_is_day(later[0]) and _CLOCK.match(later[4] if len(later) > 4 else ""))):
        return TRANSFERS
    raise InvalidInput(_("{path} is not a TimeOverflow file this import knows: the members, transfers, offers or "
                         "inquiries export, or an admin's users, transfers or posts file.").format(path=source.name))


# Records ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Party:
    kind: str                 # MEMBER, ORGANISATION, GONE, INACTIVE, or TEXT (a name to be resolved)
    uid: int | None = None
    text: str = ""            # as written in the file
    name: str | None = None   # the name written beside a member_uid

    def key(self) -> str:
        """Language-neutral, for the content fingerprint."""
        return f"{self.kind}:{self.uid if self.uid is not None else self.text if self.kind == TEXT else ''}"


@dataclass
class ToMember:
    place: Place
    uid: int
    name: str
    email: str | None
    phone: str | None
    joined: date | None
    locale: str | None
    balance: int | None       # minutes (the export's seconds, whole or rounded); None in an admin file


@dataclass
class ToTransfer:
    place: Place
    on: date
    source: Party             # paid the time: our receiver
    destination: Party        # earned it: our giver
    minutes: int
    note: str | None
    post_id: int | None = None
    post_title: str | None = None


@dataclass
class ToPost:
    place: Place
    kind: str                 # "offer" or "request"
    member: Party
    category: tuple | None    # ("name", text) or ("id", number); None: no category
    note: str
    on: date
    post_id: int | None = None
    title: str = ""


@dataclass
class Rounding:
    """How amounts in seconds became whole minutes (`mode`, NEAREST or DOWN), how many
    were moved and by how many seconds in all, and how many transfers of under a minute
    (an export's 0:00, or seconds that round to nothing) were left out."""

    mode: str = NEAREST
    count: int = 0
    seconds: int = 0
    dropped: int = 0
    shown_lower: int = 0  # members' balances rounded away from zero: TimeOverflow shows them a minute lower


@dataclass
class Bank:
    """Everything the files say, read and checked row by row."""

    files: list[FileRead]
    members: list[ToMember]
    members_kind: str
    transfers: list[ToTransfer]
    posts: list[ToPost]
    errors: list[RowError]
    rounding: Rounding
    organisation_names: list[str]     # exact names from export file names
    organisation_slugs: list[str]     # parameterised names from zip names
    unreadable: set[int] = field(default_factory=set)  # numbers of member rows already listed as bad
    rows: int = 0                     # rows read, in every file


class RowsRejected(ImportRejected):
    """Bad rows in one or more files: each listed with its file and line; nothing written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors  # type: ignore[assignment]
        TimebankError.__init__(self, "\n".join(
            _("{file}, line {line}: {reason}").format(file=file, line=line, reason=reason)
            for file, line, reason in errors))


class _Row:
    """Reads one row's cells, turning each problem into a listed error."""

    def __init__(self, rounding: Rounding, now: date) -> None:
        self.rounding = rounding
        self.now = now
        self.days: dict[str, date | TimebankError] = {}  # a bank's years repeat a few thousand days
        self.parties: dict[str, Party | TimebankError] = {}  # and its transfers a few hundred names

    def uid(self, text: str) -> int:
        if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < 1:
            raise InvalidInput(_("'{text}' is not a TimeOverflow member number.").format(text=text))
        return int(text)

    def day(self, text: str) -> date:
        found = _DAY.match(text)
        if not found:
            raise InvalidInput(_("'{text}' is not a date.").format(text=text))
        day = found.group(1)
        if day not in self.days:
            try:
                self.days[day] = parse_date(_iso(day), now=self.now)
            except TimebankError as error:
                self.days[day] = error
        value = self.days[day]
        if isinstance(value, TimebankError):
            raise value.with_traceback(None)
        return value

    def seconds(self, text: str, what: str) -> int:
        if not re.fullmatch(r"[-+]?[0-9]{1,12}", text):
            raise InvalidInput(_("'{text}' is not a number of seconds ({what}).").format(text=text, what=what))
        return int(text)

    def minutes(self, seconds: int) -> int:
        """Whole minutes: seconds that are not are rounded (to the nearest, half away from
        zero; or down, towards zero, as TimeOverflow's `seconds_to_hm` shows a balance),
        and counted."""
        if seconds % 60 == 0:
            return seconds // 60
        sign = -1 if seconds < 0 else 1
        minutes = sign * ((abs(seconds) + (30 if self.rounding.mode == NEAREST else 0)) // 60)
        self.rounding.count += 1
        self.rounding.seconds += abs(minutes * 60 - seconds)
        return minutes

    def clock(self, text: str) -> int | None:
        """An export's H:MM in minutes (TimeOverflow dropped the seconds); None for a 0:00,
        a transfer of under a minute, which is left out."""
        found = _CLOCK.match(text)
        if not found:
            raise InvalidInput(_("'{text}' is not a quantity in hours and minutes (H:MM).").format(text=text))
        minutes = int(found.group(1)) * 60 + int(found.group(2))
        if minutes == 0:
            self.rounding.dropped += 1
            return None
        return minutes

    def party(self, text: str) -> Party:
        if text not in self.parties:
            try:
                self.parties[text] = self._party(text)
            except TimebankError as error:
                self.parties[text] = error
        value = self.parties[text]
        if isinstance(value, TimebankError):
            raise value.with_traceback(None)
        return value

    def _party(self, text: str) -> Party:
        named = _NAMED.match(text)
        if named:
            return Party(MEMBER, int(named["uid"]), text, named["name"])
        said = _sentence(text)
        if said in _GONE:
            return Party(GONE, text=text)
        if said in _INACTIVE:
            return Party(INACTIVE, text=text)
        if not text:
            raise InvalidInput(_("A transfer needs both a source and a destination."))
        return Party(TEXT, text=text)

    def admin_party(self, number: str, kind: str) -> Party:
        if fold(kind) in ("organization", "organisation"):
            return Party(ORGANISATION, text=kind)
        if fold(kind) == "member":
            return Party(MEMBER, self.uid(number), number)
        raise InvalidInput(_("'{text}' is neither member nor organization.").format(text=kind))


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _phone(*numbers: str) -> str | None:
    return " / ".join(n for n in numbers if n) or None


def _post_note(title: str, extra: str) -> str:
    return f"{title} ({extra})" if extra else title


def _category(text: str) -> tuple | None:
    name = _LOCALE_MARK.sub("", text).strip()
    return None if name in ("", "-") else ("name", name)


def check_rounding(text: str) -> str:
    """NEAREST or DOWN; anything else is refused (a caller of the core may pass any text)."""
    if text not in ROUNDINGS:
        raise InvalidInput(_("'{text}' is not a way to round: nearest or down.").format(text=text))
    return text


def read_bank(paths: Iterable[Path], *, round_: str = NEAREST, now: date,
              progress: Callable[[int, int], None] | None = None) -> Bank:
    """Read and check every file. A file that cannot be read, or is not TimeOverflow's,
    is refused at once; bad rows are collected (with their file and line) for the caller
    to list together with what only the ledger can find. `round_` says how amounts in
    seconds become whole minutes (NEAREST or DOWN). `progress(done, total)` is told of the
    rows as they are read."""
    mode = check_rounding(round_)
    sources, zips = open_sources(paths)
    # Every file split into rows and recognised first: a wrong file is refused before any
    # row is read, and the rows to come are known.
    shaped = [(source, rows, shape(source, rows)) for source, rows in ((s, _cells(s)) for s in sources)]
    total = sum(len(rows) for _s, rows, _k in shaped)
    done = 0
    rounding = Rounding(mode)
    row = _Row(rounding, now)
    errors: list[RowError] = []
    taken: dict[str, Source] = {}
    files: list[FileRead] = list(zips)
    members: list[ToMember] = []
    members_kind = ""
    transfers: list[ToTransfer] = []
    posts: list[ToPost] = []
    unreadable: set[int] = set()
    for source, rows, kind in shaped:
        for family in FAMILIES[kind]:
            if family in taken:
                raise InvalidInput(_("{first} and {second} hold the same list; give only one of them.").format(
                    first=taken[family].name, second=source.name))
            taken[family] = source
        records: list = []
        reader = {MEMBERS: _members_export, ADMIN_USERS: _admin_users, TRANSFERS: _transfers_export,
                  ADMIN_TRANSFERS: _admin_transfers, OFFERS: _posts_export, REQUESTS: _posts_export,
                  ADMIN_POSTS: _admin_posts}[kind]
        data_rows = rows[1:] if kind in (MEMBERS, TRANSFERS, OFFERS, REQUESTS) else rows
        if kind in (MEMBERS, ADMIN_USERS):
            # A member row that is bad is listed once; its transfers are not listed again for it.
            unreadable = {int(c[0]) for _line, c in data_rows if c and re.fullmatch(r"[0-9]{1,9}", c[0])}
        for _place, record, fingerprint in reader(source, kind, data_rows, row, errors):
            records.append((record, fingerprint))
            done += 1
            if progress and done % 1000 == 0:
                progress(done, total)
        content = hashlib.sha256(json.dumps([kind, [f for _r, f in records]], ensure_ascii=False,
                                            sort_keys=True).encode("utf-8")).hexdigest() if records else None
        files.append(FileRead(source.name, kind, source.sha256, content, len(data_rows)))
        values = [r for r, _f in records if r is not None]
        if kind in (MEMBERS, ADMIN_USERS):
            members, members_kind = values, kind
        elif kind in (TRANSFERS, ADMIN_TRANSFERS):
            # An export lists the newest first: in date order, the same day keeps its time order.
            transfers = sorted(values[::-1] if kind == TRANSFERS else values, key=lambda t: t.on)
        else:
            posts += values
    if MEMBERS not in taken:
        raise InvalidInput(_("None of the files is TimeOverflow's list of members (the members export, or an admin's "
                             "users file): it is needed to number the members."))
    if progress:
        progress(total, total)
    _no_twice(members, errors)
    listed = unreadable - {m.uid for m in members}
    return Bank(files, members, members_kind, transfers, posts, errors, rounding,
                [s.organisation for s in sources if s.organisation],
                [s.organisation_slug for s in sources if s.organisation_slug], listed, total)


def _no_twice(members: list[ToMember], errors: list[RowError]) -> None:
    first: dict[int, int] = {}
    for member in members:
        if member.uid in first:
            errors.append((*member.place, _("Member {number} is listed twice (also on line {line}).").format(
                number=member.uid, line=first[member.uid])))
        else:
            first[member.uid] = member.place[1]


def _guarded(source: Source, rows: Rows, errors: list[RowError], read: Read) -> Parsed:
    """Each row through `read`; a row's problem becomes a listed error."""
    for line, cells in rows:
        place = (source.name, line)
        try:
            record, fingerprint = read(place, cells)
        except TimebankError as error:
            errors.append((source.name, line, tell(error)))
            yield place, None, None
            continue
        yield place, record, fingerprint


def _members_export(source: Source, kind: str, rows: Rows, row: _Row, errors: list[RowError]) -> Parsed:
    def read(place: Place, c: list[str]) -> tuple[Any, list[Any]]:
        uid = row.uid(_cell(c, 0))
        joined = row.day(_cell(c, 5)) if _cell(c, 5) else None
        seconds = row.seconds(_cell(c, 8), _("balance"))
        minutes = row.minutes(seconds)
        if abs(minutes) * 60 > abs(seconds):
            row.rounding.shown_lower += 1
        member = ToMember(place, uid, _cell(c, 1), _cell(c, 2) or None, _phone(_cell(c, 3), _cell(c, 4)), joined,
                          _cell(c, 7) or None, minutes)
        return member, [uid, member.name, member.email, member.phone, str(joined), member.locale, seconds]
    return _guarded(source, rows, errors, read)


def _admin_users(source: Source, kind: str, rows: Rows, row: _Row, errors: list[RowError]) -> Parsed:
    def read(place: Place, c: list[str]) -> tuple[Any, list[Any]]:
        uid = row.uid(_cell(c, 0))
        joined = row.day(_cell(c, 1)) if _cell(c, 1) else None
        name = " ".join(part for part in (_cell(c, 2), _cell(c, 3), _cell(c, 4)) if part)
        member = ToMember(place, uid, name, _cell(c, 9) or None, _phone(_cell(c, 7), _cell(c, 8)), joined, None, None)
        return member, [uid, name, member.email, member.phone, str(joined)]
    return _guarded(source, rows, errors, read)


def _transfers_export(source: Source, kind: str, rows: Rows, row: _Row, errors: list[RowError]) -> Parsed:
    def read(place: Place, c: list[str]) -> tuple[Any, list[Any]]:
        on = row.day(_cell(c, 0))
        source_party, destination = row.party(_cell(c, 1)), row.party(_cell(c, 2))
        minutes = row.clock(_cell(c, 4))
        post = _cell(c, 3) or None
        fingerprint = [str(on), source_party.key(), destination.key(), post, _cell(c, 4)]
        if minutes is None:
            return None, fingerprint
        return ToTransfer(place, on, source_party, destination, minutes, post, post_title=post), fingerprint
    return _guarded(source, rows, errors, read)


def _admin_transfers(source: Source, kind: str, rows: Rows, row: _Row, errors: list[RowError]) -> Parsed:
    def read(place: Place, c: list[str]) -> tuple[Any, list[Any]]:
        source_party = row.admin_party(_cell(c, 0), _cell(c, 1))
        destination = row.admin_party(_cell(c, 2), _cell(c, 3))
        seconds = row.seconds(_cell(c, 4), _("amount"))
        if seconds <= 0:
            raise InvalidInput(_("The amount must be more than nothing: '{text}'.").format(text=_cell(c, 4)))
        # TimeOverflow dates a transfer without created_at on the day it is imported.
        on = row.day(_cell(c, 5)) if _cell(c, 5) else row.now
        minutes = row.minutes(seconds)
        post_id = int(_cell(c, 7)) if _number(_cell(c, 7)) else None
        fingerprint = [str(on), source_party.key(), destination.key(), seconds, _cell(c, 6), post_id]
        if minutes == 0:
            row.rounding.dropped += 1
            return None, fingerprint
        return ToTransfer(place, on, source_party, destination, minutes, _cell(c, 6) or None, post_id), fingerprint
    return _guarded(source, rows, errors, read)


def _posts_export(source: Source, kind: str, rows: Rows, row: _Row, errors: list[RowError]) -> Parsed:
    category: list[tuple | None] = [None]

    def read(place: Place, c: list[str]) -> tuple[Any, list[Any]]:
        if _cell(c, 0) == "":
            category[0] = _category(_cell(c, 1))
            return None, ["category", _cell(c, 1)]
        if not _number(_cell(c, 0)):
            raise InvalidInput(_("'{text}' is not a post number.").format(text=_cell(c, 0)))
        member = row.party(_cell(c, 3))
        if member.kind != MEMBER:
            raise InvalidInput(_("'{text}' does not name a member as 'Name (number)'.").format(text=_cell(c, 3)))
        on = row.day(_cell(c, 4))
        title = _cell(c, 1)
        post = ToPost(place, "offer" if kind == OFFERS else "request", member, category[0],
                      _post_note(title, _cell(c, 2)), on, int(_cell(c, 0)), title)
        return post, [int(_cell(c, 0)), title, _cell(c, 2), member.key(), str(on), category[0]]
    return _guarded(source, rows, errors, read)


def _admin_posts(source: Source, kind: str, rows: Rows, row: _Row, errors: list[RowError]) -> Parsed:
    def read(place: Place, c: list[str]) -> tuple[Any, list[Any]]:
        member = Party(MEMBER, row.uid(_cell(c, 0)), _cell(c, 0))
        which = "offer" if fold(_cell(c, 1)) == "offer" else "request" if fold(_cell(c, 1)) == "inquiry" else None
        if which is None:
            raise InvalidInput(_("'{text}' is neither Offer nor Inquiry.").format(text=_cell(c, 1)))
        number = _cell(c, 4)
        if number and not _number(number):
            raise InvalidInput(_("'{text}' is not a category number.").format(text=number))
        on = row.day(_cell(c, 5)) if _cell(c, 5) else row.now
        title = _cell(c, 2)
        post = ToPost(place, which, member, ("id", int(number)) if number else None,
                      f"{title}: {_cell(c, 3)}" if _cell(c, 3) else title, on, title=title)
        return post, [member.key(), which, title, _cell(c, 3), number, str(on)]
    return _guarded(source, rows, errors, read)


# The plan ---------------------------------------------------------------------------------

PERSON, PLACEHOLDER = "person", "placeholder"


class _Listed(Exception):
    """A row naming a member whose own row is already listed as bad."""


@dataclass
class PlannedMember:
    number: int
    role: str                 # PERSON, PLACEHOLDER (a number no file lists), ORGANISATION, GONE, INACTIVE
    name: str
    joined: date
    left: date | None = None
    email: str | None = None
    phone: str | None = None
    lang: str | None = None   # None: the ledger's language
    place: Place | None = None
    expected: int | None = None  # the balance TimeOverflow shows, in minutes

    @property
    def kind(self) -> str:
        # Only the organisation is one. The accounts for deleted and inactive members stand
        # for people who left: their hours with members are hours between people.
        return "organisation" if self.role == ORGANISATION else "person"


@dataclass
class PlannedExchange:
    place: Place
    on: date
    giver: int
    receiver: int
    minutes: int
    note: str | None
    category: tuple | None


@dataclass
class PlannedListing:
    place: Place
    kind: str
    member: int
    category: tuple | None
    note: str
    opened: date


@dataclass
class Plan:
    members: list[PlannedMember]
    exchanges: list[PlannedExchange]
    listings: list[PlannedListing]
    categories: list[tuple]           # every category key used, in first-use order
    errors: list[RowError]
    organisation: int
    gone: int | None
    inactive: int | None
    merged: int = 0                   # posts merged into one listing with another
    cut: int = 0                      # listing notes cut to the longest a note may be
    same_side: int = 0                # transfers between two absent members of one kind
    joined_moved: list[int] = field(default_factory=list)
    other_locales: dict[str, int] = field(default_factory=dict)

    @property
    def placeholders(self) -> list[int]:
        return [m.number for m in self.members if m.role == PLACEHOLDER]


def _lang(locale: str | None, counts: dict[str, int]) -> str | None:
    if not locale:
        return None
    head = locale.strip().lower().replace("_", "-").split("-")[0]
    if head in ("cy", "en"):
        return head
    counts[locale] = counts.get(locale, 0) + 1
    return None


def _organisation_name(bank: Bank, texts: list[str], ledger_name: str) -> str | None:
    """Which name in the transfers is the organisation's. The files' own names say it best
    (an export is named `<Org>_<List>_<date>.csv`, a zip `<org-slug>_<date>.zip`); without
    them, the ledger's name, else the only name in the transfers that is no member's. None
    when several names could be it."""
    for text in texts:
        if any(fold(text) == fold(name) for name in bank.organisation_names) \
                or any(slug(text) == name.lower() for name in bank.organisation_slugs):
            return text
    if bank.organisation_names:
        return bank.organisation_names[0]
    if bank.organisation_slugs:
        return ledger_name or None
    for text in texts:
        if ledger_name and fold(text) == fold(ledger_name):
            return text
    if len(texts) == 1:
        return texts[0]
    if texts:
        return None
    return ledger_name or None


@dataclass(frozen=True)
class _Accounts:
    """The member numbers this import makes beyond TimeOverflow's: the organisation's, and
    one account for each kind of absent member the transfers name."""

    top: int                          # TimeOverflow's highest member_uid
    organisation: int
    gone: int | None
    inactive: int | None
    organisation_name: str | None     # which name in the transfers is the organisation's


def _accounts(bank: Bank, by_uid: dict[int, ToMember], ledger_name: str) -> _Accounts:
    texts = list(dict.fromkeys(p.text for t in bank.transfers for p in (t.source, t.destination) if p.kind == TEXT))
    top = max(by_uid, default=0)
    missing = top - len(by_uid)
    if missing > max(MOST_PLACEHOLDERS, 10 * len(by_uid)):
        # A number far beyond the bank's size is a slip in the file, not thousands of departures.
        highest = by_uid[top]
        raise RowsRejected([(*highest.place, _("Member number {number} would leave {missing} numbers that no file "
                                               "lists, each to be kept by a placeholder member: is the number "
                                               "right?").format(number=top, missing=missing))])
    organisation = top + 1
    uses_gone = any(p.kind == GONE for t in bank.transfers for p in (t.source, t.destination))
    uses_inactive = any(p.kind == INACTIVE for t in bank.transfers for p in (t.source, t.destination))
    return _Accounts(top, organisation, organisation + 1 if uses_gone else None,
                     organisation + 1 + uses_gone if uses_inactive else None,
                     _organisation_name(bank, texts, ledger_name))


class _Numbers:
    """The member number each party of the files maps to, each party worked out once (a
    bank's transfers name a few hundred parties a hundred thousand times)."""

    def __init__(self, bank: Bank, by_uid: dict[int, ToMember], accounts: _Accounts) -> None:
        self.by_uid = by_uid
        self.unreadable = bank.unreadable
        self.accounts = accounts
        self.known: dict[Party, int | TimebankError | _Listed] = {}

    def __call__(self, party: Party) -> int:
        if party not in self.known:
            try:
                self.known[party] = self._number(party)
            except (TimebankError, _Listed) as error:
                self.known[party] = error
        value = self.known[party]
        if isinstance(value, (TimebankError, _Listed)):
            raise value.with_traceback(None)
        return value

    def _number(self, party: Party) -> int:
        accounts = self.accounts
        if party.kind == MEMBER:
            return self._member(party)
        if party.kind == ORGANISATION:
            return accounts.organisation
        # A party is GONE or INACTIVE only in transfers that made `_accounts` number its account.
        if party.kind == GONE and accounts.gone is not None:
            return accounts.gone
        if party.kind == INACTIVE and accounts.inactive is not None:
            return accounts.inactive
        name = accounts.organisation_name
        if name is not None and fold(party.text) == fold(name):
            return accounts.organisation
        if name is None:
            raise InvalidInput(_("'{text}' is neither a member of the members file nor, as far as the files' names "
                                 "or the ledger's name tell, the organisation.").format(text=party.text))
        raise InvalidInput(_("'{text}' is neither a member of the members file nor the organisation ({name}).").format(
            text=party.text, name=name))

    def _member(self, party: Party) -> int:
        member = self.by_uid.get(party.uid) if party.uid is not None else None
        if member is None and party.uid in self.unreadable:
            raise _Listed()
        if member is None:
            raise InvalidInput(_("Member {number} is not in the members file.").format(number=party.uid))
        if party.name is not None and fold(party.name) != fold(member.name):
            raise InvalidInput(_("'{text}' does not match member {number} of the members file, {name}.").format(
                text=party.text, number=party.uid, name=member.name))
        return member.uid


def _transfer_categories(bank: Bank) -> Callable[[ToTransfer], "tuple | None"]:
    """A transfer's category is its own post's, or none. An admin's transfers file names
    the post by id. An export names it only by its title: the transfer's own post is then
    the offer of that title of the member who earned the time (TimeOverflow links a
    transfer to an offer of the member it pays), or the inquiry of that title of the member
    who paid. A post of the same title of another member is another post: its category
    says nothing of this transfer (the transfer's own post may be gone from the export, as
    a deleted or inactive member's posts are, or withdrawn)."""
    by_post_id = {p.post_id: p.category for p in bank.posts if p.post_id is not None}
    by_owner: dict[tuple[str, str, int | None], set] = {}
    for post in bank.posts:
        by_owner.setdefault((post.title, post.kind, post.member.uid), set()).add(post.category)

    def category(transfer: ToTransfer) -> tuple | None:
        if transfer.post_id is not None:
            return by_post_id.get(transfer.post_id)
        if not transfer.post_title:
            return None
        # A party shown as a sentence (a deleted or inactive member, the organisation) has no
        # number, and so no post in the export.
        found = by_owner.get((transfer.post_title, "offer", transfer.destination.uid), set()) \
            | by_owner.get((transfer.post_title, "request", transfer.source.uid), set())
        # Two posts of one title in different categories: which one is the transfer's, the export does not say.
        return next(iter(found)) if len(found) == 1 else None
    return category


Activity = dict[int, list[date]]  # member number -> the days of their transfers and posts


def _plan_exchanges(bank: Bank, number: _Numbers, accounts: _Accounts, errors: list[RowError],
                    activity: Activity) -> tuple[list[PlannedExchange], int]:
    """The transfers as exchanges, and how many were between two absent members."""
    category = _transfer_categories(bank)
    exchanges: list[PlannedExchange] = []
    same_side = 0
    for transfer in bank.transfers:
        try:
            giver, receiver = number(transfer.destination), number(transfer.source)
        except TimebankError as error:
            errors.append((*transfer.place, tell(error)))
            continue
        except _Listed:
            continue
        if giver == receiver and giver in (accounts.gone, accounts.inactive):
            same_side += 1  # between two absent members: it moves no balance that can be shown
            continue
        exchanges.append(PlannedExchange(transfer.place, transfer.on, giver, receiver, transfer.minutes,
                                         transfer.note, category(transfer)))
        for party in (giver, receiver):
            activity.setdefault(party, []).append(transfer.on)
    return exchanges, same_side


def _plan_listings(bank: Bank, number: _Numbers, errors: list[RowError],
                   activity: Activity) -> tuple[list[PlannedListing], int, int]:
    """The posts as listings (one open offer or request per member and category, in the
    order they were posted), with how many were merged and how many notes cut."""
    listings: dict[tuple, PlannedListing] = {}
    merged = cut = 0
    for post in bank.posts:
        try:
            owner = number(post.member)
        except TimebankError as error:
            errors.append((*post.place, tell(error)))
            continue
        except _Listed:
            continue
        activity.setdefault(owner, []).append(post.on)
        key = (post.kind, owner, post.category)
        if key in listings:
            # This ledger keeps one open offer (or request) per member and category.
            merged += 1
            listing = listings[key]
            listing.note = f"{listing.note}; {post.note}"
            listing.opened = min(listing.opened, post.on)
        else:
            listings[key] = PlannedListing(post.place, post.kind, owner, post.category, post.note, post.on)
    for listing in listings.values():
        if len(listing.note) > MAX_NOTE:
            listing.note = listing.note[:MAX_NOTE - 1] + "…"
            cut += 1
    # In the order they were posted, whichever file came first.
    return sorted(listings.values(), key=lambda planned: (planned.opened, planned.kind, planned.member)), merged, cut


def _plan_members(bank: Bank, by_uid: dict[int, ToMember], accounts: _Accounts, activity: Activity, lang: str,
                  today: date) -> tuple[list[PlannedMember], list[int], dict[str, int]]:
    """Every number from 1 to the highest (a placeholder where no file lists one), then the
    accounts this import makes; with the members whose joining day moved earlier, and the
    locales this ledger does not speak."""
    said = words(lang)
    dates = [d for days in activity.values() for d in days] + [m.joined for m in bank.members if m.joined]
    earliest = min(dates, default=today)
    members: list[PlannedMember] = []
    moved: list[int] = []
    locales: dict[str, int] = {}
    for uid in range(1, accounts.top + 1):
        member = by_uid.get(uid)
        if member is None:
            members.append(PlannedMember(uid, PLACEHOLDER, said._("TimeOverflow member {number} (missing)")
                                         .format(number=uid), earliest, left=earliest))
            continue
        first = min(activity.get(uid, []), default=None)
        joined = member.joined or first or earliest
        if first is not None and first < joined:
            # Someone who traded before the day their account says they joined was a member then.
            joined = first
            moved.append(uid)
        members.append(PlannedMember(uid, PERSON, member.name, joined, None, member.email, member.phone,
                                     _lang(member.locale, locales), member.place, member.balance))
    members.append(PlannedMember(accounts.organisation, ORGANISATION, accounts.organisation_name
                                 or said._("The organisation (from TimeOverflow)"), earliest))
    for account, role, name in ((accounts.gone, GONE, said._("Deleted TimeOverflow members")),
                                (accounts.inactive, INACTIVE, said._("Inactive TimeOverflow members"))):
        if account is not None:
            # People who left: members from their first transfer, gone after their last (the
            # last day the files show them; the export does not say when they left).
            days = activity.get(account) or [earliest]
            members.append(PlannedMember(account, role, name, min(days), left=max(days)))
    return members, moved, locales


def map_bank(bank: Bank, *, lang: str, ledger_name: str, today: date) -> Plan:
    """The bank as members, exchanges and listings of this ledger, with numbers, dates and
    every row that cannot be mapped listed. `lang` is the ledger's language, for the names
    of the accounts this import makes."""
    errors = list(bank.errors)
    by_uid = {m.uid: m for m in bank.members}
    accounts = _accounts(bank, by_uid, ledger_name)
    number = _Numbers(bank, by_uid, accounts)
    activity: Activity = {}
    exchanges, same_side = _plan_exchanges(bank, number, accounts, errors, activity)
    listings, merged, cut = _plan_listings(bank, number, errors, activity)
    members, moved, locales = _plan_members(bank, by_uid, accounts, activity, lang, today)
    categories = list(dict.fromkeys([e.category for e in exchanges if e.category is not None]
                                    + [listing.category for listing in listings if listing.category is not None]))
    return Plan(members, exchanges, listings, categories, errors, accounts.organisation, accounts.gone,
                accounts.inactive, merged, cut, same_side, moved, locales)
