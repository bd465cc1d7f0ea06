"""interest check: anonymous counts per month and language, and a result on the case card

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Counts only: no person, no chat, no answer. measure: started, finished or field.
    op.create_table(
        "interest_counts",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("measure", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "language", "measure", "key"),
    )
    # The result a person chose to show the advisors (fields and scores), purged like the question.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interest_result", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("interest_result")
    op.drop_table("interest_counts")
