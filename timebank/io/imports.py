"""Spreadsheet imports: every bad row reported with its line, nothing written unless all
are good, one transaction, and the same file refused twice.

A file is read as a stream, so memory does not grow with its size (a 5.7 million row file
had needed 5.4 GB): rows are checked and written as they are read, inside the one
transaction, and if any row is bad the transaction is rolled back at the end, after every
bad row has been listed. Rows that name an `exchange` (one exchange over several rows,
which may be anywhere in the file) are first gathered in a temporary table of the same
transaction, then read back exchange by exchange."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from json.encoder import encode_basestring
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterator, NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from timebank.i18n import _, fold, get_language, load_catalogue, ngettext, os_reason, say, tell
from timebank.ledger.records import audit
from timebank.ledger.records import settings as settings_module
from timebank.ledger.records.categories import find_category
from timebank.ledger.basics.dates import parse_date, today
from timebank.ledger.storage.db import Ledger, writing
from timebank.ledger.errors import InvalidInput, Refused, TimebankError
from timebank.ledger.records.exchanges import NewExchange, check_exchange, write_exchanges
from timebank.ledger.basics.hours import parse_hours
from timebank.ledger.basics.names import message_name
from timebank.ledger.records import membership
from timebank.ledger.records.members import MemberIndex, add_member, lookup_names, member_days, require_member_on
from timebank.ledger.storage.models import AuditEvent, Member
from timebank.ledger.records.settings import Settings
from timebank.ledger.basics.text import MAX_NOTE, clean_text, unneutralise

if TYPE_CHECKING:
    # What csv.reader returns (its type lives in _csv, which csv does not re-export).
    from _csv import Reader

Progress = Callable[[int, int], None]

# Accepted headers besides the export's own (English, and Welsh from cy.po).
ALIASES = {
    "name": ["name", "enw", "full name", "enw llawn"],
    "kind": ["kind", "math", "type"],
    "area": ["area", "ardal", "postcode", "cod post"],
    "email": ["email", "e-mail", "e-bost", "ebost"],
    "phone": ["phone", "ffon", "telephone", "rhif ffon"],
    "lang": ["lang", "language", "iaith"],
    "joined": ["joined", "ymunodd", "date joined", "dyddiad ymuno"],
    "left": ["left", "gadawodd", "date left"],
    "note": ["note", "notes", "nodyn", "nodiadau"],
    "sort_as": ["sort_as", "sort as", "trefnu fel", "trefnu_fel"],
    "member": ["member", "aelod", "number", "rhif"],
    "exchange": ["exchange", "cyfnewidiad", "cyfnewid"],
    "date": ["date", "dyddiad"],
    "giver": ["giver", "rhoddwr", "from", "gan"],
    "receiver": ["receiver", "derbynnydd", "to", "i"],
    "giver_name": ["giver_name", "giver name", "enw rhoddwr"],
    "receiver_name": ["receiver_name", "receiver name", "enw derbynnydd"],
    "hours": ["hours", "oriau", "time", "amser"],
    "minutes": ["minutes", "munudau"],
    "category": ["category", "categori"],
    "welsh": ["welsh", "cymraeg", "in welsh", "yn gymraeg"],
}

# What a `welsh` cell may say (folded): help carried out in Welsh, or not. Empty: not.
WELSH_CELLS = {"true": True, "yes": True, "ie": True, "1": True, "y": True,
               "false": False, "no": False, "na": False, "0": False, "n": False, "": False}


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", fold(text)).strip()


def _header_map(headers: list[str]) -> dict[str, int]:
    welsh = load_catalogue("cy")
    known: dict[str, str] = {}
    for field_name, names in ALIASES.items():
        for name in names + [welsh.gettext(field_name)]:
            known[_key(name)] = field_name
    found: dict[str, int] = {}
    for index, text in enumerate(headers):
        named = known.get(_key(text))
        if named and named not in found:
            found[named] = index
    return found


@dataclass
class ImportResult:
    rows: int
    created: int
    dry_run: bool
    first: int | None = None
    last: int | None = None


SHOWN_ERRORS = 100


class ImportRejected(TimebankError):
    """Some rows are bad: all of them are listed, and nothing was written."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        # Sixty thousand bad rows printed sixty thousand lines: the first ones show what is
        # wrong (a file usually repeats one mistake); the rest are counted.
        shown = [_("Line {line}: {reason}").format(line=line, reason=reason) for line, reason in errors[:SHOWN_ERRORS]]
        rest = len(errors) - SHOWN_ERRORS
        if rest > 0:
            shown.append(ngettext("... and {count} more bad row (the first {shown} are listed above).",
                                  "... and {count} more bad rows (the first {shown} are listed above).",
                                  rest).format(count=rest, shown=SHOWN_ERRORS))
        super().__init__("\n".join(shown))


class DryRunDone(Exception):
    """Raised to roll back a dry run after every row was checked; `result` is what the run
    would have done (an ImportResult here, a MoveResult for TimeOverflow)."""

    def __init__(self, result: object) -> None:
        super().__init__()
        self.result = result


class SpreadsheetCSV(csv.excel):
    """What spreadsheets write: fields quoted with '"' (doubled inside), any line ending."""

    delimiter = ","


def dialect_of(start: str) -> type[csv.Dialect]:
    """The delimiter is read from the header line (',' or, from European spreadsheets, ';'
    or a tab); the quote is always '"'. Guessing the quote from the data took the
    apostrophes of names like 'Peggy' for quotes."""
    header = next((line for line in start.splitlines() if line.strip()), "")
    outside_quotes = re.sub(r'"[^"]*"', "", header)
    counts = {delimiter: outside_quotes.count(delimiter) for delimiter in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    return type("Dialect", (SpreadsheetCSV,), {"delimiter": delimiter})


CHUNK = 1 << 20


def _picker(at: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """`lambda cells: tuple(cells[i] for i in at)`, as fast as Python can pick them."""
    if len(at) > 1:
        return itemgetter(*at)
    return (lambda cells: (cells[at[0]],)) if at else (lambda cells: ())


class CsvRows:
    """A spreadsheet's CSV, read as a stream. Opening it reads the bytes once (their SHA-256
    for the repeat guard, and a check that they are UTF-8, so that no row is written from a
    file that turns out not to be text) and the header line; `rows()` then yields each
    non-blank row with its line number (the header is line 1), as a dict of the known
    columns, while keeping the fingerprint of what the rows say (`content`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        digest = hashlib.sha256()
        decoder = codecs.getincrementaldecoder("utf-8")()
        start = ""
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                    text = decoder.decode(chunk)
                    if len(start) < 4096:
                        start += text[:4096]
                decoder.decode(b"", final=True)
            self.size = os.path.getsize(path)
        except OSError as error:
            raise InvalidInput(_("Cannot read {path}: {reason}").format(path=path, reason=os_reason(error))) from None
        except UnicodeDecodeError:
            raise InvalidInput(_("{path} is not UTF-8 text: save the spreadsheet as CSV UTF-8.").format(
                path=path)) from None
        self.digest = digest.hexdigest()
        self.dialect = dialect_of(start.lstrip("\ufeff"))
        self.read = 0            # bytes read so far, for a progress bar
        self.count = 0           # rows yielded so far
        self._content = hashlib.sha256(b"[")
        self._pending: list[str] = []  # rows' fingerprint texts not hashed yet
        self._hashed = 0
        self.columns = self._header()

    def _open(self) -> tuple[BinaryIO, io.TextIOWrapper, Reader]:
        binary = open(self.path, "rb")
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        return binary, text, csv.reader(text, self.dialect)

    def _header(self) -> dict[str, int]:
        binary, text, reader = self._open()
        with binary, text:
            for _line, cells in self._cells(reader):
                return _header_map(cells)
        raise InvalidInput(_("{path} is empty.").format(path=self.path))

    def _cells(self, reader: Reader) -> Iterator[tuple[int, list[str]]]:
        """Each non-blank row, with the line it starts on: a cell may hold line breaks, and a
        mistake is looked for where its row begins, not where it ends."""
        try:
            starts = 1
            for cells in reader:
                if "".join(cells).strip():  # a cell with anything but spacing
                    yield starts, cells
                starts = reader.line_num + 1
        except csv.Error as error:
            raise InvalidInput(_("{path} is not a readable CSV file: {reason}").format(
                path=self.path, reason=error)) from None

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each row once (a second call would read the file again and count it twice)."""
        names = self.names
        for line, values in self.values():
            yield line, dict(zip(names, values))

    @property
    def names(self) -> list[str]:
        """The known columns, in the order of `values()`."""
        return list(self.columns)

    def values(self) -> Iterator[tuple[int, list[str]]]:
        """`rows()` as lists of the cells of `names` (a million rows need no dict each)."""
        binary, text, reader = self._open()
        columns = self.columns
        # The fingerprint is the bytes of json.dumps(rows, sort_keys=True, ensure_ascii=False),
        # the one an import stored before files were streamed, made a row at a time: keys in
        # order, each value a JSON string (json's own encoder, made afresh for every call,
        # had cost more than reading the row).
        names = self.names
        indexes = [columns[name] for name in names]
        widest = max(indexes, default=-1)
        keys = sorted(columns)
        order = [names.index(key) for key in keys]
        # One row's part of the fingerprint as a template: `{"key": %s, ...}` (the keys are
        # known names, no '%' in them); rows are hashed a page at a time.
        template = "{" + ", ".join([encode_basestring(key) + ": %s" for key in keys]) + "}"
        pending = self._pending
        add = pending.append
        quote, strip, pick, in_order = encode_basestring, str.strip, _picker(indexes), _picker(order)
        header = True
        # `_cells` written into this loop: one generator fewer for each of a million rows.
        try:
            starts = 1
            for cells in reader:
                line, starts = starts, reader.line_num + 1
                if not "".join(cells).strip():  # no cell with anything but spacing
                    continue
                if header:
                    header = False
                    continue
                if len(cells) > widest:
                    values = list(map(strip, pick(cells)))
                else:
                    values = [cells[i].strip() if i < len(cells) else "" for i in indexes]
                if "'" in "".join(values):  # rarely: only then can a cell be a neutralised formula
                    values = [unneutralise(value) for value in values]
                add(template % tuple(map(quote, in_order(values))))
                self.count += 1
                if not self.count & 255:
                    self.read = binary.tell()
                    self._hash_pending()
                yield line, values
        except csv.Error as error:
            raise InvalidInput(_("{path} is not a readable CSV file: {reason}").format(
                path=self.path, reason=error)) from None
        finally:
            text.close()
            binary.close()
        self.read = self.size
        self._hash_pending()

    def _hash_pending(self) -> None:
        if self._pending:
            self._content.update(((", " if self._hashed else "") + ", ".join(self._pending)).encode("utf-8"))
            self._hashed += len(self._pending)
            self._pending.clear()

    @property
    def content(self) -> str | None:
        """A fingerprint of what the rows say, not of the bytes: the same rows re-saved by a
        spreadsheet, with another line ending, a BOM, blank lines or Welsh headers, match.
        None for no rows: every empty file would look like every other. Known once every
        row has been read."""
        if not self.count:
            return None
        self._hash_pending()
        final = self._content.copy()
        final.update(b"]")
        return final.hexdigest()


def content_digest(rows: list[tuple[int, dict[str, str]]]) -> str | None:
    """`CsvRows.content` of rows already in memory."""
    if not rows:
        return None
    canonical = json.dumps([row for _line, row in rows], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def earlier_import(session: Session, digest: str | None, content: str | None) -> datetime | None:
    """When a file with these bytes (SHA-256, `digest`) or rows (`content`) was imported
    before, by any import (a TimeOverflow move too); None if never, or if neither is known."""
    fingerprints = [value for value in (digest, content) if value is not None]
    if not fingerprints:
        return None
    same = or_(*[AuditEvent.details.like(f'%"{value}"%') for value in fingerprints])
    return session.scalar(select(AuditEvent.at).where(AuditEvent.action.like("import.%"), same).limit(1))


def refuse_repeat(session: Session, digest: str | None, content: str | None, again: bool) -> None:
    """Refuse a file whose bytes (`digest`) or rows (`content`) were imported before."""
    if again:
        return
    earlier = earlier_import(session, digest, content)
    if earlier is not None:
        raise Refused(_("This file was already imported on {date}; use --again to import it once more.").format(
            date=earlier.date().isoformat()))


def _require(columns: dict[str, int], *needed: str) -> None:
    missing = [name for name in needed if name not in columns]
    if missing:
        # The column names as a spreadsheet in the output language would head them.
        raise InvalidInput(_("The file has no column for: {columns}.").format(
            columns=", ".join(_(name) for name in missing)))


def _finish(session: Session, source: CsvRows, again: bool, errors: list[tuple[int, str]]) -> str | None:
    """The end of every import, once all rows are read: a re-saved copy of an imported file
    is refused (its rows are known only now), then every bad row is listed. Either rolls
    the transaction back with everything written so far."""
    content = source.content
    refuse_repeat(session, None, content, again)
    if errors:
        raise ImportRejected(sorted(errors))
    return content


class _Bounded(dict):
    """A cache of parsed cells that forgets everything when full: a file of a few hundred
    dates and amounts keeps them all, and a file of millions of distinct ones stays small."""

    LIMIT = 50_000

    def remember(self, key: Any, parse: Callable[[Any], Any]) -> Any:
        try:
            value = self[key]
        except KeyError:
            if len(self) >= self.LIMIT:
                self.clear()
            try:
                value = self[key] = parse(key)
            except TimebankError as error:
                value = self[key] = error
        if isinstance(value, TimebankError):
            raise value
        return value


def import_members(session: Session, by: str, settings: Settings, path: Path, *, dry_run: bool = False,
                   again: bool = False, progress: Progress | None = None, centre: str | None = None) -> ImportResult:
    """Members from a spreadsheet; `centre`: the home centre of every one of them."""
    centre = _centre_code(session, centre)
    source = CsvRows(path)
    _require(source.columns, "name")
    refuse_repeat(session, source.digest, None, again)
    errors: list[tuple[int, str]] = []
    created, first, last = 0, None, None
    for line, row in source.rows():
        try:
            with session.begin_nested():
                joined = parse_date(row["joined"]) if row.get("joined") else None
                left = parse_date(row["left"]) if row.get("left") else None
                kind = {"organisation": "organisation", "sefydliad": "organisation", "person": "person",
                        "unigolyn": "person", "": "person"}.get(fold(row.get("kind", "")), row.get("kind", ""))
                member = add_member(session, by, name=row.get("name", ""), kind=kind, area=row.get("area"),
                                    email=row.get("email"), phone=row.get("phone"), lang=row.get("lang") or None,
                                    joined=joined, note=row.get("note"), sort_as=row.get("sort_as"),
                                    default_lang=settings.lang, again=True, centre=centre)
                if left is not None:
                    if left < member.joined:
                        raise InvalidInput(_("left on {left}, before joining on {joined}.").format(
                            left=left.isoformat(), joined=member.joined.isoformat()))
                    member.left = left
                    membership.close_period(session, member.number, left, membership.LEFT)
                created += 1
                first = member.number if first is None else min(first, member.number)
                last = member.number if last is None else max(last, member.number)
        except TimebankError as error:
            errors.append((line, tell(error)))
        if progress:
            progress(source.read, source.size)
    content = _finish(session, source, again, errors)
    result = ImportResult(source.count, created, dry_run, first, last)
    audit.log(session, by, "import.members", file=path.name, sha256=source.digest, content=content,
              rows=source.count, first=result.first, last=result.last, **_at(centre))
    if dry_run:
        raise DryRunDone(result)
    return result


class _Row(NamedTuple):
    """One good row of exchanges, its cells parsed and its members found."""

    line: int
    group: str | None
    on: date
    minutes: int
    category: str
    note: str | None
    giver: Member
    receiver: Member
    welsh: bool = False


class _RowReader:
    """Turns a row's cells (`CsvRows.values`, in the order of `names`) into a `_Row`, or
    raises why it cannot. Everything repeated across a file (dates, amounts, members,
    categories) is parsed once."""

    def __init__(self, session: Session, names: list[str]) -> None:
        self.session = session
        self.index = MemberIndex(list(session.scalars(select(Member))))
        self.now = today()  # once: millions of rows must not each ask the clock
        self.dates, self.amounts, self.members, self.categories = _Bounded(), _Bounded(), _Bounded(), _Bounded()
        self.days: dict[Member, tuple[date, date] | None] = {}
        # Where each column's cell is in a row's values (-1: no such column).
        self.at = tuple([names.index(name) if name in names else -1
                         for name in ("date", "hours", "minutes", "giver", "giver_name", "receiver", "receiver_name",
                                      "category", "note", "exchange", "welsh")])
        self.note_label = _("note") if "note" in names else ""
        # Each member's (number, first day, last day) on which `check_exchange` surely passes
        # for them (the pot: any day; a member to be asked day by day: none), for `quick`.
        self.spans: dict[Member, tuple[int, date, date]] = {}

    def member_on(self, member: Member, on: date) -> None:
        """`require_member_on`, asked only for a day outside the member's run of days."""
        try:
            days = self.days[member]
        except KeyError:
            days = self.days[member] = member_days(member)
        if days is None or not days[0] <= on <= days[1]:
            require_member_on(member, on)  # the refusal, with its reason (or a rejoined member's good day)

    def span(self, member: Member) -> tuple[int, date, date]:
        found = self.spans.get(member)
        if found is None:
            if member.kind == "pot":  # `check_exchange` never asks the pot's days
                found = (member.number, date.min, date.max)
            else:
                days = member_days(member)
                found = (member.number, *days) if days is not None else (member.number, date.max, date.min)
            self.spans[member] = found
        return found

    def _find(self, key: tuple[str, str]) -> Member:
        text, name = key
        found = self.index.find(text)
        # A number with a name beside it (an export made --with-names): they must agree.
        if (name and found.forgotten is None and re.fullmatch(r"#?\s*[0-9]+", text.strip())
                and fold(name) not in {fold(known) for known in (found.name, *lookup_names(found))}):
            raise InvalidInput(_("member {number} is {found}, not {name}.").format(
                number=found.number, found=say(message_name(found)), name=name))
        return found

    def __call__(self, line: int, values: list[str]) -> _Row:
        # Each cache is asked directly first (a million rows, five cells each); `remember`
        # parses what is new and raises what is bad, as it was raised the first time.
        at_date, at_hours, at_minutes, at_giver, at_giver_name, at_receiver, at_receiver_name, at_category, \
            at_note, at_exchange, at_welsh = self.at
        text = values[at_date] if at_date >= 0 else ""
        on = self.dates.get(text)
        if on.__class__ is not date:
            on = self.dates.remember(text, self._date)
        if at_hours >= 0 and values[at_hours]:
            amount = values[at_hours]
        else:
            amount = f"{values[at_minutes] if at_minutes >= 0 else ''}m"
        minutes = self.amounts.get(amount)
        if minutes.__class__ is not int:
            minutes = self.amounts.remember(amount, parse_hours)
        key = (values[at_giver] if at_giver >= 0 else "", values[at_giver_name] if at_giver_name >= 0 else "")
        giver = self.members.get(key)
        if giver.__class__ is not Member:
            giver = self.members.remember(key, self._find)
        key = (values[at_receiver] if at_receiver >= 0 else "",
               values[at_receiver_name] if at_receiver_name >= 0 else "")
        receiver = self.members.get(key)
        if receiver.__class__ is not Member:
            receiver = self.members.remember(key, self._find)
        text = values[at_category] if at_category >= 0 else ""
        code = self.categories.get(text)
        if code.__class__ is not str:
            code = self.categories.remember(text, self._category)
        note = clean_text(values[at_note], self.note_label, limit=MAX_NOTE) if at_note >= 0 else None
        i = at_exchange
        welsh: bool | None = False
        if at_welsh >= 0:
            cell = values[at_welsh]
            welsh = WELSH_CELLS.get(cell)
            if welsh is None:
                welsh = WELSH_CELLS.get(fold(cell.strip()))
                if welsh is None:
                    raise InvalidInput(_("welsh: '{text}' is neither yes nor no (true, false, yes, no, ie, na, 1, "
                                         "0 or empty).").format(text=cell))
        return _Row(line, (values[i] or None) if i >= 0 else None, on, minutes, code, note, giver, receiver,
                    bool(welsh))

    def _date(self, text: str) -> date:
        return parse_date(text, now=self.now)

    def _category(self, text: str) -> str:
        return find_category(self.session, text, get_language()).code if text else "other"


def import_exchanges(session: Session, by: str, settings: Settings, path: Path, *, dry_run: bool = False,
                     again: bool = False, progress: Progress | None = None, centre: str | None = None) -> ImportResult:
    """Exchanges from a spreadsheet; `centre`: the centre every one of them was recorded at."""
    centre = _centre_code(session, centre)
    source = CsvRows(path)
    _require(source.columns, "date", "giver", "receiver")
    if "hours" not in source.columns and "minutes" not in source.columns:
        raise InvalidInput(_("The file has no column for: {columns}.").format(columns=_("hours")))
    refuse_repeat(session, source.digest, None, again)
    read = _RowReader(session, source.names)
    errors: list[tuple[int, str]] = []
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # Each row adds to three indexes at scattered places; with SQLite's default 2 MB page
        # cache a large import on a large ledger spends most of its time re-reading pages.
        connection.exec_driver_sql("PRAGMA cache_size = -131072")
    grouped = "exchange" in source.columns
    total = source.size * (2 if grouped else 1)
    member_on = read.member_on

    def rows() -> Iterator[_Row]:
        for line, cells in source.values():
            try:
                yield read(line, cells)
            except TimebankError as error:
                errors.append((line, tell(error)))
            if progress and not source.count & 255:
                progress(source.read, total)

    def grouped_exchanges() -> Iterator[NewExchange]:
        for group in _gathered(session, rows(), read.index.by_number, source, progress, total):
            exchange = _one_exchange(group, errors)
            try:
                check_exchange(settings, exchange.givers, exchange.receivers, exchange.minutes, exchange.on,
                               now=read.now, member_on=member_on)
            except TimebankError as error:
                errors.append((group[0].line, tell(error)))
                continue
            if not errors:  # after the first bad row nothing more is written: it will all roll back
                yield NewExchange(exchange.on, exchange.category, exchange.minutes, exchange.note,
                                  tuple([g.number for g in exchange.givers]),
                                  tuple([r.number for r in exchange.receivers]), centre=centre,
                                  welsh=exchange.welsh)

    def single_exchanges() -> Iterator[NewExchange]:
        """Each row an exchange of its own. A row that surely passes `check_exchange` (two
        different members, each on a day of their run of days, a day not in the future, an
        amount within the limit) is not asked again; any other is, for its refusal."""
        now, limit, spans, span = read.now, settings.max_minutes, read.spans, read.span
        for line, cells in source.values():
            try:
                row = read(line, cells)
            except TimebankError as error:
                errors.append((line, tell(error)))
                row = None
            if progress and not source.count & 255:
                progress(source.read, total)
            if row is None:
                continue
            on, minutes = row.on, row.minutes
            giver = spans.get(row.giver) or span(row.giver)
            receiver = spans.get(row.receiver) or span(row.receiver)
            if not (giver[0] != receiver[0] and on <= now and giver[1] <= on <= giver[2]
                    and receiver[1] <= on <= receiver[2] and 0 < minutes <= limit):
                try:
                    check_exchange(settings, [row.giver], [row.receiver], minutes, on, now=now,
                                   member_on=member_on)
                except TimebankError as error:
                    errors.append((line, tell(error)))
                    continue
            if not errors:  # after the first bad row nothing more is written: it will all roll back
                yield NewExchange(on, row.category, minutes, row.note, (giver[0],), (receiver[0],), centre=centre,
                                  welsh=row.welsh)

    first, count = write_exchanges(session, by, grouped_exchanges() if grouped else single_exchanges())
    if progress:
        progress(total, total)
    content = _finish(session, source, again, errors)
    last = first + count - 1 if count else None
    result = ImportResult(source.count, count, dry_run, first if count else None, last)
    audit.log(session, by, "import.exchanges", file=path.name, sha256=source.digest, content=content,
              rows=source.count, exchanges=count, first=result.first, last=result.last, **_at(centre))
    if dry_run:
        raise DryRunDone(result)
    return result


@dataclass
class _Exchange:
    on: date
    minutes: int
    category: str
    note: str | None
    givers: list[Member]
    receivers: list[Member]
    welsh: bool = False


def _one_exchange(group: list[_Row], errors: list[tuple[int, str]]) -> _Exchange:
    """The rows of one exchange as one exchange: they must agree on the date, hours and
    category (each row that does not is listed, and left out); givers and receivers gather."""
    head = group[0]
    exchange = _Exchange(head.on, head.minutes, head.category, head.note, [head.giver], [head.receiver],
                         head.welsh)
    for row in group[1:]:
        if (row.on, row.minutes, row.category) != (head.on, head.minutes, head.category):
            errors.append((row.line, _("rows of exchange {exchange} disagree on the date, hours or category.").format(
                exchange=head.group)))
            continue
        if row.welsh != head.welsh:
            errors.append((row.line, _("rows of exchange {exchange} disagree on whether it was in Welsh.").format(
                exchange=head.group)))
            continue
        if row.giver not in exchange.givers:
            exchange.givers.append(row.giver)
        if row.receiver not in exchange.receivers:
            exchange.receivers.append(row.receiver)
    return exchange


ROWS_TABLE, ORDER_TABLE = "timebank_import_rows", "timebank_import_order"
BATCH, PAGE = 10_000, 2_000  # rows written to the temporary table at a time; rows read back at a time
SORT_CACHE = -16384           # KiB: SQLite's page cache (and so its in-memory sort) while ordering rows


def _gathered(session: Session, rows: Iterator[_Row], members: dict[int, Member], source: CsvRows,
              progress: Progress | None, total: int) -> Iterator[list[_Row]]:
    """Rows grouped by their `exchange` cell, groups in the order of their first row, rows
    without one each alone. The rows go to a temporary table of this transaction (on disk,
    so memory stays small) and come back ordered, a page at a time."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    if sqlite:
        connection.exec_driver_sql("PRAGMA temp_store = FILE")  # however this SQLite was built
    ending = "" if sqlite else " ON COMMIT DROP"
    for table in (ROWS_TABLE, ORDER_TABLE):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")  # never another import's leftovers
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {ROWS_TABLE} (line INTEGER NOT NULL, grp TEXT, day TEXT "
                               f"NOT NULL, minutes INTEGER NOT NULL, category TEXT NOT NULL, note TEXT, "
                               f"giver INTEGER NOT NULL, receiver INTEGER NOT NULL, welsh INTEGER NOT NULL){ending}")
    insert = f"INSERT INTO {ROWS_TABLE} VALUES ({', '.join([mark] * 9)})"
    batch: list[tuple] = []
    for row in rows:
        batch.append((row.line, row.group, row.on.isoformat(), row.minutes, row.category, row.note,
                      row.giver.number, row.receiver.number, int(row.welsh)))
        if len(batch) >= BATCH:
            connection.exec_driver_sql(insert, batch)
            batch.clear()
    if batch:
        connection.exec_driver_sql(insert, batch)
    if sqlite:
        # SQLite sorts in memory up to the page cache's size, and the import's cache is large
        # for its writes: sort within a small one (spilling to temporary files), then restore it.
        cache = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
        connection.exec_driver_sql(f"PRAGMA cache_size = {SORT_CACHE}")
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {ORDER_TABLE}{ending} AS "
        f"SELECT row_number() OVER (ORDER BY coalesce(g.first, r.line), r.line) AS seq, r.* "
        f"FROM {ROWS_TABLE} r LEFT JOIN (SELECT grp, min(line) AS first FROM {ROWS_TABLE} WHERE grp IS NOT NULL "
        f"GROUP BY grp) g ON g.grp = r.grp")
    connection.exec_driver_sql(f"DROP TABLE {ROWS_TABLE}")
    connection.exec_driver_sql(f"CREATE INDEX {ORDER_TABLE}_seq ON {ORDER_TABLE} (seq)")
    if sqlite:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")
    days: dict[str, date] = {}
    rows_total, done, after = max(source.count, 1), 0, 0
    current: list[_Row] = []
    while True:
        page = connection.exec_driver_sql(
            f"SELECT seq, line, grp, day, minutes, category, note, giver, receiver, welsh FROM {ORDER_TABLE} "
            f"WHERE seq > {mark} ORDER BY seq LIMIT {PAGE}", (after,)).fetchall()
        if not page:
            break
        for seq, line, group, day, minutes, category, note, giver, receiver, welsh in page:
            on = days.get(day) or days.setdefault(day, date.fromisoformat(day))
            row = _Row(line, group, on, minutes, category, note, members[giver], members[receiver], bool(welsh))
            if current and (group is None or group != current[0].group):
                yield current
                current = []
            current.append(row)
            after = seq
        done += len(page)
        if progress:
            progress(source.size + source.size * done // rows_total, total)
    if current:
        yield current
    connection.exec_driver_sql(f"DROP TABLE {ORDER_TABLE}")


def _centre_code(session: Session, centre: str | None) -> str | None:
    """A centre's code as stored, or None; an unknown code is refused before any row is read."""
    if centre is None or not centre.strip():
        return None
    from timebank.ledger.records.centres import find_centre

    return find_centre(session, centre.strip()).code


def _at(centre: str | None) -> dict[str, Any]:
    """An import's audit details name its centre only when it has one (as `record`'s do)."""
    return {"centre": centre} if centre is not None else {}


def import_file(ledger: Ledger, by: str, kind: str, path: Path, *, dry_run: bool = False, again: bool = False,
                progress: Progress | None = None, centre: str | None = None) -> ImportResult:
    """The import action: members or exchanges from a spreadsheet's CSV, in one transaction
    (a dry run checks every row, then rolls back). Raises ImportRejected listing every bad row."""
    run = import_members if kind == "members" else import_exchanges
    try:
        with writing(ledger) as session:
            return run(session, by, settings_module.load(session), path, dry_run=dry_run, again=again,
                       progress=progress, centre=centre)
    except DryRunDone as done:
        # import_members and import_exchanges raise it with their ImportResult.
        assert isinstance(done.result, ImportResult)
        return done.result
