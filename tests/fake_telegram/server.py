"""HTTP layer: Telegram's URL scheme, request decoding and response envelope."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError, bad_request
from .limits import MAX_UPLOAD_SIZE
from .methods import Upload

if TYPE_CHECKING:
    from .fake import FakeTelegram

TOKEN_FORMAT = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_INT = re.compile(r"^-?\d{1,20}$")

# Parameters whose value is a JSON-serialized object or array in form-encoded requests.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "link_preview_options",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "message_ids",
        "menu_button",
        "reaction",
        "media",
        "permissions",
        "rights",
        "results",
        "options",
        "explanation_entities",
        "question_entities",
    }
)
# Parameters that stay strings even when they look like numbers or booleans.
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "name",
        "description",
        "short_description",
        "language_code",
        "action",
        "emoji",
        "icon_custom_emoji_id",
        "file_id",
        "title",
        "photo",
        "document",
        "voice",
        "video",
        "video_note",
        "sticker",
        "audio",
        "animation",
        "thumbnail",
        "custom_title",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "inline_message_id",
        "performer",
        "question",
        "address",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
    }
)


def json_response(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )


def error_response(error: ApiError) -> web.Response:
    return json_response(error.to_json(), error.code)


def coerce(name: str, value: Any) -> Any:
    """Decode one parameter the way the Bot API reads form fields."""
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from None
            raise bad_request(f"can't parse {name} JSON object") from None
    if name in STRING_FIELDS:
        return value
    if _INT.match(value):
        return int(value)
    if value in ("true", "True"):
        return True
    if value in ("false", "False"):
        return False
    return value


async def read_params(request: web.Request) -> dict[str, Any]:
    raw: dict[str, Any] = dict(request.query)
    if request.method in ("POST", "PUT") and request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            raw.update(body)
        elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            files: dict[str, Upload] = {}
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    raw[key] = value
            for key, value in list(raw.items()):
                if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                    raw[key] = files.pop(value[9:])
            for key, upload in files.items():
                raw.setdefault(key, upload)
    return {key: coerce(key, value) for key, value in raw.items()}


def build_app(fake: FakeTelegram) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)

    async def handle_method(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        if not TOKEN_FORMAT.match(token):
            return error_response(ApiError(404, "Not Found"))
        if token != fake.token:
            return error_response(ApiError(401, "Unauthorized"))
        canonical = fake.resolve_method(method)
        if canonical is None:
            fake.stats.requests[method] += 1
            fake.stats.errors[404] += 1
            return error_response(ApiError(404, "Not Found"))
        try:
            params = await read_params(request)
        except web.HTTPRequestEntityTooLarge:
            return error_response(ApiError(413, "Request Entity Too Large"))
        except ApiError as error:
            return error_response(error)
        status, body = await fake.handle(canonical, params)
        return json_response(body, status)

    async def handle_file(request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != fake.token:
            return error_response(ApiError(404, "Not Found"))
        stored = fake.files.by_path.get(request.match_info["path"])
        if stored is None:
            return error_response(ApiError(404, "Not Found"))
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    async def not_found(request: web.Request) -> web.Response:
        return error_response(ApiError(404, "Not Found"))

    app.router.add_route("*", "/bot{token}/{method}", handle_method)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
    add_control_routes(app, fake)
    app.router.add_route("*", "/{tail:.*}", not_found)
    return app


def add_control_routes(app: web.Application, fake: FakeTelegram) -> None:
    """A small JSON control API under /_fake/, for driving a standalone fake by hand."""

    async def body(request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        data = await request.json()
        return data if isinstance(data, dict) else {}

    async def add_user(request: web.Request) -> web.Response:
        data = await body(request)
        user = fake.add_user(
            str(data.get("first_name") or "Test"),
            last_name=data.get("last_name"),
            username=data.get("username"),
            language_code=data.get("language_code"),
        )
        return json_response(user.to_json())

    async def send_text(request: web.Request) -> web.Response:
        data = await body(request)
        user = fake.users[int(data["user_id"])]
        chat = fake.chats[int(data["chat_id"])] if data.get("chat_id") else None
        message = await fake.send_text(user, str(data["text"]), chat=chat, thread_id=data.get("thread_id"))
        return json_response(message.json)

    async def press(request: web.Request) -> web.Response:
        data = await body(request)
        user = fake.users[int(data["user_id"])]
        chat = fake.chats[int(data.get("chat_id") or user.id)]
        message = chat.messages[int(data["message_id"])]
        query_id = await fake.press(user, message, str(data["button_text"]))
        return json_response({"callback_query_id": query_id})

    async def sent(request: web.Request) -> web.Response:
        chat_id = request.query.get("chat_id")
        messages = fake.messages_to(int(chat_id)) if chat_id else fake.sent
        return json_response(
            {
                "sent": [
                    {
                        "chat_id": m.chat_id,
                        "message_id": m.message_id,
                        "thread_id": m.thread_id,
                        "kind": m.kind,
                        "text": m.plain,
                        "buttons": m.buttons,
                        "deleted": m.deleted,
                    }
                    for m in messages
                ]
            }
        )

    async def stats(request: web.Request) -> web.Response:
        return json_response(fake.stats.as_dict())

    app.router.add_post("/_fake/users", add_user)
    app.router.add_post("/_fake/send_text", send_text)
    app.router.add_post("/_fake/press", press)
    app.router.add_get("/_fake/sent", sent)
    app.router.add_get("/_fake/stats", stats)
