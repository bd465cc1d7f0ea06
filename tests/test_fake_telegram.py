"""The local Bot API fake answers a real aiogram client the way Telegram does."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
)

from tests.fake_telegram import EntityParseError, FakeTelegram, SimUser, WaitTimeout, parse_html

TOKEN = "123456:TEST"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="wegweiser_test_bot") as server:
        yield server


@pytest.fixture
async def client(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A real aiogram Bot talking HTTP to the fake."""
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.url)))
    try:
        yield bot
    finally:
        await bot.session.close()


@pytest.fixture
def amina(fake: FakeTelegram) -> SimUser:
    return fake.add_user("Amina", language_code="ar")


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in row] for row in rows]
    )


async def raw(fake: FakeTelegram, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.post(fake.url + path, **kwargs) as response:
        return response.status, json.loads(await response.text())


# ---------------------------------------------------------------- envelope and shapes


async def test_get_me_has_telegrams_shape(fake: FakeTelegram, client: Bot) -> None:
    me = await client.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "wegweiser_test_bot")

    status, body = await raw(fake, f"/bot{TOKEN}/getMe")
    assert status == 200
    assert body["ok"] is True
    assert {"id", "is_bot", "first_name", "username"} <= body["result"].keys()


async def test_wrong_token_and_unknown_method_are_refused_like_telegram(fake: FakeTelegram) -> None:
    assert await raw(fake, "/bot999:WRONG/getMe") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await raw(fake, f"/bot{TOKEN}/sendTelepathy") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )


async def test_method_names_are_case_insensitive_and_json_bodies_work(
    fake: FakeTelegram, amina: SimUser
) -> None:
    status, body = await raw(
        fake,
        f"/bot{TOKEN}/sendmessage",
        json={
            "chat_id": amina.id,
            "text": "Hallo",
            "reply_markup": {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]},
        },
    )
    assert status == 200
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"
    assert fake.calls[-1].method == "sendMessage"

    status, body = await raw(fake, f"/bot{TOKEN}/sendMessage", data={"chat_id": str(amina.id), "text": "42"})
    assert status == 200
    assert body["result"]["text"] == "42"  # a text that looks like a number stays a string


async def test_user_updates_have_real_shapes(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    group = fake.add_forum_group("Berater", members=[amina])
    await fake.send_command(amina, "/start", payload="ref-42")

    updates = await client.get_updates(timeout=0)
    message = updates[0].message
    assert message is not None
    assert message.text == "/start ref-42"
    assert message.entities is not None
    assert message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/start")
    assert message.from_user is not None
    assert message.from_user.is_bot is False
    assert message.from_user.language_code == "ar"
    assert message.chat.id == amina.id == message.from_user.id
    assert str(group.id).startswith("-100")

    _, body = await raw(fake, f"/bot{TOKEN}/getUpdates")
    update = body["result"][0]["message"]
    assert isinstance(update["date"], int)
    assert abs(update["date"] - time.time()) < 5  # seconds, not milliseconds
    assert update["from"]["is_bot"] is False


# ---------------------------------------------------------------- getUpdates


async def test_long_polling_wakes_as_soon_as_an_update_arrives(
    fake: FakeTelegram, client: Bot, amina: SimUser
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(client.get_updates(timeout=20))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await fake.send_text(amina, "hallo")

    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 3
    assert [u.message.text for u in updates if u.message] == ["hallo"]


async def test_long_polling_times_out_with_an_empty_list(client: Bot) -> None:
    started = time.monotonic()
    assert await client.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9


async def test_offset_confirms_earlier_updates(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    for text in ("eins", "zwei", "drei"):
        await fake.send_text(amina, text)
    first = await client.get_updates(timeout=0)
    assert [u.message.text for u in first if u.message] == ["eins", "zwei", "drei"]
    assert [u.update_id for u in first] == sorted({u.update_id for u in first})

    assert await client.get_updates(offset=first[-1].update_id + 1, timeout=0) == []
    await fake.send_text(amina, "vier")
    later = await client.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in later if u.message] == ["vier"]
    assert await client.get_updates(limit=1, timeout=0) == later


async def test_a_second_poller_terminates_the_first(client: Bot) -> None:
    first = asyncio.create_task(client.get_updates(timeout=20))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(client.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)
    assert await second == []


# ---------------------------------------------------------------- HTML and limits


async def test_html_is_parsed_into_visible_text_and_entities(
    fake: FakeTelegram, client: Bot, amina: SimUser
) -> None:
    sent = await client.send_message(
        amina.id,
        '<b>Hallo</b> &amp; <a href="https://example.org">Link</a> &lt;3',
        parse_mode="HTML",
    )
    assert sent.text == "Hallo & Link <3"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 0, 5),
        ("text_link", 8, 4),
    ]
    record = fake.sent[-1]
    assert record.is_html
    assert record.text is not None
    assert record.text.startswith("<b>")
    assert fake.text_of(record) == "Hallo & Link <3"
    assert fake.text_of("<i>a</i> &quot;b&quot;") == 'a "b"'


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>fett", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("ä <b", "Unclosed start tag at byte offset 3"),
        ("Q&A", 'Unescaped "&" at byte offset 1; write it as "&amp;"'),
        ("2 &ge; 1", 'Unsupported HTML entity "&ge;" at byte offset 2'),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ],
)
async def test_malformed_html_is_refused_with_telegrams_reason(
    fake: FakeTelegram, client: Bot, amina: SimUser, html: str, reason: str
) -> None:
    with pytest.raises(TelegramBadRequest) as caught:
        await client.send_message(amina.id, html, parse_mode="HTML")
    assert caught.value.message == f"Bad Request: can't parse entities: {reason}"
    assert fake.sent == []


async def test_lenient_parts_of_telegram_html_are_accepted(client: Bot, amina: SimUser) -> None:
    sent = await client.send_message(
        amina.id,
        'a > b <tg-spoiler>x</tg-spoiler> <pre><code class="language-python">1</code></pre> '
        "<blockquote expandable>q</blockquote> &#x1F600;",
        parse_mode="HTML",
    )
    assert sent.text == "a > b x 1 q 😀"
    assert {e.type for e in sent.entities or []} == {"spoiler", "pre", "expandable_blockquote"}


async def test_parser_counts_entity_offsets_in_utf16_and_errors_in_bytes() -> None:
    parsed = parse_html("😀 <b>ü</b>")
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 1}]
    with pytest.raises(EntityParseError, match='Unsupported start tag "x" at byte offset 8'):
        parse_html("😀 ü <x>")


async def test_text_limit_is_measured_after_parsing(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    fits = await client.send_message(amina.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert len(fits.text or "") == 4096
    emoji = await client.send_message(amina.id, "😀" * 4096)  # characters, not UTF-16 units
    assert emoji.text == "😀" * 4096

    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await client.send_message(amina.id, "<b>" + "a" * 4097 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await client.send_message(amina.id, "<b> </b>", parse_mode="HTML")
    assert len(fake.sent) == 2


async def test_caption_limit(client: Bot, amina: SimUser) -> None:
    photo = BufferedInputFile(b"\xff\xd8jpeg", "p.jpg")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message caption is too long"):
        await client.send_photo(amina.id, photo, caption="x" * 1025)
    sent = await client.send_photo(amina.id, photo, caption="x" * 1024)
    assert sent.photo
    assert sent.caption == "x" * 1024


async def test_callback_data_is_limited_to_64_bytes(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    ok = "ä" * 32  # 32 characters, 64 bytes
    sent = await client.send_message(amina.id, "Wähle", reply_markup=keyboard([("A", ok)]))
    assert sent.reply_markup is not None
    with pytest.raises(TelegramBadRequest, match="Bad Request: BUTTON_DATA_INVALID"):
        await client.send_message(amina.id, "Wähle", reply_markup=keyboard([("A", ok + "a")]))
    assert len(fake.sent) == 1


async def test_inline_buttons_need_exactly_one_action(fake: FakeTelegram, amina: SimUser) -> None:
    for button, reason in [
        ({"text": "nur Text"}, "Text buttons are unallowed in the inline keyboard"),
        (
            {"text": "zwei", "callback_data": "a", "url": "https://x.org"},
            "exactly one of the optional fields",
        ),
        ({"callback_data": "a"}, 'Field \\"text\\" must be of type String'),
    ]:
        status, body = await raw(
            fake,
            f"/bot{TOKEN}/sendMessage",
            json={"chat_id": amina.id, "text": "x", "reply_markup": {"inline_keyboard": [[button]]}},
        )
        assert status == 400
        assert reason in json.dumps(body["description"])[1:-1]


# ---------------------------------------------------------------- people press buttons


async def test_press_sends_a_callback_query_for_the_visible_button(
    fake: FakeTelegram, client: Bot, amina: SimUser
) -> None:
    await client.send_message(amina.id, "Bist du in Berlin?", reply_markup=keyboard([("Ja", "city:yes")]))
    message = await fake.wait_for_message(amina, contains="Berlin")
    assert message.buttons == [["Ja"]]

    query_id = await fake.press(amina, message, "Ja")
    updates = await client.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert query is not None
    assert (query.id, query.data, query.from_user.id) == (query_id, "city:yes", amina.id)
    assert isinstance(query.chat_instance, str)
    assert query.chat_instance
    assert query.message is not None
    assert query.message.message_id == message.message_id

    assert await client.answer_callback_query(query.id, text="Danke")
    assert fake.callback_answer(query_id) == {"text": "Danke"}
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await client.answer_callback_query(query.id)

    with pytest.raises(AssertionError, match=r"buttons there: \['Ja'\]"):
        await fake.press(amina, message, "Nein")


async def test_callback_answer_text_is_limited(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    await client.send_message(amina.id, "?", reply_markup=keyboard([("Ok", "ok")]))
    query_id = await fake.press_data(amina, await fake.wait_for_message(amina), "forged")
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await client.answer_callback_query(query_id, text="x" * 201)
    assert await client.answer_callback_query(query_id, text="x" * 200)


# ---------------------------------------------------------------- editing and deleting


async def test_edits_follow_telegrams_rules(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    sent = await client.send_message(
        amina.id, "<b>Frage</b>", parse_mode="HTML", reply_markup=keyboard([("A", "a")])
    )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await client.edit_message_text(
            "<strong>Frage</strong>",
            chat_id=amina.id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard([("A", "a")]),
        )
    # Without reply_markup the edit removes the keyboard, as in Telegram.
    edited = await client.edit_message_text("Antwort", chat_id=amina.id, message_id=sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.reply_markup is None
    assert edited.edit_date is not None
    record = fake.messages_to(amina)[-1]
    assert (record.plain, record.buttons, len(record.edits)) == ("Antwort", [], 1)

    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await client.edit_message_text("x", chat_id=amina.id, message_id=9999)
    assert await client.delete_message(amina.id, sent.message_id)
    assert fake.messages_to(amina) == []
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to delete not found"):
        await client.delete_message(amina.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await client.send_message(42, "niemand")


# ---------------------------------------------------------------- faults


async def test_injected_429_carries_retry_after_and_is_not_applied(
    fake: FakeTelegram, client: Bot, amina: SimUser
) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await client.send_message(amina.id, "eins")
    assert caught.value.retry_after == 3
    assert "Too Many Requests: retry after 3" in caught.value.message
    assert fake.sent == []

    await client.send_message(amina.id, "zwei")
    assert [m.plain for m in fake.sent] == ["zwei"]
    assert fake.stats.served_429 == 1
    assert fake.stats.requests["sendMessage"] == 2


@pytest.mark.parametrize(("status", "description"), [(500, "Internal Server Error"), (502, "Bad Gateway")])
async def test_injected_server_errors(
    fake: FakeTelegram, client: Bot, amina: SimUser, status: int, description: str
) -> None:
    other = fake.add_user("Jonas")
    fake.fail_next("sendMessage", status=status, chat_id=amina)
    await client.send_message(other.id, "an Jonas")  # the filter spares other chats
    with pytest.raises(TelegramServerError, match=description):
        await client.send_message(amina.id, "an Amina")
    assert [m.chat_id for m in fake.sent] == [other.id]


async def test_blocked_user_gives_403(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    await fake.block(amina)
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await client.send_message(amina.id, "Hallo?")
    updates = await client.get_updates(timeout=0)
    member = updates[-1].my_chat_member
    assert member is not None
    assert member.new_chat_member.status == "kicked"

    await fake.unblock(amina)
    assert (await client.send_message(amina.id, "Wieder da")).text == "Wieder da"


async def test_bot_cannot_write_first(fake: FakeTelegram, client: Bot) -> None:
    shy = fake.add_user("Shy", started=False)
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation"):
        await client.send_message(shy.id, "Hallo")
    await fake.send_command(shy, "/start")
    assert await client.send_message(shy.id, "Hallo")


async def test_flood_limit_in_a_group(client: Bot) -> None:
    async with FakeTelegram(token=TOKEN, flood_limits=True) as flooded:
        group = flooded.add_forum_group("Berater")
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(flooded.url)))
        try:
            delivered = 0
            retry_after: list[int] = []
            for n in range(25):
                try:
                    await bot.send_message(group.id, f"Nachricht {n}")
                    delivered += 1
                except TelegramRetryAfter as error:
                    retry_after.append(error.retry_after)
        finally:
            await bot.session.close()
    assert delivered == 20
    assert len(retry_after) == 5
    assert all(50 <= r <= 60 for r in retry_after)
    assert flooded.stats.flood_429 == 5


async def test_flood_limit_in_a_private_chat_allows_a_short_burst(fake: FakeTelegram, client: Bot) -> None:
    fake.set_flood_limits(private_burst=3)
    user = fake.add_user("Eilig")
    for n in range(3):
        await client.send_message(user.id, str(n))
    with pytest.raises(TelegramRetryAfter) as caught:
        await client.send_message(user.id, "zu viel")
    assert caught.value.retry_after == 1
    await client.send_chat_action(user.id, "typing")  # not a message: not counted


# ---------------------------------------------------------------- forum topics and media


async def test_forum_topic_lifecycle(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    advisor = fake.add_user("Frau Berger", language_code="de")
    group = fake.add_forum_group("Berater", members=[advisor])
    member = await client.get_chat_member(group.id, advisor.id)
    assert member.status == "member"
    assert (await client.get_chat_member(group.id, amina.id)).status == "left"
    assert (await client.get_chat(group.id)).is_forum is True

    topic = await client.create_forum_topic(group.id, "Amina (ar)")
    assert topic.name == "Amina (ar)"
    assert topic.icon_color
    sent = await client.send_message(group.id, "Neue Anfrage", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id
    assert sent.is_topic_message

    await fake.send_text(advisor, "Ich übernehme", chat=group, thread_id=topic.message_thread_id)
    update = (await client.get_updates(timeout=0))[-1].message
    assert update is not None
    assert update.message_thread_id == topic.message_thread_id
    assert update.is_topic_message is True

    assert await client.delete_forum_topic(group.id, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message thread not found"):
        await client.send_message(group.id, "zu spät", message_thread_id=topic.message_thread_id)
    assert fake.messages_to(group, thread_id=topic.message_thread_id) == []


async def test_copy_a_users_photo_into_a_topic(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    group = fake.add_forum_group("Berater")
    topic = await client.create_forum_topic(group.id, "Amina")
    photo = await fake.send_photo(amina, caption="Mein Zeugnis", content=b"zeugnis-bytes")

    copied = await client.copy_message(
        group.id,
        from_chat_id=amina.id,
        message_id=photo.message_id,
        message_thread_id=topic.message_thread_id,
    )
    record = fake.messages_to(group, thread_id=topic.message_thread_id)[-1]
    assert record.message_id == copied.message_id
    assert record.method == "copyMessage"
    assert (record.kind, record.plain, record.file_id) == ("photo", "Mein Zeugnis", photo.file_id)

    assert photo.file_id is not None
    file = await client.get_file(photo.file_id)
    assert file.file_path is not None
    downloaded = await client.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == b"zeugnis-bytes"


async def test_uploads_and_user_media(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    document = await client.send_document(amina.id, BufferedInputFile(b"%PDF-1.4", "lebenslauf.pdf"))
    assert document.document is not None
    assert document.document.file_name == "lebenslauf.pdf"
    assert fake.sent[-1].kind == "document"

    voice = await fake.send_voice(amina, duration=7)
    note = await fake.send_video_note(amina)
    sticker = await fake.send_sticker(amina, "🙏")
    updates = [u.message for u in await client.get_updates(timeout=0) if u.message]
    assert updates[0].voice is not None
    assert updates[0].voice.duration == 7
    assert updates[1].video_note is not None
    assert updates[2].sticker is not None
    assert updates[2].sticker.emoji == "🙏"
    assert {voice.kind, note.kind, sticker.kind} == {"voice", "video_note", "sticker"}

    resent = await client.send_voice(amina.id, voice.file_id or "")
    assert resent.voice is not None
    assert resent.voice.file_id == voice.file_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await client.send_photo(amina.id, "AgACAgIAAxkBAAnonsense")


async def test_an_edited_user_message_arrives_as_edited_message(
    fake: FakeTelegram, client: Bot, amina: SimUser
) -> None:
    message = await fake.send_text(amina, "Hallo")
    await fake.edit_text(amina, message, "Hallo!")
    updates = await client.get_updates(timeout=0)
    edited = updates[-1].edited_message
    assert edited is not None
    assert edited.text == "Hallo!"
    assert edited.message_id == message.message_id


# ---------------------------------------------------------------- reading back


async def test_wait_for_message_hands_out_successive_messages(
    fake: FakeTelegram, client: Bot, amina: SimUser
) -> None:
    async def later() -> None:
        await asyncio.sleep(0.1)
        for text in ("eins", "zwei", "drei"):
            await client.send_message(amina.id, text)

    task = asyncio.create_task(later())
    assert (await fake.wait_for_message(amina)).plain == "eins"
    assert (await fake.wait_for_message(amina, contains="drei")).plain == "drei"
    assert (await fake.wait_for_message(amina)).plain == "zwei"
    await task

    with pytest.raises(WaitTimeout, match=r"(?s)containing 'vier'.*'drei' \(consumed\)"):
        await fake.wait_for_message(amina, contains="vier", timeout=0.2)


async def test_timeout_report_names_the_failed_call(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    with pytest.raises(TelegramBadRequest):
        await client.send_message(amina.id, "<b>kaputt", parse_mode="HTML")
    with pytest.raises(WaitTimeout, match="sendMessage -> 400 Bad Request: can't parse entities"):
        await fake.wait_for_message(amina, timeout=0.1)


async def test_commands_and_calls_are_recorded(fake: FakeTelegram, client: Bot, amina: SimUser) -> None:
    from aiogram.types import BotCommand

    await client.set_my_commands([BotCommand(command="start", description="Start")], language_code="de")
    await client.set_my_commands([BotCommand(command="start", description="ابدأ")], language_code="ar")
    await client.send_chat_action(amina.id, "typing")

    assert [c["language_code"] for c in fake.calls_to("setMyCommands")] == ["de", "ar"]
    assert fake.bot_commands("ar") == [{"command": "start", "description": "ابدأ"}]
    assert (await client.get_my_commands(language_code="de"))[0].description == "Start"
    assert await fake.wait_for_call("sendChatAction", lambda p: p["action"] == "typing", timeout=1)
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await client.set_my_commands([BotCommand(command="Start!", description="x")])


# ---------------------------------------------------------------- load


async def test_two_hundred_people_at_once(fake: FakeTelegram, client: Bot) -> None:
    people = [fake.add_user(f"Person {n}", language_code="de") for n in range(200)]

    async def echo_bot() -> None:
        offset = 0
        answered = 0
        while answered < len(people):
            updates = await client.get_updates(offset=offset, timeout=5)
            for update in updates:
                offset = update.update_id + 1
                assert update.message is not None
                await client.send_message(update.message.chat.id, f"Echo: {update.message.text}")
                answered += 1

    started = time.monotonic()
    bot_task = asyncio.create_task(echo_bot())
    await asyncio.gather(*(fake.send_text(p, f"Hallo von {p.first_name}") for p in people))
    replies = await asyncio.gather(*(fake.wait_for_message(p, timeout=30) for p in people))
    await bot_task
    assert all(r.plain == f"Echo: Hallo von {p.first_name}" for r, p in zip(replies, people, strict=True))
    assert time.monotonic() - started < 30
    assert fake.stats.messages_sent == 200


async def test_remaining_methods_give_results_aiogram_accepts(
    fake: FakeTelegram, client: Bot, amina: SimUser
) -> None:
    from aiogram.types import MenuButtonCommands, ReactionTypeEmoji

    advisor = fake.add_user("Frau Berger")
    group = fake.add_forum_group("Berater", members=[amina], admins=[advisor])
    assert (await client.get_chat(amina.id)).first_name == "Amina"
    admins = await client.get_chat_administrators(group.id)
    assert {a.user.id for a in admins} == {123456, advisor.id}
    assert (await client.get_chat_member(group.id, 123456)).status == "administrator"

    question = await fake.send_text(amina, "Wo ist das Jobcenter?")
    updates = await client.get_updates(timeout=0)
    incoming = updates[-1].message
    assert incoming is not None
    reply = await incoming.as_(client).reply("Hier")  # aiogram's reply_parameters
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == question.message_id

    forwarded = await client.forward_message(group.id, amina.id, question.message_id)
    assert forwarded.forward_origin is not None
    copies = await client.copy_messages(group.id, amina.id, [question.message_id, reply.message_id])
    assert len(copies) == 2
    assert await client.pin_chat_message(amina.id, message_id=reply.message_id)
    assert await client.unpin_chat_message(amina.id, message_id=reply.message_id)
    assert await client.set_message_reaction(amina.id, question.message_id, [ReactionTypeEmoji(emoji="👍")])
    assert await client.delete_messages(group.id, [c.message_id for c in copies])

    video = await client.send_video(
        amina.id, BufferedInputFile(b"mp4", "v.mp4"), caption="<i>Video</i>", parse_mode="HTML"
    )
    assert video.video is not None
    assert video.caption == "Video"
    edited = await client.edit_message_caption(chat_id=amina.id, message_id=video.message_id, caption="Neu")
    assert not isinstance(edited, bool)
    assert edited.caption == "Neu"
    marked = await client.edit_message_reply_markup(
        chat_id=amina.id, message_id=video.message_id, reply_markup=keyboard([("Ok", "ok")])
    )
    assert not isinstance(marked, bool)
    assert marked.reply_markup is not None
    assert (await client.send_audio(amina.id, BufferedInputFile(b"mp3", "a.mp3"))).audio is not None
    assert (await client.send_animation(amina.id, BufferedInputFile(b"gif", "a.mp4"))).animation is not None
    assert (await client.send_sticker(amina.id, BufferedInputFile(b"webp", "s.webp"))).sticker is not None

    topic = await client.create_forum_topic(group.id, "Amina")
    assert await client.edit_forum_topic(group.id, topic.message_thread_id, name="Amina (erledigt)")
    assert await client.close_forum_topic(group.id, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await client.close_forum_topic(group.id, topic.message_thread_id)
    assert await client.reopen_forum_topic(group.id, topic.message_thread_id)

    assert await client.set_my_description("Ich helfe dir", language_code="de")
    assert (await client.get_my_description(language_code="de")).description == "Ich helfe dir"
    assert await client.set_my_short_description("Hilfe")
    assert (await client.get_my_short_description()).short_description == "Hilfe"
    assert await client.set_chat_menu_button(menu_button=MenuButtonCommands())

    assert await client.set_webhook("https://example.org/hook")
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await client.get_updates(timeout=0)
    assert (await client.get_webhook_info()).url == "https://example.org/hook"
    assert await client.delete_webhook(drop_pending_updates=True)
    assert (await client.get_webhook_info()).pending_update_count == 0
    assert fake.internal_errors == []


# ---------------------------------------------------------------- albums


async def test_a_persons_album_arrives_as_messages_sharing_a_media_group_id(
    fake: FakeTelegram, client: Bot, amina: SimUser
) -> None:
    sent = await fake.send_album(amina, ["photo", "video", "photo"], caption="Meine Zeugnisse")
    messages = [u.message for u in await client.get_updates(timeout=0) if u.message]
    assert [m.message_id for m in messages] == [s.message_id for s in sent]
    assert len({m.media_group_id for m in messages}) == 1
    assert messages[0].media_group_id is not None
    assert [m.caption for m in messages] == ["Meine Zeugnisse", None, None]
    assert [bool(m.photo) for m in messages] == [True, False, True]
    assert messages[1].video is not None
    with pytest.raises(AssertionError, match="document can't be mixed"):
        await fake.send_album(amina, ["photo", "document"])


async def test_send_media_group_sends_one_album_into_a_topic(
    fake: FakeTelegram, client: Bot, amina: SimUser
) -> None:
    group = fake.add_forum_group("Berater")
    topic = await client.create_forum_topic(group.id, "Amina")
    photos = await fake.send_album(amina, ["photo", "photo"], caption="<b>Zeugnis</b> & Pass")
    album = await client.send_media_group(
        group.id,
        [
            InputMediaPhoto(media=photos[0].file_id or "", caption="Zeugnis & Pass", parse_mode=None),
            InputMediaPhoto(media=photos[1].file_id or ""),
        ],
        message_thread_id=topic.message_thread_id,
    )
    assert len(album) == 2
    assert album[0].media_group_id is not None
    assert album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "Zeugnis & Pass"
    assert all(m.message_thread_id == topic.message_thread_id for m in album)
    records = fake.messages_to(group, thread_id=topic.message_thread_id)
    assert [(r.method, r.kind, r.file_id) for r in records] == [
        ("sendMediaGroup", "photo", photos[0].file_id),
        ("sendMediaGroup", "photo", photos[1].file_id),
    ]
    # One item is sent as a single message outside any album.
    single = await client.send_media_group(amina.id, [InputMediaPhoto(media=photos[0].file_id or "")])
    assert single[0].media_group_id is None


async def test_send_media_group_is_refused_like_telegram(
    fake: FakeTelegram, client: Bot, amina: SimUser
) -> None:
    document = await client.send_document(amina.id, BufferedInputFile(b"%PDF-1.4", "cv.pdf"))
    photo = await fake.send_photo(amina)
    assert document.document is not None
    photo_media = InputMediaPhoto(media=photo.file_id or "")
    cases: list[tuple[list[Any], str]] = [
        ([], "there are no messages to send"),
        ([photo_media] * 11, "too many messages to send as an album"),
        ([photo_media, InputMediaDocument(media=document.document.file_id)], "document can't be mixed"),
        (
            [photo_media, InputMediaPhoto(media="AgACAgIAAxkBAAnonsense")],
            'failed to send message #2 with the error message "Wrong file identifier',
        ),
    ]
    before = len(fake.sent)
    for media, reason in cases:
        with pytest.raises(TelegramBadRequest, match=re.escape(reason)):
            await client.send_media_group(amina.id, media)
    assert len(fake.sent) == before, "a refused album sends nothing"
    group = fake.add_forum_group("Berater")
    topic = await client.create_forum_topic(group.id, "gone")
    await client.delete_forum_topic(group.id, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await client.send_media_group(
            group.id, [photo_media, photo_media], message_thread_id=topic.message_thread_id
        )
