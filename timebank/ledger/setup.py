"""Creating a ledger: schema, the pot, default categories and settings."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect, select

from timebank.ledger import audit, settings as settings_module
from timebank.ledger.categories import add_defaults
from timebank.ledger.dates import today
from timebank.i18n import _
from timebank.ledger.db import Ledger, schema_revision, translate_db_errors, upgrade, writing
from timebank.ledger.errors import Refused
from timebank.ledger.members import create_pot
from timebank.ledger.models import Member


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
        settings_module.set_value(session, "lang", lang, by)
        if name:
            settings_module.set_value(session, "name", name, by)
        audit.log(session, by, "ledger.init", name=name or "", lang=lang, ledger=uuid.uuid4().hex)


def has_members(ledger: Ledger) -> bool:
    with writing(ledger) as session:
        return session.scalar(select(Member.number).where(Member.kind != "pot").limit(1)) is not None
