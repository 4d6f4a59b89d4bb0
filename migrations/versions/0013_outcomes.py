"""Outcomes (issue 30): the well-being goals each category serves (`categories.goals`), help
given in Welsh (`exchanges.welsh`), and outcome measures with members' scores
(`outcome_measures`, `outcome_scores`).

- `categories.goals`: the codes of the seven goals of the Well-being of Future Generations
  (Wales) Act 2015 a category serves, space-separated in the Act's order; null for none. The
  built-in categories get the defaults of `categories.DEFAULT_GOALS` (a time bank may change
  them: `category goals`), and those rows are linked again (their digests now hold the goals).
  A category with no goals has the digest it had (the column enters it only when set).
- `exchanges.welsh`: true for help carried out in Welsh; false for everything already there
  (an exchange's link carries it only when true, so every link written before verifies).
- `outcome_measures`: a measure the time bank uses (its name, the range of its scores, the
  change it counts as meaningful, and optionally the table that converts a raw score to the
  scale's metric, which the time bank holds under its own licence). Decimals are exact text.
- indexes on the audit's member, exchange and maker, which a member's copy of their data reads.
- `outcome_scores`: one member's score on one measure on one day, as answered (`raw`) and as
  counted (`score`, after conversion), and whether they were helped to answer. Health data:
  the scores are personal columns of the record (committed, never in the clear), and erasure
  deletes the rows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from timebank.ledger.integrity import records
    from timebank.ledger.records.categories import DEFAULT_GOALS

    op.execute("ALTER TABLE categories ADD COLUMN goals TEXT")
    # One statement both databases take: no table rebuild for a million exchanges on SQLite.
    op.execute("ALTER TABLE exchanges ADD COLUMN welsh BOOLEAN NOT NULL DEFAULT false")
    op.create_table(
        "outcome_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("minimum", sa.String(16), nullable=False),
        sa.Column("maximum", sa.String(16), nullable=False),
        sa.Column("meaningful_change", sa.String(16), nullable=False),
        sa.Column("conversion", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("salt", sa.LargeBinary()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_measures")),
        sa.UniqueConstraint("name", name=op.f("uq_outcome_measures_name")),
    )
    op.create_table(
        "outcome_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member", sa.Integer(), nullable=False),
        sa.Column("measure", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("raw", sa.String(16)),
        sa.Column("score", sa.String(16)),
        sa.Column("assisted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("salt", sa.LargeBinary()),
        sa.ForeignKeyConstraint(["member"], ["members.number"], name=op.f("fk_outcome_scores_member_members")),
        sa.ForeignKeyConstraint(["measure"], ["outcome_measures.id"],
                                name=op.f("fk_outcome_scores_measure_outcome_measures")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_scores")),
    )
    op.create_index("ix_outcome_scores_member", "outcome_scores", ["member"])
    op.create_index("ix_outcome_scores_measure_day", "outcome_scores", ["measure", "day"])
    # A member's copy of their data (`member export`) reads the events about them, those of
    # their exchanges and those they made: without these, two passes over the whole audit.
    op.create_index("ix_audit_member", "audit", ["member"])
    op.create_index("ix_audit_exchange", "audit", ["exchange"])
    op.create_index("ix_audit_by", "audit", ["by"])
    connection = op.get_bind()
    present = {code for (code,) in connection.exec_driver_sql("SELECT code FROM categories")}
    changed = []
    for code, goals in DEFAULT_GOALS.items():
        if code in present and goals:
            connection.exec_driver_sql(
                "UPDATE categories SET goals = %s WHERE code = %s" if connection.dialect.name == "postgresql"
                else "UPDATE categories SET goals = ? WHERE code = ?", (" ".join(goals), code))
            changed.append(code)
    if changed:
        records.link_rows(connection, "categories", sorted(changed))


def downgrade() -> None:
    for index in ("ix_audit_by", "ix_audit_exchange", "ix_audit_member"):
        op.drop_index(index, "audit")
    op.drop_index("ix_outcome_scores_measure_day", "outcome_scores")
    op.drop_index("ix_outcome_scores_member", "outcome_scores")
    op.drop_table("outcome_scores")
    op.drop_table("outcome_measures")
    with op.batch_alter_table("exchanges", recreate="always") as batch:
        batch.drop_column("welsh")
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("goals")
