"""Spreadsheet imports: every bad row reported with its line, nothing written unless all
are good, one transaction, and the same file refused twice."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from timebank.i18n import _, fold, load_catalogue
from timebank.ledger import audit
from timebank.ledger import settings as settings_module
from timebank.ledger.categories import find_category
from timebank.ledger.dates import parse_date, today
from timebank.ledger.db import Ledger, writing
from timebank.ledger.errors import InvalidInput, Refused, TimebankError, os_reason
from timebank.ledger.exchanges import NewExchange, check_exchange, write_exchanges
from timebank.ledger.hours import parse_hours
from timebank.ledger.members import MemberIndex, add_member
from timebank.ledger.models import AuditEvent, Member
from timebank.ledger.settings import Settings
from timebank.ledger.text import MAX_NOTE, clean_text, unneutralise

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
}


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
        field_name = known.get(_key(text))
        if field_name and field_name not in found:
            found[field_name] = index
    return found


@dataclass
class ImportResult:
    rows: int
    created: int
    dry_run: bool
    first: int | None = None
    last: int | None = None


class ImportRejected(TimebankError):
    """Some rows are bad: all of them are listed, and nothing was written."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        super().__init__("\n".join(_("Line {line}: {reason}").format(line=line, reason=reason)
                                   for line, reason in errors))


class DryRunDone(Exception):
    """Raised to roll back a dry run after every row was checked."""


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


def read_rows(path: Path) -> tuple[str, list[tuple[int, dict[str, str]]], dict[str, int]]:
    """The file's SHA-256 and its non-blank rows with their line numbers (header is line 1)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(_("Cannot read {path}: {reason}").format(path=path, reason=os_reason(error))) from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("{path} is not UTF-8 text: save the spreadsheet as CSV UTF-8.").format(path=path)) from None
    reader = csv.reader(io.StringIO(text, newline=""), dialect_of(text[:4096]))
    headers: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    columns: dict[str, int] = {}
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if headers is None:
                headers = cells
                columns = _header_map(headers)
                continue
            rows.append((reader.line_num, {name: unneutralise(cells[i].strip()) if i < len(cells) else ""
                                           for name, i in columns.items()}))
    except csv.Error as error:
        raise InvalidInput(_("{path} is not a readable CSV file: {reason}").format(path=path, reason=error)) from None
    if headers is None:
        raise InvalidInput(_("{path} is empty.").format(path=path))
    return digest, rows, columns


def content_digest(rows: list[tuple[int, dict[str, str]]]) -> str | None:
    """A fingerprint of what the rows say, not of the bytes: the same rows re-saved by a
    spreadsheet, with another line ending, a BOM, blank lines or Welsh headers, match.
    None for no rows: every empty file would look like every other."""
    if not rows:
        return None
    canonical = json.dumps([row for _line, row in rows], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def refuse_repeat(session: Session, digest: str, content: str | None, again: bool) -> None:
    if again:
        return
    same = AuditEvent.details.like(f'%"{digest}"%')
    if content is not None:
        same = or_(same, AuditEvent.details.like(f'%"{content}"%'))
    earlier = session.scalar(select(AuditEvent.at).where(AuditEvent.action.like("import.%"), same).limit(1))
    if earlier is not None:
        raise Refused(_("This file was already imported on {date}; use --again to import it once more.").format(
            date=earlier.date().isoformat()))


def _require(columns: dict[str, int], *needed: str) -> None:
    missing = [name for name in needed if name not in columns]
    if missing:
        # The column names as a spreadsheet in the output language would head them.
        raise InvalidInput(_("The file has no column for: {columns}.").format(
            columns=", ".join(_(name) for name in missing)))


def import_members(session: Session, by: str, settings: Settings, path: Path, *, dry_run: bool = False,
                   again: bool = False, progress: Progress | None = None) -> ImportResult:
    digest, rows, columns = read_rows(path)
    content = content_digest(rows)
    _require(columns, "name")
    refuse_repeat(session, digest, content, again)
    errors: list[tuple[int, str]] = []
    created: list[int] = []
    for done, (line, row) in enumerate(rows, 1):
        try:
            with session.begin_nested():
                joined = parse_date(row["joined"], allow_uk=True) if row.get("joined") else None
                left = parse_date(row["left"], allow_uk=True) if row.get("left") else None
                kind = {"organisation": "organisation", "sefydliad": "organisation", "person": "person",
                        "unigolyn": "person", "": "person"}.get(fold(row.get("kind", "")), row.get("kind", ""))
                member = add_member(session, by, name=row.get("name", ""), kind=kind, area=row.get("area"),
                                    email=row.get("email"), phone=row.get("phone"), lang=row.get("lang") or None,
                                    joined=joined, note=row.get("note"), sort_as=row.get("sort_as"),
                                    default_lang=settings.lang)
                if left is not None:
                    if left < member.joined:
                        raise InvalidInput(_("left on {left}, before joining on {joined}.").format(
                            left=left.isoformat(), joined=member.joined.isoformat()))
                    member.left = left
                created.append(member.number)
        except TimebankError as error:
            errors.append((line, error.message))
        if progress:
            progress(done, len(rows))
    if errors:
        raise ImportRejected(errors)
    result = ImportResult(len(rows), len(created), dry_run, min(created, default=None), max(created, default=None))
    audit.log(session, by, "import.members", file=path.name, sha256=digest, content=content,
              rows=len(rows), first=result.first, last=result.last)
    if dry_run:
        raise_dry_run(result)
    return result


def raise_dry_run(result: ImportResult) -> None:
    error = DryRunDone()
    error.result = result  # type: ignore[attr-defined]
    raise error


@dataclass
class _Pending:
    line: int
    on: date
    minutes: int
    category: str
    note: str | None
    givers: list[Member]
    receivers: list[Member]


def import_exchanges(session: Session, by: str, settings: Settings, path: Path, *, dry_run: bool = False,
                     again: bool = False, progress: Progress | None = None) -> ImportResult:
    digest, rows, columns = read_rows(path)
    content = content_digest(rows)
    _require(columns, "date", "giver", "receiver")
    if "hours" not in columns and "minutes" not in columns:
        raise InvalidInput(_("The file has no column for: {columns}.").format(columns=_("hours")))
    refuse_repeat(session, digest, content, again)
    index = MemberIndex(list(session.scalars(select(Member))))
    member_cache: dict[str, Member | TimebankError] = {}
    category_cache: dict[str, str | TimebankError] = {}

    def member(text: str, name: str | None) -> Member:
        key = f"{text}\x00{name or ''}"
        if key not in member_cache:
            try:
                found = index.find(text)
                # A number with a name beside it (an export made --with-names): they must agree.
                if name and found.forgotten is None and fold(name) != fold(found.name) \
                        and re.fullmatch(r"#?\s*\d+", text.strip()):
                    raise InvalidInput(_("member {number} is {found}, not {name}.").format(
                        number=found.number, found=found.name, name=name))
                member_cache[key] = found
            except TimebankError as error:
                member_cache[key] = error
        value = member_cache[key]
        if isinstance(value, TimebankError):
            raise value
        return value

    def category(text: str) -> str:
        if text not in category_cache:
            try:
                category_cache[text] = find_category(session, text).code if text else "other"
            except TimebankError as error:
                category_cache[text] = error
        value = category_cache[text]
        if isinstance(value, TimebankError):
            raise value
        return value

    errors: list[tuple[int, str]] = []
    now = today()  # once: a hundred thousand rows must not each ask the clock
    # A year of rows repeats a few hundred dates and a handful of amounts: parse each once.
    dates: dict[str, date | TimebankError] = {}
    amounts: dict[str, int | TimebankError] = {}

    def cached(cache: dict, key: str, parse):  # type: ignore[no-untyped-def]
        if key not in cache:
            try:
                cache[key] = parse(key)
            except TimebankError as error:
                cache[key] = error
        value = cache[key]
        if isinstance(value, TimebankError):
            raise value
        return value

    pending: dict[str, _Pending] = {}
    order: list[str] = []
    for done, (line, row) in enumerate(rows, 1):
        try:
            on = cached(dates, row.get("date", ""), lambda text: parse_date(text, allow_uk=True, now=now))
            amount = row["hours"] if row.get("hours") else f"{row.get('minutes', '')}m"
            minutes = cached(amounts, amount, parse_hours)
            giver = member(row.get("giver", ""), row.get("giver_name"))
            receiver = member(row.get("receiver", ""), row.get("receiver_name"))
            code = category(row.get("category", ""))
            note = clean_text(row.get("note"), _("note"), limit=MAX_NOTE)
            group = row.get("exchange") or f"line {line}"
            current = pending.get(group)
            if current is None:
                pending[group] = _Pending(line, on, minutes, code, note, [giver], [receiver])
                order.append(group)
            else:
                if (current.on, current.minutes, current.category) != (on, minutes, code):
                    raise InvalidInput(_("rows of exchange {exchange} disagree on the date, hours or category.").format(
                        exchange=group))
                if giver not in current.givers:
                    current.givers.append(giver)
                if receiver not in current.receivers:
                    current.receivers.append(receiver)
        except TimebankError as error:
            errors.append((line, error.message))
        if progress:
            progress(done, len(rows) * 2)

    checked: list[_Pending] = []
    for group in order:
        exchange = pending[group]
        try:
            check_exchange(settings, exchange.givers, exchange.receivers, exchange.minutes, exchange.on,
                           historical=True, now=now)
            checked.append(exchange)
        except TimebankError as error:
            errors.append((exchange.line, error.message))
    if errors:
        raise ImportRejected(sorted(errors))

    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # Each row adds to three indexes at scattered places; with SQLite's default 2 MB page
        # cache a large import on a large ledger spends most of its time re-reading pages.
        connection.exec_driver_sql("PRAGMA cache_size = -131072")

    def written(count: int) -> None:
        if progress:
            progress(len(rows) + count * len(rows) // max(len(checked), 1), len(rows) * 2)

    first, _count = write_exchanges(session, by, (NewExchange(
        e.on, e.category, e.minutes, e.note, tuple(g.number for g in e.givers), tuple(r.number for r in e.receivers))
        for e in checked), progress=written)
    if progress:
        progress(len(rows) * 2, len(rows) * 2)
    last = first + len(checked) - 1 if checked else None
    result = ImportResult(len(rows), len(checked), dry_run, first if checked else None, last)
    audit.log(session, by, "import.exchanges", file=path.name, sha256=digest, content=content,
              rows=len(rows), exchanges=len(checked), first=result.first, last=result.last)
    if dry_run:
        raise_dry_run(result)
    return result


def import_file(ledger: Ledger, by: str, kind: str, path: Path, *, dry_run: bool = False, again: bool = False,
                progress: Progress | None = None) -> ImportResult:
    """The import action: members or exchanges from a spreadsheet's CSV, in one transaction
    (a dry run checks every row, then rolls back). Raises ImportRejected listing every bad row."""
    run = import_members if kind == "members" else import_exchanges
    try:
        with writing(ledger) as session:
            return run(session, by, settings_module.load(session), path, dry_run=dry_run, again=again,
                       progress=progress)
    except DryRunDone as done:
        return done.result  # type: ignore[attr-defined, no-any-return]
