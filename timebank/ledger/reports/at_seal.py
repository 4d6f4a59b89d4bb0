"""The ledger's history as it stood at a seal, for figures made again exactly as they were sent.

A seal names a link of the chain (`canonical.Seal`). The history as it stood at link L is:
the exchanges linked by then (a void linked later has not yet happened, so the exchange it
voids still counts), their entries, the periods of membership opened by then (ended only if
ended by then), the members who had joined by then with their language and area as they
were, the listings made by then (closed only if closed by then), the settings as they were
and the categories there were. Erasure is the one change that is not undone: names and
contact details erased since stay erased, but an erased member counts as they did.

`history_at` builds that history in temporary tables named like the ledger's own: the
database looks in the connection's temporary tables first (SQLite's `temp` schema and
PostgreSQL's `pg_temp` are searched before the others), so every report runs unchanged over
the history at the seal. They are dropped before the snapshot ends.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from timebank.ledger.errors import NotFound
from timebank.ledger.integrity.canonical import Seal, read_seal
from timebank.ledger.messages import _
from timebank.ledger.records import totals
from timebank.ledger.records.erasure import ERASED

# In the order they are made (and dropped in reverse).
TABLES = ("exchanges", "entries", "member_periods", "members", "month_totals", "listings", "settings",
          "categories", "audit", "record_links")
# The tables whose rows are links of the chain (a seal names one of them).
LINKED = ("exchanges", "audit", "record_links")
_INDEXES = (("entries", "date, member, minutes"), ("entries", "member, date, minutes"), ("entries", "exchange"),
            ("exchanges", "number"), ("exchanges", "reverses"), ("exchanges", "date"),
            ("member_periods", "member, joined"), ("members", "number"))


def find_seal(session: Session, typed: str) -> Seal:
    """The seal a person typed, if this ledger holds it: its link exists and its hash begins
    (or, abbreviated, begins and ends) as given."""
    asked = read_seal(typed)
    connection = session.connection()
    row = None
    for table in LINKED:
        row = connection.execute(text(f"SELECT link_hash FROM {table} WHERE link = :link"),
                                 {"link": asked.link}).first() or row
    if row is None or row[0] is None:
        last = max(connection.execute(text(f"SELECT coalesce(max(link), 0) FROM {table}")).scalar_one()
                   for table in LINKED)
        raise NotFound(_("This ledger holds no seal {seal}: its history has {last} links.").format(
            seal=asked.text, last=last))
    digest = bytes(row[0])
    if not asked.matches(digest):
        raise NotFound(_("This ledger holds no seal {seal}: link #{link} is sealed {found}. 'timebank check --seal' "
                         "tells whether the history up to it has changed.").format(
            seal=asked.text, link=asked.link, found=Seal(asked.link, digest).text))
    return Seal(asked.link, digest)


@contextmanager
def history_at(session: Session, seal: Seal) -> Iterator[None]:
    """Within the block, every query of `session` reads the history as it stood at `seal`."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    own = "main" if sqlite else connection.execute(text("SELECT current_schema()")).scalar_one()
    made: list[str] = []
    # On a failure the snapshot's transaction is rolled back, and the temporary tables with it
    # (both databases undo CREATE TABLE): dropping them then would only hide the error.
    _build(session, own, "temp" if sqlite else "pg_temp", seal.link, made)
    session.expire_all()
    yield
    session.expire_all()
    for table in reversed(made):
        connection.execute(text(f"DROP TABLE IF EXISTS {'temp' if sqlite else 'pg_temp'}.{table}"))


def _build(session: Session, own: str, temp: str, link: int, made: list[str]) -> None:
    connection = session.connection()
    at = {"link": link}

    def copy(table: str, select: str) -> None:
        connection.execute(text(f"CREATE TEMPORARY TABLE {table} AS {select}"), at)
        made.append(table)

    copy("exchanges", f"SELECT * FROM {own}.exchanges WHERE link <= :link")
    copy("entries", f"SELECT e.* FROM {own}.entries e JOIN {temp}.exchanges x ON x.number = e.exchange")
    copy("member_periods",
         f'SELECT id, member, joined, CASE WHEN {_closed("closed_link")} THEN "left" END AS "left", '
         f'CASE WHEN {_closed("closed_link")} THEN ended_by END AS ended_by, opened_link, '
         f'CASE WHEN {_closed("closed_link")} THEN closed_link END AS closed_link '
         f"FROM {own}.member_periods WHERE opened_link IS NULL OR opened_link <= :link")
    copy("members", f"SELECT * FROM {own}.members m WHERE kind IN ('pot', 'partner') OR EXISTS "
                    f"(SELECT 1 FROM {temp}.member_periods p WHERE p.member = m.number)")
    for number, (table, columns) in enumerate(_INDEXES):
        connection.execute(text(f"CREATE INDEX {'temp.' if temp == 'temp' else ''}at_seal_{number} "
                                f"ON {table} ({columns})"))
    analyse(connection, temp, *made)
    connection.execute(text(
        f'UPDATE {temp}.members SET "left" = (SELECT p."left" FROM {temp}.member_periods p '
        f"WHERE p.member = {temp}.members.number ORDER BY p.joined DESC, p.id DESC LIMIT 1) "
        f"WHERE kind NOT IN ('pot', 'partner')"))
    connection.execute(text(
        f"UPDATE {temp}.members SET balance_minutes = coalesce((SELECT sum(e.minutes) FROM {temp}.entries e "
        f"WHERE e.member = {temp}.members.number), 0)"))
    copy("month_totals", f"SELECT * FROM {own}.month_totals WHERE 1 = 0")
    copy("listings",
         f"SELECT id, kind, member, category, note, opened, "
         f"CASE WHEN {_closed('closed_link')} THEN closed END AS closed, "
         f"CASE WHEN {_closed('closed_link')} THEN closed_because END AS closed_because, "
         f"CASE WHEN {_closed('closed_link')} THEN exchange END AS exchange, made_link, "
         f"CASE WHEN {_closed('closed_link')} THEN closed_link END AS closed_link "
         f"FROM {own}.listings WHERE made_link IS NULL OR made_link <= :link")
    copy("settings", f"SELECT * FROM {own}.settings")
    copy("categories", f"SELECT * FROM {own}.categories")
    # Only the link the seal names: what the chain's head reads (`chain.current_seal`).
    copy("audit", f"SELECT * FROM {own}.audit WHERE link = :link")
    copy("record_links", f"SELECT * FROM {own}.record_links WHERE link = :link")
    _undo_later_events(connection, own, temp, link)
    session.flush()
    totals.add_to_months(session, totals.expected_months(session))


def _closed(column: str) -> str:
    """A closing that had happened by the link (one with no link of its own always had)."""
    return f"({column} IS NULL OR {column} <= :link)"


def _undo_later_events(connection: Connection, own: str, temp: str, link: int) -> None:
    """What the audit events after the link changed, as it was before them: newest first."""
    later = connection.execute(text(
        f"SELECT action, member, exchange, details FROM {own}.audit WHERE link > :link AND action IN "
        "('member.edit', 'settings.set', 'category.add', 'request.reopen') ORDER BY link DESC"),
        {"link": link}).all()
    reopened = {int(row.member or 0) for row in later if row.action == "request.reopen"}
    met_by_then = {(int(row.member or 0), _details(row.details).get("id")) for row in connection.execute(text(
        f"SELECT member, details FROM {own}.audit WHERE link <= :link AND action = 'request.met'"), {"link": link})
        if int(row.member or 0) in reopened}
    for action, member, exchange, raw in later:
        details = _details(raw)
        if action == "member.edit":
            for field, change in (details.get("changes") or {}).items():
                # An area erased whole by an erasure made before areas went down to their
                # district is not known: the member's present area stands for it.
                old = change.get("old") if isinstance(change, dict) else None
                if isinstance(old, str) and ERASED in old:
                    # Erasure takes a postcode's inward part out ("CF32 [erased]"): its district
                    # is what the figures count.
                    old = old.replace(ERASED, "").strip() or None
                    if old is None:
                        continue
                # A member's home centre too: a centre's figures at a seal count its members then.
                if field in ("lang", "area", "centre") and isinstance(change, dict):
                    connection.execute(text(f"UPDATE {temp}.members SET {field} = :old WHERE number = :number"),
                                       {"old": old, "number": member})
        elif action == "settings.set":
            key, old = details.get("key"), details.get("old")
            if isinstance(key, str) and isinstance(old, str):
                connection.execute(text(f"DELETE FROM {temp}.settings WHERE key = :key"), {"key": key})
                connection.execute(text(f"INSERT INTO {temp}.settings (key, value) VALUES (:key, :value)"),
                                   {"key": key, "value": old})
        elif action == "category.add":
            connection.execute(text(f"DELETE FROM {temp}.categories WHERE code = :code"),
                               {"code": details.get("code")})
        elif action == "request.reopen" and (int(member or 0), details.get("id")) in met_by_then:
            # The void that reopened it came later: at the seal the request was met.
            connection.execute(text(
                f"UPDATE {temp}.listings SET closed = (SELECT date FROM {temp}.exchanges WHERE number = :exchange), "
                "closed_because = 'met', exchange = :exchange WHERE id = :id "
                f"AND EXISTS (SELECT 1 FROM {temp}.exchanges WHERE number = :exchange)"),
                {"exchange": exchange, "id": details.get("id")})


def _details(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def analyse(connection: Connection, temp: str, *tables: str) -> None:
    """PostgreSQL's statistics of temporary tables, which autovacuum never makes: without
    them it plans the joins that read them blind (a year's report at a seal of the 1M-exchange
    bench ledger took 561 s, with them 28 s; a centre's year 29 s, with them 7.7 s). SQLite
    plans from its indexes alone."""
    if connection.dialect.name != "sqlite":
        for table in tables:
            connection.execute(text(f"ANALYZE {temp}.{table}"))
