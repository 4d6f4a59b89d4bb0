"""A ledger's life as a database: creating it, and bringing an older one up to date.

Above `db` (connections), `backups` (copies) and `migrate` (Alembic), so that none of
those needs the others: opening a ledger never imports the migration machinery.
"""

from __future__ import annotations

import uuid

from sqlalchemy import inspect, select

from timebank.i18n import _
from timebank.ledger import audit
from timebank.ledger import settings as settings_module
from timebank.ledger.categories import add_defaults
from timebank.ledger.dates import today
from timebank.ledger.db import (HEAD_REVISION, KNOWN_REVISIONS, Ledger, schema_revision, translate_db_errors,
                                writing)
from timebank.ledger.errors import LedgerMissing, LedgerUnusable, Refused
from timebank.ledger.members import create_pot
from timebank.ledger.models import Member


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
        from timebank.ledger.backups import backup

        backup(ledger, automatic=True)
    upgrade(ledger)


def upgrade(ledger: Ledger) -> None:
    """Run every pending migration (Alembic is imported only here)."""
    from timebank.ledger.migrate import upgrade_to_head

    with translate_db_errors(ledger):
        upgrade_to_head(ledger)


def is_initialised(ledger: Ledger) -> bool:
    return schema_revision(ledger) is not None


def initialise(ledger: Ledger, by: str, *, name: str | None, lang: str) -> None:
    """Create the schema and the first rows in a database that holds nothing yet."""
    with translate_db_errors(ledger):
        tables = inspect(ledger.engine).get_table_names()
    if tables:
        # Someone else's database: adding our tables to it would be a change they never asked for.
        raise Refused(_("{path} already holds a database that is not a timebank ledger; nothing was changed.").format(
            path=ledger.display))
    upgrade(ledger)
    with writing(ledger) as session:
        if session.scalar(select(Member.number).where(Member.kind == "pot")) is not None:
            return
        create_pot(session, today(), lang)
        add_defaults(session)
        settings_module.store(session, "lang", lang)
        if name:
            settings_module.set_value(session, "name", name, by)
        audit.log(session, by, "ledger.init", name=name or "", lang=lang, ledger=uuid.uuid4().hex)


def has_members(ledger: Ledger) -> bool:
    with writing(ledger) as session:
        return session.scalar(select(Member.number).where(Member.kind != "pot").limit(1)) is not None
