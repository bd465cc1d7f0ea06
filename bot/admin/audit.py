"""The audit log: who changed what, when, with the state before and after."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AdminAccount, AuditEntry


async def audit(
    session: AsyncSession,
    actor: AdminAccount | str,
    action: str,
    target: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    name = actor if isinstance(actor, str) else actor.username
    session.add(
        AuditEntry(
            actor=name[:100],
            action=action[:40],
            target=target[:120],
            before=dict(before) if before is not None else None,
            after=dict(after) if after is not None else None,
        )
    )


async def recent(session: AsyncSession, limit: int = 200, target: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if target is not None:
        query = query.where(AuditEntry.target.startswith(target))
    return list(await session.scalars(query))
