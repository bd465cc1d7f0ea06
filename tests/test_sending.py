"""Splitting a reply longer than one Telegram message."""

from __future__ import annotations

import html
import re

from bot.telegram.sending import split_html
from dialogs.content_checks import MAX_MESSAGE, telegram_length

_TAG = re.compile(r"<[^>]*>")


def _visible(text: str) -> str:
    return "".join(html.unescape(_TAG.sub("", text)).split())


def test_a_long_reply_splits_into_messages_telegram_accepts_and_loses_nothing() -> None:
    paragraph = "Ausbildung &amp; Beruf: <b>wichtig</b> für dich. " * 40
    text = "\n\n".join([paragraph, f"<i>{paragraph}</i>", paragraph, paragraph])
    parts = split_html(text)
    assert len(parts) > 1
    assert all(telegram_length(p) <= MAX_MESSAGE for p in parts)
    assert "".join(_visible(p) for p in parts) == _visible(text)
    # An italic paragraph cut in two is closed at the end of one part and reopened after.
    for part in parts:
        assert part.count("<i>") == part.count("</i>")
        assert part.count("<b>") == part.count("</b>")


def test_entities_count_as_one_character_each() -> None:
    """&amp; is one character for Telegram: a text of exactly the limit stays one message."""
    text = "&amp;" * MAX_MESSAGE
    assert split_html(text) == [text]
    # One word longer than a message is cut between entities, never inside one.
    parts = split_html(text + "&amp;")
    assert parts == [text, "&amp;"]
