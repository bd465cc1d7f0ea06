"""The fake's world: people, chats, topics, messages, files and the update queue."""

from __future__ import annotations

import asyncio
import base64
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .limits import inline_buttons

# Update types getUpdates sends when allowed_updates was never given (Bot API default).
ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

TOPIC_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)


def now() -> int:
    """Telegram dates are Unix time in whole seconds."""
    return int(time.time())


@dataclass(eq=False)
class SimUser:
    """A simulated person. Their private chat with the bot has the same id as they do."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool = False
    is_bot: bool = False
    blocked: bool = False
    started: bool = True

    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_json(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        if self.is_premium:
            user["is_premium"] = True
        return user


@dataclass(eq=False)
class Topic:
    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False
    created_message: dict[str, Any] | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        topic: dict[str, Any] = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass(eq=False)
class ChatMessage:
    """A message as it exists in a chat (from the bot or from a simulated person)."""

    chat_id: int
    message_id: int
    thread_id: int | None
    sender_id: int
    from_bot: bool
    kind: str  # text, photo, document, voice, video, video_note, sticker, audio, animation, service
    json: dict[str, Any] = field(repr=False)
    plain: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list, repr=False)
    reply_markup: dict[str, Any] | None = field(default=None, repr=False)
    file_id: str | None = None
    deleted: bool = False
    sent: SentMessage | None = field(default=None, repr=False)
    # The bot's reaction on this message (setMessageReaction), as emoji; empty when none.
    reactions: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.plain


@dataclass(eq=False)
class SentMessage:
    """What the bot put into a chat, with the call that did it. Edits update it in place."""

    seq: int
    method: str
    chat_id: int
    message_id: int
    thread_id: int | None
    kind: str
    text: str | None  # ``text`` as the bot sent it (markup included), for text messages
    caption: str | None  # ``caption`` as the bot sent it
    parse_mode: str | None
    is_html: bool
    plain: str  # what the person sees: text or caption with markup parsed away
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None  # as sent, any keyboard kind
    params: dict[str, Any] = field(repr=False)
    date: int
    reply_to_message_id: int | None = None
    file_id: str | None = None
    stored: ChatMessage | None = field(default=None, repr=False)
    deleted: bool = False
    edits: list[dict[str, Any]] = field(default_factory=list, repr=False)
    consumed: bool = field(default=False, repr=False)
    edits_seen: int = field(default=0, repr=False)
    at: float = field(default_factory=time.monotonic, repr=False)  # when it reached the server

    @property
    def visible_text(self) -> str:
        return self.plain

    @property
    def message(self) -> dict[str, Any]:
        """The Message object Telegram holds for it now."""
        assert self.stored is not None
        return self.stored.json

    @property
    def inline_markup(self) -> dict[str, Any] | None:
        return self.stored.reply_markup if self.stored is not None else None

    @property
    def buttons(self) -> list[list[str]]:
        """Texts of the inline buttons, row by row."""
        markup = self.inline_markup or {}
        return [[button["text"] for button in row] for row in markup.get("inline_keyboard", [])]

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for button in inline_buttons(self.inline_markup)]

    def button(self, text: str) -> dict[str, Any]:
        for candidate in inline_buttons(self.inline_markup):
            if candidate["text"] == text:
                return candidate
        raise AssertionError(f"no inline button {text!r}; buttons: {self.button_texts!r}")


@dataclass(eq=False)
class SimChat:
    """A chat the bot is in: a private chat with a SimUser, or a (forum) group."""

    id: int
    type: str  # private, group, supergroup
    title: str | None = None
    user: SimUser | None = None
    is_forum: bool = False
    username: str | None = None
    description: str | None = None
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    topics: dict[int, Topic] = field(default_factory=dict)
    messages: dict[int, ChatMessage] = field(default_factory=dict, repr=False)
    chat_instance: str = ""
    pinned: list[int] = field(default_factory=list, repr=False)
    last_message_id: int = 0

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def new_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def to_json(self) -> dict[str, Any]:
        if self.user is not None:
            return private_chat_json(self.user)
        chat: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def full_info(self) -> dict[str, Any]:
        info = self.to_json()
        info.update(
            {
                "accent_color_id": abs(self.id) % 7,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": True,
                    "limited_gifts": True,
                    "unique_gifts": True,
                    "premium_subscription": True,
                    "gifts_from_channels": True,
                },
            }
        )
        if self.description:
            info["description"] = self.description
        if self.pinned and self.pinned[-1] in self.messages:
            info["pinned_message"] = self.messages[self.pinned[-1]].json
        if not self.is_private:
            info["permissions"] = {
                "can_send_messages": True,
                "can_send_audios": True,
                "can_send_documents": True,
                "can_send_photos": True,
                "can_send_videos": True,
                "can_send_video_notes": True,
                "can_send_voice_notes": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": False,
                "can_invite_users": True,
                "can_pin_messages": False,
                "can_manage_topics": False,
            }
        return info

    def topic(self, name_or_id: str | int) -> Topic | None:
        if isinstance(name_or_id, int):
            found = self.topics.get(name_or_id)
            return found if found is not None and not found.deleted else None
        for candidate in self.topics.values():
            if candidate.name == name_or_id and not candidate.deleted:
                return candidate
        return None

    def live_topics(self) -> list[Topic]:
        return [t for t in self.topics.values() if not t.deleted]


SimGroup = SimChat


def private_chat_json(user: SimUser) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": user.id, "type": "private", "first_name": user.first_name}
    if user.last_name:
        chat["last_name"] = user.last_name
    if user.username:
        chat["username"] = user.username
    return chat


# ---------------------------------------------------------------- files

_FILE_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAA",
    "document": "BQACAgIAAxkBAA",
    "voice": "AwACAgIAAxkBAA",
    "video": "BAACAgIAAxkBAA",
    "video_note": "DQACAgIAAxkBAA",
    "sticker": "CAACAgIAAxkBAA",
    "audio": "CQACAgIAAxkBAA",
    "animation": "CgACAgIAAxkBAA",
}
_FILE_FOLDER = {
    "photo": ("photos", "jpg"),
    "document": ("documents", "bin"),
    "voice": ("voice", "oga"),
    "video": ("videos", "mp4"),
    "video_note": ("video_notes", "mp4"),
    "sticker": ("stickers", "webp"),
    "audio": ("music", "mp3"),
    "animation": ("animations", "mp4"),
}


@dataclass(eq=False)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    content: bytes = field(repr=False)
    file_size: int
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


class FileStore:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self._count = 0

    def _token(self, length: int) -> str:
        raw = self._rng.getrandbits(length * 8).to_bytes(length, "big")
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def add(
        self,
        kind: str,
        content: bytes | None = None,
        *,
        file_size: int | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        self._count += 1
        if content is None:
            content = self._rng.randbytes(min(file_size or 2048, 64 * 1024))
        folder, ext = _FILE_FOLDER.get(kind, ("documents", "bin"))
        if file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=_FILE_ID_PREFIX.get(kind, "BQACAgIAAxkBAA") + self._token(45),
            file_unique_id="AQAD" + self._token(9),
            kind=kind,
            content=content,
            file_size=file_size if file_size is not None else len(content),
            file_path=f"{folder}/file_{self._count}.{ext}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.by_id[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self.by_id.get(file_id)


# ---------------------------------------------------------------- updates


class UpdateQueue:
    """The bot's pending updates, as getUpdates hands them out."""

    def __init__(self, first_update_id: int) -> None:
        self._items: deque[dict[str, Any]] = deque()
        self.next_update_id = first_update_id
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._waiters: set[asyncio.Future[None]] = set()

    def __len__(self) -> int:
        return len(self._items)

    def push(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update; None when the bot's allowed_updates excludes its type."""
        if kind not in self.allowed:
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        self._items.append({"update_id": update_id, kind: payload})
        self.wake()
        return update_id

    def wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: forget updates below it; a negative offset keeps only the last -offset."""
        items = self._items
        if offset < 0:
            while len(items) > -offset:
                items.popleft()
            return
        while items and items[0]["update_id"] < offset:
            items.popleft()

    def peek(self, limit: int) -> list[dict[str, Any]]:
        if limit >= len(self._items):
            return list(self._items)
        return [self._items[i] for i in range(limit)]

    def clear(self) -> None:
        self._items.clear()

    def remove(self, update_id: int) -> None:
        """Forget one update (delivered to the webhook), wherever it stands in the queue."""
        for item in self._items:
            if item["update_id"] == update_id:
                self._items.remove(item)
                return

    def add_waiter(self, waiter: asyncio.Future[None]) -> None:
        """``waiter`` gets a result when the next update is pushed."""
        self._waiters.add(waiter)

    def remove_waiter(self, waiter: asyncio.Future[None]) -> None:
        self._waiters.discard(waiter)


class ApiCall(NamedTuple):
    """One request the bot made: canonical method name and its decoded parameters."""

    method: str
    params: dict[str, Any]


@dataclass
class CallRecord:
    method: str
    params: dict[str, Any] = field(repr=False)
    status: int
    description: str | None
    at: float
    consumed: bool = field(default=False, repr=False)
    answered: bool = field(default=False, repr=False)  # False while in flight (a long poll)
