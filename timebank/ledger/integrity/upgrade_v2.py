"""The upgrade of a ledger's chain to version 2 of the canonical form (migration 0008).

Every exchange and event linked in version 1 keeps its link as it is (seals printed before
still hold): the commitment its link was made with is kept beside it (`erased_commitment`),
its text is committed again in parts with fresh salts (`text_commitment`, `salt`), and one
audit event binds all of those, in link order. Then every record gets its first record link.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, bindparam, text
from sqlalchemy.engine import Connection

from timebank.ledger.integrity import canonical, chain, records

CHUNK = 5_000
TABLES = (("exchanges", "number", "recorded_by, note"), ("audit", "id", '"by", details'))


def run(connection: Connection, at: datetime, by: str) -> None:
    """The upgrade, its event dated `at` and written by `by` (the migration says who runs it)."""
    had_history = connection.execute(text("SELECT count(*) FROM audit")).scalar()
    texts = sum(_recommit(connection, table, key, columns) for table, key, columns in TABLES)
    bound = bound_digest(connection)
    records.link_unlinked_records(connection)
    if not had_history:
        return  # a new ledger: nothing was written before version 2
    _record_upgrade(connection, texts, bound, at, by)


def _recommit(connection: Connection, table: str, key: str, columns: str) -> int:
    """Every linked row of `table` committed again in parts. Returns how many."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    last: Any = None
    done = 0
    while True:
        after = "" if last is None else f" AND {key} > {mark}"
        rows = connection.exec_driver_sql(
            f"SELECT {key}, {columns}, salt, erased_commitment FROM {table} WHERE link IS NOT NULL "
            f"AND text_commitment IS NULL{after} ORDER BY {key} LIMIT {CHUNK}", () if last is None else (last,)
        ).fetchall()
        if not rows:
            return done
        updates = []
        for row_key, first, second, salt, erased in rows:
            personal = (first, second)
            linked = bytes(erased) if erased is not None else canonical.commitment(bytes(salt or b""), personal)
            salts = canonical.new_salts(personal)
            updates.append((linked, salts, canonical.parts_commitment(personal, salts), row_key))
        connection.exec_driver_sql(f"UPDATE {table} SET erased_commitment = {mark}, salt = {mark}, "
                                   f"text_commitment = {mark} WHERE {key} = {mark}", updates)
        done += len(rows)
        last = rows[-1][0]


def bound_digest(connection: Connection) -> str:
    """What the upgrade's event binds: the hex SHA-256 of (the SHA-256 of the exchanges' text
    commitments in number order) followed by (the SHA-256 of the events' in id order), over
    the rows linked in version 1 -- the order `check` reads them in."""
    parts = []
    for table, key in (("exchanges", "number"), ("audit", "id")):
        digest = hashlib.sha256()
        result = connection.exec_driver_sql(
            f"SELECT text_commitment FROM {table} WHERE text_commitment IS NOT NULL ORDER BY {key}",
            execution_options={"stream_results": True})
        while True:
            batch = result.fetchmany(CHUNK)
            if not batch:
                break
            for (committed,) in batch:
                digest.update(bytes(committed))
        parts.append(digest.digest())
    return hashlib.sha256(parts[0] + parts[1]).hexdigest()


def _record_upgrade(connection: Connection, texts: int, bound: str, at: datetime, by: str) -> None:
    details = json.dumps({"canonical": canonical.VERSION, "texts": texts, "bound": bound}, sort_keys=True)
    connection.execute(text('INSERT INTO audit (at, "by", action, details) VALUES (:at, :by, :action, :details)')
                       .bindparams(bindparam("at", type_=DateTime())),
                       {"at": at, "by": by, "action": "ledger.chain", "details": details})
    event_id = int(connection.execute(text("SELECT max(id) FROM audit")).scalar_one())
    link, digest, salt = chain.ChainWriter(connection).audit(event_id, at, "ledger.chain", None, None, by, details)
    connection.execute(text("UPDATE audit SET link = :link, link_hash = :digest, salt = :salt WHERE id = :id"),
                       {"link": link, "digest": digest, "salt": salt, "id": event_id})
