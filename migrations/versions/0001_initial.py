"""The first ledger: members, categories, exchanges, entries, settings, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sort_as", sa.Text()),
        sa.Column("area", sa.Text()),
        sa.Column("email", sa.Text()),
        sa.Column("phone", sa.Text()),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("joined", sa.Date(), nullable=False),
        sa.Column("left", sa.Date()),
        sa.Column("forgotten", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('person', 'organisation', 'pot')", name=op.f("ck_members_kind")),
        sa.CheckConstraint("lang IN ('cy', 'en')", name=op.f("ck_members_lang")),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_members")),
    )
    op.create_table(
        "categories",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_cy", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_categories")),
    )
    op.create_table(
        "exchanges",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("reverses", sa.Integer()),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_exchanges_minutes_positive")),
        sa.ForeignKeyConstraint(["category"], ["categories.code"], name=op.f("fk_exchanges_category_categories")),
        sa.ForeignKeyConstraint(["reverses"], ["exchanges.number"], name=op.f("fk_exchanges_reverses_exchanges")),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_exchanges")),
        sa.UniqueConstraint("reverses", name=op.f("uq_exchanges_reverses")),
    )
    op.create_index(op.f("ix_exchanges_date"), "exchanges", ["date"])
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exchange", sa.Integer(), nullable=False),
        sa.Column("member", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("minutes <> 0", name=op.f("ck_entries_minutes_nonzero")),
        sa.CheckConstraint("role IN ('giver', 'receiver')", name=op.f("ck_entries_role")),
        sa.ForeignKeyConstraint(["exchange"], ["exchanges.number"], name=op.f("fk_entries_exchange_exchanges")),
        sa.ForeignKeyConstraint(["member"], ["members.number"], name=op.f("fk_entries_member_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
    )
    op.create_index(op.f("ix_entries_exchange"), "entries", ["exchange"])
    op.create_index("ix_entries_member_date", "entries", ["member", "date", "minutes"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("member", sa.Integer()),
        sa.Column("exchange", sa.Integer()),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["member"], ["members.number"], name=op.f("fk_audit_member_members")),
        sa.ForeignKeyConstraint(["exchange"], ["exchanges.number"], name=op.f("fk_audit_exchange_exchanges")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_at"), "audit", ["at"])


def downgrade() -> None:
    for table in ("audit", "settings", "entries", "exchanges", "categories", "members"):
        op.drop_table(table)
