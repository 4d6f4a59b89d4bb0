"""Every category gets a Welsh code beside its English one (`cludiant` for `transport`),
and the Welsh name of `diy` says repairs, not housework.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The default categories' Welsh codes (ASCII, like the English codes they stand beside).
WELSH_CODES = {
    "transport": "cludiant", "gardening": "garddio", "shopping": "siopa", "companionship": "cwmniaeth",
    "diy": "trwsio", "computers": "cyfrifiaduron", "cooking": "coginio", "childcare": "gofal_plant",
    "teaching": "addysgu", "events": "digwyddiadau", "admin": "gweinyddu", "other": "arall",
}


def upgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.add_column(sa.Column("code_cy", sa.String(32), nullable=True))
        batch.create_unique_constraint(op.f("uq_categories_code_cy"), ["code_cy"])
    categories = sa.table("categories", sa.column("code", sa.String), sa.column("code_cy", sa.String),
                          sa.column("name_cy", sa.Text))
    taken = {row[0] for row in op.get_bind().execute(sa.select(categories.c.code))}
    for english, welsh in WELSH_CODES.items():
        # A user-made category may already be called by the Welsh code: then it keeps it.
        if welsh not in taken:
            op.execute(categories.update().where(categories.c.code == english).values(code_cy=welsh))
    op.execute(categories.update().where(categories.c.code == "diy",
                                         categories.c.name_cy == "Gwaith tŷ a thrwsio")
               .values(name_cy="Trwsio a gwaith DIY"))


def downgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.drop_constraint(op.f("uq_categories_code_cy"), type_="unique")
        batch.drop_column("code_cy")
