"""Version 2 of the chain (`canonical`): text committed in parts that erasure can remove but
never rewrite, and the whole ledger on the chain -- members, periods of membership,
categories, settings and listings get a link of their own at each change (`record_links`).

The texts of the exchanges and events linked before this upgrade are bound again, in parts,
by the upgrade's own audit event (`ledger.chain`, version 2): from then on no event can
re-bind them. Every record already in the ledger gets its first record link.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

RECORD_TABLES = ("members", "member_periods", "categories", "settings", "listings")
TEXT_TABLES = ("exchanges", "audit")


def upgrade() -> None:
    from timebank.ledger.integrity import upgrade_v2
    from timebank.ledger.records import audit

    op.create_table(
        "record_links",
        sa.Column("link", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("link_hash", sa.LargeBinary(), nullable=False),
        sa.Column("tbl", sa.String(32), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("digest", sa.LargeBinary()),
        sa.PrimaryKeyConstraint("link", name=op.f("pk_record_links")),
    )
    op.create_index("ix_record_links_record", "record_links", ["tbl", "key", "link"])
    for table in RECORD_TABLES:
        op.add_column(table, sa.Column("salt", sa.LargeBinary()))
    for table in TEXT_TABLES:
        op.add_column(table, sa.Column("text_commitment", sa.LargeBinary()))
        op.add_column(table, sa.Column("redaction", sa.Text()))
    upgrade_v2.run(op.get_bind(), audit.now(), audit.current_user())


def downgrade() -> None:
    for table in TEXT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("redaction")
            batch.drop_column("text_commitment")
    for table in RECORD_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("salt")
    op.drop_index("ix_record_links_record", table_name="record_links")
    op.drop_table("record_links")
