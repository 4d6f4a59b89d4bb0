"""Large print for a member: `members.large_print`, whose statements are then printed at
16 pt in RNIB's clear print (`statement --all` too). False for every member already there.

The column is part of a member's record digest (`records.TABLES`), so every member row
already in the ledger is linked again, with the column, after the chain's head: without
that, `check` would find each one changed behind timebank's back.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from timebank.ledger.integrity import records

    op.add_column("members", sa.Column("large_print", sa.Boolean(), nullable=False, server_default=sa.false()))
    connection = op.get_bind()
    numbers = [number for (number,) in connection.exec_driver_sql("SELECT number FROM members ORDER BY number")]
    records.link_rows(connection, "members", numbers)


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("large_print")
