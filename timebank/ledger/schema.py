"""A ledger's life as a database: creating it, and bringing an older one up to date.

Above `db` (connections), `backups` (copies) and `migrate` (Alembic), so that none of
those needs the others: opening a ledger never imports the migration machinery.
"""

from __future__ import annotations

import uuid

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from timebank.ledger.records import audit
from timebank.ledger.records import settings as settings_module
from timebank.ledger.records.categories import add_defaults
from timebank.ledger.basics.dates import today
from timebank.ledger.storage.db import (HEAD_REVISION, KNOWN_REVISIONS, Ledger, driver, schema_revision,
                                        translate_db_errors, writing)
from timebank.ledger.errors import LedgerMissing, LedgerUnusable, Refused
from timebank.ledger.messages import _
from timebank.ledger.records.members import create_pot
from timebank.ledger.storage.models import ACCOUNT_KINDS, Member


def ensure_current(ledger: Ledger) -> None:
    """Refuse a ledger that is not initialised or is newer than us; upgrade an older one
    (a SQLite ledger is backed up first)."""
    revision = schema_revision(ledger)
    if revision is None:
        raise LedgerMissing(_("{ledger} is not an initialised timebank ledger. Run 'timebank init' first.").format(
            ledger=ledger.display))
    if revision == HEAD_REVISION:
        return
    if revision not in KNOWN_REVISIONS:
        raise LedgerUnusable(_("This ledger was made by a newer version of timebank (schema {revision}); "
                               "upgrade timebank to use it.").format(revision=revision))
    if ledger.is_sqlite:
        from timebank.ledger.storage.backups import backup

        backup(ledger, automatic=True)
    upgrade(ledger)


def upgrade(ledger: Ledger) -> None:
    """Run every pending migration (Alembic is imported only here)."""
    from timebank.ledger.storage.migrate import upgrade_to_head

    with translate_db_errors(ledger):
        upgrade_to_head(ledger)


def is_initialised(ledger: Ledger) -> bool:
    return schema_revision(ledger) is not None


def initialise(ledger: Ledger, by: str, *, name: str | None, lang: str, reader: str | None = None) -> bool:
    """Create the schema and the first rows in a database that holds nothing yet, in one
    transaction that holds the writers' lock (BEGIN IMMEDIATE on SQLite; on PostgreSQL an
    advisory lock while the database is empty, see `db._TAKE_WRITERS_TURN`): of several
    inits at once, exactly one creates the ledger. Returns False when the ledger was
    already there (another init got there first). `reader`: the language a refusal names
    the settings in (default the ledger's, `lang`)."""
    from timebank.ledger.storage.migrate import migrate_in_transaction

    with translate_db_errors(ledger):
        with ledger.engine.connect() as conn:
            raw = driver(conn)
            if ledger.is_sqlite:
                raw.execute("PRAGMA foreign_keys = OFF")  # as for any migration (see migrate)
            conn.execution_options(timebank_write=True)
            with conn.begin():
                tables = inspect(conn).get_table_names()
                if "alembic_version" in tables and conn.execute(
                        text("SELECT version_num FROM alembic_version")).first():
                    return False
                if tables:
                    # Someone else's database: adding our tables to it would be a change they never asked for.
                    raise Refused(_("{path} already holds a database that is not a timebank ledger; "
                                    "nothing was changed.").format(path=ledger.display))
                migrate_in_transaction(ledger, conn)
                with Session(bind=conn) as session:
                    _first_rows(session, by, name=name, lang=lang, reader=reader or lang)
                    session.flush()
            if ledger.is_sqlite:
                raw.execute("PRAGMA foreign_keys = ON")
    return True


def _first_rows(session: Session, by: str, *, name: str | None, lang: str, reader: str) -> None:
    create_pot(session, today(), lang)
    add_defaults(session)
    settings_module.store(session, "lang", lang, reader)
    if name:
        settings_module.set_value(session, "name", name, by, reader)
    audit.log(session, by, "ledger.init", name=name or "", lang=lang, ledger=uuid.uuid4().hex)


def has_members(ledger: Ledger) -> bool:
    with writing(ledger) as session:
        return session.scalar(select(Member.number).where(Member.kind.not_in(ACCOUNT_KINDS)).limit(1)) is not None
