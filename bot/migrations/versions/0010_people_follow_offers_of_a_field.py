"""people follow the offers of an occupational field; each new offer is announced once

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offer_follows",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=48), nullable=False),
        sa.Column("town", sa.String(length=48), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_offer_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "field", name=op.f("pk_offer_follows")),
    )
    op.create_table(
        "announced_offers",
        sa.Column("offer_id", sa.String(length=120), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_announced_offers")),
    )


def downgrade() -> None:
    op.drop_table("announced_offers")
    op.drop_table("offer_follows")
