"""The directory a coordinator brokers from: what members offer and what they need.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("member", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("opened", sa.Date(), nullable=False),
        sa.Column("closed", sa.Date()),
        sa.Column("closed_because", sa.String(16)),
        sa.Column("exchange", sa.Integer()),
        sa.CheckConstraint("kind IN ('offer', 'request')", name=op.f("ck_listings_kind")),
        sa.CheckConstraint("closed_because IN ('removed', 'met', 'left', 'erased')",
                           name=op.f("ck_listings_closed_because")),
        sa.ForeignKeyConstraint(["member"], ["members.number"], name=op.f("fk_listings_member_members")),
        sa.ForeignKeyConstraint(["category"], ["categories.code"], name=op.f("fk_listings_category_categories")),
        sa.ForeignKeyConstraint(["exchange"], ["exchanges.number"], name=op.f("fk_listings_exchange_exchanges")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
    )
    op.create_index("ix_listings_open", "listings", ["kind", "category", "closed"])
    op.create_index("ix_listings_member", "listings", ["member"])


def downgrade() -> None:
    op.drop_table("listings")
