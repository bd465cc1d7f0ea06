"""The facts of an item beside its texts: topic, sources, dates, contacts, phone, time…

Editors change them in a form; a change is checked like ``kb validate`` and, being a fact
rather than a text, is published at once as a new version (a translation cannot be
"outdated" by a phone number). New items start here too, with their German text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin.accounts import Permission, may
from bot.admin.audit import audit
from bot.admin.editorial import (
    EditorialError,
    NotAllowed,
    length_problems,
    published_item,
    serve_change,
)
from bot.content_versions import new_revision, record_version
from bot.db.models import AdminAccount, ContentItem, ContentVersion
from knowledge.item_check import item_problems
from knowledge.loader import INTERESTS, snapshot_from_items
from knowledge.model import LANGUAGES, TOPICS
from knowledge.offers import OFFER_KINDS, Offer, offer_problems
from knowledge.towns import TownIndex


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    # "text", "long", "date", "bool", "choice", "choices", "sources", "list"
    shape: str
    choices: tuple[str, ...] = ()
    required: bool = False


SOURCES = Field("sources", "sources", required=True)
CHECKED_ON = Field("checked_on", "date", required=True)
FIELDS: dict[str, tuple[Field, ...]] = {
    "faq": (
        Field("topic", "choice", TOPICS, required=True),
        Field("region", "text"),
        Field("tags", "list"),
        Field("contacts", "list"),
        SOURCES,
        CHECKED_ON,
        Field("review_by", "date", required=True),
        Field("review_status", "choice", ("draft", "reviewed", "needs_verification")),
    ),
    "contact": (
        Field("organisation", "text", required=True),
        Field("address", "text"),
        Field("town", "text"),
        Field("phone", "text"),
        Field("email", "text"),
        Field("website", "text"),
        Field("languages", "choices", LANGUAGES),
        Field("topics", "choices", TOPICS),
        SOURCES,
        CHECKED_ON,
        Field("needs_verification", "bool"),
        Field("editor_note", "long"),
    ),
    "event": (
        Field("starts_at", "text", required=True),
        Field("ends_at", "text"),
        Field("town", "text"),
        Field("languages", "choices", LANGUAGES),
        SOURCES,
        CHECKED_ON,
        Field("needs_verification", "bool"),
        Field("editor_note", "long"),
    ),
    # Dotted names are fields of a part: contact.phone is the phone under contact.
    "offer": (
        Field("company", "text", required=True),
        Field("town", "text", required=True),
        Field("fields", "list", required=True),
        Field("kind", "choice", OFFER_KINDS, required=True),
        Field("team_languages", "list", required=True),
        Field("contact.person", "text"),
        Field("contact.phone", "text"),
        Field("contact.email", "text"),
        Field("contact.url", "text"),
        Field("valid_from", "date", required=True),
        Field("valid_until", "date", required=True),
        Field("welcome.agreed_on", "date"),
        SOURCES,
        CHECKED_ON,
        Field("needs_verification", "bool"),
        Field("editor_note", "long"),
    ),
}
# What a new item needs in German besides its facts.
NEW_TEXTS: dict[str, tuple[str, ...]] = {
    "faq": ("question", "answer"),
    "contact": ("description",),
    "event": ("title", "description", "place"),
    "offer": ("description",),
}


def _get(body: Mapping[str, Any], name: str) -> Any:
    part, _, inner = name.partition(".")
    value = body.get(part)
    if inner:
        return value.get(inner) if isinstance(value, Mapping) else None
    return value


def _put(shaped: dict[str, Any], name: str, value: Any) -> None:
    """Set (or, with None, remove) a field; a part left empty is removed too."""
    part, _, inner = name.partition(".")
    if not inner:
        if value is None:
            shaped.pop(part, None)
        else:
            shaped[part] = value
        return
    whole = dict(shaped.get(part) or {})
    if value is None:
        whole.pop(inner, None)
    else:
        whole[inner] = value
    if whole:
        shaped[part] = whole
    else:
        shaped.pop(part, None)


SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,47}$")


def form_values(kind: str, body: Mapping[str, Any]) -> dict[str, str | list[str] | bool]:
    """The item's facts as the form shows them."""
    values: dict[str, str | list[str] | bool] = {}
    for spec in FIELDS[kind]:
        value = _get(body, spec.name)
        if spec.shape == "sources":
            values[spec.name] = "\n".join(
                f"{s.get('url', '')} {s.get('title', '')}".strip() for s in value or []
            )
        elif spec.shape == "list":
            values[spec.name] = ", ".join(str(v) for v in value or [])
        elif spec.shape == "choices":
            values[spec.name] = [str(v) for v in value or []]
        elif spec.shape == "bool":
            values[spec.name] = bool(value)
        elif kind == "event" and spec.name in ("starts_at", "ends_at") and body.get("all_day") and value:
            values[spec.name] = str(value)[:10]  # a day without time is written as the date
        else:
            values[spec.name] = "" if value is None else str(value)
    return values


def body_from_form(kind: str, body: Mapping[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """The item with the form's facts; its texts stay as they are."""
    shaped = dict(body)
    for spec in FIELDS[kind]:
        raw = form.get(spec.name)
        value: Any
        if spec.shape == "sources":
            value = []
            for line in str(raw or "").splitlines():
                url, _, title = line.strip().partition(" ")
                if url:
                    value.append({"url": url, "title": title.strip() or url})
        elif spec.shape == "list":
            value = [part.strip() for part in str(raw or "").split(",") if part.strip()]
        elif spec.shape == "choices":
            chosen = raw if isinstance(raw, list) else []
            value = [c for c in spec.choices if c in chosen]
        elif spec.shape == "bool":
            value = raw in (True, "on")
        else:
            value = str(raw or "").replace("\r\n", "\n").strip() or None
        _put(shaped, spec.name, None if value in (None, [], False) and not spec.required else value)
    if kind == "event":
        shaped.pop("all_day", None)  # the model works it out from a date written without time
    return shaped


async def _offer_problems(session: AsyncSession, body: Mapping[str, Any]) -> list[str]:
    """An offer's town and fields must be known (the cross-file check of ``kb validate``)."""
    stored = {
        row.kind: row.body
        for row in await session.scalars(
            select(ContentItem).where(ContentItem.kind.in_(("towns", INTERESTS)))
        )
    }
    snapshot = snapshot_from_items({"kind": k, "id": k, "body": v} for k, v in stored.items())
    towns = TownIndex(snapshot.towns.towns if snapshot.towns is not None else ())
    offer = Offer.model_validate(body)
    return [
        f"{' → '.join(str(p) for p in loc)}: {message}"
        for loc, message in offer_problems(offer, towns, snapshot.field_names)
    ]


async def reference_problems(session: AsyncSession, kind: str, body: Mapping[str, Any]) -> list[str]:
    """An FAQ entry's contacts and an offer's town and fields must exist (the cross-file
    check of ``kb validate``)."""
    if kind == "offer":
        return await _offer_problems(session, body)
    if kind != "faq":
        return []
    wanted = [str(ref) for ref in body.get("contacts", ())]
    if not wanted:
        return []
    known = set(
        await session.scalars(
            select(ContentItem.item_id).where(ContentItem.kind == "contact", ContentItem.item_id.in_(wanted))
        )
    )
    return [f"contacts: the contact '{ref}' does not exist" for ref in wanted if ref not in known]


async def _problems(session: AsyncSession, kind: str, body: Mapping[str, Any]) -> list[str]:
    return (
        item_problems(kind, body)
        or await reference_problems(session, kind, body)
        or await length_problems(session, kind, body)
    )


async def save_details(
    session: AsyncSession, account: AdminAccount, kind: str, item_id: str, form: Mapping[str, Any]
) -> ContentVersion:
    if not may(account, Permission.PUBLISH):
        raise NotAllowed("Your account may not change facts; an editor does.")
    row = await published_item(session, kind, item_id)
    if row is None or kind not in FIELDS:
        raise EditorialError(f"There is no {kind} item '{item_id}'.")
    body = body_from_form(kind, row.body, form)
    problems = await _problems(session, kind, body)
    if problems:
        raise EditorialError(*problems)
    return await serve_change(session, account, row, body, "change details", "")


async def create_item(
    session: AsyncSession, account: AdminAccount, kind: str, item_id: str, form: Mapping[str, Any]
) -> ContentItem:
    """A new item with its facts and German text, served at once (only editors create)."""
    if not may(account, Permission.PUBLISH):
        raise NotAllowed("Your account may not create items; an editor does.")
    if kind not in FIELDS:
        raise EditorialError(f"'{kind}' items cannot be created here.")
    if not SLUG.match(item_id):
        raise EditorialError(
            "id: 2 to 48 small letters, digits and hyphens, starting with a letter or digit "
            "(it names the file and the buttons, so keep it short and German: 'ausbildung-pflege')."
        )
    if await published_item(session, kind, item_id) is not None:
        raise EditorialError(f"id: '{item_id}' exists already; choose another id.")
    german: dict[str, Any] = {
        name: str(form.get(name) or "").replace("\r\n", "\n").strip()
        for name in NEW_TEXTS[kind]
        if str(form.get(name) or "").strip()
    }
    german["revision"] = 1
    body = body_from_form(kind, {"id": item_id, "translations": {"de": german}}, form)
    if kind == "faq":
        body.setdefault("review_status", "draft")
    problems = await _problems(session, kind, body)
    if problems:
        raise EditorialError(*problems)
    revision = await new_revision(
        session, account.username, f"web admin: create {kind}", added=[f"{kind}:{item_id}"]
    )
    row = ContentItem(kind=kind, item_id=item_id, body=body, revision_id=revision.id)
    session.add(row)
    await record_version(
        session,
        kind,
        item_id,
        body,
        author=account.username,
        revision_id=revision.id,
        note="create",
        language="de",
    )
    await audit(session, account, "create", f"{kind}:{item_id}", None, body)
    return row


def default_dates(today: dt.date) -> dict[str, str]:
    """A new item was checked today and is due for review in half a year."""
    return {"checked_on": today.isoformat(), "review_by": (today + dt.timedelta(days=182)).isoformat()}
