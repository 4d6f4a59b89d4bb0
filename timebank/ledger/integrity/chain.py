"""The tamper-evident chain kept in the ledger: appending links as exchanges and audit
events are written, linking the rows of a ledger made before the chain (the upgrade) or
loaded in bulk (bench), re-binding text that erasure rewrote, and reading seals.

The bytes each link hashes are defined in `canonical`; `verify` walks the whole chain for
`check`. Links are written in the same transaction as their rows, by the one writer whose
turn it is, so the chain's order is the writers' order on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any, Iterable, Iterator

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from timebank.ledger.integrity import canonical
from timebank.ledger.integrity.canonical import Seal, TextCache, commitment, moment_text, new_salt, parts_commitment

_sha256 = hashlib.sha256

EXCHANGE = "exchange"
AUDIT = "audit"

# The key under which a version 1 `member.forget` event listed the commitments of the texts
# it rewrote: [[kind, key, hex], ...] (kind "exchange" or "audit"). Read, never written now.
RESEALED = "resealed"
# The key under which a `member.forget` event lists the parts of texts it took out:
# [[kind, key, field, word index], ...].
ERASED_PARTS = "erased"


def _linked_tables(connection: Connection) -> tuple[str, ...]:
    """The tables whose rows are links: record links too, from version 2 (migration 0008;
    the upgrades before it link exchanges and events only)."""
    from sqlalchemy import inspect

    return ("exchanges", "audit", "record_links") if inspect(connection).has_table("record_links") \
        else ("exchanges", "audit")


def _head(connection: Connection) -> tuple[int, bytes]:
    """The last link and its hash (0 and the genesis hash for an empty chain)."""
    best = (0, canonical.GENESIS)
    for table in _linked_tables(connection):
        row = connection.execute(text(
            f"SELECT link, link_hash FROM {table} WHERE link = (SELECT max(link) FROM {table})")).first()
        if row is not None and row[0] > best[0]:
            best = (int(row[0]), bytes(row[1]))
    return best


class ChainWriter:
    """Appends links for one transaction (the writer holds the ledger's write lock, so no
    one else appends until it commits). An import links a hundred thousand exchanges: the
    texts they share (days, categories, the moment, who recorded) are worked out once."""

    def __init__(self, connection: Connection, version: int = canonical.VERSION) -> None:
        self.connection = connection
        self._head: tuple[int, bytes] | None = None
        self.texts = TextCache()
        # Version 1 only for the upgrade that built the chain (0005), as it was then: 0008
        # then takes those links to version 2 like any others written before it.
        self.version = version

    def _committed(self, personal: tuple[str | None, str | None], salt: bytes | None) -> tuple[bytes, bytes]:
        """(commitment, salts) of a row's personal text: salts given or drawn."""
        if self.version == canonical.VERSION_1:
            salt = salt or new_salt()
            return commitment(salt, personal), salt
        if salt is None:
            return canonical.commit_new(personal)
        return parts_commitment(personal, salt), salt

    @property
    def head(self) -> tuple[int, bytes]:
        if self._head is None:
            self._head = _head(self.connection)
        return self._head

    def _append(self, content_for: Any) -> tuple[int, bytes]:
        link, previous = self.head
        link += 1
        digest = _sha256(previous + content_for(link)).digest()
        self._head = (link, digest)
        return link, digest

    def exchange(self, number: int, day: date | str, category: str, minutes: int, reverses: int | None,
                 recorded_at: datetime | str, entries: Iterable[tuple[int, str, date | str, int]],
                 recorded_by: str | None, note: str | None, salt: bytes | None = None,
                 purpose: str = canonical.HELP, centre: str | None = None,
                 welsh: bool = False) -> tuple[int, bytes, bytes]:
        """The next link for an exchange: (link, hash, salt). The bytes are those of
        `canonical.exchange_content`, filled in from the shared texts."""
        rows = list(entries)
        if (len(rows) == 2 and rows[0][1] == "giver" and rows[1][1] == "receiver" and rows[0][2] == day
                and rows[1][2] == day and int(rows[1][3]) == -int(rows[0][3])):
            return self.pair(number, day, category, minutes, reverses, recorded_at, int(rows[0][0]),
                             int(rows[0][3]), int(rows[1][0]), recorded_by, note, salt, purpose, centre, welsh)
        texts = self.texts
        committed, salt = self._committed((recorded_by, note), salt)
        day_iso, quoted_day = texts.day(day)
        listed = canonical.entries_text([(int(m), role, texts.day(d)[0], int(amount)) for m, role, d, amount in rows],
                                        day_iso)
        moment = texts.moment(recorded_at)
        quoted_category = texts.quote(category)
        link, digest = self._append(lambda link: canonical.with_purpose((canonical.EXCHANGE_FORMAT % (
            self.version, link, number, quoted_day, quoted_category, int(minutes),
            "null" if reverses is None else int(reverses), moment, listed, committed.hex())).encode("utf-8"), purpose,
            centre, welsh))
        return link, digest, salt

    def pair(self, number: int, day: date | str, category: str, minutes: int, reverses: int | None,
             recorded_at: datetime | str, giver: int, given: int, receiver: int, recorded_by: str | None,
             note: str | None, salt: bytes | None = None, purpose: str = canonical.HELP,
             centre: str | None = None, welsh: bool = False) -> tuple[int, bytes, bytes]:
        """`exchange` for the common exchange: one giver who is given `given` minutes, one
        receiver charged as much, both on the exchange's day, filled into one template
        (`canonical.PAIR_FORMAT`, which `verify` fills in too)."""
        texts = self.texts
        if salt is None and self.version == canonical.VERSION:
            committed, salt = canonical.commit_new((recorded_by, note))
        else:
            committed, salt = self._committed((recorded_by, note), salt)
        found = texts.days.get(day)
        quoted_day = found[1] if found is not None else texts.day(day)[1]
        link, previous = self._head or self.head
        link += 1
        raw, moment = texts.last_moment
        if recorded_at != raw or raw is None:
            moment = texts.moment(recorded_at)
        content = (canonical.PAIR_FORMAT % (
            self.version, link, number, quoted_day, texts.quoted.get(category) or texts.quote(category),
            int(minutes), "null" if reverses is None else int(reverses), moment, giver, quoted_day, given,
            receiver, quoted_day, -given, committed.hex())).encode("utf-8")
        if purpose != canonical.HELP or centre is not None or welsh:
            content = canonical.with_purpose(content, purpose, centre, welsh)
        digest = _sha256(previous + content).digest()
        self._head = (link, digest)
        return link, digest, salt

    def audit(self, event_id: int, at: datetime | str, action: str, member: int | None, exchange: int | None,
              by: str | None, details: str | None, salt: bytes | None = None) -> tuple[int, bytes, bytes]:
        """The next link for an audit event: (link, hash, salt)."""
        committed, salt = self._committed((by, details), salt)
        link, digest = self._append(lambda link: canonical.audit_content(
            link, event_id, moment_text(at), action, member, exchange, committed, self.version))
        return link, digest, salt

    def record(self, tbl: str, key: str, digest: bytes | None) -> tuple[int, bytes]:
        """The next link for a record's change (`records`): (link, hash). `digest` is None
        when the row was deleted."""
        return self._append(lambda link: canonical.record_content(link, tbl, key, digest))


def writer(session: Session) -> ChainWriter:
    """The chain writer of this session's transaction."""
    # A session is one transaction here (`db.writing`): its writer's idea of the chain's
    # head holds until it commits.
    current = session.info.get("chain_writer")
    if current is None:
        current = session.info["chain_writer"] = ChainWriter(session.connection())
    return current


# Linking rows written without links: a ledger made before the chain, or a bulk load ---------

CHUNK = 20_000


def _mark(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _chunks(connection: Connection, query: str, key: str) -> Iterator[Any]:
    """Rows of `query` (which selects rows with no link, `key` first) in key order, read a
    chunk at a time so that updates never run while a read is open on the same table.
    Plain driver rows: a million of SQLAlchemy's cost more than the hashing."""
    last = -1
    mark = _mark(connection)
    while True:
        rows = connection.exec_driver_sql(f"{query} AND {key} > {mark} ORDER BY {key} LIMIT {CHUNK}",
                                          (last,)).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _unlinked_exchanges(connection: Connection) -> Iterator[tuple]:
    """Exchanges without a link, each with its entries (and purpose)."""
    from sqlalchemy import inspect

    # The upgrade that builds the chain (0005) runs before exchanges had a purpose: all help.
    # ... and before they had a centre (0011): at none; and before the Welsh mark (0013): not.
    columns = {c["name"] for c in inspect(connection).get_columns("exchanges")}
    purpose = "purpose" if "purpose" in columns else "'help'"
    centre = "centre" if "centre" in columns else "NULL"
    welsh = "welsh" if "welsh" in columns else "false"
    exchanges = _chunks(connection, "SELECT number, date, category, minutes, note, reverses, recorded_at, "
                                    f"recorded_by, {purpose}, {centre}, {welsh} FROM exchanges WHERE link IS NULL",
                        "number")
    pending: list = []
    for row in exchanges:
        pending.append(row)
        if len(pending) >= CHUNK:
            yield from _with_entries(connection, pending)
            pending = []
    if pending:
        yield from _with_entries(connection, pending)


def _with_entries(connection: Connection, rows: list) -> Iterator[tuple]:
    mark = _mark(connection)
    entries: dict[int, list[tuple]] = {}
    for exchange, member, role, day, minutes in connection.exec_driver_sql(
            f"SELECT exchange, member, role, date, minutes FROM entries WHERE exchange BETWEEN {mark} AND {mark} "
            "ORDER BY exchange, id", (rows[0][0], rows[-1][0])):
        entries.setdefault(exchange, []).append((member, role, day, minutes))
    for row in rows:
        yield (*row, entries.get(row[0], []))


def link_unlinked(connection: Connection, version: int = canonical.VERSION) -> int:
    """Give every exchange and audit event that has no link one, after the chain's last
    link: in the order they were written (by time; exchanges by number and events by id,
    an exchange before an event of the same second). For the upgrade that builds the
    chain of an older ledger and for bulk loads (bench); never used by an everyday write,
    which links its own rows. Returns the number of links added."""
    chain = ChainWriter(connection, version)
    exchanges = _unlinked_exchanges(connection)
    events = _chunks(connection, "SELECT id, at, \"by\", action, member, exchange, details FROM audit "
                                 "WHERE link IS NULL", "id")
    exchange_updates: list[tuple] = []
    audit_updates: list[tuple] = []
    added = 0

    def timed(row: Any, at: int) -> tuple[Any, str] | None:
        return None if row is None else (row, moment_text(row[at]))

    next_exchange, next_event = timed(next(exchanges, None), 6), timed(next(events, None), 1)
    while next_exchange is not None or next_event is not None:
        if next_event is None or (next_exchange is not None and next_exchange[1] <= next_event[1]):
            assert next_exchange is not None  # the loop runs while either is left
            (number, day, category, minutes, note, reverses, recorded_at, recorded_by, purpose, centre, welsh,
             entries) = next_exchange[0]
            link, digest, salt = chain.exchange(number, day, category, minutes, reverses, recorded_at, entries,
                                                recorded_by, note, purpose=purpose, centre=centre,
                                                welsh=bool(welsh))
            exchange_updates.append((link, digest, salt, number))
            next_exchange = timed(next(exchanges, None), 6)
        else:
            event_id, at, by, action, member, exchange, details = next_event[0]
            link, digest, salt = chain.audit(event_id, at, action, member, exchange, by, details)
            audit_updates.append((link, digest, salt, event_id))
            next_event = timed(next(events, None), 1)
        added += 1
        # The chunked reads ask for rows with no link past the last key read, so rows
        # updated here are never read twice.
        if len(exchange_updates) >= CHUNK:
            _store_links(connection, "exchanges", "number", exchange_updates)
        if len(audit_updates) >= CHUNK:
            _store_links(connection, "audit", "id", audit_updates)
    _store_links(connection, "exchanges", "number", exchange_updates)
    _store_links(connection, "audit", "id", audit_updates)
    return added


def _store_links(connection: Connection, table: str, key: str, updates: list[tuple]) -> None:
    if updates:
        mark = _mark(connection)
        connection.exec_driver_sql(f"UPDATE {table} SET link = {mark}, link_hash = {mark}, salt = {mark} "
                                   f"WHERE {key} = {mark}", updates)
        updates.clear()


# Erasure: taking parts out ------------------------------------------------------------------

def personal_text(kind: str, row: Any) -> tuple[str | None, str | None]:
    """The text of a row that enters its link only as a commitment."""
    return (row.recorded_by, row.note) if kind == EXCHANGE else (row.by, row.details)


COLUMNS = {EXCHANGE: ("recorded_by", "note"), AUDIT: ("by", "details")}


def take_out(kind: str, row: Any, wanted: tuple[str | None, str | None]) -> list[tuple[int, int]]:
    """Erasure of a linked row's personal text: the words of its text that `wanted` (the text
    erasure would leave) no longer has are taken out, with the separators between two of them
    -- their text goes, a run of them reads "[erased]" once, the words' salts go, their hashes
    stay in the row's redaction -- so the row still yields the commitment its link was made
    with. Nothing is ever put in: the stored text is the old one with runs taken out, whatever
    `wanted` says beyond that. Returns the (field, token index) of the parts taken out now."""
    import difflib

    erased = canonical.read_redaction(row.redaction)
    salts = bytes(row.salt or b"")
    kept_salts: list[bytes] = []
    taken: list[tuple[int, int]] = []
    at = 0
    texts: list[str | None] = []
    for number, (old, new) in enumerate(zip(personal_text(kind, row), wanted)):
        if old is None:
            texts.append(None)
            continue
        # The original tokens: a run taken out before stands for its tokens again.
        tokens: list[tuple[bool, str, int]] = []   # (is a word, token, original index), None text if gone
        index = 0
        for is_word, token in canonical.split(old):
            if (number, index) in erased and token == ERASED_MARK:
                while (number, index) in erased:
                    tokens.append((False, "", index))  # gone already
                    index += 1
                continue
            tokens.append((is_word, token, index))
            index += 1
        shown = [(is_word, token) for is_word, token, _i in tokens]
        going = [False] * len(tokens)
        matcher = difflib.SequenceMatcher(None, shown, canonical.split(new or ""), autojunk=False)
        for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
            if tag in ("replace", "delete"):
                words = [i for i in range(i1, i2) if tokens[i][0]]
                if words:
                    # A run from its first word to its last, and the marks around it that the
                    # erasure took too ("[bold]Bob[/bold]"); spacing at its ends stays.
                    first, last = words[0], words[-1]
                    while first > i1 and _markup(tokens[first - 1]):
                        first -= 1
                    while last + 1 < i2 and _markup(tokens[last + 1]):
                        last += 1
                    for i in range(first, last + 1):
                        going[i] = True
        # Spacing between two runs goes with them: one "[erased]" for a name however spaced.
        gone_at = [i for i, (_w, _t, original) in enumerate(tokens) if going[i] or (number, original) in erased]
        for first, last in zip(gone_at, gone_at[1:]):
            if last > first + 1 and all(not tokens[i][0] and (tokens[i][1].isspace() or _markup(tokens[i]))
                                        for i in range(first + 1, last)):
                for i in range(first + 1, last):
                    going[i] = True
        out: list[str] = []
        previous_gone = False
        for position, (is_word, token, original) in enumerate(tokens):
            already = (number, original) in erased
            if already or going[position]:
                if not already:
                    if is_word:
                        salt = salts[at:at + canonical.SALT_BYTES]
                        at += canonical.SALT_BYTES
                        erased[(number, original)] = canonical.word_hash(salt, token)
                    else:
                        erased[(number, original)] = token
                    taken.append((number, original))
                if not previous_gone:
                    out.append(ERASED_MARK)
                previous_gone = True
                continue
            previous_gone = False
            if is_word:
                kept_salts.append(salts[at:at + canonical.SALT_BYTES])
                at += canonical.SALT_BYTES
            out.append(token)
        texts.append("".join(out))
    if kind == AUDIT and texts[1] is not None:
        json.loads(texts[1])  # the details stay readable JSON: only words inside strings go
    for column, value in zip(COLUMNS[kind], texts):
        if value is not None:
            setattr(row, column, value)
    row.salt = b"".join(kept_salts)
    row.redaction = canonical.write_redaction(erased)
    return taken


def as_taken_out(old: str, new: str) -> str:
    """What `take_out` leaves of the text `old` when erasure would make it `new`: the
    preview shows exactly what will be stored."""
    from types import SimpleNamespace

    row = SimpleNamespace(recorded_by=old, note=None, redaction=None,
                          salt=bytes(canonical.SALT_BYTES * canonical.word_count((old,))))
    take_out(EXCHANGE, row, (new, None))
    return str(row.recorded_by)


ERASED_MARK = "[erased]"
# Marks that may go with a run taken out: brackets and slashes around a name, never spacing,
# quotes or the commas and braces of an event's JSON details.
_MARKUP = frozenset("[]()<>/*~|")


def _markup(token: tuple[bool, str, int]) -> bool:
    return not token[0] and bool(token[1]) and all(c in _MARKUP for c in token[1])


def resealed_in(details: str) -> list[tuple[str, int, str]]:
    """The (kind, key, commitment hex) a version 1 erasure event's details list."""
    try:
        listed = json.loads(details).get(RESEALED) or []
    except (ValueError, AttributeError):
        return []
    return [(str(kind), int(key), str(digest)) for kind, key, digest in listed
            if isinstance(key, int) and isinstance(digest, str)]


def erased_in(details: str) -> list[tuple[str, int, int, int]]:
    """The (kind, key, field, word index) an erasure event's details list as taken out."""
    try:
        listed = json.loads(details).get(ERASED_PARTS) or []
        return [(str(kind), int(key), int(field), int(index)) for kind, key, field, index in listed]
    except (ValueError, AttributeError, TypeError):
        return []


# Seals ----------------------------------------------------------------------------------------------

def current_seal(session: Session) -> Seal | None:
    """The seal of the chain's last link (None while the chain is empty)."""
    link, digest = _head(session.connection())
    return Seal(link, digest) if link else None

