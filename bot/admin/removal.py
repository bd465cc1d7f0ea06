"""Removing an item in the browser, and bringing a removed item back.

A removal keeps the item's last body as a "removed" version, so nothing is lost and the
item can return. A contact that entries still point to cannot be removed: those entries
would name a contact that no longer exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin.accounts import Permission, may
from bot.admin.audit import audit
from bot.admin.editorial import EditorialError, NotAllowed, published_item
from bot.content_versions import keep_served_state, last_number, new_revision, record_version, version
from bot.db.models import AdminAccount, ContentDraft, ContentItem, ContentVersion, display_title
from knowledge.item_check import item_problems


async def users_of_contact(session: AsyncSession, contact_id: str) -> list[str]:
    rows = await session.scalars(select(ContentItem).where(ContentItem.kind == "faq"))
    return sorted(row.item_id for row in rows if contact_id in (row.body.get("contacts") or ()))


async def remove_item(session: AsyncSession, account: AdminAccount, kind: str, item_id: str) -> None:
    if not may(account, Permission.PUBLISH):
        raise NotAllowed("Your account may not remove items; an editor does.")
    row = await published_item(session, kind, item_id)
    if row is None:
        raise EditorialError(f"There is no {kind} item '{item_id}'.")
    if kind == "contact":
        users = await users_of_contact(session, item_id)
        if users:
            raise EditorialError(
                f"The entries {', '.join(users)} point to this contact; take it out of their "
                "facts first, so no entry names a contact that is gone."
            )
    key = f"{kind}:{item_id}"
    revision = await new_revision(session, account.username, f"web admin: remove {key}", removed=[key])
    await keep_served_state(session, row, "as served before the removal")
    await record_version(
        session, kind, item_id, None, author=account.username, revision_id=revision.id, note="remove"
    )
    await session.execute(
        delete(ContentDraft).where(ContentDraft.kind == kind, ContentDraft.item_id == item_id)
    )
    await audit(session, account, "remove", f"{kind}:{item_id}", dict(row.body), None)
    await session.delete(row)


@dataclass(frozen=True, slots=True)
class Removed:
    kind: str
    item_id: str
    title: str
    version: ContentVersion


async def removed_items(session: AsyncSession) -> list[Removed]:
    """Items whose latest version is a removal and that are not served again."""
    latest = (
        select(ContentVersion.kind, ContentVersion.item_id, func.max(ContentVersion.number).label("number"))
        .group_by(ContentVersion.kind, ContentVersion.item_id)
        .subquery()
    )
    rows = await session.scalars(
        select(ContentVersion)
        .join(
            latest,
            (ContentVersion.kind == latest.c.kind)
            & (ContentVersion.item_id == latest.c.item_id)
            & (ContentVersion.number == latest.c.number),
        )
        .where(ContentVersion.removed.is_(True))
        .order_by(ContentVersion.created_at.desc())
    )
    found = []
    for v in rows:
        found.append(Removed(v.kind, v.item_id, display_title(v.body) or v.item_id, v))
    return found


async def bring_back(session: AsyncSession, account: AdminAccount, kind: str, item_id: str) -> ContentItem:
    """Serve a removed item again with the body it had when it was removed."""
    if not may(account, Permission.PUBLISH):
        raise NotAllowed("Your account may not restore items; an editor does.")
    if await published_item(session, kind, item_id) is not None:
        raise EditorialError(f"'{item_id}' is served already.")
    number = await last_number(session, kind, item_id)
    last = await version(session, kind, item_id, number) if number else None
    if last is None or not last.removed:
        raise EditorialError(f"'{item_id}' was not removed.")
    body = dict(last.body)
    problems = item_problems(kind, body)
    if kind == "faq":
        gone = [
            ref
            for ref in body.get("contacts") or ()
            if await published_item(session, "contact", str(ref)) is None
        ]
        problems += [
            f"contacts: the contact '{ref}' does not exist any more; bring it back first" for ref in gone
        ]
    if problems:
        raise EditorialError(*problems)
    key = f"{kind}:{item_id}"
    revision = await new_revision(session, account.username, f"web admin: restore removed {key}", added=[key])
    row = ContentItem(kind=kind, item_id=item_id, body=body, revision_id=revision.id)
    session.add(row)
    await record_version(
        session, kind, item_id, body, author=account.username, revision_id=revision.id, note="bring back"
    )
    await audit(session, account, "bring back", f"{kind}:{item_id}", None, body)
    return row
