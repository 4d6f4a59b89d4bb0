"""Cached figures for speed at a million exchanges: each member's balance, live exchange
counts and minutes per month and category, and an index on entry dates. `timebank check`
proves the caches equal the entries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FILL_BALANCES = ("UPDATE members SET balance_minutes = COALESCE("
                 "(SELECT SUM(entries.minutes) FROM entries WHERE entries.member = members.number), 0)")
FILL_MONTHS = (
    "INSERT INTO month_totals (month, category, exchanges, minutes) "
    "SELECT substr(CAST(x.date AS VARCHAR(10)), 1, 7), x.category, COUNT(DISTINCT x.number), "
    "SUM(CASE WHEN e.minutes > 0 THEN e.minutes ELSE 0 END) "
    "FROM exchanges x JOIN entries e ON e.exchange = x.number "
    "WHERE x.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM exchanges r WHERE r.reverses = x.number) "
    "GROUP BY substr(CAST(x.date AS VARCHAR(10)), 1, 7), x.category")


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("balance_minutes", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "month_totals",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("exchanges", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["category"], ["categories.code"], name=op.f("fk_month_totals_category_categories")),
        sa.PrimaryKeyConstraint("month", "category", name=op.f("pk_month_totals")),
    )
    op.create_index("ix_entries_date", "entries", ["date", "member", "minutes"])
    op.execute(FILL_BALANCES)
    op.execute(FILL_MONTHS)


def downgrade() -> None:
    op.drop_index("ix_entries_date", table_name="entries")
    op.drop_table("month_totals")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("balance_minutes")
