"""What an exchange is for: `purpose`, 'help' (every exchange so far) or 'opening' (an
opening balance moved in from another system, with the pot). Help given is what every
activity figure counts; an opening balance changes balances only. The column's default
makes every existing exchange help, as it was counted; the links of the chain are
unchanged (a purpose enters an exchange's link only when it is not help), and so are the
monthly totals (an opening exchange never enters them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NOT_HELP = "purpose <> 'help'"


def upgrade() -> None:
    # One statement both databases take as it is, constraint and all: SQLite adds a column
    # without rebuilding the table (a million exchanges), PostgreSQL fills a constant
    # default without rewriting it.
    op.execute("ALTER TABLE exchanges ADD COLUMN purpose VARCHAR(16) DEFAULT 'help' NOT NULL "
               "CONSTRAINT ck_exchanges_purpose CHECK (purpose IN ('help', 'opening'))")
    op.create_index("ix_exchanges_purpose", "exchanges", ["purpose"], sqlite_where=sa.text(NOT_HELP),
                    postgresql_where=sa.text(NOT_HELP))


def downgrade() -> None:
    op.drop_index("ix_exchanges_purpose", "exchanges")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite will not drop a column a CHECK names: the table is rebuilt without it.
        with op.batch_alter_table("exchanges", recreate="always") as batch:
            batch.drop_constraint("ck_exchanges_purpose", type_="check")
            batch.drop_column("purpose")
    else:
        op.drop_column("exchanges", "purpose")
