"""The Bot API methods the fake answers, with Telegram's results and errors."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request, forbidden
from .faults import FloodController
from .limits import (
    MAX_CALLBACK_ANSWER,
    MAX_DESCRIPTION,
    MAX_DOWNLOAD_SIZE,
    MAX_SHORT_DESCRIPTION,
    MAX_TOPIC_NAME,
    ParsedText,
    check_caption,
    check_message_text,
    format_text,
    validate_commands,
    validate_reply_markup,
)
from .state import (
    ALL_UPDATE_TYPES,
    DEFAULT_UPDATE_TYPES,
    TOPIC_ICON_COLORS,
    ChatMessage,
    FileStore,
    SentMessage,
    SimChat,
    SimUser,
    StoredFile,
    Topic,
    UpdateQueue,
    now,
)
from .webhook import DEFAULT_MAX_CONNECTIONS, WebhookDelivery

Handler = Callable[[Any, dict[str, Any]], Any]
_REGISTRY: dict[str, Handler] = {}  # lower-case method name -> handler
CANONICAL: dict[str, str] = {}  # lower-case method name -> canonical name


def api(name: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        _REGISTRY[name.lower()] = func
        CANONICAL[name.lower()] = name
        return func

    return register


# The emoji ReactionTypeEmoji accepts (Bot API, "ReactionTypeEmoji").
REACTION_EMOJI = frozenset(
    {
        "👍",
        "👎",
        "❤",
        "🔥",
        "🥰",
        "👏",
        "😁",
        "🤔",
        "🤯",
        "😱",
        "🤬",
        "😢",
        "🎉",
        "🤩",
        "🤮",
        "💩",
        "🙏",
        "👌",
        "🕊",
        "🤡",
        "🥱",
        "🥴",
        "😍",
        "🐳",
        "❤‍🔥",
        "🌚",
        "🌭",
        "💯",
        "🤣",
        "⚡",
        "🍌",
        "🏆",
        "💔",
        "🤨",
        "😐",
        "🍓",
        "🍾",
        "💋",
        "🖕",
        "😈",
        "😴",
        "😭",
        "🤓",
        "👻",
        "👨‍💻",
        "👀",
        "🎃",
        "🙈",
        "😇",
        "😨",
        "🤝",
        "✍",
        "🤗",
        "🫡",
        "🎅",
        "🎄",
        "☃",
        "💅",
        "🤪",
        "🗿",
        "🆒",
        "💘",
        "🙉",
        "🦄",
        "😘",
        "💊",
        "🙊",
        "😎",
        "👾",
        "🤷‍♂",
        "🤷",
        "🤷‍♀",
        "😡",
    }
)
COPY_METHODS = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})
MEDIA_KINDS = ("photo", "document", "voice", "video", "video_note", "sticker", "audio", "animation")
CONTENT_KEYS = ("text", "entities", *MEDIA_KINDS, "caption", "caption_entities", "has_media_spoiler")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
CALLBACK_LIFETIME = 15 * 60
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_DEFAULT_SCOPE = {"type": "default"}


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart request."""

    filename: str
    content_type: str | None
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class CallbackState:
    id: str
    user: SimUser
    data: str | None
    message: ChatMessage
    created: float
    answered: bool = False
    answer: dict[str, Any] | None = None


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise bad_request(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise bad_request(f"invalid {name} specified")


def _without_reply(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k != "reply_to_message"}


class BotApiMethods:
    """Mixin with the method handlers; FakeTelegram provides the state it works on."""

    token: str
    bot_id: int
    bot_user: dict[str, Any]
    bot_name: str
    strict_ampersand: bool
    users: dict[int, SimUser]
    chats: dict[int, SimChat]
    files: FileStore
    updates: UpdateQueue
    flood: FloodController
    callbacks: dict[str, CallbackState]
    commands: dict[tuple[str, str], list[dict[str, str]]]
    descriptions: dict[tuple[str, str], str]
    menu_buttons: dict[int | None, dict[str, Any]]
    webhook: dict[str, Any]
    allow_http_webhook: bool
    delivery: WebhookDelivery
    media_by_file_id: dict[str, Any]
    _poll_waiter: asyncio.Future[None] | None

    # provided by FakeTelegram
    def _record_sent(
        self,
        method: str,
        params: dict[str, Any],
        message: ChatMessage,
        raw_text: str | None,
        raw_caption: str | None,
    ) -> SentMessage:
        raise NotImplementedError

    def _record_edit(
        self, message: ChatMessage, method: str, params: dict[str, Any], raw: str | None
    ) -> None:
        raise NotImplementedError

    def _mark_deleted(self, message: ChatMessage) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ dispatch

    def resolve_method(self, name: str) -> str | None:
        return CANONICAL.get(name.lower())

    async def call_method(self, canonical: str, params: dict[str, Any]) -> Any:
        result = _REGISTRY[canonical.lower()](self, params)
        if isinstance(result, Awaitable):
            result = await result
        return result

    # ------------------------------------------------------------ lookups

    def _chat(self, params: dict[str, Any], key: str = "chat_id") -> SimChat:
        value = params.get(key)
        if value is None or value == "":
            raise bad_request(f"{key} is empty")
        chat: SimChat | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            chat = self.chats.get(value)
        elif isinstance(value, str):
            if value.startswith("@"):
                wanted = value[1:].lower()
                chat = next((c for c in self.chats.values() if (c.username or "").lower() == wanted), None)
            elif re.fullmatch(r"-?\d+", value):
                chat = self.chats.get(int(value))
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _message(self, chat: SimChat, params: dict[str, Any], missing: str) -> ChatMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(_int(params["message_id"], "message_id"))
        if message is None or message.deleted:
            raise bad_request(missing)
        return message

    def _thread(self, chat: SimChat, params: dict[str, Any]) -> int | None:
        value = params.get("message_thread_id")
        if value is None or value == 0:
            return None
        thread_id = _int(value, "message_thread_id")
        if chat.is_forum and thread_id == 1:
            return None  # the General topic
        if not chat.is_forum:
            raise bad_request("message thread not found")
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise bad_request("message thread not found")
        return thread_id

    def _reply_to(self, chat: SimChat, params: dict[str, Any]) -> ChatMessage | None:
        reply = params.get("reply_parameters")
        allow = bool(params.get("allow_sending_without_reply"))
        message_id: Any = params.get("reply_to_message_id")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = allow or bool(reply.get("allow_sending_without_reply"))
            if reply.get("chat_id") not in (None, chat.id, str(chat.id)):
                chat = self._chat(reply)
        if message_id is None:
            return None
        message = chat.messages.get(_int(message_id, "message_id"))
        if message is None or message.deleted:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return message

    def _check_can_send(self, chat: SimChat) -> None:
        if chat.user is not None:
            if chat.user.blocked:
                raise forbidden("bot was blocked by the user")
            if not chat.user.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif chat.members.get(self.bot_id) in (None, "left", "kicked"):
            raise forbidden(f"bot is not a member of the {chat.type} chat")

    def _format(self, params: dict[str, Any], key: str, entities_key: str) -> ParsedText:
        entities = params.get(entities_key)
        return format_text(
            str(params.get(key) or ""),
            params.get("parse_mode"),
            entities if isinstance(entities, list) else None,
            strict_ampersand=self.strict_ampersand,
        )

    # ------------------------------------------------------------ making messages

    def _post(
        self,
        chat: SimChat,
        thread_id: int | None,
        kind: str,
        content: dict[str, Any],
        plain: str,
        entities: list[dict[str, Any]],
        inline_markup: dict[str, Any] | None,
        reply_to: ChatMessage | None,
        extra: dict[str, Any] | None = None,
        *,
        counted: bool = True,
    ) -> ChatMessage:
        """Flood-check (unless the request was counted already), then put a bot message into the chat."""
        if counted:
            self.flood.check(chat.id, chat.is_private)
        message_id = chat.new_message_id()
        payload: dict[str, Any] = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": chat.to_json(),
            "date": now(),
        }
        if thread_id is not None:
            payload["message_thread_id"] = thread_id
            payload["is_topic_message"] = True
        if reply_to is not None:
            payload["reply_to_message"] = _without_reply(reply_to.json)
        elif thread_id is not None:
            created = chat.topics[thread_id].created_message
            if created is not None:
                payload["reply_to_message"] = created
        if extra:
            payload.update(extra)
        payload.update(content)
        if inline_markup is not None:
            payload["reply_markup"] = inline_markup
        message = ChatMessage(
            chat_id=chat.id,
            message_id=message_id,
            thread_id=thread_id,
            sender_id=self.bot_id,
            from_bot=True,
            kind=kind,
            json=payload,
            plain=plain,
            entities=entities,
            reply_markup=inline_markup,
            file_id=_main_file_id(kind, content),
        )
        chat.messages[message_id] = message
        return message

    def _resolve_file(self, kind: str, value: Any, params: dict[str, Any]) -> tuple[StoredFile | None, Any]:
        """(stored file, media json) for an uploaded file, a known file_id or a URL."""
        if value is None or value == "":
            raise bad_request(f"there is no {kind} in the request")
        if isinstance(value, Upload):
            if not value.content:
                raise bad_request("file must be non-empty")
            stored = self.files.add(
                kind, value.content, file_name=value.filename, mime_type=value.content_type
            )
            return stored, None
        if isinstance(value, str) and re.match(r"^https?://", value):
            stored = self.files.add(kind, None, file_name=value.rsplit("/", 1)[-1] or None)
            return stored, None
        if isinstance(value, str):
            known = self.files.get(value)
            if known is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            media = self.media_by_file_id.get(value)
            if kind == "photo" and isinstance(media, list):
                return known, media
            if isinstance(media, dict) and known.kind == kind:
                return known, media
            if known.kind != kind:
                raise bad_request(f"can't use file of type {_type_name(known.kind)} as {_type_name(kind)}")
            return known, None
        raise bad_request(f"there is no {kind} in the request")

    def make_media(self, kind: str, stored: StoredFile, params: dict[str, Any]) -> Any:
        """The media object (PhotoSize list for photos) Telegram puts into a message."""
        base = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        media: Any
        if kind == "photo":
            width = int(params.get("width") or 1280)
            height = int(params.get("height") or 960)
            sizes: list[dict[str, Any]] = []
            for scale in (90, 320, 800):
                if scale >= max(width, height):
                    break
                small = self.files.add("photo", stored.content[: max(1, len(stored.content) // 4)])
                factor = scale / max(width, height)
                sizes.append(
                    {
                        "file_id": small.file_id,
                        "file_unique_id": small.file_unique_id,
                        "file_size": small.file_size,
                        "width": max(1, round(width * factor)),
                        "height": max(1, round(height * factor)),
                    }
                )
            sizes.append({**base, "width": width, "height": height})
            media = sizes
            for size in sizes:
                self.media_by_file_id[size["file_id"]] = sizes
            return media
        if kind == "document":
            media = {
                **base,
                "file_name": stored.file_name or "document",
                "mime_type": stored.mime_type or "application/octet-stream",
            }
        elif kind == "voice":
            media = {**base, "duration": int(params.get("duration") or 3), "mime_type": "audio/ogg"}
        elif kind == "video":
            media = {
                **base,
                "width": int(params.get("width") or 1280),
                "height": int(params.get("height") or 720),
                "duration": int(params.get("duration") or 10),
                "mime_type": "video/mp4",
            }
        elif kind == "video_note":
            media = {
                **base,
                "length": int(params.get("length") or 240),
                "duration": int(params.get("duration") or 5),
            }
        elif kind == "sticker":
            media = {
                **base,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": str(params.get("emoji") or "👍"),
            }
        elif kind == "audio":
            media = {
                **base,
                "duration": int(params.get("duration") or 180),
                "file_name": stored.file_name or "audio.mp3",
                "mime_type": "audio/mpeg",
            }
            for key in ("performer", "title"):
                if params.get(key):
                    media[key] = params[key]
        else:  # animation
            media = {
                **base,
                "width": int(params.get("width") or 480),
                "height": int(params.get("height") or 270),
                "duration": int(params.get("duration") or 3),
                "file_name": stored.file_name or "animation.mp4",
                "mime_type": "video/mp4",
            }
        self.media_by_file_id[stored.file_id] = media
        return media

    # ------------------------------------------------------------ bot and updates

    @api("getMe")
    def api_get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @api("logOut")
    def api_log_out(self, params: dict[str, Any]) -> bool:
        return True

    @api("close")
    def api_close_bot(self, params: dict[str, Any]) -> bool:
        return True

    @api("getUpdates")
    async def api_get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(params.get("offset") or 0, "offset")
        limit = min(100, max(1, _int(params.get("limit") or 100, "limit")))
        timeout = max(0, _int(params.get("timeout") or 0, "timeout"))
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.updates.allowed = (
                frozenset(a for a in allowed if a in ALL_UPDATE_TYPES) or DEFAULT_UPDATE_TYPES
            )
        if offset:
            self.updates.confirm(offset)
        previous = self._poll_waiter
        if previous is not None and not previous.done():
            previous.set_exception(
                ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            )
        items = self.updates.peek(limit)
        if items or timeout == 0:
            return items
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._poll_waiter = waiter
        self.updates.add_waiter(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return []
        finally:
            self.updates.remove_waiter(waiter)
            if self._poll_waiter is waiter:
                self._poll_waiter = None
        return self.updates.peek(limit)

    @api("setWebhook")
    def api_set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        secure = url.startswith("https://") or (self.allow_http_webhook and url.startswith("http://"))
        if url and not secure:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        max_connections = _int(params.get("max_connections") or DEFAULT_MAX_CONNECTIONS, "max_connections")
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if params.get("drop_pending_updates"):
            self.updates.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.updates.allowed = (
                frozenset(a for a in allowed if a in ALL_UPDATE_TYPES) or DEFAULT_UPDATE_TYPES
            )
        secret = params.get("secret_token")
        self.webhook = {"url": url, "secret_token": secret, "max_connections": max_connections}
        self.delivery.configure(url, str(secret) if secret else None, max_connections)
        return True

    @api("deleteWebhook")
    def api_delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = {"url": ""}
        self.delivery.configure("", None, DEFAULT_MAX_CONNECTIONS)
        return True

    @api("getWebhookInfo")
    def api_get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook.get("max_connections", DEFAULT_MAX_CONNECTIONS)
        if self.delivery.last_error_date is not None:
            info["last_error_date"] = self.delivery.last_error_date
            info["last_error_message"] = self.delivery.last_error_message
        if self.updates.allowed != DEFAULT_UPDATE_TYPES:
            info["allowed_updates"] = sorted(self.updates.allowed)
        return info

    # ------------------------------------------------------------ sending

    @api("sendMessage")
    def api_send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        thread_id = self._thread(chat, params)
        parsed = self._format(params, "text", "entities")
        check_message_text(parsed)
        markup = validate_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        self._check_can_send(chat)
        content: dict[str, Any] = {"text": parsed.text}
        if parsed.entities:
            content["entities"] = parsed.entities
        if isinstance(params.get("link_preview_options"), dict):
            content["link_preview_options"] = params["link_preview_options"]
        message = self._post(chat, thread_id, "text", content, parsed.text, parsed.entities, markup, reply_to)
        self._record_sent("sendMessage", params, message, str(params.get("text") or ""), None)
        return message.json

    def _send_media(self, method: str, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        thread_id = self._thread(chat, params)
        stored, media = self._resolve_file(kind, params.get(kind), params)
        captioned = kind not in ("sticker", "video_note")
        parsed = self._format(params, "caption", "caption_entities") if captioned else ParsedText("")
        check_caption(parsed)
        markup = validate_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        self._check_can_send(chat)
        assert stored is not None
        if media is None:
            media = self.make_media(kind, stored, params)
        content: dict[str, Any] = {kind: media}
        if kind == "animation":
            content["document"] = {k: v for k, v in media.items() if k not in ("width", "height", "duration")}
        if parsed.text:
            content["caption"] = parsed.text
            if parsed.entities:
                content["caption_entities"] = parsed.entities
        if params.get("has_spoiler"):
            content["has_media_spoiler"] = True
        message = self._post(chat, thread_id, kind, content, parsed.text, parsed.entities, markup, reply_to)
        raw_caption = str(params["caption"]) if params.get("caption") is not None else None
        self._record_sent(method, params, message, None, raw_caption)
        return message.json

    @api("sendPhoto")
    def api_send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media("sendPhoto", "photo", params)

    @api("sendDocument")
    def api_send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media("sendDocument", "document", params)

    @api("sendVoice")
    def api_send_voice(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media("sendVoice", "voice", params)

    @api("sendVideo")
    def api_send_video(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media("sendVideo", "video", params)

    @api("sendVideoNote")
    def api_send_video_note(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media("sendVideoNote", "video_note", params)

    @api("sendSticker")
    def api_send_sticker(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media("sendSticker", "sticker", params)

    @api("sendAudio")
    def api_send_audio(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media("sendAudio", "audio", params)

    @api("sendAnimation")
    def api_send_animation(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media("sendAnimation", "animation", params)

    def _copy(self, method: str, params: dict[str, Any], message_id: Any, forward: bool) -> ChatMessage:
        source_chat = self._chat(params, "from_chat_id")
        missing = "message to forward not found" if forward else "message to copy not found"
        source = source_chat.messages.get(_int(message_id, "message_id")) if message_id is not None else None
        if source is None or source.deleted:
            raise bad_request(missing)
        if source.kind == "service":
            raise bad_request("message can't be forwarded" if forward else "message can't be copied")
        chat = self._chat(params)
        thread_id = self._thread(chat, params)
        content = {k: v for k, v in source.json.items() if k in CONTENT_KEYS}
        plain, entities = source.plain, source.entities
        raw_text = source.json.get("text") if source.kind == "text" else None
        raw_caption = source.json.get("caption")
        if not forward and source.kind != "text" and "caption" in params:
            parsed = self._format(params, "caption", "caption_entities")
            check_caption(parsed)
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if parsed.text:
                content["caption"] = parsed.text
                if parsed.entities:
                    content["caption_entities"] = parsed.entities
            plain, entities = parsed.text, parsed.entities
            raw_caption = params.get("caption")
        markup = validate_reply_markup(params.get("reply_markup")) if not forward else None
        reply_to = self._reply_to(chat, params) if not forward else None
        self._check_can_send(chat)
        extra: dict[str, Any] | None = None
        if forward:
            origin: dict[str, Any]
            if source.from_bot:
                origin = {"type": "user", "date": source.json["date"], "sender_user": self.bot_user}
            elif source.sender_id in self.users:
                origin = {
                    "type": "user",
                    "date": source.json["date"],
                    "sender_user": self.users[source.sender_id].to_json(),
                }
            else:
                origin = {"type": "hidden_user", "date": source.json["date"], "sender_user_name": "Unknown"}
            extra = {"forward_origin": origin}
        message = self._post(chat, thread_id, source.kind, content, plain, entities, markup, reply_to, extra)
        self._record_sent(method, params, message, raw_text, raw_caption)
        return message

    @api("copyMessage")
    def api_copy_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._copy("copyMessage", params, params.get("message_id"), forward=False)
        return {"message_id": message.message_id}

    @api("forwardMessage")
    def api_forward_message(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._copy("forwardMessage", params, params.get("message_id"), forward=True).json

    def _copy_many(self, method: str, params: dict[str, Any], forward: bool) -> list[dict[str, Any]]:
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be a non-empty array of at most 100 identifiers")
        source_chat = self._chat(params, "from_chat_id")
        result = []
        for message_id in sorted(_int(i, "message_id") for i in ids):
            source = source_chat.messages.get(message_id)
            if source is None or source.deleted or source.kind == "service":
                continue
            single = {k: v for k, v in params.items() if k not in ("message_ids", "caption")}
            copied = self._copy(method, single, message_id, forward)
            result.append({"message_id": copied.message_id})
        if not result:
            raise bad_request(
                "there are no messages to forward" if forward else "there are no messages to copy"
            )
        return result

    @api("copyMessages")
    def api_copy_messages(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self._copy_many("copyMessages", params, forward=False)

    @api("forwardMessages")
    def api_forward_messages(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self._copy_many("forwardMessages", params, forward=True)

    @api("sendChatAction")
    def api_send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        self._thread(chat, params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._check_can_send(chat)
        return True

    # ------------------------------------------------------------ editing and deleting

    def _editable(self, params: dict[str, Any]) -> tuple[SimChat, ChatMessage]:
        chat = self._chat(params)
        message = self._message(chat, params, "message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if chat.user is not None and chat.user.blocked:
            raise forbidden("bot was blocked by the user")
        return chat, message

    @api("editMessageText")
    def api_edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        _, message = self._editable(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        parsed = self._format(params, "text", "entities")
        check_message_text(parsed)
        markup = validate_reply_markup(params.get("reply_markup"))
        if (
            parsed.text == message.plain
            and parsed.entities == message.entities
            and markup == message.reply_markup
        ):
            raise bad_request(NOT_MODIFIED)
        payload = message.json
        payload["text"] = parsed.text
        _set_or_drop(payload, "entities", parsed.entities or None)
        _set_or_drop(payload, "reply_markup", markup)
        payload["edit_date"] = now()
        message.plain, message.entities, message.reply_markup = parsed.text, parsed.entities, markup
        self._record_edit(message, "editMessageText", params, str(params.get("text") or ""))
        return payload

    @api("editMessageCaption")
    def api_edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        _, message = self._editable(params)
        if message.kind in ("text", "sticker", "video_note", "service"):
            raise bad_request("there is no caption in the message to edit")
        parsed = self._format(params, "caption", "caption_entities")
        check_caption(parsed)
        markup = validate_reply_markup(params.get("reply_markup"))
        if (
            parsed.text == message.plain
            and parsed.entities == message.entities
            and markup == message.reply_markup
        ):
            raise bad_request(NOT_MODIFIED)
        payload = message.json
        _set_or_drop(payload, "caption", parsed.text or None)
        _set_or_drop(payload, "caption_entities", parsed.entities or None)
        _set_or_drop(payload, "reply_markup", markup)
        payload["edit_date"] = now()
        message.plain, message.entities, message.reply_markup = parsed.text, parsed.entities, markup
        raw = str(params["caption"]) if params.get("caption") is not None else None
        self._record_edit(message, "editMessageCaption", params, raw)
        return payload

    @api("editMessageReplyMarkup")
    def api_edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        _, message = self._editable(params)
        markup = validate_reply_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        payload = message.json
        _set_or_drop(payload, "reply_markup", markup)
        payload["edit_date"] = now()
        message.reply_markup = markup
        self._record_edit(message, "editMessageReplyMarkup", params, None)
        return payload

    @api("deleteMessage")
    def api_delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        message = self._message(chat, params, "message to delete not found")
        self._check_can_delete(chat, message)
        self._mark_deleted(message)
        return True

    @api("deleteMessages")
    def api_delete_messages(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be a non-empty array of at most 100 identifiers")
        for message_id in ids:
            message = chat.messages.get(_int(message_id, "message_id"))
            if message is not None and not message.deleted:
                self._check_can_delete(chat, message)
                self._mark_deleted(message)
        return True

    def _check_can_delete(self, chat: SimChat, message: ChatMessage) -> None:
        if message.from_bot or chat.is_private:
            return
        if message.kind == "service" and message.thread_id is not None:
            raise bad_request("message can't be deleted")
        if chat.members.get(self.bot_id) not in ("administrator", "creator"):
            raise bad_request("message can't be deleted")

    # ------------------------------------------------------------ callback queries

    @api("answerCallbackQuery")
    def api_answer_callback_query(self, params: dict[str, Any]) -> bool:
        query = self.callbacks.get(str(params.get("callback_query_id") or ""))
        if query is None or query.answered or time.monotonic() - query.created > CALLBACK_LIFETIME:
            raise bad_request(QUERY_INVALID)
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {k: params[k] for k in ("text", "show_alert", "url", "cache_time") if k in params}
        return True

    # ------------------------------------------------------------ commands, descriptions, menu

    def _scope_key(self, params: dict[str, Any]) -> str:
        scope = params.get("scope") or _DEFAULT_SCOPE
        if not isinstance(scope, dict) or scope.get("type") not in {
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        }:
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope["type"] in ("chat", "chat_administrators", "chat_member"):
            chat = self._chat(scope)
            scope = {**scope, "chat_id": chat.id}
        return json.dumps(scope, sort_keys=True)

    def _language(self, params: dict[str, Any]) -> str:
        language = str(params.get("language_code") or "")
        if language and not _LANGUAGE.match(language):
            raise bad_request("invalid language code specified")
        return language

    @api("setMyCommands")
    def api_set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = validate_commands(params.get("commands"))
        key = (self._scope_key(params), self._language(params))
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)
        return True

    @api("getMyCommands")
    def api_get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get((self._scope_key(params), self._language(params)), [])

    @api("deleteMyCommands")
    def api_delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop((self._scope_key(params), self._language(params)), None)
        return True

    def _set_text(self, params: dict[str, Any], kind: str, limit: int, label: str) -> bool:
        value = str(params.get(kind) or "")
        if len(value) > limit:
            raise bad_request(f"{label} is too long")
        key = (kind, self._language(params))
        if value:
            self.descriptions[key] = value
        else:
            self.descriptions.pop(key, None)
        return True

    def _get_text(self, params: dict[str, Any], kind: str) -> dict[str, str]:
        language = self._language(params)
        value = self.descriptions.get((kind, language), self.descriptions.get((kind, ""), ""))
        if kind == "name" and not value:
            value = self.bot_name
        return {kind: value}

    @api("setMyDescription")
    def api_set_my_description(self, params: dict[str, Any]) -> bool:
        return self._set_text(params, "description", MAX_DESCRIPTION, "description")

    @api("getMyDescription")
    def api_get_my_description(self, params: dict[str, Any]) -> dict[str, str]:
        return self._get_text(params, "description")

    @api("setMyShortDescription")
    def api_set_my_short_description(self, params: dict[str, Any]) -> bool:
        return self._set_text(params, "short_description", MAX_SHORT_DESCRIPTION, "short description")

    @api("getMyShortDescription")
    def api_get_my_short_description(self, params: dict[str, Any]) -> dict[str, str]:
        return self._get_text(params, "short_description")

    @api("setMyName")
    def api_set_my_name(self, params: dict[str, Any]) -> bool:
        return self._set_text(params, "name", 64, "name")

    @api("getMyName")
    def api_get_my_name(self, params: dict[str, Any]) -> dict[str, str]:
        return self._get_text(params, "name")

    @api("setChatMenuButton")
    def api_set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params).id if params.get("chat_id") is not None else None
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
            raise bad_request("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    @api("getChatMenuButton")
    def api_get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params).id if params.get("chat_id") is not None else None
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    # ------------------------------------------------------------ files

    @api("getFile")
    def api_get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    # ------------------------------------------------------------ chats and members

    @api("getChat")
    def api_get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._chat(params).full_info()

    def member_json(self, chat: SimChat, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_id:
            status = "member" if chat.is_private else chat.members.get(self.bot_id, "left")
            user = self.bot_user
        else:
            person = self.users.get(user_id)
            if person is None:
                raise bad_request("user not found")
            user = person.to_json()
            status = (
                ("member" if user_id == chat.id else "left")
                if chat.is_private
                else chat.members.get(user_id, "left")
            )
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_send_welcome_messages": False,
                "can_pin_messages": True,
                "can_manage_topics": True,
            }
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}

    @api("getChatMember")
    def api_get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        if params.get("user_id") is None:
            raise bad_request("user_id is empty")
        return self.member_json(chat, _int(params["user_id"], "user_id"))

    @api("getChatAdministrators")
    def api_get_chat_administrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._chat(params)
        if chat.is_private:
            raise bad_request("there are no administrators in the private chat")
        admins = [uid for uid, status in chat.members.items() if status in ("creator", "administrator")]
        return [self.member_json(chat, uid) for uid in admins]

    @api("getChatMemberCount")
    def api_get_chat_member_count(self, params: dict[str, Any]) -> int:
        chat = self._chat(params)
        if chat.is_private:
            return 2
        return sum(1 for status in chat.members.values() if status not in ("left", "kicked"))

    @api("pinChatMessage")
    def api_pin_chat_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        message = self._message(chat, params, "message to pin not found")
        if message.message_id in chat.pinned:
            chat.pinned.remove(message.message_id)
        chat.pinned.append(message.message_id)
        return True

    @api("unpinChatMessage")
    def api_unpin_chat_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        if params.get("message_id") is None:
            if chat.pinned:
                chat.pinned.pop()
            return True
        message_id = _int(params["message_id"], "message_id")
        if message_id not in chat.pinned:
            raise bad_request("message to unpin not found")
        chat.pinned.remove(message_id)
        return True

    @api("unpinAllChatMessages")
    def api_unpin_all_chat_messages(self, params: dict[str, Any]) -> bool:
        self._chat(params).pinned.clear()
        return True

    @api("setMessageReaction")
    def api_set_message_reaction(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        self._check_can_send(chat)
        message = self._message(chat, params, "message to react not found")
        reaction = params.get("reaction")
        if reaction is None:
            reaction = []
        if not isinstance(reaction, list):
            raise bad_request("can't parse reaction types JSON object")
        if "is_big" in params and not isinstance(params["is_big"], bool):
            raise bad_request("can't parse is_big as a boolean")
        emoji: list[str] = []
        for item in reaction:
            if not isinstance(item, dict) or "type" not in item:
                raise bad_request("can't parse ReactionType JSON object")
            # Bots react with the standard emoji only: no custom emoji, no paid stars.
            if item["type"] != "emoji" or item.get("emoji") not in REACTION_EMOJI:
                raise bad_request("REACTION_INVALID")
            emoji.append(str(item["emoji"]))
        if len(emoji) > 1:
            raise bad_request("REACTIONS_TOO_MANY")  # a bot sets one reaction per message
        message.reactions = emoji
        return True

    # ------------------------------------------------------------ forum topics

    def _forum(self, params: dict[str, Any]) -> SimChat:
        chat = self._chat(params)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        if chat.members.get(self.bot_id) not in ("administrator", "creator"):
            raise bad_request("not enough rights to manage topics")
        return chat

    def _topic(self, chat: SimChat, params: dict[str, Any]) -> Topic:
        value = params.get("message_thread_id")
        topic = chat.topics.get(_int(value, "message_thread_id")) if value is not None else None
        if topic is None or topic.deleted:
            raise bad_request("TOPIC_ID_INVALID")
        return topic

    def _new_topic(
        self,
        chat: SimChat,
        name: str,
        icon_color: int | None,
        creator: dict[str, Any],
        icon_custom_emoji_id: str | None = None,
    ) -> Topic:
        thread_id = chat.new_message_id()
        color = (
            icon_color if icon_color is not None else TOPIC_ICON_COLORS[thread_id % len(TOPIC_ICON_COLORS)]
        )
        created = {"name": name, "icon_color": color}
        if icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = icon_custom_emoji_id
        service = {
            "message_id": thread_id,
            "from": creator,
            "chat": chat.to_json(),
            "date": now(),
            "message_thread_id": thread_id,
            "forum_topic_created": created,
            "is_topic_message": True,
        }
        topic = Topic(thread_id, name, color, icon_custom_emoji_id, created_message=service)
        chat.topics[thread_id] = topic
        chat.messages[thread_id] = ChatMessage(
            chat_id=chat.id,
            message_id=thread_id,
            thread_id=thread_id,
            sender_id=creator["id"],
            from_bot=creator["id"] == self.bot_id,
            kind="service",
            json=service,
        )
        return topic

    @api("createForumTopic")
    def api_create_forum_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._forum(params)
        name = str(params.get("name") or "")
        if not name.strip():
            raise bad_request("TOPIC_TITLE_EMPTY")
        if len(name) > MAX_TOPIC_NAME:
            raise bad_request("TOPIC_TITLE_INVALID")
        color = params.get("icon_color")
        if color is not None and _int(color, "icon_color") not in TOPIC_ICON_COLORS:
            raise bad_request("TOPIC_ICON_COLOR_INVALID")
        emoji = params.get("icon_custom_emoji_id")
        topic = self._new_topic(
            chat,
            name,
            _int(color, "icon_color") if color is not None else None,
            self.bot_user,
            str(emoji) if emoji else None,
        )
        return topic.to_json()

    @api("editForumTopic")
    def api_edit_forum_topic(self, params: dict[str, Any]) -> bool:
        chat = self._forum(params)
        topic = self._topic(chat, params)
        name = params.get("name")
        emoji = params.get("icon_custom_emoji_id")
        if name is not None and len(str(name)) > MAX_TOPIC_NAME:
            raise bad_request("TOPIC_TITLE_INVALID")
        changed = (name is not None and name != topic.name) or (
            emoji is not None and emoji != topic.icon_custom_emoji_id
        )
        if not changed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        if name is not None:
            topic.name = str(name)
        if emoji is not None:
            topic.icon_custom_emoji_id = str(emoji) or None
        return True

    @api("closeForumTopic")
    def api_close_forum_topic(self, params: dict[str, Any]) -> bool:
        topic = self._topic(self._forum(params), params)
        if topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = True
        return True

    @api("reopenForumTopic")
    def api_reopen_forum_topic(self, params: dict[str, Any]) -> bool:
        topic = self._topic(self._forum(params), params)
        if not topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = False
        return True

    @api("deleteForumTopic")
    def api_delete_forum_topic(self, params: dict[str, Any]) -> bool:
        chat = self._forum(params)
        topic = self._topic(chat, params)
        topic.deleted = True
        for message in list(chat.messages.values()):
            if message.thread_id == topic.thread_id and not message.deleted:
                self._mark_deleted(message)
        return True

    @api("unpinAllForumTopicMessages")
    def api_unpin_all_forum_topic_messages(self, params: dict[str, Any]) -> bool:
        self._topic(self._forum(params), params)
        return True

    @api("getForumTopicIconStickers")
    def api_get_forum_topic_icon_stickers(self, params: dict[str, Any]) -> list[Any]:
        return []


def _set_or_drop(payload: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        payload.pop(key, None)
    else:
        payload[key] = value


def _main_file_id(kind: str, content: dict[str, Any]) -> str | None:
    media = content.get(kind)
    if isinstance(media, list) and media:
        return str(media[-1]["file_id"])
    if isinstance(media, dict):
        return str(media["file_id"])
    return None


def _type_name(kind: str) -> str:
    return {"video_note": "VideoNote", "voice": "Voice"}.get(kind, kind.capitalize())
