"""Members' requests for a copy of their data (UK GDPR Article 15): `access_requests`, one
row per request -- the member who asked, the day it was received, the day the answer is due
(a calendar month later) and the day it was answered (null while open).

No row is linked again: the table is new and empty. Its rows are records of the chain as
`member access-request` writes them (`records`: no personal column, a member's number and
three days in the clear).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member", sa.Integer(), nullable=False),
        sa.Column("received", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("done", sa.Date()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("salt", sa.LargeBinary()),
        sa.ForeignKeyConstraint(["member"], ["members.number"], name=op.f("fk_access_requests_member_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
    )
    op.create_index("ix_access_requests_member", "access_requests", ["member"])


def downgrade() -> None:
    op.drop_index("ix_access_requests_member", "access_requests")
    op.drop_table("access_requests")
