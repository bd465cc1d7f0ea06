"""events are announced once across worker processes; a handled update keeps its replies for an hour

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announced_events",
        sa.Column("event_id", sa.String(length=120), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_announced_events")),
    )
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("replies", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.drop_column("replies")
        batch_op.drop_column("chat_id")
    op.drop_table("announced_events")
