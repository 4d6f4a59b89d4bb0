"""A network's centres: `centres` (a code of 2 to 8 capital letters and digits, a name), each
member's home centre (`members.centre`) and the centre an exchange was recorded at
(`exchanges.centre`). Both columns are null for everything already in the ledger.

No row is linked again: a centre enters a member's record digest, and an exchange's link,
only when there is one (`canonical`, `records`), so every digest and link written before
this revision verifies as it always did. The new table's rows are records of the chain as
`centre add` writes them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "centres",
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("salt", sa.LargeBinary()),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_centres")),
        sa.UniqueConstraint("name", name=op.f("uq_centres_name")),
    )
    # One statement each that both databases take as it is, reference and all: SQLite adds a
    # column without rebuilding the table (a million exchanges), PostgreSQL fills a null
    # without rewriting it.
    for table in ("members", "exchanges"):
        op.execute(f"ALTER TABLE {table} ADD COLUMN centre VARCHAR(8) "
                   f"CONSTRAINT fk_{table}_centre_centres REFERENCES centres (code)")
    op.create_index("ix_members_centre", "members", ["centre"])


def downgrade() -> None:
    op.drop_index("ix_members_centre", "members")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ("exchanges", "members"):
        if sqlite:
            # SQLite will not drop a column a reference names: the table is rebuilt without it.
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.drop_constraint(f"fk_{table}_centre_centres", type_="foreignkey")
                batch.drop_column("centre")
        else:
            op.drop_column(table, "centre")
    op.drop_table("centres")
