"""Trade between time banks (issue 31): partner banks, the accounts here of their members,
the trades both banks know by one id, and the files that carried them.

- `members.kind` may be 'partner': the account of a partner bank's member (`DYF:12`), never a
  member in any count. The check constraint is made anew (SQLite: the table rebuilt).
- `partners`: a partner bank's code, name, limit on the balance of trade, and the days the
  partnership began and ended.
- `partner_accounts`: which partner bank and member number each such account stands for.
- `partner_trades`: an exchange with a partner and the id both banks know it by (`BLA-17`).
- `partner_files`: the files of trades sent and received, and what each held.

Every new table is empty, and no row already there changes: no record is linked again (a
member's kind is in its digest as text, and no member has the new kind yet).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('person', 'organisation', 'pot')"
KINDS_NOW = "kind IN ('person', 'organisation', 'pot', 'partner')"


def _kinds(condition: str) -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_constraint(op.f("ck_members_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_members_kind"), sa.text(condition))


def upgrade() -> None:
    _kinds(KINDS_NOW)
    op.create_table(
        "partners",
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("limit_minutes", sa.BigInteger()),
        sa.Column("joined", sa.Date(), nullable=False),
        sa.Column("left", sa.Date()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("salt", sa.LargeBinary()),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_partners")),
        sa.UniqueConstraint("name", name=op.f("uq_partners_name")),
    )
    op.create_table(
        "partner_accounts",
        sa.Column("member", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(8), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("salt", sa.LargeBinary()),
        sa.ForeignKeyConstraint(["member"], ["members.number"], name=op.f("fk_partner_accounts_member_members")),
        sa.ForeignKeyConstraint(["partner"], ["partners.code"], name=op.f("fk_partner_accounts_partner_partners")),
        sa.PrimaryKeyConstraint("member", name=op.f("pk_partner_accounts")),
    )
    op.create_index("ix_partner_accounts_partner_number", "partner_accounts", ["partner", "number"], unique=True)
    op.create_table(
        "partner_trades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exchange", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(8), nullable=False),
        sa.Column("trade", sa.String(40), nullable=False),
        sa.Column("salt", sa.LargeBinary()),
        sa.ForeignKeyConstraint(["exchange"], ["exchanges.number"], name=op.f("fk_partner_trades_exchange_exchanges")),
        sa.ForeignKeyConstraint(["partner"], ["partners.code"], name=op.f("fk_partner_trades_partner_partners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_trades")),
    )
    op.create_index("ix_partner_trades_partner_trade", "partner_trades", ["partner", "trade"], unique=True)
    op.create_index("ix_partner_trades_exchange_partner", "partner_trades", ["exchange", "partner"], unique=True)
    op.create_table(
        "partner_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(8), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("hash", sa.String(80), nullable=False),
        sa.Column("made", sa.DateTime(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("trades", sa.Integer(), nullable=False),
        sa.Column("voids", sa.Integer(), nullable=False),
        sa.Column("held", sa.Text(), nullable=False),
        sa.Column("salt", sa.LargeBinary()),
        sa.CheckConstraint("direction IN ('sent', 'received')", name=op.f("ck_partner_files_direction")),
        sa.ForeignKeyConstraint(["partner"], ["partners.code"], name=op.f("fk_partner_files_partner_partners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_files")),
    )
    op.create_index("ix_partner_files_partner", "partner_files", ["partner", "direction", "made"])


def downgrade() -> None:
    op.drop_index("ix_partner_files_partner", "partner_files")
    op.drop_table("partner_files")
    op.drop_index("ix_partner_trades_exchange_partner", "partner_trades")
    op.drop_index("ix_partner_trades_partner_trade", "partner_trades")
    op.drop_table("partner_trades")
    op.drop_index("ix_partner_accounts_partner_number", "partner_accounts")
    op.drop_table("partner_accounts")
    op.drop_table("partners")
    _kinds(KINDS_BEFORE)
