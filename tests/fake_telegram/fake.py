"""FakeTelegram: the server, the simulated people, and what tests read back."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from aiohttp import web

from .albums import ALBUM_KINDS, MAX_ALBUM, AlbumMethods, album_mix_error
from .errors import ApiError
from .faults import FaultInjector, FaultRule, FloodController, FloodLimits, Stats
from .limits import html_to_plain, inline_buttons, utf16_len
from .methods import COPY_METHODS, CallbackState
from .server import TOKEN_FORMAT, build_app
from .state import (
    ApiCall,
    CallRecord,
    ChatMessage,
    FileStore,
    SentMessage,
    SimChat,
    SimUser,
    Topic,
    UpdateQueue,
    now,
)
from .webhook import WebhookDelivery

ChatRef = int | SimUser | SimChat
_T = TypeVar("_T")
_MEMBER_STATUSES = ("member", "administrator", "creator", "restricted")


class WaitTimeout(AssertionError):
    """A wait_for* call ran out of time; the message says what did arrive."""


class FakeTelegram(AlbumMethods):
    """A local Telegram Bot API over real HTTP, plus simulated people to drive it.

    Point aiogram at it with ``TelegramAPIServer.from_base(fake.url)``.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "wegweiser_test_bot",
        *,
        bot_name: str = "Wegweiser Test",
        flood_limits: bool | FloodLimits = False,
        strict_ampersand: bool = True,
        latency: float = 0.0,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        allow_http_webhook: bool = False,
    ) -> None:
        if not TOKEN_FORMAT.match(token):
            raise ValueError(f"not a bot token: {token!r}")
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_name = bot_name
        self.bot_username = bot_username
        self.bot_user = {"id": self.bot_id, "is_bot": True, "first_name": bot_name, "username": bot_username}
        self.strict_ampersand = strict_ampersand
        self.latency = latency
        self.host = host
        self.port = port
        self.url = ""
        self._rng = random.Random(seed)
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.files = FileStore(self._rng)
        self.updates = UpdateQueue(first_update_id=self._rng.randrange(100_000_000, 900_000_000))
        limits = (
            flood_limits
            if isinstance(flood_limits, FloodLimits)
            else (FloodLimits() if flood_limits else None)
        )
        self.flood = FloodController(limits)
        self.faults = FaultInjector()
        self.stats = Stats()
        self.callbacks: dict[str, CallbackState] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        # Telegram wants https; loopback benchmarks and tests may allow http.
        self.allow_http_webhook = allow_http_webhook
        self.delivery = WebhookDelivery(self.updates)
        self.media_by_file_id: dict[str, Any] = {}
        self._poll_waiter: asyncio.Future[None] | None = None
        self.sent: list[SentMessage] = []
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._cursor_all = 0
        self._cursor_chat: dict[int, int] = {}
        self.calls: list[ApiCall] = []
        self.call_log: list[CallRecord] = []
        self._calls_by_method: dict[str, list[CallRecord]] = {}
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.internal_errors: list[Exception] = []  # bugs in the fake itself, answered with 500
        self._next_user_id = 7_100_000_000 + self._rng.randrange(1_000_000)
        self._next_group_id = 2_100_000_000 + self._rng.randrange(1_000_000)
        self._next_query = self._rng.randrange(10**17, 9 * 10**17)

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> FakeTelegram:
        app = build_app(self)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        address = self._runner.addresses[0]
        self.port = int(address[1])
        self.url = f"http://{self.host}:{self.port}"
        return self

    async def stop(self) -> None:
        await self.delivery.stop()
        if self._poll_waiter is not None and not self._poll_waiter.done():
            self._poll_waiter.set_result(None)
        self.updates.wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_server(self) -> Any:
        """aiogram's TelegramAPIServer for this fake."""
        from aiogram.client.telegram import TelegramAPIServer

        return TelegramAPIServer.from_base(self.url)

    # ------------------------------------------------------------ request handling

    async def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one decoded request: (HTTP status, response body)."""
        self.stats.requests[method] += 1
        self.calls.append(ApiCall(method, params))
        record = CallRecord(method, params, 200, None, time.monotonic())
        self.call_log.append(record)
        self._calls_by_method.setdefault(method, []).append(record)
        self._notify()  # arrived: what waits for a call in flight (a long poll) goes on now
        if self.latency:
            await asyncio.sleep(self.latency)
        injected = False
        try:
            rule = self.faults.take(method, params)
            if rule is not None:
                injected = True
                self.stats.injected_faults += 1
                if rule.delay:
                    await asyncio.sleep(rule.delay)
                raise rule.error()
            result = await self._invoke(method, params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.code, error.to_json()
            record.status, record.description = error.code, error.description
            self.stats.errors[error.code] += 1
            if error.code == 429:
                self.stats.served_429 += 1
                if not injected:
                    self.stats.flood_429 += 1
        record.answered = True
        self._notify()
        return status, body

    async def _invoke(self, method: str, params: dict[str, Any]) -> Any:
        try:
            return await self.call_method(method, params)
        except ApiError:
            raise
        except Exception as error:  # a bug in the fake: answer like Telegram's 500, keep it for the tests
            self.internal_errors.append(error)
            raise ApiError(500, f"Internal Server Error: the fake failed: {error!r}") from error

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _record_sent(
        self,
        method: str,
        params: dict[str, Any],
        message: ChatMessage,
        raw_text: str | None,
        raw_caption: str | None,
    ) -> SentMessage:
        own_markup = method not in COPY_METHODS or "caption" in params
        parse_mode = params.get("parse_mode") if own_markup else None
        markup = params.get("reply_markup")
        reply = message.json.get("reply_to_message")
        sent = SentMessage(
            seq=len(self.sent),
            method=method,
            chat_id=message.chat_id,
            message_id=message.message_id,
            thread_id=message.thread_id,
            kind=message.kind,
            text=raw_text,
            caption=raw_caption,
            parse_mode=parse_mode,
            is_html=str(parse_mode or "").lower() == "html",
            plain=message.plain,
            entities=message.entities,
            reply_markup=markup if isinstance(markup, dict) else None,
            params=params,
            date=int(message.json["date"]),
            reply_to_message_id=(
                int(reply["message_id"]) if reply and "forum_topic_created" not in reply else None
            ),
            file_id=message.file_id,
            stored=message,
        )
        message.sent = sent
        self.sent.append(sent)
        self._sent_by_chat.setdefault(message.chat_id, []).append(sent)
        self.stats.messages_sent += 1
        return sent

    def _record_edit(
        self, message: ChatMessage, method: str, params: dict[str, Any], raw: str | None
    ) -> None:
        sent = message.sent
        if sent is None:
            return
        sent.edits.append(
            {
                "method": method,
                "params": params,
                "plain": message.plain,
                "reply_markup": message.reply_markup,
                "date": now(),
            }
        )
        if method == "editMessageText":
            sent.text = raw
        elif method == "editMessageCaption":
            sent.caption = raw
        if method != "editMessageReplyMarkup":
            sent.parse_mode = params.get("parse_mode")
            sent.is_html = str(sent.parse_mode or "").lower() == "html"
        markup = params.get("reply_markup")
        sent.reply_markup = markup if isinstance(markup, dict) else None
        sent.plain, sent.entities = message.plain, message.entities

    def _mark_deleted(self, message: ChatMessage) -> None:
        message.deleted = True
        if message.sent is not None:
            message.sent.deleted = True

    # ------------------------------------------------------------ configuration

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int = 2,
        times: int = 1,
        chat_id: int | str | SimUser | SimChat | None = None,
        description: str | None = None,
        delay: float = 0.0,
    ) -> FaultRule:
        """Answer the next ``times`` calls of ``method`` ("*" for any) with an error; they are not applied."""
        canonical = method if method == "*" else self.resolve_method(method)
        if canonical is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        target = _chat_id(chat_id) if chat_id is not None else None
        return self.faults.add(FaultRule(canonical, status, times, retry_after, description, target, delay))

    def fail_for(
        self, seconds: float, method: str = "*", status: int = 500, *, retry_after: int = 2
    ) -> FaultRule:
        """Answer every call of ``method`` ("*" for any) with an error for ``seconds`` (an outage)."""
        canonical = method if method == "*" else self.resolve_method(method)
        if canonical is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        rule = FaultRule(canonical, status, retry_after=retry_after, until=time.monotonic() + seconds)
        return self.faults.add(rule)

    def set_flood_limits(self, enabled: bool = True, **limits: Any) -> None:
        """Switch flood limits on (optionally with FloodLimits fields) or off."""
        self.flood.configure(FloodLimits(**limits) if enabled else None)

    def clear_records(self) -> None:
        """Forget what was sent and called so far (state such as chats and messages stays)."""
        self.sent.clear()
        self._sent_by_chat.clear()
        self._cursor_all = 0
        self._cursor_chat.clear()
        self.calls.clear()
        self.call_log.clear()
        self._calls_by_method.clear()

    # ------------------------------------------------------------ people and chats

    def add_user(
        self,
        first_name: str = "Amina",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_premium: bool = False,
        started: bool = True,
    ) -> SimUser:
        """A person with a private chat with the bot (chat id == user id).

        ``started=False``: they never opened the bot, so it may not write to them first (403).
        """
        self._next_user_id += self._rng.randrange(1, 5000)
        user = SimUser(
            id=self._next_user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
            started=started,
        )
        self.users[user.id] = user
        self.chats[user.id] = SimChat(
            id=user.id, type="private", user=user, chat_instance=self._chat_instance(user.id)
        )
        return user

    def add_group(
        self,
        title: str,
        members: Iterable[SimUser] = (),
        *,
        admins: Iterable[SimUser] = (),
        forum: bool = False,
        username: str | None = None,
        bot_status: str = "administrator",
    ) -> SimChat:
        """A supergroup (forum if ``forum``) with the bot in it as ``bot_status``."""
        self._next_group_id += self._rng.randrange(1, 5000)
        chat_id = -(10**12 + self._next_group_id)
        chat = SimChat(
            id=chat_id,
            type="supergroup",
            title=title,
            is_forum=forum,
            username=username,
            chat_instance=self._chat_instance(chat_id),
            last_message_id=1,  # message 1 opened the group (and its General topic)
        )
        chat.members[self.bot_id] = bot_status
        for user in members:
            chat.members[user.id] = "member"
        for user in admins:
            chat.members[user.id] = "administrator"
        self.chats[chat_id] = chat
        return chat

    def add_forum_group(
        self,
        title: str = "Berater",
        members: Iterable[SimUser] = (),
        *,
        admins: Iterable[SimUser] = (),
        username: str | None = None,
    ) -> SimChat:
        return self.add_group(title, members, admins=admins, forum=True, username=username)

    def add_member(self, group: SimChat, user: SimUser, status: str = "member") -> None:
        group.members[user.id] = status

    def remove_member(self, group: SimChat, user: SimUser) -> None:
        group.members[user.id] = "left"

    def _chat_instance(self, chat_id: int) -> str:
        return str(-((abs(chat_id) * 2654435761 + self._rng.randrange(10**6)) % (2**62)))

    def chat(self, ref: ChatRef) -> SimChat:
        return self.chats[_chat_id(ref)]

    async def create_topic(self, group: SimChat, name: str, *, by: SimUser | None = None) -> Topic:
        """A person creates a topic; the bot gets the forum_topic_created service message."""
        if not group.is_forum:
            raise AssertionError(f"{group.title!r} is not a forum")
        creator = by.to_json() if by is not None else self.bot_user
        topic = self._new_topic(group, name, None, creator)
        if by is not None and topic.created_message is not None:
            self._push("message", dict(topic.created_message))
        return topic

    # ------------------------------------------------------------ people act

    def _push(self, kind: str, payload: dict[str, Any]) -> int | None:
        update_id = self.updates.push(kind, payload)
        if update_id is not None:
            self.stats.updates_pushed += 1
            self.delivery.kick()
        return update_id

    def _target_chat(self, user: SimUser, chat: ChatRef | None) -> SimChat:
        if chat is None:
            return self.chats[user.id]
        target = self.chats.get(_chat_id(chat))
        if target is None:
            raise AssertionError(f"unknown chat {chat!r}")
        return target

    def _user_message(
        self,
        user: SimUser,
        chat: ChatRef | None,
        thread_id: int | None,
        reply_to: ChatMessage | SentMessage | int | None,
        kind: str,
        content: dict[str, Any],
        plain: str,
        entities: list[dict[str, Any]],
    ) -> ChatMessage:
        target = self._target_chat(user, chat)
        if target.is_private:
            if target.id != user.id:
                raise AssertionError(f"{user.first_name} cannot write in another person's private chat")
            if user.blocked:
                raise AssertionError(f"{user.first_name} has blocked the bot; call fake.unblock(user) first")
            user.started = True
        elif target.members.get(user.id) not in _MEMBER_STATUSES:
            raise AssertionError(f"{user.first_name} is not a member of {target.title!r}")
        if thread_id is not None:
            topic = target.topics.get(thread_id)
            if not target.is_forum or topic is None or topic.deleted:
                raise AssertionError(f"no topic {thread_id} in {target.title!r}")
            if topic.closed and target.members.get(user.id) not in ("administrator", "creator"):
                raise AssertionError(f"topic {topic.name!r} is closed")
        message_id = target.new_message_id()
        payload: dict[str, Any] = {
            "message_id": message_id,
            "from": user.to_json(),
            "chat": target.to_json(),
            "date": now(),
        }
        if thread_id is not None:
            payload["message_thread_id"] = thread_id
            payload["is_topic_message"] = True
        replied = self._find_reply(target, reply_to)
        if replied is not None:
            payload["reply_to_message"] = {k: v for k, v in replied.json.items() if k != "reply_to_message"}
        elif thread_id is not None and target.topics[thread_id].created_message is not None:
            payload["reply_to_message"] = target.topics[thread_id].created_message
        payload.update(content)
        message = ChatMessage(
            chat_id=target.id,
            message_id=message_id,
            thread_id=thread_id,
            sender_id=user.id,
            from_bot=False,
            kind=kind,
            json=payload,
            plain=plain,
            entities=entities,
            file_id=_file_id_of(kind, content),
        )
        target.messages[message_id] = message
        self._push("message", payload)
        return message

    def _find_reply(
        self, chat: SimChat, reply_to: ChatMessage | SentMessage | int | None
    ) -> ChatMessage | None:
        if reply_to is None:
            return None
        message_id = reply_to if isinstance(reply_to, int) else reply_to.message_id
        found = chat.messages.get(message_id)
        if found is None or found.deleted:
            raise AssertionError(f"no message {message_id} in chat {chat.id} to reply to")
        return found

    async def send_text(
        self,
        user: SimUser,
        text: str,
        *,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: ChatMessage | SentMessage | int | None = None,
    ) -> ChatMessage:
        """The person writes ``text`` (a leading /command gets its bot_command entity, as in Telegram)."""
        if not text:
            raise AssertionError("Telegram clients do not send empty messages")
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        message = self._user_message(user, chat, thread_id, reply_to, "text", content, text, entities)
        await asyncio.sleep(0)
        return message

    async def send_command(
        self,
        user: SimUser,
        command: str,
        payload: str | None = None,
        *,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
    ) -> ChatMessage:
        """``/start`` or ``/start payload`` (deep link), with its bot_command entity."""
        if not command.startswith("/"):
            command = "/" + command
        text = f"{command} {payload}" if payload else command
        return await self.send_text(user, text, chat=chat, thread_id=thread_id)

    async def _send_user_media(
        self,
        user: SimUser,
        kind: str,
        *,
        caption: str | None,
        chat: ChatRef | None,
        thread_id: int | None,
        reply_to: ChatMessage | SentMessage | int | None,
        content: bytes | None,
        file_size: int | None,
        file_name: str | None = None,
        mime_type: str | None = None,
        media_params: dict[str, Any] | None = None,
        media_group_id: str | None = None,
    ) -> ChatMessage:
        stored = self.files.add(kind, content, file_size=file_size, file_name=file_name, mime_type=mime_type)
        media = self.make_media(kind, stored, media_params or {})
        body: dict[str, Any] = {kind: media}
        if media_group_id is not None:
            body["media_group_id"] = media_group_id
        if kind == "animation":
            body["document"] = {k: v for k, v in media.items() if k not in ("width", "height", "duration")}
        if caption:
            body["caption"] = caption
        message = self._user_message(user, chat, thread_id, reply_to, kind, body, caption or "", [])
        await asyncio.sleep(0)
        return message

    async def send_album(
        self,
        user: SimUser,
        kinds: Iterable[str] = ("photo", "photo"),
        *,
        caption: str | None = None,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: ChatMessage | SentMessage | int | None = None,
    ) -> list[ChatMessage]:
        """The person sends an album: one ``message`` update per item, all with the same
        ``media_group_id``, the caption on the first item (as Telegram's apps send it)."""
        kinds = list(kinds)
        if not 2 <= len(kinds) <= MAX_ALBUM or any(kind not in ALBUM_KINDS for kind in kinds):
            raise AssertionError(f"an album has 2 to {MAX_ALBUM} of {ALBUM_KINDS}, not {kinds}")
        mixed = album_mix_error(kinds)
        if mixed:
            raise AssertionError(f"Telegram's apps do not send such an album: {mixed}")
        group_id = self.new_media_group_id()
        return [
            await self._send_user_media(
                user,
                kind,
                caption=caption if index == 0 else None,
                chat=chat,
                thread_id=thread_id,
                reply_to=reply_to,
                content=None,
                file_size=None,
                file_name={"document": "document.pdf", "audio": "audio.mp3", "video": "video.mp4"}.get(kind),
                media_group_id=group_id,
            )
            for index, kind in enumerate(kinds)
        ]

    async def send_photo(
        self,
        user: SimUser,
        caption: str | None = None,
        *,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: ChatMessage | SentMessage | int | None = None,
        content: bytes | None = None,
        file_size: int | None = None,
        width: int = 1280,
        height: int = 960,
    ) -> ChatMessage:
        return await self._send_user_media(
            user,
            "photo",
            caption=caption,
            chat=chat,
            thread_id=thread_id,
            reply_to=reply_to,
            content=content,
            file_size=file_size,
            media_params={"width": width, "height": height},
        )

    async def send_document(
        self,
        user: SimUser,
        file_name: str = "document.pdf",
        *,
        caption: str | None = None,
        mime_type: str = "application/pdf",
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: ChatMessage | SentMessage | int | None = None,
        content: bytes | None = None,
        file_size: int | None = None,
    ) -> ChatMessage:
        return await self._send_user_media(
            user,
            "document",
            caption=caption,
            chat=chat,
            thread_id=thread_id,
            reply_to=reply_to,
            content=content,
            file_size=file_size,
            file_name=file_name,
            mime_type=mime_type,
        )

    async def send_voice(
        self,
        user: SimUser,
        duration: int = 3,
        *,
        caption: str | None = None,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: ChatMessage | SentMessage | int | None = None,
        content: bytes | None = None,
        file_size: int | None = None,
    ) -> ChatMessage:
        return await self._send_user_media(
            user,
            "voice",
            caption=caption,
            chat=chat,
            thread_id=thread_id,
            reply_to=reply_to,
            content=content,
            file_size=file_size,
            media_params={"duration": duration},
        )

    async def send_video(
        self,
        user: SimUser,
        duration: int = 10,
        *,
        caption: str | None = None,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: ChatMessage | SentMessage | int | None = None,
        content: bytes | None = None,
        file_size: int | None = None,
    ) -> ChatMessage:
        return await self._send_user_media(
            user,
            "video",
            caption=caption,
            chat=chat,
            thread_id=thread_id,
            reply_to=reply_to,
            content=content,
            file_size=file_size,
            file_name="video.mp4",
            mime_type="video/mp4",
            media_params={"duration": duration},
        )

    async def send_video_note(
        self,
        user: SimUser,
        duration: int = 5,
        *,
        length: int = 240,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: ChatMessage | SentMessage | int | None = None,
        content: bytes | None = None,
        file_size: int | None = None,
    ) -> ChatMessage:
        return await self._send_user_media(
            user,
            "video_note",
            caption=None,
            chat=chat,
            thread_id=thread_id,
            reply_to=reply_to,
            content=content,
            file_size=file_size,
            media_params={"duration": duration, "length": length},
        )

    async def send_sticker(
        self,
        user: SimUser,
        emoji: str = "👍",
        *,
        chat: ChatRef | None = None,
        thread_id: int | None = None,
        reply_to: ChatMessage | SentMessage | int | None = None,
    ) -> ChatMessage:
        return await self._send_user_media(
            user,
            "sticker",
            caption=None,
            chat=chat,
            thread_id=thread_id,
            reply_to=reply_to,
            content=None,
            file_size=None,
            media_params={"emoji": emoji},
        )

    async def edit_text(self, user: SimUser, message: ChatMessage, new_text: str) -> ChatMessage:
        """The person edits their own text message: an edited_message update."""
        if message.sender_id != user.id or message.kind != "text":
            raise AssertionError("a person can only edit their own text messages")
        if message.deleted:
            raise AssertionError("that message was deleted")
        entities: list[dict[str, Any]] = []
        if new_text.startswith("/"):
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(new_text.split()[0])})
        message.json["text"] = new_text
        if entities:
            message.json["entities"] = entities
        else:
            message.json.pop("entities", None)
        message.json["edit_date"] = now()
        message.plain, message.entities = new_text, entities
        self._push("edited_message", dict(message.json))
        await asyncio.sleep(0)
        return message

    async def press(self, user: SimUser, message: SentMessage | ChatMessage, button_text: str) -> str:
        """The person taps the inline button whose visible text is exactly ``button_text``.

        Returns the callback query id.
        """
        stored = message.stored if isinstance(message, SentMessage) else message
        assert stored is not None
        buttons = inline_buttons(stored.reply_markup)
        for button in buttons:
            if button["text"] == button_text:
                if "callback_data" not in button:
                    kind = next((k for k in button if k != "text"), "?")
                    raise AssertionError(f"button {button_text!r} is a {kind} button, not a callback button")
                return await self.press_data(user, message, str(button["callback_data"]))
        available = [b["text"] for b in buttons]
        raise AssertionError(
            f"no inline button {button_text!r} on message {stored.message_id} in chat {stored.chat_id}; "
            f"buttons there: {available!r}"
        )

    async def press_data(self, user: SimUser, message: SentMessage | ChatMessage, data: str) -> str:
        """A callback query with arbitrary ``data`` (what a modified client could send)."""
        stored = message.stored if isinstance(message, SentMessage) else message
        assert stored is not None
        chat = self.chats[stored.chat_id]
        if stored.deleted:
            raise AssertionError(f"message {stored.message_id} was deleted; nobody can press its buttons")
        if chat.is_private and chat.id != user.id:
            raise AssertionError(f"{user.first_name} cannot see private chat {chat.id}")
        if not chat.is_private and chat.members.get(user.id) not in _MEMBER_STATUSES:
            raise AssertionError(f"{user.first_name} is not a member of {chat.title!r}")
        self._next_query += self._rng.randrange(1, 10**6)
        query_id = str(self._next_query)
        self.callbacks[query_id] = CallbackState(query_id, user, data, stored, time.monotonic())
        self._push(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_json(),
                "message": stored.json,
                "chat_instance": chat.chat_instance,
                "data": data,
            },
        )
        await asyncio.sleep(0)
        return query_id

    async def block(self, user: SimUser) -> None:
        """The person blocks the bot: sends to them now fail with 403."""
        user.blocked = True
        self._push_my_chat_member(user, "member", "kicked")
        await asyncio.sleep(0)

    async def unblock(self, user: SimUser) -> None:
        user.blocked = False
        self._push_my_chat_member(user, "kicked", "member")
        await asyncio.sleep(0)

    def _push_my_chat_member(self, user: SimUser, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            body: dict[str, Any] = {"status": status, "user": self.bot_user}
            if status == "kicked":
                body["until_date"] = 0
            return body

        self._push(
            "my_chat_member",
            {
                "chat": self.chats[user.id].to_json(),
                "from": user.to_json(),
                "date": now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # ------------------------------------------------------------ reading back

    def text_of(self, message: SentMessage | ChatMessage | str) -> str:
        """The plain text a person sees: tags stripped, entities unescaped."""
        if isinstance(message, str):
            return html_to_plain(message)
        return message.plain

    def messages_to(
        self, chat: ChatRef, thread_id: int | None = None, *, include_deleted: bool = False
    ) -> list[SentMessage]:
        """Bot messages in ``chat`` (any topic when ``thread_id`` is None), oldest first."""
        return [
            m
            for m in self._sent_by_chat.get(_chat_id(chat), [])
            if (thread_id is None or m.thread_id == thread_id) and (include_deleted or not m.deleted)
        ]

    def last_message_to(self, chat: ChatRef, thread_id: int | None = None) -> SentMessage:
        messages = self.messages_to(chat, thread_id)
        if not messages:
            raise AssertionError(f"the bot sent nothing to chat {_chat_id(chat)}")
        return messages[-1]

    def reactions_on(self, chat: ChatRef, message_id: int) -> list[str]:
        """The bot's reaction on a message in ``chat`` (setMessageReaction), as emoji."""
        message = self.chat(chat).messages.get(message_id)
        return list(message.reactions) if message is not None else []

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        canonical = self.resolve_method(method) or method
        return [record.params for record in self._calls_by_method.get(canonical, [])]

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """How the bot answered a callback query (None while unanswered)."""
        query = self.callbacks.get(query_id)
        return query.answer if query is not None and query.answered else None

    def bot_commands(
        self, language_code: str = "", scope: dict[str, Any] | None = None
    ) -> list[dict[str, str]]:
        scope_key = self._scope_key({"scope": scope} if scope else {})
        return self.commands.get((scope_key, language_code), [])

    async def wait_for(
        self,
        predicate: Callable[[SentMessage], bool],
        timeout: float = 10,  # noqa: ASYNC109 - the tests' vocabulary
        *,
        what: str = "a matching message",
    ) -> SentMessage:
        """The first not yet consumed bot message satisfying ``predicate``; it is then consumed."""

        def scan() -> SentMessage | None:
            sent = self.sent
            while self._cursor_all < len(sent) and sent[self._cursor_all].consumed:
                self._cursor_all += 1
            for index in range(self._cursor_all, len(sent)):
                candidate = sent[index]
                if not candidate.consumed and not candidate.deleted and predicate(candidate):
                    candidate.consumed = True
                    return candidate
            return None

        return await self._wait(scan, timeout, lambda: self._timeout_report(what, None, timeout))

    async def wait_for_message(
        self,
        chat: ChatRef,
        contains: str | None = None,
        *,
        thread_id: int | None = None,
        kind: str | None = None,
        timeout: float = 10,  # noqa: ASYNC109
    ) -> SentMessage:
        """The next unconsumed bot message to ``chat`` (and topic), optionally containing ``contains``."""
        chat_id = _chat_id(chat)

        def matches(m: SentMessage) -> bool:
            return (
                (thread_id is None or m.thread_id == thread_id)
                and (kind is None or m.kind == kind)
                and (contains is None or contains in m.plain)
            )

        def scan() -> SentMessage | None:
            messages = self._sent_by_chat.get(chat_id, [])
            cursor = self._cursor_chat.get(chat_id, 0)
            while cursor < len(messages) and messages[cursor].consumed:
                cursor += 1
            self._cursor_chat[chat_id] = cursor
            for index in range(cursor, len(messages)):
                candidate = messages[index]
                if not candidate.consumed and not candidate.deleted and matches(candidate):
                    candidate.consumed = True
                    return candidate
            return None

        what = f"a message to chat {chat_id}"
        if thread_id is not None:
            what += f" in topic {thread_id}"
        if contains is not None:
            what += f" containing {contains!r}"
        return await self._wait(scan, timeout, lambda: self._timeout_report(what, chat_id, timeout))

    async def wait_for_edit(
        self,
        message: SentMessage,
        contains: str | None = None,
        *,
        timeout: float = 10,  # noqa: ASYNC109
    ) -> SentMessage:
        """Wait until the bot edits ``message`` (again), optionally until its text contains ``contains``."""

        def scan() -> SentMessage | None:
            if len(message.edits) > message.edits_seen and (contains is None or contains in message.plain):
                message.edits_seen = len(message.edits)
                return message
            return None

        def report() -> str:
            return (
                f"message {message.message_id} in chat {message.chat_id} was not edited"
                + (f" to contain {contains!r}" if contains else "")
                + f" within {timeout}s; its text now: {message.plain!r}"
                + self._failed_calls_report()
            )

        return await self._wait(scan, timeout, report)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        *,
        timeout: float = 10,  # noqa: ASYNC109
        include_failed: bool = False,
        in_flight: bool = False,
    ) -> dict[str, Any]:
        """The params of the next not yet consumed (successful) call of ``method``, once
        answered; with ``in_flight`` as soon as it arrives (the bot's first long poll,
        which is answered only when an update comes or its timeout ends)."""
        canonical = self.resolve_method(method) or method

        def scan() -> dict[str, Any] | None:
            for record in self._calls_by_method.get(canonical, []):
                if record.consumed or not (record.answered or in_flight):
                    continue
                if record.status != 200 and not include_failed and record.answered:
                    continue
                if predicate is None or predicate(record.params):
                    record.consumed = True
                    return record.params
            return None

        def report() -> str:
            seen = [r.params for r in self._calls_by_method.get(canonical, [])][-5:]
            return (
                f"no matching {canonical} call within {timeout}s; recent {canonical} calls: {seen!r}"
                + self._failed_calls_report()
            )

        return await self._wait(scan, timeout, report)

    async def _wait(
        self,
        scan: Callable[[], _T | None],
        timeout: float,  # noqa: ASYNC109
        report: Callable[[], str],
    ) -> _T:
        """Re-run ``scan`` whenever something changes, until it finds something or time runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            found = scan()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(report())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _timeout_report(self, what: str, chat_id: int | None, timeout: float) -> str:
        messages = self._sent_by_chat.get(chat_id, []) if chat_id is not None else self.sent
        lines = [f"no {what} arrived within {timeout}s."]
        if messages:
            lines.append(
                f"Last messages{' to this chat' if chat_id is not None else ''} (of {len(messages)}):"
            )
            for m in messages[-10:]:
                flags = ", ".join(
                    flag for flag, on in (("consumed", m.consumed), ("deleted", m.deleted)) if on
                )
                topic = f" topic {m.thread_id}" if m.thread_id is not None else ""
                lines.append(
                    f"  #{m.message_id}{topic} {m.method} {m.kind}: {m.plain[:200]!r}"
                    + (f" buttons={m.buttons}" if m.buttons else "")
                    + (f" ({flags})" if flags else "")
                )
        else:
            lines.append("The bot sent nothing" + (" to this chat." if chat_id is not None else "."))
        return "\n".join(lines) + self._failed_calls_report()

    def _failed_calls_report(self) -> str:
        failed = [r for r in self.call_log if r.status != 200][-5:]
        if not failed:
            return ""
        return "\nRecent failed calls:\n" + "\n".join(
            f"  {r.method} -> {r.status} {r.description}" for r in failed
        )


def _chat_id(ref: Any) -> int:
    if isinstance(ref, SimUser | SimChat):
        return ref.id
    if isinstance(ref, int):
        return ref
    if isinstance(ref, str) and ref.lstrip("-").isdigit():
        return int(ref)
    raise TypeError(f"not a chat: {ref!r}")


def _file_id_of(kind: str, content: dict[str, Any]) -> str | None:
    media = content.get(kind)
    if isinstance(media, list) and media:
        return str(media[-1]["file_id"])
    if isinstance(media, dict):
        return str(media["file_id"])
    return None
