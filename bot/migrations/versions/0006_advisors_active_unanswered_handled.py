"""advisors can be deactivated, unanswered questions marked handled, links checked, items titled (web admin)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 20:35:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _title(body: dict[str, Any]) -> str:
    german = (body.get("translations") or {}).get("de") or {}
    text = german.get("question") or german.get("title") or body.get("organisation") or ""
    return str(text).lower()[:300]


def upgrade() -> None:
    with op.batch_alter_table("content_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=300), server_default="", nullable=False))
    items = sa.table(
        "content_items", sa.column("id", sa.Integer), sa.column("body", sa.JSON), sa.column("title")
    )
    bind = op.get_bind()
    for row_id, body in bind.execute(sa.select(items.c.id, items.c.body)).all():
        bind.execute(sa.update(items).where(items.c.id == row_id).values(title=_title(body or {})))
    with op.batch_alter_table("advisors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False))
    with op.batch_alter_table("unanswered_questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "link_checks",
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_link_checks")),
    )


def downgrade() -> None:
    with op.batch_alter_table("content_items", schema=None) as batch_op:
        batch_op.drop_column("title")
    op.drop_table("link_checks")
    with op.batch_alter_table("unanswered_questions", schema=None) as batch_op:
        batch_op.drop_column("handled_at")
    with op.batch_alter_table("advisors", schema=None) as batch_op:
        batch_op.drop_column("active")
