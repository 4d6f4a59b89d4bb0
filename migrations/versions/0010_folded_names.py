"""Each member's name folded: `members.folded`, the name without case or accents
(`language.fold`), with an index, so that finding a member by name reads the few members
whose name matches instead of folding every name.

Folding strips accents, which SQL cannot do the same way on both databases: the folded
form of every member already there is computed here in Python, in batches. On PostgreSQL the
column compares bytes (COLLATE "C"), as SQLite's does, so that a prefix is a range the
index serves. The column is a cache (`records.EXCLUDED`): no member is linked again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    from timebank.ledger.basics.language import fold

    connection = op.get_bind()
    column_type = sa.Text(collation="C") if connection.dialect.name == "postgresql" else sa.Text()
    op.add_column("members", sa.Column("folded", column_type, nullable=True))
    members = sa.table("members", sa.column("number", sa.Integer), sa.column("name", sa.Text),
                       sa.column("folded", sa.Text))
    update = members.update().where(members.c.number == sa.bindparam("key")).values(folded=sa.bindparam("value"))
    last = None
    while True:
        query = sa.select(members.c.number, members.c.name).order_by(members.c.number).limit(BATCH)
        if last is not None:
            query = query.where(members.c.number > last)
        rows = connection.execute(query).all()
        if not rows:
            break
        connection.execute(update, [{"key": number, "value": None if name is None else fold(name)}
                                    for number, name in rows])
        last = rows[-1][0]
    op.create_index(op.f("ix_members_folded"), "members", ["folded"])


def downgrade() -> None:
    op.drop_index(op.f("ix_members_folded"), table_name="members")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("folded")
