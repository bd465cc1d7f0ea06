"""The editorial workflow: draft → in review → published, per language of an item.

``content_items`` holds what is served and nothing else; unpublished text waits in
``content_drafts``. Publishing merges one language into the item, checks the whole item
the way ``kb validate`` does, keeps the result as a new version and records a content
revision, which running bots pick up (``ContentService.refresh``).

German is the source. A German change counts the item's revision up by itself, so every
translation made from the older text shows as outdated, unless the editor marks the
change minor (a typo). A translation records the German revision it was written
against. ``machine_translated`` stays set until someone allowed to edit that language
confirms the review.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin.accounts import Permission, may, may_edit_language
from bot.admin.audit import audit
from bot.content_versions import keep_served_state, new_revision, record_version, version, versions
from bot.db.models import AdminAccount, ContentDraft, ContentItem, ContentVersion, display_title
from dialogs.content_checks import too_long
from knowledge.item_check import item_problems
from knowledge.loader import snapshot_from_items
from knowledge.model import CONTACT_TEXT_FIELDS, EVENT_TEXT_FIELDS, LANGUAGES, SOURCE_LANGUAGE

# The fields of one language a form edits, per kind of item; lists are one line each.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "faq": ("question", "variants", "answer"),
    "contact": CONTACT_TEXT_FIELDS,
    "event": EVENT_TEXT_FIELDS,
    "offer": ("description",),
}
LIST_FIELDS = frozenset({"variants"})
REQUIRED: dict[str, frozenset[str]] = {
    "faq": frozenset({"question", "answer"}),
    "contact": frozenset({"description"}),
    "event": frozenset({"title", "description"}),
    "offer": frozenset({"description"}),
}
EDITABLE_KINDS = tuple(TEXT_FIELDS)


class Status(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"


class EditorialError(Exception):
    """Why an editorial step cannot be taken, in plain sentences."""

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


class NotAllowed(EditorialError):
    pass


@dataclass(frozen=True, slots=True)
class LanguageState:
    language: str
    published: Mapping[str, Any] | None
    draft: ContentDraft | None
    outdated: bool
    machine_translated: bool

    @property
    def status(self) -> Status:
        if self.draft is not None:
            return Status(self.draft.status)
        return Status.PUBLISHED


@dataclass(frozen=True, slots=True)
class ItemState:
    kind: str
    item_id: str
    body: Mapping[str, Any]
    german_revision: int
    languages: dict[str, LanguageState] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return display_title(self.body) or self.item_id


def texts(body: Mapping[str, Any], language: str) -> dict[str, Any]:
    translations: Mapping[str, Any] = body.get("translations", {})
    return dict(translations.get(language, {}))


def german_revision(kind: str, body: Mapping[str, Any]) -> int:
    """FAQ entries count their German revision; contacts and events count it from their
    translations' ``source_revision`` (1 when none says otherwise)."""
    german = texts(body, SOURCE_LANGUAGE)
    if kind == "faq":
        return int(german.get("revision") or 1)
    stored = [int(t.get("source_revision") or 1) for t in body.get("translations", {}).values()]
    return max([int(german.get("revision") or 1), *stored]) if stored else 1


def _text_only(kind: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    return {name: fields.get(name) for name in TEXT_FIELDS[kind] if fields.get(name) not in (None, "", [])}


async def published_item(session: AsyncSession, kind: str, item_id: str) -> ContentItem | None:
    return await session.scalar(
        select(ContentItem).where(ContentItem.kind == kind, ContentItem.item_id == item_id)
    )


def outdated_languages(kind: str, body: Mapping[str, Any]) -> set[str]:
    """The translations made from an older German text than the one published."""
    revision = german_revision(kind, body)
    return {
        lang
        for lang, text in body.get("translations", {}).items()
        if lang != SOURCE_LANGUAGE and int(text.get("source_revision") or revision) < revision
    }


def _state(kind: str, row: ContentItem, drafts: Mapping[str, ContentDraft]) -> ItemState:
    body = row.body
    state = ItemState(kind, row.item_id, body, german_revision(kind, body))
    behind = outdated_languages(kind, body)
    for lang in LANGUAGES:
        published = body.get("translations", {}).get(lang)
        outdated = lang in behind
        machine = bool(published.get("machine_translated")) if published else False
        state.languages[lang] = LanguageState(lang, published, drafts.get(lang), outdated, machine)
    return state


async def item_state(session: AsyncSession, kind: str, item_id: str) -> ItemState | None:
    row = await published_item(session, kind, item_id)
    if row is None:
        return None
    drafts = await session.scalars(
        select(ContentDraft).where(ContentDraft.kind == kind, ContentDraft.item_id == item_id)
    )
    return _state(kind, row, {d.language: d for d in drafts})


def _clean_fields(kind: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A form's fields as stored text: trimmed, lists one item per line, empty dropped."""
    clean: dict[str, Any] = {}
    for name in TEXT_FIELDS[kind]:
        value = fields.get(name)
        if name in LIST_FIELDS:
            lines = value if isinstance(value, list) else str(value or "").splitlines()
            items = [line.strip() for line in lines if line.strip()]
            if items:
                clean[name] = items
        elif value is not None and str(value).strip():
            clean[name] = str(value).replace("\r\n", "\n").strip()
    return clean


def _merged(kind: str, body: Mapping[str, Any], language: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The item with one language's texts replaced, the bookkeeping fields kept."""
    merged = dict(body)
    translations = {lang: dict(t) for lang, t in body.get("translations", {}).items()}
    kept = {k: v for k, v in translations.get(language, {}).items() if k not in TEXT_FIELDS[kind]}
    translations[language] = {**_clean_fields(kind, fields), **kept}
    merged["translations"] = translations
    return merged


def check_texts(kind: str, body: Mapping[str, Any], language: str, fields: Mapping[str, Any]) -> list[str]:
    """What is wrong with these texts in this item (the same sentences as ``kb validate``)."""
    missing = [name for name in sorted(REQUIRED[kind]) if name not in _clean_fields(kind, fields)]
    if missing:
        return [f"{name}: this field is required; write it before saving" for name in missing]
    trial = _merged(kind, body, language, fields)
    if language != SOURCE_LANGUAGE:
        trial["translations"][language].setdefault("source_revision", german_revision(kind, body))
    return item_problems(kind, trial)


async def length_problems(session: AsyncSession, kind: str, body: Mapping[str, Any]) -> list[str]:
    """An FAQ answer the bot would send longer than one Telegram message, with its contact
    cards and footer (the check ``kb validate`` runs), as sentences."""
    if kind != "faq" or item_problems(kind, body):
        return []
    wanted = {("glossary", "glossary")} | {("contact", str(ref)) for ref in body.get("contacts", ())}
    rows = await session.scalars(
        select(ContentItem).where(
            ContentItem.kind.in_(("contact", "glossary")),
            ContentItem.item_id.in_([item_id for _, item_id in wanted]),
        )
    )
    items = [{"kind": r.kind, "id": r.item_id, "body": r.body} for r in rows if (r.kind, r.item_id) in wanted]
    items.append({"kind": "faq", "id": body["id"], "body": dict(body)})
    return [problem.message for problem in too_long(snapshot_from_items(items))]


def _require_language(account: AdminAccount, language: str) -> None:
    if language not in LANGUAGES:
        raise EditorialError(f"'{language}' is not one of the content languages")
    if not may_edit_language(account, language):
        raise NotAllowed(f"Your account may not edit the {language} texts.")


async def save_draft(
    session: AsyncSession,
    account: AdminAccount,
    kind: str,
    item_id: str,
    language: str,
    fields: Mapping[str, Any],
    *,
    submit: bool = False,
    minor: bool = False,
    reviewed: bool = False,
) -> ContentDraft:
    """Keep the texts as a draft (or submit them for review); nothing is served yet."""
    _require_language(account, language)
    row = await published_item(session, kind, item_id)
    if row is None or kind not in TEXT_FIELDS:
        raise EditorialError(f"There is no {kind} item '{item_id}'.")
    problems = check_texts(kind, row.body, language, fields)
    if not problems:
        problems = await length_problems(session, kind, _merged(kind, row.body, language, fields))
    if problems:
        raise EditorialError(*problems)
    draft = await session.scalar(
        select(ContentDraft).where(
            ContentDraft.kind == kind, ContentDraft.item_id == item_id, ContentDraft.language == language
        )
    )
    before = _draft_summary(draft)
    if draft is None:
        draft = ContentDraft(kind=kind, item_id=item_id, language=language, fields={}, author="")
        session.add(draft)
    draft.fields = _clean_fields(kind, fields)
    draft.status = Status.REVIEW.value if submit else Status.DRAFT.value
    draft.minor = minor and language == SOURCE_LANGUAGE
    draft.reviewed = reviewed and language != SOURCE_LANGUAGE
    draft.german_revision = german_revision(kind, row.body)
    draft.author = account.username
    await session.flush()
    action = "submit for review" if submit else "save draft"
    await audit(session, account, action, f"{kind}:{item_id}:{language}", before, _draft_summary(draft))
    return draft


def _draft_summary(draft: ContentDraft | None) -> dict[str, Any] | None:
    if draft is None:
        return None
    return {
        "status": draft.status,
        "fields": dict(draft.fields),
        "minor": draft.minor,
        "reviewed": draft.reviewed,
        "german_revision": draft.german_revision,
    }


async def serve_change(
    session: AsyncSession,
    account: AdminAccount,
    row: ContentItem,
    body: dict[str, Any],
    note: str,
    language: str,
) -> ContentVersion:
    """Serve ``body``: a content revision for the bots, a version for the history."""
    revision = await new_revision(
        session, account.username, f"web admin: {note}", changed=[f"{row.kind}:{row.item_id}"]
    )
    before = dict(row.body)
    await keep_served_state(session, row, "as served before this change")
    row.body = body
    row.revision_id = revision.id
    saved = await record_version(
        session,
        row.kind,
        row.item_id,
        body,
        author=account.username,
        revision_id=revision.id,
        note=note,
        language=language,
    )
    await audit(session, account, note.split(" ")[0], f"{row.kind}:{row.item_id}:{language}", before, body)
    return saved


async def publish(
    session: AsyncSession, account: AdminAccount, kind: str, item_id: str, language: str
) -> ContentVersion:
    """Serve the language's draft. German counts the revision up unless the draft is minor;
    a translation records the German revision it was written against."""
    if not may(account, Permission.PUBLISH):
        raise NotAllowed("Your account may not publish; an editor publishes what you submitted.")
    _require_language(account, language)
    row = await published_item(session, kind, item_id)
    draft = await session.scalar(
        select(ContentDraft).where(
            ContentDraft.kind == kind, ContentDraft.item_id == item_id, ContentDraft.language == language
        )
    )
    if row is None or draft is None:
        raise EditorialError("There is nothing to publish: no draft of this language.")
    revision = german_revision(kind, row.body)
    body = _merged(kind, row.body, language, draft.fields)
    own = body["translations"][language]
    before = texts(row.body, language)
    changed = _text_only(kind, before) != _text_only(kind, own)
    if language == SOURCE_LANGUAGE:
        if changed and not draft.minor:
            revision += 1
        if kind == "faq":
            own["revision"] = revision
        else:
            own.pop("revision", None)
            for lang, text in body["translations"].items():
                if lang != SOURCE_LANGUAGE:
                    text.setdefault("source_revision", german_revision(kind, row.body))
            if changed and not draft.minor:
                own["revision"] = revision
    else:
        own["source_revision"] = min(draft.german_revision or revision, revision)
        was_machine = bool(before.get("machine_translated")) if before else True
        if draft.reviewed or not was_machine:
            own.pop("machine_translated", None)
        else:
            own["machine_translated"] = True
    problems = item_problems(kind, body) or await length_problems(session, kind, body)
    if problems:
        raise EditorialError(*problems)
    note = f"publish {language}" + (" (minor edit)" if draft.minor else "")
    saved = await serve_change(session, account, row, body, note, language)
    await session.delete(draft)
    return saved


async def confirm_review(
    session: AsyncSession, account: AdminAccount, kind: str, item_id: str, language: str
) -> ContentVersion:
    """The published translation was read by a person allowed to edit it: its
    machine-translation notice goes."""
    _require_language(account, language)
    row = await published_item(session, kind, item_id)
    if row is None or language == SOURCE_LANGUAGE or language not in row.body.get("translations", {}):
        raise EditorialError("There is no published translation to confirm.")
    body = _merged(kind, row.body, language, texts(row.body, language))
    body["translations"][language].pop("machine_translated", None)
    return await serve_change(session, account, row, body, f"review {language} confirmed", language)


async def discard_draft(
    session: AsyncSession, account: AdminAccount, kind: str, item_id: str, language: str
) -> None:
    _require_language(account, language)
    draft = await session.scalar(
        select(ContentDraft).where(
            ContentDraft.kind == kind, ContentDraft.item_id == item_id, ContentDraft.language == language
        )
    )
    if draft is not None:
        await audit(
            session, account, "discard draft", f"{kind}:{item_id}:{language}", _draft_summary(draft), None
        )
        await session.delete(draft)


async def restore(
    session: AsyncSession, account: AdminAccount, kind: str, item_id: str, number: int
) -> ContentVersion:
    """Serve an earlier version again, as a new version. When its German differs from
    today's, the revision counts up, and translations that were current with that German
    are current with the restored one."""
    if not may(account, Permission.PUBLISH):
        raise NotAllowed("Your account may not publish, so it may not restore versions either.")
    row = await published_item(session, kind, item_id)
    old = await version(session, kind, item_id, number)
    if row is None or old is None:
        raise EditorialError(f"Version {number} of {kind} '{item_id}' does not exist.")
    body = {**old.body, "translations": {k: dict(v) for k, v in old.body.get("translations", {}).items()}}
    now, then = german_revision(kind, row.body), german_revision(kind, old.body)
    german_differs = _text_only(kind, texts(row.body, SOURCE_LANGUAGE)) != _text_only(
        kind, texts(body, SOURCE_LANGUAGE)
    )
    target = now + 1 if german_differs else now
    if target != then:
        for lang, text in body["translations"].items():
            if lang == SOURCE_LANGUAGE:
                if kind == "faq" or "revision" in text:
                    text["revision"] = target
            elif int(text.get("source_revision") or then) >= then:
                text["source_revision"] = target
    problems = item_problems(kind, body)
    if problems:
        raise EditorialError(*problems)
    return await serve_change(session, account, row, body, f"restore version {number}", "")


async def history(session: AsyncSession, kind: str, item_id: str) -> list[ContentVersion]:
    return await versions(session, kind, item_id)


async def german_when_translated(
    session: AsyncSession, kind: str, item_id: str, source_revision: int
) -> dict[str, Any] | None:
    """The German texts as they were at ``source_revision`` (the last version holding it)."""
    for row in await versions(session, kind, item_id):
        if german_revision(kind, row.body) == source_revision:
            return texts(row.body, SOURCE_LANGUAGE)
    return None


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of words in a diff: kept, inserted or deleted."""

    text: str
    op: str  # "same", "ins" or "del"


def word_diff(old: str, new: str) -> list[Piece]:
    """Words inserted and deleted, with the spaces and line breaks as they were."""
    a, b = re.findall(r"\s+|\S+\s*", old), re.findall(r"\s+|\S+\s*", new)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(Piece("".join(a[i1:i2]), "same"))
            continue
        if i2 > i1:
            pieces.append(Piece("".join(a[i1:i2]), "del"))
        if j2 > j1:
            pieces.append(Piece("".join(b[j1:j2]), "ins"))
    return pieces


def field_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def diff_texts(kind: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Piece]]:
    """Per text field that differs: the word diff from ``old`` to ``new``."""
    return {
        name: word_diff(field_text(old.get(name)), field_text(new.get(name)))
        for name in TEXT_FIELDS[kind]
        if field_text(old.get(name)) != field_text(new.get(name))
    }


PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class Overview:
    items: list[ItemState]
    total: int
    page: int
    pages: int


async def items_overview(
    session: AsyncSession, kind: str, *, show: str = "", search: str = "", page: int = 1
) -> Overview:
    """One page of a kind's items with the state of each language.

    ``show`` is "review" (a draft waits for review) or "outdated" (a translation is behind
    German); ``search`` looks in ids and German titles. The plain list is paged in SQL; the
    outdated filter reads every item's revision numbers.
    """
    query = select(ContentItem).where(ContentItem.kind == kind)
    if search.strip():
        needle = f"%{search.strip().lower()}%"
        query = query.where(or_(ContentItem.item_id.like(needle), ContentItem.title.like(needle)))
    if show == "review":
        waiting = select(ContentDraft.item_id).where(
            ContentDraft.kind == kind, ContentDraft.status == Status.REVIEW.value
        )
        query = query.where(ContentItem.item_id.in_(waiting))
    query = query.order_by(ContentItem.item_id)
    page = max(page, 1)
    if show == "outdated":
        rows = [row for row in await session.scalars(query) if outdated_languages(kind, row.body)]
        total = len(rows)
        rows = rows[(page - 1) * PER_PAGE : page * PER_PAGE]
    else:
        total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        rows = list(await session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    drafts: dict[str, dict[str, ContentDraft]] = {}
    if rows:
        for draft in await session.scalars(
            select(ContentDraft).where(
                ContentDraft.kind == kind, ContentDraft.item_id.in_([r.item_id for r in rows])
            )
        ):
            drafts.setdefault(draft.item_id, {})[draft.language] = draft
    states = [_state(kind, row, drafts.get(row.item_id, {})) for row in rows]
    return Overview(states, total, page, max(1, -(-total // PER_PAGE)))
