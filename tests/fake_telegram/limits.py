"""Telegram's limits and its HTML parse mode, checked the way Telegram checks them.

The HTML parser follows TDLib's ``parse_html`` (the code behind the Bot API): the
same tag set, the same attribute grammar, the same error texts with UTF-8 byte
offsets into the markup, entity offsets and lengths in UTF-16 code units.
One deliberate difference, on by default (``strict_ampersand``): a ``&`` that does
not start one of the entities the docs allow is refused. TDLib keeps it as a
literal, but the Bot API docs say such a ``&`` must be written ``&amp;``, and a
bare ``&`` in a bot's HTML nearly always means user text was not escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER = 200
MAX_INLINE_BUTTONS = 100
MAX_TOPIC_NAME = 128
MAX_COMMANDS = 100
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_UPLOAD_SIZE = 50 * 1024 * 1024

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "pre",
        "code",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "blockquote",
        "tg-time",
    }
)
_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\v\f"
_SPECIAL = re.compile(r"[&<]")
_HEX = frozenset("0123456789abcdefABCDEF")
_TIME_FORMAT = re.compile(r"^(?:r|[tTdDwW]*)$")


class EntityParseError(Exception):
    """Telegram's ``can't parse entities: <reason>``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def to_api_error(self) -> ApiError:
        return bad_request(f"can't parse entities: {self.reason}")


@dataclass(frozen=True)
class ParsedText:
    """The text a person sees, and the entities that format it (UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """TDLib's ``decode_html_entity``: ``&lt`` needs no ``;``, unknown names are not entities."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        value = 0
        if end < n and text[end] == "x":
            end += 1
            while end < n and text[end] in _HEX:
                value = value * 16 + int(text[end], 16)
                end += 1
        else:
            while end < n and "0" <= text[end] <= "9":
                value = value * 10 + ord(text[end]) - 48
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and text[end] == ";":
        end += 1
    return char, end


def check_url(url: str) -> str | None:
    """A simplified ``check_url``: the normalised URL, or None where Telegram makes no link."""
    if not url or any(ch in _SPACES for ch in url):
        return None
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(//)?", url)
    if match and (match.group(2) or match.group(1).lower() in {"tg", "ton", "mailto"}):
        scheme = match.group(1).lower()
        if scheme not in {"http", "https", "tg", "ton", "ftp", "mailto", "tonsite"}:
            return None
        if scheme in {"http", "https", "ftp"}:
            rest = url[match.end() :]
            host = re.split(r"[/?#]", rest, maxsplit=1)[0]
            if not host:
                return None
            tail = rest[len(host) :]
            if not tail.startswith("/"):
                tail = "/" + tail
            return f"{scheme}://{host}{tail}"
        return url
    host = re.split(r"[/?#]", url, maxsplit=1)[0]
    if "." not in host or not re.fullmatch(r"[A-Za-z0-9.\-_~:@]+", host) or host.startswith("."):
        return None
    tail = url[len(host) :]
    if not tail.startswith("/"):
        tail = "/" + tail
    return f"http://{host}{tail}"


@dataclass
class _Open:
    tag: str
    argument: str
    attributes: dict[str, str]
    u16_start: int
    char_start: int


def parse_html(markup: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Parse Telegram's HTML subset; raise EntityParseError with Telegram's reason."""
    n = len(markup)
    out: list[str] = []
    u16 = 0
    chars = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        match = _SPECIAL.search(markup, i)
        j = match.start() if match else n
        if j > i:
            chunk = markup[i:j]
            out.append(chunk)
            u16 += utf16_len(chunk)
            chars += len(chunk)
            i = j
        if i >= n:
            break
        if markup[i] == "&":
            decoded = _decode_entity(markup, i)
            if decoded is None:
                if strict_ampersand:
                    raise EntityParseError(_ampersand_reason(markup, i))
                out.append("&")
                u16 += 1
                chars += 1
                i += 1
                continue
            char, i = decoded
            out.append(char)
            u16 += 2 if ord(char) > 0xFFFF else 1
            chars += 1
            continue
        begin = i
        i += 1
        if i < n and markup[i] == "/":
            i = _close_tag(markup, begin, stack, entities, out, u16)
        else:
            i, opened = _open_tag(markup, begin)
            opened.u16_start = u16
            opened.char_start = chars
            stack.append(opened)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    text = "".join(out)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text if ord(ch) >= 0xD800):
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(text, entities)


def _ampersand_reason(markup: str, index: int) -> str:
    at = _byte_offset(markup, index)
    named = re.match(r"&#?[A-Za-z0-9]+;", markup[index:])
    if named:
        return f'Unsupported HTML entity "{named.group(0)}" at byte offset {at}'
    return f'Unescaped "&" at byte offset {at}; write it as "&amp;"'


def _open_tag(markup: str, begin: int) -> tuple[int, _Open]:
    n = len(markup)
    j = begin + 1
    while j < n and markup[j] not in _SPACES and markup[j] != ">":
        j += 1
    at = _byte_offset(markup, begin)
    if j >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {at}")
    tag = markup[begin + 1 : j].lower()
    if tag not in SUPPORTED_TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {at}')
    argument = ""
    attributes: dict[str, str] = {}
    while True:
        while j < n and markup[j] in _SPACES:
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {at}")
        if markup[j] == ">":
            break
        name_begin = j
        while j < n and markup[j] not in _SPACES and markup[j] not in "=>":
            j += 1
        name = markup[name_begin:j].lower()
        if not name:
            raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
        while j < n and markup[j] in _SPACES:
            j += 1
        if j >= n:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
        value = ""
        if markup[j] == "=":
            j += 1
            while j < n and markup[j] in _SPACES:
                j += 1
            if j >= n:
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
            if markup[j] not in "'\"":
                token_begin = j
                while j < n and ((markup[j].isascii() and markup[j].isalnum()) or markup[j] in ".-"):
                    j += 1
                value = markup[token_begin:j].lower()
                if j < n and markup[j] not in _SPACES and markup[j] != ">":
                    raise EntityParseError(
                        f"Unexpected end of name token at byte offset {_byte_offset(markup, token_begin)}"
                    )
            else:
                quote = markup[j]
                j += 1
                parts: list[str] = []
                while j < n and markup[j] != quote:
                    if markup[j] == "&":
                        decoded = _decode_entity(markup, j)
                        if decoded is not None:
                            parts.append(decoded[0])
                            j = decoded[1]
                            continue
                    parts.append(markup[j])
                    j += 1
                if j < n:
                    j += 1
                value = "".join(parts)
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {at}")
        attributes[name] = value
        if tag == "a" and name == "href":
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value[3:]
        elif tag == "tg-emoji" and name == "emoji-id":
            argument = value
        elif tag == "blockquote" and name == "expandable":
            argument = "1"
    if tag == "span" and argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
    return j + 1, _Open(tag, argument, attributes, 0, 0)


def _close_tag(
    markup: str,
    begin: int,
    stack: list[_Open],
    entities: list[dict[str, Any]],
    out: list[str],
    u16: int,
) -> int:
    n = len(markup)
    at = _byte_offset(markup, begin)
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {at}")
    j = begin + 2
    while j < n and markup[j] not in _SPACES and markup[j] != ">":
        j += 1
    end_name = markup[begin + 2 : j].lower()
    while j < n and markup[j] in _SPACES:
        j += 1
    if j >= n or markup[j] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {at}")
    top = stack[-1]
    if end_name and end_name != top.tag:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {at}, expected "</{top.tag}>", found "</{end_name}>"'
        )
    stack.pop()
    length = u16 - top.u16_start
    if length > 0:
        _add_entity(top, length, entities, out)
    return j + 1


def _add_entity(top: _Open, length: int, entities: list[dict[str, Any]], out: list[str]) -> None:
    offset = top.u16_start
    tag = top.tag
    simple = _SIMPLE_ENTITY.get(tag)
    if simple is not None:
        entities.append({"type": simple, "offset": offset, "length": length})
    elif tag == "blockquote":
        kind = "expandable_blockquote" if top.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
    elif tag == "tg-emoji":
        emoji_id = top.argument
        if not emoji_id.isdigit() or not 0 < int(emoji_id) < 2**63:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(
            {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": emoji_id}
        )
    elif tag == "tg-time":
        unix = top.attributes.get("unix", "")
        fmt = top.attributes.get("format", "")
        if not unix.lstrip("-").isdigit():
            raise EntityParseError("Invalid Unix time specified")
        if not _TIME_FORMAT.match(fmt):
            raise EntityParseError("Invalid date format used")
        entity: dict[str, Any] = {
            "type": "date_time",
            "offset": offset,
            "length": length,
            "unix_time": int(unix),
        }
        if fmt:
            entity["date_time_format"] = fmt
        entities.append(entity)
    elif tag == "a":
        url = top.argument or "".join(out)[top.char_start :]
        checked = check_url(url)
        if checked is not None:
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": checked})
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("_language")
        ):
            language = last.pop("_language")
            last.clear()
            last.update({"type": "pre", "offset": offset, "length": length, "language": language})
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and last["offset"] == offset
            and last["length"] == length
            and top.argument
        ):
            last["language"] = top.argument
        else:
            code: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if top.argument:
                code["_language"] = top.argument
            entities.append(code)


# ---------------------------------------------------------------- MarkdownV2 (visible text only)

_MD_RESERVED = set("_*[]()~`>#+-=|{}.!")


def parse_markdown_v2(markup: str) -> ParsedText:
    """Rough MarkdownV2: refuses unescaped reserved characters that cannot start markup,
    strips formatting characters, keeps link texts. Entities are not reconstructed."""
    out: list[str] = []
    i = 0
    n = len(markup)
    at_line_start = True
    while i < n:
        ch = markup[i]
        if ch == "\\" and i + 1 < n:
            out.append(markup[i + 1])
            i += 2
            at_line_start = False
            continue
        if ch in "#+-={}.!" or (ch == ">" and not at_line_start):
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        if ch == "]" and i + 1 < n and markup[i + 1] == "(":
            close = markup.find(")", i + 2)
            if close < 0:
                raise EntityParseError(
                    f"Can't find end of a URL at byte offset {_byte_offset(markup, i + 2)}"
                )
            i = close + 1
            continue
        if ch in "*_~|`[>":
            i += 1
            continue
        out.append(ch)
        at_line_start = ch == "\n"
        i += 1
    return ParsedText("".join(out), [])


def parse_markdown_legacy(markup: str) -> ParsedText:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markup)
    return ParsedText(re.sub(r"[*_`]", "", text), [])


# ---------------------------------------------------------------- formatted text and limits


def format_text(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None = None,
    *,
    strict_ampersand: bool = True,
) -> ParsedText:
    """What Telegram makes of ``text`` + ``parse_mode`` (raises ApiError)."""
    if entities:
        return ParsedText(text, list(entities))
    mode = (parse_mode or "").lower()
    try:
        if not mode:
            return ParsedText(text, [])
        if mode == "html":
            return parse_html(text, strict_ampersand=strict_ampersand)
        if mode == "markdownv2":
            return parse_markdown_v2(text)
        if mode == "markdown":
            return parse_markdown_legacy(text)
    except EntityParseError as e:
        raise e.to_api_error() from None
    raise bad_request("unsupported parse_mode")


def html_to_plain(markup: str) -> str:
    """The visible text of bot HTML; falls back to stripping tags when it does not parse."""
    try:
        return parse_html(markup, strict_ampersand=False).text
    except EntityParseError:
        stripped = re.sub(r"<[^>]*>", "", markup)
        return re.sub(r"&(lt|gt|amp|quot);", lambda m: _NAMED[m.group(1)], stripped)


def check_message_text(parsed: ParsedText) -> None:
    if not parsed.text.strip():
        raise bad_request("message text is empty")
    if len(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")


def check_caption(parsed: ParsedText) -> None:
    if len(parsed.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")


# ---------------------------------------------------------------- reply markup

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Check a reply_markup; return the inline keyboard to attach to the message, if any."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return {"inline_keyboard": _validate_inline_keyboard(markup["inline_keyboard"])}
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else (button or {}).get("text")
                if not isinstance(text, str) or not text:
                    raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
        return None
    if "remove_keyboard" in markup or "force_reply" in markup:
        return None
    raise bad_request("can't parse reply keyboard markup JSON object")


def _validate_inline_keyboard(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    total = 0
    for row in rows:
        for button in row:
            _validate_inline_button(button)
        total += len(row)
    if total > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    return [[dict(button) for button in row] for row in rows]


def _validate_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in _BUTTON_ACTIONS if button.get(name) is not None]
    if not actions:
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            prefix + "exactly one of the optional fields must be used, found " + ", ".join(actions)
        )
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        url = button["url"]
        if not isinstance(url, str) or check_url(url) is None:
            raise bad_request("BUTTON_URL_INVALID")


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not markup:
        return []
    return [button for row in markup.get("inline_keyboard", []) for button in row]


# ---------------------------------------------------------------- bot commands

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


def validate_commands(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    result: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command = item.get("command")
        description = item.get("description")
        if not isinstance(command, str) or not _COMMAND.match(command.removeprefix("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        result.append({"command": command.removeprefix("/"), "description": description})
    return result
