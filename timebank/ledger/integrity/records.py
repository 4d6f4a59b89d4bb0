"""The records on the chain: members, periods of membership, categories, settings,
listings, centres and members' requests for their data. Each change to one of them --
made, changed, deleted -- is a record link of the chain (`canonical`, "Records (version
2)"), written in the same transaction as the change; `check` proves that every row is as
its latest record link says.

A record link carries the row's digest (`row_digest`): its structural columns in the clear
and its personal text only as a salted commitment, with a new salt drawn every time the row
is linked, so that an old digest cannot confirm a guess at an erased name. Columns that are
not part of the record are left out: a member's cached balance (`check` proves it from the
entries; every exchange changes two of them and links nothing here), the salt itself, and
the `*_link` columns `storage.links` stamps after the event.

A column added to a record table enters its list below, and the migration that adds it
relinks every row already there (`link_rows`): their digests change shape with it. Until
then (the upgrades before it, which run this code) a column the table does not have yet is
read as null (`link_unlinked_records`).

Writes through the ORM are linked by the listeners below, so that no command can forget;
the few writes that bypass the unit of work (an UPDATE statement, a bulk load) call
`link_rows` or `link_unlinked_records` themselves.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from timebank.ledger.integrity import canonical
from timebank.ledger.integrity.chain import ChainWriter, writer
from timebank.ledger.messages import Phrase, _, ngettext
from timebank.ledger.storage.models import (AccessRequest, Category, Centre, Listing, Member, MemberPeriod,
                                          OutcomeMeasure, OutcomeScore, Partner, PartnerAccount, PartnerFile,
                                          PartnerTrade, Setting)

_sha256 = hashlib.sha256

RECORD = "record"

# The kind of value in a column, as the digest writes it. OPTIONAL: text that enters the
# digest only when there is some (a member's home centre): a row without it has the digest
# it had before the column existed, so adding it relinked nothing.
INT, TEXT, DAY, MOMENT, BOOL, OPTIONAL = "int", "text", "day", "moment", "bool", "optional"

# Per table, in this order (the order `link_unlinked_records` links them): the key column,
# the structural columns (in the clear, in this order) and the personal ones (committed).
TABLES: dict[str, tuple[tuple[str, str], tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    "members": (("number", INT),
                (("kind", TEXT), ("lang", TEXT), ("joined", DAY), ("left", DAY), ("forgotten", MOMENT),
                 ("created_at", MOMENT), ("large_print", BOOL), ("centre", OPTIONAL)),
                ("name", "sort_as", "email", "phone", "note", "area")),
    "member_periods": (("id", INT), (("member", INT), ("joined", DAY), ("left", DAY), ("ended_by", TEXT)), ()),
    "categories": (("code", TEXT), (("code_cy", TEXT), ("name_en", TEXT), ("name_cy", TEXT), ("goals", OPTIONAL)),
                   ()),
    "settings": (("key", TEXT), (), ("value",)),
    "listings": (("id", INT),
                 (("kind", TEXT), ("member", INT), ("category", TEXT), ("opened", DAY), ("closed", DAY),
                  ("closed_because", TEXT), ("exchange", INT)),
                 ("note",)),
    "centres": (("code", TEXT), (("name", TEXT), ("created_at", MOMENT)), ()),
    "access_requests": (("id", INT), (("member", INT), ("received", DAY), ("due", DAY), ("done", DAY)), ()),
    "outcome_measures": (("id", INT), (("name", TEXT), ("minimum", TEXT), ("maximum", TEXT),
                                       ("meaningful_change", TEXT), ("conversion", OPTIONAL), ("created_at", MOMENT)),
                         ()),
    # A score is health data: in the clear only who, which measure, when and whether helped.
    "outcome_scores": (("id", INT), (("member", INT), ("measure", INT), ("day", DAY), ("assisted", BOOL),
                                     ("created_at", MOMENT)), ("raw", "score")),
    # Trade with partner banks (migration 0014): nothing personal (a partner member's first
    # name is their account's name, a member row).
    "partners": (("code", TEXT), (("name", TEXT), ("limit_minutes", INT), ("joined", DAY), ("left", DAY),
                                  ("created_at", MOMENT)), ()),
    "partner_accounts": (("member", INT), (("partner", TEXT), ("number", INT)), ()),
    "partner_trades": (("id", INT), (("exchange", INT), ("partner", TEXT), ("trade", TEXT)), ()),
    "partner_files": (("id", INT), (("partner", TEXT), ("direction", TEXT), ("hash", TEXT), ("made", MOMENT),
                                    ("at", MOMENT), ("trades", INT), ("voids", INT), ("held", TEXT)), ()),
}

MODELS: dict[type, str] = {Member: "members", MemberPeriod: "member_periods", Category: "categories",
                           Setting: "settings", Listing: "listings", Centre: "centres",
                           AccessRequest: "access_requests", OutcomeMeasure: "outcome_measures",
                           OutcomeScore: "outcome_scores", Partner: "partners",
                           PartnerAccount: "partner_accounts", PartnerTrade: "partner_trades",
                           PartnerFile: "partner_files"}

PARTNER_TABLES = frozenset({"partners", "partner_accounts", "partner_trades", "partner_files"})

# What never enters a digest: a cache `check` proves otherwise (the balance, the folded
# name), the salt, and the links stamped after the event (`storage.links`). A change to
# these alone links nothing.
EXCLUDED = frozenset({"balance_minutes", "folded", "salt", "opened_link", "closed_link", "made_link"})


def _select(tbl: str, absent: frozenset[str] = frozenset()) -> str:
    """The query of a table's rows as the digest reads them; a column in `absent` (one a
    later migration adds) is read as null."""
    key, structural, personal = TABLES[tbl]
    columns = [key[0], *(name for name, _kind in structural), *personal, "salt"]
    return "SELECT " + ", ".join("NULL" if name in absent else f'"{name}"' for name in columns) + f' FROM "{tbl}"'


def _absent(connection: Connection, tbl: str) -> frozenset[str]:
    """The columns of the digest this table does not have yet (an upgrade before the one
    that adds them)."""
    key, structural, personal = TABLES[tbl]
    present = {column["name"] for column in inspect(connection).get_columns(tbl)}
    return frozenset(name for name in (key[0], *(name for name, _kind in structural), *personal)
                     if name not in present)


def _value(kind: str, value: Any) -> str:
    """A column's value in the canonical form; a value of the wrong type (a damaged or
    edited row) is written so that it can never equal a right one."""
    if value is None:
        return "null"
    try:
        if kind == INT and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if kind == BOOL and isinstance(value, int) and value in (0, 1):
            # SQLite keeps 0 or 1; PostgreSQL gives False or True.
            return "true" if value else "false"
        if kind in (TEXT, OPTIONAL) and isinstance(value, str):
            return canonical.string(value)
        if kind == DAY:
            # SQLite keeps the ISO text; PostgreSQL gives a date.
            return canonical.string(value if isinstance(value, str) else value.isoformat())
        if kind == MOMENT:
            return canonical.string(canonical.moment_text(value))
    except (ValueError, TypeError, AttributeError):
        pass
    return canonical.string(f"\x00{type(value).__name__}:{value!r}")


def key_text(value: Any) -> str:
    """A row's key as the record link carries it: decimal text, or the text key."""
    return value if isinstance(value, str) else str(value)


def row_digest(tbl: str, values: Sequence[Any]) -> bytes:
    """The digest of a row (32 bytes), from its values in the order `_select` reads them:
    key, structural columns, personal columns, salt.

        commitment = SHA-256( salt || UTF-8 of the JSON array of the personal columns )
        digest     = SHA-256( UTF-8 of [tbl, key, structural..., commitment hex] )

    (canonical JSON, as the links: `canonical.string` for text, decimal integers, ISO dates
    and moments, null for nothing). A table with no personal column commits to `[]`."""
    _key, structural, personal = TABLES[tbl]
    count = len(structural)
    salt = values[-1]
    texts = values[1 + count:1 + count + len(personal)]
    committed = _sha256((b"" if salt is None else bytes(salt))
                        + ("[" + ",".join([_value(TEXT, text) for text in texts]) + "]").encode("utf-8")).hexdigest()
    parts = [canonical.string(tbl), canonical.string(key_text(values[0]))]
    parts += [_value(kind, value) for (_name, kind), value in zip(structural, values[1:1 + count])
              if value is not None or kind != OPTIONAL]
    parts.append('"' + committed + '"')
    return _sha256(("[" + ",".join(parts) + "]").encode("utf-8")).digest()


# Writing ---------------------------------------------------------------------------------------

def _mark(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _rows(connection: Connection, tbl: str, keys: Sequence[Any], absent: frozenset[str] = frozenset()
          ) -> dict[str, tuple]:
    """The rows of `tbl` with these keys, as the driver gives them (as `check` reads them)."""
    found: dict[str, tuple] = {}
    mark = _mark(connection)
    column = TABLES[tbl][0][0]
    for start in range(0, len(keys), 500):
        chunk = list(keys[start:start + 500])
        sql = f'{_select(tbl, absent)} WHERE "{column}" IN ({", ".join([mark] * len(chunk))})'
        for row in connection.exec_driver_sql(sql, tuple(chunk)).fetchall():
            found[key_text(row[0])] = tuple(row)
    return found


def _append(connection: Connection, chain: ChainWriter, tbl: str, keys: Iterable[Any],
            absent: frozenset[str] = frozenset()) -> int:
    """Append a record link for each key (the row as it is now; null if it is gone)."""
    ordered = list(dict.fromkeys(keys))
    rows = _rows(connection, tbl, ordered, absent)
    written: list[tuple] = []
    for key in ordered:
        row = rows.get(key_text(key))
        digest = None if row is None else row_digest(tbl, row)
        link, link_hash = chain.record(tbl, key_text(key), digest)
        written.append((link, link_hash, tbl, key_text(key), digest))
    if written:
        mark = _mark(connection)
        connection.exec_driver_sql(f"INSERT INTO record_links (link, link_hash, tbl, key, digest) "
                                   f"VALUES ({', '.join([mark] * 5)})", written)
    return len(written)


def _salt(connection: Connection, tbl: str, keys: Sequence[Any]) -> None:
    """A new salt for each of these rows: a row is salted afresh every time it is linked."""
    if keys:
        mark = _mark(connection)
        connection.exec_driver_sql(f'UPDATE "{tbl}" SET salt = {mark} WHERE "{TABLES[tbl][0][0]}" = {mark}',
                                   [(canonical.new_salt(), key) for key in keys])


def link_rows(target: Session | Connection, tbl: str, keys: Iterable[Any]) -> int:
    """Link rows written without the ORM's unit of work (an UPDATE statement, a bulk load):
    each gets a new salt and a record link. With a session, its chain writer appends (so
    that the links of its transaction follow one another). Returns the links added."""
    keys = list(dict.fromkeys(keys))
    if isinstance(target, Session):
        connection, chain = target.connection(), writer(target)
        absent: frozenset[str] = frozenset()
    else:
        # An upgrade (0009 relinks every member) runs before later columns exist.
        connection, chain = target, ChainWriter(target)
        absent = _absent(connection, tbl)
    _salt(connection, tbl, keys)
    return _append(connection, chain, tbl, keys, absent)


def _sort_key(value: Any) -> tuple:
    return (0, value, "") if isinstance(value, int) else (1, 0, str(value))


def link_unlinked_records(connection: Connection) -> int:
    """Give every record that has no record link one, after the chain's head, in a fixed
    order (members, periods of membership, categories, settings, listings; each by key):
    the upgrade to version 2 (migration 0008) and bulk loads. Returns the number of links
    added."""
    chain = ChainWriter(connection)
    added = 0
    tables = set(inspect(connection).get_table_names())
    for tbl, ((column, _kind), _structural, _personal) in TABLES.items():
        if tbl not in tables:  # an upgrade before the one that makes it
            continue
        linked = {key for (key,) in connection.exec_driver_sql(
            f"SELECT DISTINCT key FROM record_links WHERE tbl = {_mark(connection)}", (tbl,))}
        keys = sorted((key for (key,) in connection.exec_driver_sql(f'SELECT "{column}" FROM "{tbl}"')
                       if key_text(key) not in linked), key=_sort_key)
        _salt(connection, tbl, keys)
        added += _append(connection, chain, tbl, keys, _absent(connection, tbl))
    return added


_PENDING = "timebank_records"


def _changed(instance: Any) -> bool:
    state = inspect(instance)
    return any(attribute.key not in EXCLUDED and attribute.history.has_changes() for attribute in state.attrs)


@event.listens_for(Session, "before_flush")
def _salt_changes(session: Session, _context: Any, _instances: Any) -> None:
    """Rows of the records this flush makes or changes (not only their cached balance) get a
    new salt, and wait for their record link (`_link_changes`)."""
    pending: list[tuple[str, Any, bool]] = []
    session.info[_PENDING] = pending
    for instance in (*session.new, *session.dirty):
        tbl = MODELS.get(type(instance))
        if tbl is not None and (instance in session.new or _changed(instance)):
            instance.salt = canonical.new_salt()
            pending.append((tbl, instance, False))
    for instance in session.deleted:
        tbl = MODELS.get(type(instance))
        if tbl is not None:
            pending.append((tbl, instance, True))


@event.listens_for(Session, "after_flush")
def _link_changes(session: Session, _context: Any) -> None:
    """The record links of the rows this flush wrote (their keys are known now)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    by_table: dict[str, list[Any]] = {}
    for tbl, instance, _deleted in pending:
        # A new row's identity is set only after this event: its key is read from it.
        key = inspect(instance).mapper.primary_key_from_instance(instance)[0]
        if key is not None:
            by_table.setdefault(tbl, []).append(key)
    connection, chain = session.connection(), writer(session)
    for tbl in TABLES:
        if tbl in by_table:
            _append(connection, chain, tbl, by_table[tbl])


# Checking ------------------------------------------------------------------------------------------

RECORD_LINKS = "SELECT link, link_hash, tbl, key, digest FROM record_links ORDER BY link"


def describe(tbl: str, key: str) -> Phrase:
    """A record as a sentence names it (in a link's message)."""
    if tbl == "members":
        return _("member {number}").format(number=key)
    if tbl == "member_periods":
        return _("period of membership {id}").format(id=key)
    if tbl == "categories":
        return _("category '{code}'").format(code=key)
    if tbl == "settings":
        return _("setting '{key}'").format(key=key)
    if tbl == "listings":
        return _("listing {id}").format(id=key)
    if tbl == "centres":
        return _("centre '{code}'").format(code=key)
    if tbl == "access_requests":
        return _("access request {id}").format(id=key)
    if tbl == "outcome_measures":
        return _("outcome measure {id}").format(id=key)
    if tbl == "outcome_scores":
        return _("outcome score {id}").format(id=key)
    if tbl == "partners":
        return _("partner bank '{code}'").format(code=key)
    if tbl == "partner_accounts":
        return _("partner member account {number}").format(number=key)
    if tbl == "partner_trades":
        return _("partner trade {id}").format(id=key)
    if tbl == "partner_files":
        return _("partner file {id}").format(id=key)
    return _("an unknown record ({table} {key})").format(table=tbl, key=key)


def changed_link(record: tuple[str, str], link: int) -> Phrase:
    return _("Record link #{link} ({record}) has changed since it was written (it does not verify).").format(
        link=link, record=describe(*record))


def misplaced_link(record: tuple[str, str], link: int) -> Phrase:
    return _("Record link #{link} ({record}) is out of place in the chain.").format(
        link=link, record=describe(*record))


def record_links(batches: Iterator[list[tuple]], latest: dict[tuple[str, str], tuple[int, bytes | None]]
                 ) -> Iterator[list[tuple]]:
    """The record links as links of the walk: (link, stored hash, content, RECORD, (tbl, key),
    None), in link order; `latest` learns each record's last link and digest."""
    for batch in batches:
        out: list[tuple] = []
        for link, stored, tbl, key, digest in batch:
            digest = None if digest is None else bytes(digest)
            try:
                content: bytes | bool = canonical.record_content(link, tbl, key, digest)
            except (TypeError, ValueError, AttributeError):
                content = False
            record = (str(tbl), str(key))
            latest[record] = (link, digest)
            out.append((link, None if stored is None else bytes(stored), content, RECORD, record, None))
        yield out


def _not_linked(tbl: str, row: tuple) -> Phrase:
    key = key_text(row[0])
    if tbl == "members":
        return _("Member {number} is not on the chain: timebank did not write it.").format(number=key)
    if tbl == "member_periods":
        return _("Period of membership {id} of member {member} is not on the chain: timebank did not write "
                 "it.").format(id=key, member=row[1])
    if tbl == "categories":
        return _("Category '{code}' is not on the chain: timebank did not write it.").format(code=key)
    if tbl == "settings":
        return _("Setting '{key}' is not on the chain: timebank did not write it.").format(key=key)
    if tbl == "centres":
        return _("Centre '{code}' is not on the chain: timebank did not write it.").format(code=key)
    if tbl == "access_requests":
        return _("Access request {id} of member {member} is not on the chain: timebank did not write it.").format(
            id=key, member=row[1])
    if tbl == "outcome_measures":
        return _("Outcome measure {id} is not on the chain: timebank did not write it.").format(id=key)
    if tbl == "outcome_scores":
        return _("Outcome score {id} of member {member} is not on the chain: timebank did not write it.").format(
            id=key, member=row[1])
    if tbl in PARTNER_TABLES:
        return _("The {record} is not on the chain: timebank did not write it.").format(record=describe(tbl, key))
    return _("Listing {id} is not on the chain: timebank did not write it.").format(id=key)


def _differs(tbl: str, row: tuple, link: int) -> Phrase:
    key = key_text(row[0])
    if tbl == "members":
        return _("Member {number} has changed behind timebank's back (not as its last link #{link} recorded "
                 "it).").format(number=key, link=link)
    if tbl == "member_periods":
        return _("Period of membership {id} of member {member} has changed behind timebank's back (not as its "
                 "last link #{link} recorded it).").format(id=key, member=row[1], link=link)
    if tbl == "categories":
        return _("Category '{code}' has changed behind timebank's back (not as its last link #{link} recorded "
                 "it).").format(code=key, link=link)
    if tbl == "settings":
        return _("Setting '{key}' has changed behind timebank's back (not as its last link #{link} recorded "
                 "it).").format(key=key, link=link)
    if tbl == "centres":
        return _("Centre '{code}' has changed behind timebank's back (not as its last link #{link} recorded "
                 "it).").format(code=key, link=link)
    if tbl == "access_requests":
        return _("Access request {id} of member {member} has changed behind timebank's back (not as its last "
                 "link #{link} recorded it).").format(id=key, member=row[1], link=link)
    if tbl == "outcome_measures":
        return _("Outcome measure {id} has changed behind timebank's back (not as its last link #{link} recorded "
                 "it).").format(id=key, link=link)
    if tbl == "outcome_scores":
        return _("Outcome score {id} of member {member} has changed behind timebank's back (not as its last "
                 "link #{link} recorded it).").format(id=key, member=row[1], link=link)
    if tbl in PARTNER_TABLES:
        return _("The {record} has changed behind timebank's back (not as its last link #{link} recorded "
                 "it).").format(record=describe(tbl, key), link=link)
    return _("Listing {id} has changed behind timebank's back (not as its last link #{link} recorded it).").format(
        id=key, link=link)


def _gone(tbl: str, key: str, link: int) -> Phrase:
    if tbl == "members":
        return _("Member {number} was deleted behind timebank's back (its last link is #{link}).").format(
            number=key, link=link)
    if tbl == "member_periods":
        return _("Period of membership {id} was deleted behind timebank's back (its last link is #{link}).").format(
            id=key, link=link)
    if tbl == "categories":
        return _("Category '{code}' was deleted behind timebank's back (its last link is #{link}).").format(
            code=key, link=link)
    if tbl == "settings":
        return _("Setting '{key}' was deleted behind timebank's back (its last link is #{link}).").format(
            key=key, link=link)
    if tbl == "centres":
        return _("Centre '{code}' was deleted behind timebank's back (its last link is #{link}).").format(
            code=key, link=link)
    if tbl == "access_requests":
        return _("Access request {id} was deleted behind timebank's back (its last link is #{link}).").format(
            id=key, link=link)
    if tbl == "outcome_measures":
        return _("Outcome measure {id} was deleted behind timebank's back (its last link is #{link}).").format(
            id=key, link=link)
    if tbl == "outcome_scores":
        return _("Outcome score {id} was deleted behind timebank's back (its last link is #{link}).").format(
            id=key, link=link)
    if tbl in PARTNER_TABLES:
        return _("The {record} was deleted behind timebank's back (its last link is #{link}).").format(
            record=describe(tbl, key), link=link)
    return _("Listing {id} was deleted behind timebank's back (its last link is #{link}).").format(id=key, link=link)


def problems(rows_of: Any, latest: dict[tuple[str, str], tuple[int, bytes | None]], named: int) -> list[Phrase]:
    """Every record row against its latest record link: rows not on the chain, rows changed
    since, rows deleted. `rows_of(sql)` gives the rows of a query as the driver reads them.
    The first `named` are named, the rest counted."""
    found: list[Phrase] = []
    count = 0

    def say(phrase: Phrase) -> None:
        nonlocal count
        count += 1
        if len(found) < named:
            found.append(phrase)

    for tbl in TABLES:
        seen: set[str] = set()
        rows = sorted(rows_of(_select(tbl)), key=lambda row: _sort_key(row[0]))
        for row in rows:
            key = key_text(row[0])
            seen.add(key)
            link, digest = latest.get((tbl, key), (0, None))
            if digest is None:
                say(_not_linked(tbl, row))
            elif row_digest(tbl, row) != digest:
                say(_differs(tbl, row, link))
        numbered = TABLES[tbl][0][1] == INT
        gone = sorted((key for (table, key), (_link, digest) in latest.items()
                       if table == tbl and digest is not None and key not in seen),
                      key=lambda key: _sort_key(int(key) if numbered and key.isdigit() else key))
        for key in gone:
            say(_gone(tbl, key, latest[(tbl, key)][0]))
    more = count - len(found)
    if more > 0:
        found.append(ngettext("... and {count} more record that is not as timebank wrote it.",
                              "... and {count} more records that are not as timebank wrote them.", more).format(
            count=more))
    return found
