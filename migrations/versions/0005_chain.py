"""The tamper-evident chain: every exchange and audit event becomes a link (its number, its
hash, the salt of its personal text's commitment), the rows already in the ledger are
linked in the order they were written, and an audit event says when the chain began.
Amounts become 64-bit on PostgreSQL as they are on SQLite, so both databases have the
same limits (100,000 hours to 357 receivers overflowed PostgreSQL's INTEGER).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

AMOUNTS = (("entries", "minutes"), ("exchanges", "minutes"), ("members", "balance_minutes"),
           ("month_totals", "minutes"))
LINKED = ("exchanges", "audit")


def upgrade() -> None:
    from timebank.ledger.records import audit
    from timebank.ledger.integrity import canonical, chain
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table, column in AMOUNTS:
            op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer(),
                            existing_nullable=False)
    for table in LINKED:
        op.add_column(table, sa.Column("link", sa.Integer()))
        op.add_column(table, sa.Column("link_hash", sa.LargeBinary()))
        op.add_column(table, sa.Column("salt", sa.LargeBinary()))
        op.add_column(table, sa.Column("erased_commitment", sa.LargeBinary()))

    had_history = bind.execute(sa.text("SELECT count(*) FROM audit")).scalar()
    linked = chain.link_unlinked(bind, canonical.VERSION_1)
    # Indexed once the links are in: building an index at the end is quicker than keeping
    # it up to date through a million updates.
    for table in LINKED:
        op.create_index(f"ix_{table}_link", table, ["link"], unique=True)
    if not had_history:
        return  # a new ledger: its chain begins with its first event
    at, by = audit.now(), audit.current_user()
    details = json.dumps({"canonical": canonical.VERSION_1, "links": linked}, sort_keys=True)
    bind.execute(sa.text('INSERT INTO audit (at, "by", action, details) VALUES (:at, :by, :action, :details)')
                 .bindparams(sa.bindparam("at", type_=sa.DateTime())),
                 {"at": at, "by": by, "action": "ledger.chain", "details": details})
    event_id = bind.execute(sa.text("SELECT max(id) FROM audit")).scalar()
    link, digest, salt = chain.ChainWriter(bind, canonical.VERSION_1).audit(event_id, at, "ledger.chain", None, None,
                                                                            by, details)
    bind.execute(sa.text("UPDATE audit SET link = :link, link_hash = :digest, salt = :salt WHERE id = :id"),
                 {"link": link, "digest": digest, "salt": salt, "id": event_id})


def downgrade() -> None:
    for table in LINKED:
        op.drop_index(f"ix_{table}_link", table_name=table)
        with op.batch_alter_table(table) as batch:
            for column in ("erased_commitment", "salt", "link_hash", "link"):
                batch.drop_column(column)
    if op.get_bind().dialect.name == "postgresql":
        for table, column in AMOUNTS:
            op.alter_column(table, column, type_=sa.Integer(), existing_type=sa.BigInteger(),
                            existing_nullable=False)
