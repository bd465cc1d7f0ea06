"""The advisors' side on Telegram: one forum topic per case, relays both ways, take and close.

Everything that sends goes through the outbox (``bot.handoff.outbox``); this module decides
what to enqueue and performs each item when the worker gets to it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from html import escape
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin.audit import audit
from bot.app import App
from bot.db.models import Advisor, Case, CaseMessage, OutboxItem, User, utcnow
from bot.db.repositories import refresh_topic
from bot.handoff import albums
from bot.handoff.outbox import enqueue
from bot.telegram import metrics
from dialogs import callbacks
from dialogs.handoff import (
    CaseEvent,
    CaseState,
    CaseView,
    InvalidTransition,
    card_text,
    closed_notice,
    next_state,
    taken_notice,
    topic_title,
)
from dialogs.i18n import N_
from dialogs.interests import card_line

log = logging.getLogger(__name__)

# A process creating a topic holds the claim this long; after a crash another one takes
# over. It outlasts the slowest creation: the card may wait up to a minute for the
# group's pacing window, plus CARD_ATTEMPTS waits of up to CARD_MAX_WAIT after a 429.
CLAIM_EXPIRES = dt.timedelta(minutes=5)
CARD_ATTEMPTS = 2
CARD_MAX_WAIT = 60
# Telegram's answers when a case's topic cannot take a message any more: deleted, closed,
# or no longer found (very old topics of very large forums get archived).
THREAD_GONE = ("message thread not found", "TOPIC_DELETED", "TOPIC_ID_INVALID", "TOPIC_CLOSED")

T = TypeVar("T")
IntoTopic = Callable[[int, int], Awaitable[T]]  # (group chat id, thread id) → the sent message


def _thread_gone(exc: TelegramBadRequest) -> bool:
    return any(marker in exc.message for marker in THREAD_GONE)


async def _time_first_reply(session: AsyncSession, case_id: int) -> None:
    """The case's first advisor message reached the person: how long it waited (metrics)."""
    earlier = await session.scalar(
        select(CaseMessage.id).where(CaseMessage.case_id == case_id, CaseMessage.direction == "out").limit(1)
    )
    if earlier is None:
        case = await session.get_one(Case, case_id)
        metrics.observe_first_reply(case.created_at, urgent=case.urgent)


async def active_advisor(session: AsyncSession, telegram_id: int) -> Advisor | None:
    """The active advisor with this Telegram id (a deactivated one counts as none)."""
    advisor = await session.get(Advisor, telegram_id)
    return advisor if advisor is not None and advisor.active else None


class HandoffService:
    def __init__(self, app: App, bot: Bot) -> None:
        self.app = app
        self.bot = bot
        assert app.settings.advisor_chat_id is not None
        # New cases open here; open cases stay in the group they were opened in, if it is
        # still one of ``groups`` (the earlier ones of ADVISOR_OLD_CHAT_IDS).
        self.chat_id: int = app.settings.advisor_chat_id
        self.groups: tuple[int, ...] = app.settings.advisor_chat_ids
        self.lang = app.settings.advisor_language

    def _(self, message: str) -> str:
        return self.app.catalogs.translate(self.lang, message)

    # ------------------------------------------------------------------ reading

    async def view(self, session: AsyncSession, case: Case) -> CaseView:
        user = await session.get_one(User, case.user_id)
        advisor = await session.get(Advisor, case.advisor_id) if case.advisor_id else None
        return CaseView(
            number=case.id,
            pseudonym=user.pseudonym,
            language=case.language,
            topic=case.topic,
            state=CaseState(case.state),
            urgent=case.urgent,
            question=case.question or "",
            bot_answer=case.bot_answer or "",
            advisor_name=advisor.display_name if advisor else None,
            shared_name=user.shared_name if user.share_name else None,
            unreachable=case.unreachable_at is not None,
            muted=case.muted_at is not None,
            interests=(
                card_line(
                    self.app.content.knowledge.snapshot.interests,
                    case.interest_result,
                    self.app.catalogs,
                    self.lang,
                )
                if case.interest_result
                else ""
            ),
        )

    def card_buttons(self, case_id: int, state: CaseState) -> InlineKeyboardMarkup:
        row = []
        if state is not CaseState.CLOSED:
            row.append(
                InlineKeyboardButton(
                    text="✋ " + self._(N_("Take the case")),
                    callback_data=callbacks.make("cs", f"take:{case_id}"),
                )
            )
            row.append(
                InlineKeyboardButton(
                    text="✅ " + self._(N_("Close the case")),
                    callback_data=callbacks.make("cs", f"close:{case_id}"),
                )
            )
        return InlineKeyboardMarkup(inline_keyboard=[row] if row else [])

    async def case_for_thread(self, session: AsyncSession, chat_id: int, thread_id: int) -> Case | None:
        return await session.scalar(
            select(Case)
            .where(Case.chat_id == chat_id, Case.thread_id == thread_id)
            .order_by(Case.id.desc())
            .limit(1)
        )

    async def settle_earlier_cases(self) -> None:
        """Cases whose topic was made before each case stored its group are in the group
        the bot used then: the first of ADVISOR_OLD_CHAT_IDS when the groups changed with
        the upgrade, else ADVISOR_CHAT_ID."""
        earlier = self.app.settings.advisor_old_chat_ids
        async with self.app.sessions.begin() as session:
            await session.execute(
                update(Case)
                .where(Case.chat_id.is_(None), Case.thread_id.is_not(None))
                .values(chat_id=earlier[0] if earlier else self.chat_id)
            )

    async def chat_of(self, case_id: int) -> int:
        """The group of the case's topic (the group for new cases before it has one)."""
        async with self.app.sessions() as session:
            chat_id = await session.scalar(select(Case.chat_id).where(Case.id == case_id))
        return self._served(chat_id)

    def _served(self, chat_id: int | None) -> int:
        """``chat_id`` while the bot serves that group, else the group for new cases."""
        return chat_id if chat_id is not None and chat_id in self.groups else self.chat_id

    async def advisor(self, session: AsyncSession, telegram_id: int) -> Advisor | None:
        return await active_advisor(session, telegram_id)

    async def mentions(self, session: AsyncSession, case: Case) -> str:
        advisors = (await session.scalars(select(Advisor).where(Advisor.active))).all()
        matching = [
            a
            for a in advisors
            if case.language in a.languages.split(",") or (case.topic and case.topic in a.topics.split(","))
        ] or list(advisors)  # nobody stated this language or topic: tell everyone
        return " ".join(
            f'<a href="tg://user?id={a.telegram_id}">{escape(a.display_name)}</a>' for a in matching
        )

    # ------------------------------------------------------------------ topic, exactly once

    async def ensure_topic(self, case_id: int) -> tuple[int, int]:
        """The case's group and topic with its card, the topic created and the card posted
        by exactly one process even when many ask at once. A topic in a group the bot no
        longer serves is made anew in the group for new cases.

        The topic is stored as soon as Telegram has made it, before the card is posted: an
        advisor who answers the card in the topic finds the case. A process that dies
        between the two leaves a topic without a card; whoever next needs the topic posts
        it once the claim has expired."""
        for _attempt in range(600):
            now = utcnow()
            claimable = or_(Case.topic_claimed_at.is_(None), Case.topic_claimed_at < now - CLAIM_EXPIRES)
            async with self.app.sessions.begin() as session:
                case = await session.get_one(Case, case_id)
                if case.thread_id and case.chat_id is not None and case.chat_id in self.groups:
                    if case.card_message_id is not None:
                        return case.chat_id, case.thread_id
                    claimed = await session.execute(
                        update(Case)
                        .where(Case.id == case_id, Case.card_message_id.is_(None), claimable)
                        .values(topic_claimed_at=now)
                    )
                    step = self._post_card
                else:
                    if case.thread_id:
                        log.info("case %s: its group is no longer served; a new topic follows", case_id)
                        case.thread_id = case.card_message_id = case.chat_id = case.topic_claimed_at = None
                        await session.flush()
                    claimed = await session.execute(
                        update(Case)
                        .where(Case.id == case_id, Case.thread_id.is_(None), claimable)
                        .values(topic_claimed_at=now)
                    )
                    step = self._create_topic
            if getattr(claimed, "rowcount", 0) == 1:
                try:
                    return await step(case_id)
                except BaseException:
                    async with self.app.sessions.begin() as session:
                        await session.execute(
                            update(Case).where(Case.id == case_id).values(topic_claimed_at=None)
                        )
                    raise
            await asyncio.sleep(0.05)
        raise TimeoutError(f"the topic of case {case_id} was not created in time")

    async def _create_topic(self, case_id: int) -> tuple[int, int]:
        async with self.app.sessions() as session:
            case = await session.get_one(Case, case_id)
            view = await self.view(session, case)
            # A case keeps its group (a topic made anew stays there); a new one gets today's.
            chat_id = self._served(case.chat_id)
        topic = await self.bot.create_forum_topic(chat_id, name=topic_title(view))
        async with self.app.sessions.begin() as session:
            await session.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(chat_id=chat_id, thread_id=topic.message_thread_id, card_message_id=None)
            )
        return await self._post_card(case_id)

    async def _post_card(self, case_id: int) -> tuple[int, int]:
        """Posts the card into the case's stored topic; the caller holds the claim."""
        now = utcnow()
        async with self.app.sessions() as session:
            case = await session.get_one(Case, case_id)
            view = await self.view(session, case)
            # Outside office hours a case waits quietly; urgent ones are announced at once.
            announce = case.announced_at is None and (case.urgent or self.app.office.is_open(now))
            mentions = await self.mentions(session, case) if announce else ""
            chat_id, thread_id = case.chat_id, case.thread_id
        if chat_id is None or thread_id is None:
            raise RuntimeError(f"case {case_id} has no topic to post its card in")
        text = card_text(view, self.app.catalogs, self.lang)
        if mentions:
            text += "\n" + mentions
        # The topic exists now: giving up on the card would make the outbox try again later.
        # So a long 429 is waited out here (the claim covers it).
        for attempt in range(1, CARD_ATTEMPTS + 1):
            try:
                card = await self.bot.send_message(
                    chat_id,
                    text,
                    message_thread_id=thread_id,
                    reply_markup=self.card_buttons(case_id, view.state),
                )
                break
            except TelegramRetryAfter as exc:
                if attempt == CARD_ATTEMPTS or exc.retry_after > CARD_MAX_WAIT:
                    raise
                log.warning("case %s: card refused (429), retrying in %ss", case_id, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
        values: dict[str, Any] = {"card_message_id": card.message_id, "topic_claimed_at": None}
        if announce:
            values["announced_at"] = now
        async with self.app.sessions.begin() as session:
            await session.execute(update(Case).where(Case.id == case_id).values(**values))
        return chat_id, thread_id

    async def _forget_topic(self, case_id: int) -> None:
        """The topic is gone (deleted, closed, not found): the next message recreates it with
        its card, in the case's group."""
        async with self.app.sessions.begin() as session:
            await session.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(thread_id=None, topic_claimed_at=None, card_message_id=None)
            )

    async def into_topic(self, case_id: int, send: IntoTopic[T]) -> T:
        """Send into the case's topic; a topic that is gone is made anew and the send repeated there."""
        try:
            return await send(*await self.ensure_topic(case_id))
        except TelegramBadRequest as exc:
            if not _thread_gone(exc):
                raise
            log.info("case %s: its topic is gone (%s); making a new one", case_id, exc.message[:60])
            await self._forget_topic(case_id)
            return await send(*await self.ensure_topic(case_id))

    # ------------------------------------------------------------------ performing outbox items

    async def perform(self, item: OutboxItem) -> None:
        if item.action in (albums.ALBUM_IN, albums.ALBUM_OUT):
            await self._album(item)
            return
        handler = getattr(self, f"_do_{item.action}", None)
        if handler is None:
            log.error("outbox item %s has an unknown action %r; dropped", item.id, item.action)
            return
        await handler(item.case_id, item.payload)

    async def _pair(self, case_id: int, direction: str, user_message_id: int, group_message_id: int) -> None:
        async with self.app.sessions.begin() as session:
            if direction == "out":
                await _time_first_reply(session, case_id)
            session.add(
                CaseMessage(
                    case_id=case_id,
                    direction=direction,
                    user_message_id=user_message_id,
                    group_message_id=group_message_id,
                )
            )

    async def _paired(
        self, case_id: int, *, user_message_id: int | None = None, group_message_id: int | None = None
    ) -> CaseMessage | None:
        async with self.app.sessions() as session:
            query = select(CaseMessage).where(CaseMessage.case_id == case_id)
            if user_message_id is not None:
                query = query.where(CaseMessage.user_message_id == user_message_id)
            if group_message_id is not None:
                query = query.where(CaseMessage.group_message_id == group_message_id)
            return await session.scalar(query.limit(1))

    async def _person(self, case_id: int) -> tuple[int, str]:
        async with self.app.sessions() as session:
            case = await session.get_one(Case, case_id)
            user = await session.get_one(User, case.user_id)
            return user.external_id, case.language

    async def _do_announce(self, case_id: int, payload: dict[str, Any]) -> None:
        """Create the topic with its card; say so in the topic when a case reopens or turns urgent."""
        created_now = not await self._has_topic(case_id)
        await self.ensure_topic(case_id)
        if created_now:
            return
        await self._do_refresh(case_id, {})
        reason = payload.get("reason")
        if reason == "reopened":
            line = "🔄 " + escape(self._(N_("The case was reopened by a new message.")))
        elif reason == "urgent":
            line = "🚨 " + escape(self._(N_("URGENT: the safety check raised an alarm.")))
        else:
            return
        await self._line_into_topic(case_id, line)

    async def _line_into_topic(self, case_id: int, line: str) -> None:
        await self.into_topic(
            case_id, lambda chat, thread: self.bot.send_message(chat, line, message_thread_id=thread)
        )

    async def _has_topic(self, case_id: int) -> bool:
        async with self.app.sessions() as session:
            case = await session.get_one(Case, case_id)
            return bool(case.thread_id)

    async def _reply(self, case_id: int, reply_to: Any, *, into_topic: bool) -> ReplyParameters | None:
        """The copy of the message ``reply_to`` on the other side, to reply to there."""
        if not reply_to:
            return None
        if into_topic:
            pair = await self._paired(case_id, user_message_id=int(reply_to))
            target = pair.group_message_id if pair else None
        else:
            pair = await self._paired(case_id, group_message_id=int(reply_to))
            target = pair.user_message_id if pair else None
        return ReplyParameters(message_id=target, allow_sending_without_reply=True) if target else None

    async def _album(self, item: OutboxItem) -> None:
        """An album (``bot.handoff.albums``): its parts queued so far go as one sendMediaGroup."""
        assert item.case_id is not None
        case_id = item.case_id
        into_topic = item.action == albums.ALBUM_IN
        parts = await albums.gather(self.app.sessions, item)
        try:
            media = [albums.input_media(part.payload) for part in parts]
            reply = await self._reply(case_id, parts[0].payload.get("reply_to"), into_topic=into_topic)
            if into_topic:
                sent = await self.into_topic(
                    case_id,
                    lambda chat, thread: self.bot.send_media_group(
                        chat, media, message_thread_id=thread, reply_parameters=reply
                    ),
                )
            else:
                person, _lang = await self._person(case_id)
                sent = await self.bot.send_media_group(person, media, reply_parameters=reply)
        except BaseException:
            await albums.release(self.app.sessions, parts, item)
            raise
        pairs = [
            CaseMessage(
                case_id=case_id,
                direction="in" if into_topic else "out",
                user_message_id=int(part.payload["message_id"]) if into_topic else copy.message_id,
                group_message_id=copy.message_id if into_topic else int(part.payload["message_id"]),
            )
            for part, copy in zip(parts, sent, strict=False)
        ]
        await albums.delivered(self.app.sessions, parts, item, pairs)

    async def _do_relay_in(self, case_id: int, payload: dict[str, Any]) -> None:
        reply = await self._reply(case_id, payload.get("reply_to"), into_topic=True)
        copy = await self.into_topic(
            case_id,
            lambda chat, thread: self.bot.copy_message(
                chat,
                payload["from_chat_id"],
                payload["message_id"],
                message_thread_id=thread,
                reply_parameters=reply,
            ),
        )
        await self._pair(case_id, "in", payload["message_id"], copy.message_id)

    async def _do_relay_out(self, case_id: int, payload: dict[str, Any]) -> None:
        person, _lang = await self._person(case_id)
        reply = await self._reply(case_id, payload.get("reply_to"), into_topic=False)
        group = payload.get("from_chat_id") or await self.chat_of(case_id)
        copy = await self.bot.copy_message(person, group, payload["message_id"], reply_parameters=reply)
        await self._pair(case_id, "out", copy.message_id, payload["message_id"])

    async def _do_to_person(self, case_id: int, payload: dict[str, Any]) -> None:
        person, _lang = await self._person(case_id)
        markup = None
        if payload.get("rating"):
            markup = InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        InlineKeyboardButton(
                            text=payload["rating"][0], callback_data=callbacks.make("cr", f"{case_id}:1")
                        ),
                        InlineKeyboardButton(
                            text=payload["rating"][1], callback_data=callbacks.make("cr", f"{case_id}:0")
                        ),
                    ]
                ]
            )
        message = await self.bot.send_message(person, payload["text"], reply_markup=markup)
        await self._pair(case_id, "out", message.message_id, 0)

    async def _do_send(self, _case_id: int | None, payload: dict[str, Any]) -> None:
        """A message to anyone (event announcements)."""
        try:
            await self.bot.send_message(int(payload["chat_id"]), payload["text"])
        except TelegramForbiddenError:
            async with self.app.sessions.begin() as session:
                await session.execute(
                    update(User)
                    .where(User.external_id == int(payload["chat_id"]))
                    .values(blocked_at=utcnow())
                )

    async def _do_to_topic(self, case_id: int, payload: dict[str, Any]) -> None:
        await self._line_into_topic(case_id, payload["text"])

    async def _do_person_closed(self, case_id: int, _payload: dict[str, Any]) -> None:
        """The person closed the case themselves (/status)."""
        await self._line_into_topic(case_id, "✅ " + escape(self._(N_("The person closed the case."))))

    async def _do_refresh(self, case_id: int, _payload: dict[str, Any]) -> None:
        async with self.app.sessions() as session:
            case = await session.get_one(Case, case_id)
            view = await self.view(session, case)
            chat_id, thread_id, card_id = case.chat_id, case.thread_id, case.card_message_id
        if not thread_id or not card_id or chat_id not in self.groups:
            # The card that ensure_topic posts shows the case as it is now.
            await self.ensure_topic(case_id)
            return
        edits: list[Callable[[], Awaitable[object]]] = [
            partial(self.bot.edit_forum_topic, chat_id, thread_id, name=topic_title(view)),
            partial(
                self.bot.edit_message_text,
                card_text(view, self.app.catalogs, self.lang),
                chat_id=chat_id,
                message_id=card_id,
                reply_markup=self.card_buttons(case_id, view.state),
            ),
        ]
        # Each edit on its own: a title that stays the same (a name shared, an interest
        # result added) must not keep the card from showing what changed.
        for edit in edits:
            try:
                await edit()
            except TelegramBadRequest as exc:
                # "message is not modified" and "TOPIC_NOT_MODIFIED" both mean: already shown.
                if "not modified" in exc.message.lower().replace("_", " "):
                    continue
                if _thread_gone(exc) or "message to edit not found" in exc.message:
                    await self._forget_topic(case_id)
                    await self.ensure_topic(case_id)
                    return
                raise

    async def _do_edit_person(self, case_id: int, payload: dict[str, Any]) -> None:
        pair = await self._paired(case_id, group_message_id=int(payload["group_message_id"]))
        if pair is None:
            return
        person, _lang = await self._person(case_id)
        await self.bot.edit_message_text(payload["text"], chat_id=person, message_id=pair.user_message_id)

    async def _do_edit_topic(self, case_id: int, payload: dict[str, Any]) -> None:
        pair = await self._paired(case_id, user_message_id=int(payload["user_message_id"]))
        if pair is None:
            return
        await self.bot.edit_message_text(
            payload["text"], chat_id=await self.chat_of(case_id), message_id=pair.group_message_id
        )

    async def _do_delete_topic(self, _case_id: int | None, payload: dict[str, Any]) -> None:
        chat_id = int(payload.get("chat_id") or self.chat_id)
        try:
            await self.bot.delete_forum_topic(chat_id, int(payload["thread_id"]))
        except TelegramBadRequest as exc:
            log.info("topic %s was already gone: %s", payload["thread_id"], exc.message[:80])

    # ------------------------------------------------------------------ advisors act

    async def mute(self, session: AsyncSession, case: Case, advisor: Advisor, muted: bool) -> bool:
        """Mute (or unmute) the person of ``case``: their messages stop reaching the topic,
        except a crisis. Logged in the audit log (who, when, which case; no message text).
        False when the case is muted (or not) already."""
        if (case.muted_at is not None) == muted:
            return False
        case.muted_at = utcnow() if muted else None
        actor = f"advisor {advisor.display_name} ({advisor.telegram_id})"
        verb = "mute" if muted else "unmute"
        await audit(session, actor, verb, f"case:{case.id}", {"muted": not muted}, {"muted": muted})
        refresh_topic(session, case.id)
        log.info("case %s: %sd by advisor %s", case.id, verb, advisor.telegram_id)
        return True

    async def transition(self, session: AsyncSession, case: Case, event: CaseEvent, advisor: Advisor) -> bool:
        try:
            case.state = next_state(CaseState(case.state), event)
        except InvalidTransition:
            return False
        if event is CaseEvent.TAKE:
            case.advisor_id, case.taken_at = advisor.telegram_id, utcnow()
            notice = taken_notice(self.app.catalogs, case.language, advisor.display_name)
            enqueue(session, "to_person", {"text": notice}, case.id)
        elif event is CaseEvent.CLOSE:
            case.closed_at = utcnow()
            labels = [
                self.app.catalogs.translate(case.language, label)
                for label in (N_("👍 Helpful"), N_("👎 Not helpful"))
            ]
            enqueue(
                session,
                "to_person",
                {"text": closed_notice(self.app.catalogs, case.language), "rating": labels},
                case.id,
            )
        enqueue(session, "refresh", {}, case.id)
        return True
