"""Albums: ``sendMediaGroup``, and the ``media_group_id`` its messages share.

Telegram's rules (Bot API, "sendMediaGroup"; the words of telegram-bot-api's errors): 1 to
10 items (one item is sent as a single message outside any album); photos and videos mix,
documents and audio files only with their own kind; animations and stickers cannot be in
an album. Every item is checked before anything is sent: a refused album sends nothing.
"""

from __future__ import annotations

import random
from typing import Any

from .errors import ApiError, bad_request
from .limits import check_caption
from .methods import BotApiMethods, Upload, api
from .state import StoredFile

ALBUM_KINDS = ("photo", "video", "document", "audio")
MAX_ALBUM = 10
# Kinds that only go into an album with their own kind.
EXCLUSIVE_KINDS = ("document", "audio")


def album_mix_error(kinds: list[str]) -> str | None:
    """Telegram's reason for refusing this mix of kinds in one album, or None."""
    for kind in EXCLUSIVE_KINDS:
        if kind in kinds and any(other != kind for other in kinds):
            return f"{kind} can't be mixed with other media types"
    return None


class AlbumMethods(BotApiMethods):
    _rng: random.Random

    def new_media_group_id(self) -> str:
        return str(self._rng.randrange(10**17, 10**18))

    def _album_item(
        self, params: dict[str, Any], item: Any, position: int
    ) -> tuple[str, StoredFile, Any, dict[str, Any]]:
        """(kind, file, known media json, item) of one InputMedia, checked like Telegram does."""
        if not isinstance(item, dict):
            raise bad_request("can't parse InputMedia JSON object")
        kind = item.get("type")
        if kind == "animation":
            raise bad_request("can't parse InputMedia: type \"animation\" can't be used in sendMediaGroup")
        if kind not in ALBUM_KINDS:
            raise bad_request(f'can\'t parse InputMedia: type "{kind}" is unsupported')
        value = item.get("media")
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
            if not isinstance(value, Upload):
                raise bad_request("can't parse InputMedia: media not found")
        try:
            stored, media = self._resolve_file(kind, value, item)
        except ApiError as error:
            reason = error.description.removeprefix("Bad Request: ")
            reason = reason[:1].upper() + reason[1:]
            message = f'failed to send message #{position} with the error message "{reason}"'
            raise bad_request(message) from None
        assert stored is not None
        return kind, stored, media, item

    @api("sendMediaGroup")
    def api_send_media_group(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._chat(params)
        thread_id = self._thread(chat, params)
        media = params.get("media")
        if media is None:
            raise bad_request('parameter "media" is required')
        if not isinstance(media, list):
            raise bad_request("can't parse media JSON object")
        if not media:
            raise bad_request("there are no messages to send")
        if len(media) > MAX_ALBUM:
            raise bad_request("too many messages to send as an album")
        items = [self._album_item(params, item, n) for n, item in enumerate(media, 1)]
        mixed = album_mix_error([kind for kind, *_ in items])
        if mixed:
            raise bad_request(mixed)
        captions = [self._format(item, "caption", "caption_entities") for *_, item in items]
        for parsed in captions:
            check_caption(parsed)
        reply_to = self._reply_to(chat, params)
        self._check_can_send(chat)
        # An album is one request: Telegram's flood limits count it once.
        self.flood.check(chat.id, chat.is_private)
        group_id = self.new_media_group_id() if len(items) > 1 else None
        sent = []
        for (kind, stored, known, item), parsed in zip(items, captions, strict=True):
            content: dict[str, Any] = {
                kind: known if known is not None else self.make_media(kind, stored, item)
            }
            if group_id is not None:
                content["media_group_id"] = group_id
            if parsed.text:
                content["caption"] = parsed.text
                if parsed.entities:
                    content["caption_entities"] = parsed.entities
            if item.get("has_spoiler") and kind in ("photo", "video"):
                content["has_media_spoiler"] = True
            message = self._post(
                chat, thread_id, kind, content, parsed.text, parsed.entities, None, reply_to, counted=False
            )
            raw_caption = str(item["caption"]) if item.get("caption") is not None else None
            self._record_sent("sendMediaGroup", params, message, None, raw_caption)
            sent.append(message.json)
        return sent
