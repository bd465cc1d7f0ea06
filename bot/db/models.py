"""Tables. The person's record is pseudonymous and small; what can be anonymous is.

Feedback, unanswered questions and usage counters carry no user reference, so deleting a
person removes everything that points at them while the network keeps its statistics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every database (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (dt.UTC)")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        dt.datetime: UtcDateTime(),
    }


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The chat id on Telegram (or the console's own number); needed to answer at all.
    external_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    pseudonym: Mapped[str] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(5))
    consent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    blocked_at: Mapped[dt.datetime | None]
    # Raised by the safety check; the handoff turns it into an urgent case.
    urgent_at: Mapped[dt.datetime | None]
    share_name: Mapped[bool] = mapped_column(Boolean, default=False)
    # The first name advisors may see, only while the person agrees (share_name).
    shared_name: Mapped[str | None] = mapped_column(String(64))


class ConversationState(Base):
    """aiogram FSM storage rows (and the console's), keyed by aiogram's storage key."""

    __tablename__ = "conversation_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Subscription(Base):
    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(5))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UnansweredQuestion(Base):
    """A question the bot could not answer or whose answer was rated unhelpful.

    Anonymous on purpose and purged after the retention period.
    """

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5))  # the person's chosen language
    # The language the message was written in, when recognised (may differ from the above).
    written_in: Mapped[str | None] = mapped_column(String(5))
    reason: Mapped[str] = mapped_column(String(20))
    entry_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # An editor marked its group handled in the web admin (answered by a new entry, say).
    handled_at: Mapped[dt.datetime | None]


class UsageCounter(Base):
    """Aggregate counts per day: campaigns, topics, languages, outcomes. No person in it."""

    __tablename__ = "usage_counters"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class InterestCount(Base):
    """Anonymous counts of the interest check per calendar month and language: checks
    started and finished, and each field shown in a result. No person, chat or answer."""

    __tablename__ = "interest_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12"
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)  # started, finished, field
    key: Mapped[str] = mapped_column(String(48), primary_key=True)  # the field's id, or ""
    count: Mapped[int] = mapped_column(Integer, default=0)


class AnnouncedEvent(Base):
    """An event announced to its followers: once, however many processes see it arrive."""

    __tablename__ = "announced_events"

    event_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    announced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OfferFollow(Base):
    """A person who wants to hear of new offers in an occupational field (and their town,
    so the news says how far the offer is). Only people who agreed to the privacy notice."""

    __tablename__ = "offer_follows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(48), primary_key=True)
    town: Mapped[str | None] = mapped_column(String(48))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AnnouncedOffer(Base):
    """An offer announced to the followers of its fields: once, however many processes see it."""

    __tablename__ = "announced_offers"

    offer_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    announced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProcessedUpdate(Base):
    """Telegram may deliver an update twice; each is handled once."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # The replies the turn decided on, kept for an hour: when the process died after the
    # commit but before they all went out, Telegram delivers the update again and they are
    # sent then (the update is not handled twice).
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    replies: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))


class ContentItem(Base):
    """The content currently served: one row per FAQ entry, contact, event or list."""

    __tablename__ = "content_items"
    __table_args__ = (UniqueConstraint("kind", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision_id: Mapped[int] = mapped_column(ForeignKey("content_revisions.id"))
    # The German question, title or organisation, lower case: what the admin's search reads
    # (kept by ``_keep_title`` whenever the body is written).
    title: Mapped[str] = mapped_column(String(300), default="", server_default="")


def display_title(body: Mapping[str, Any]) -> str:
    """What names an item to editors: its German question or title, the organisation, or an
    offer's company and town."""
    german = (body.get("translations") or {}).get("de") or {}
    offer = f"{body['company']}, {body.get('town', '')}" if body.get("company") else ""
    text = german.get("question") or german.get("title") or body.get("organisation") or offer
    return str(text)


def item_title(body: Mapping[str, Any]) -> str:
    """The title as the admin's search reads it."""
    return display_title(body).lower()[:300]


@event.listens_for(ContentItem, "before_insert")
@event.listens_for(ContentItem, "before_update")
def _keep_title(_mapper: object, _connection: object, target: ContentItem) -> None:
    target.title = item_title(target.body or {})


class ContentRevision(Base):
    """One import: who, when, and which items were added, changed or removed."""

    __tablename__ = "content_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    author: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(300))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)


class Case(Base):
    """A young person's request for a human advisor (the handoff state machine lives in dialogs)."""

    __tablename__ = "cases"
    # At most one open case per person, even when two processes open one at the same moment.
    __table_args__ = (
        Index(
            "uq_cases_one_open_per_user",
            "user_id",
            unique=True,
            sqlite_where=text("state != 'closed'"),
            postgresql_where=text("state != 'closed'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="waiting")
    reason: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the person asked and which entry the bot answered, for the advisors' card.
    question: Mapped[str | None] = mapped_column(Text)
    bot_answer: Mapped[str | None] = mapped_column(String(64))
    # The interest check's result the person chose to show (fields and dimension scores).
    interest_result: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[dt.datetime | None]
    # The advisors' group of the case's topic: where it was opened, kept until it closes
    # even when new cases move to a fresh group (``ADVISOR_OLD_CHAT_IDS``).
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # The forum topic in the advisors' group; set once, by the first process that creates it.
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    # When a process claimed the right to create the topic (a crashed claim expires).
    topic_claimed_at: Mapped[dt.datetime | None]
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    advisor_id: Mapped[int | None] = mapped_column(BigInteger)
    taken_at: Mapped[dt.datetime | None]
    # Announced to the advisors (at once, or when office hours began) and last reminded.
    announced_at: Mapped[dt.datetime | None]
    reminded_at: Mapped[dt.datetime | None]
    # The person blocked the bot: replies cannot reach them.
    unreachable_at: Mapped[dt.datetime | None]
    # An advisor muted the person (abuse): their messages are not relayed, except emergencies.
    muted_at: Mapped[dt.datetime | None]
    rating: Mapped[int | None] = mapped_column(Integer)


class CaseMessage(Base):
    """A relayed message and its copy, so replies and edits stay threaded."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # "in": person → topic, "out": advisor → person
    user_message_id: Mapped[int] = mapped_column(BigInteger)
    group_message_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Advisor(Base):
    """A person allowed to take, answer and close cases (configured, never self-appointed)."""

    __tablename__ = "advisors"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20), default="advisor")
    # Comma-separated language codes and topics the advisor prefers, for mentions in alerts.
    languages: Mapped[str] = mapped_column(String(60), default="")
    topics: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    # An inactive advisor keeps their name on past cases but takes, answers and closes none.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OutboxItem(Base):
    """A message to deliver, persisted so that nothing is lost across retries and restarts."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ContentVersion(Base):
    """Every published state of a content item, kept in full: history, diffs and restore."""

    __tablename__ = "content_versions"
    __table_args__ = (UniqueConstraint("kind", "item_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str] = mapped_column(String(64))
    # 1, 2, 3 … per item; a removed item's last version has ``removed`` set.
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which language the change was about ("" for imports and restores of the whole item).
    language: Mapped[str] = mapped_column(String(5), default="")
    author: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(String(300), default="")
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("content_revisions.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ContentDraft(Base):
    """Unpublished text of one language of one item: a draft or a draft in review.

    Published text lives in ``content_items``; only that is served.
    """

    __tablename__ = "content_drafts"
    __table_args__ = (UniqueConstraint("kind", "item_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # "draft" or "review"
    # The language's fields as in the item's ``translations``.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    # German drafts: leave the translations current (a typo fix), as the editor decided.
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    # Translations: the person confirmed they reviewed the text (clears machine_translated).
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The German revision the text was written against (translations).
    german_revision: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AdminAccount(Base):
    """A person of the network who works in the web admin."""

    __tablename__ = "admin_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    # "admin", "manager", "editor", "translator" or "observer".
    role: Mapped[str] = mapped_column(String(20))
    # Translators: the comma-separated languages they may edit.
    languages: Mapped[str] = mapped_column(String(60), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]


class AdminSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "admin_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("admin_accounts.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who changed what, when, with the state before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # The name stays when the account is deleted.
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(120))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class LinkCheck(Base):
    """The last check of a web address the content names (sources, contact websites)."""

    __tablename__ = "link_checks"

    url: Mapped[str] = mapped_column(String(500), primary_key=True)
    # The HTTP status, or None when no answer came (``error`` says why).
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
