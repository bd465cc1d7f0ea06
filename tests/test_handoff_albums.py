"""Albums in the handoff: a person's or an advisor's album goes on as one album.

The bot runs in the test's process against the local Bot API server (``serving``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import CaseMessage, OutboxItem
from bot.telegram.runner import assemble
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram, SentMessage, SimChat, SimUser
from tests.support.in_process import serving
from tests.support.telegram import add_advisor, open_case, rows


class OpenCase(NamedTuple):
    anna: SimUser  # an advisor in the group
    olena: SimUser  # who asked for an advisor
    group: SimChat
    card: SentMessage  # the card in the case's topic


@pytest.fixture
async def case(app: App, fake: FakeTelegram) -> OpenCase:
    """Olena's open case, with Anna as an advisor (the bot has stopped again)."""
    anna = fake.add_user("Anna")
    olena = fake.add_user("Olena", language_code="uk")
    group = fake.add_forum_group("Beratung", members=[anna])
    await add_advisor(app, anna, "uk")
    async with serving(app, fake, advisor_chat_id=group.id):
        card = await open_case(fake, olena, "Українська", group)
    return OpenCase(anna, olena, group, card)


async def test_a_persons_album_reaches_the_topic_as_one_album_before_what_follows(
    app: App, fake: FakeTelegram, case: OpenCase
) -> None:
    _anna, olena, group, card = case
    async with serving(app, fake, advisor_chat_id=group.id):
        album = await fake.send_album(olena, ["photo", "photo", "video"], caption="Мої документи")
        await fake.send_text(olena, "Це все, дякую")
        after = await fake.wait_for_message(group, contains="Це все", thread_id=card.thread_id)
    sent = fake.calls_to("sendMediaGroup")
    assert len(sent) == 1
    assert [m["type"] for m in sent[0]["media"]] == ["photo", "photo", "video"]
    copies = [m for m in fake.messages_to(group, thread_id=card.thread_id) if m.method == "sendMediaGroup"]
    assert [m.file_id for m in copies] == [m.file_id for m in album]
    assert [m.plain for m in copies] == ["Мої документи", "", ""]
    assert len({m.message["media_group_id"] for m in copies}) == 1
    assert all(m.message_id < after.message_id for m in copies), "the text came after the album"
    assert not [c for c in fake.calls_to("copyMessage") if c["message_id"] in {m.message_id for m in album}]
    pairs = await rows(app.settings.database_url, CaseMessage)
    assert {(p.user_message_id, p.group_message_id) for p in pairs} >= {
        (m.message_id, c.message_id) for m, c in zip(album, copies, strict=True)
    }


async def test_an_advisors_album_reaches_the_person_as_one_album(
    app: App, fake: FakeTelegram, case: OpenCase
) -> None:
    anna, olena, group, card = case
    async with serving(app, fake, advisor_chat_id=group.id):
        await fake.send_album(
            anna, ["document", "document"], caption="Formulare", chat=group, thread_id=card.thread_id
        )
        first = await fake.wait_for_message(olena, kind="document")
        second = await fake.wait_for_message(olena, kind="document")
    assert (first.method, second.method) == ("sendMediaGroup", "sendMediaGroup")
    assert first.plain == "Formulare"
    assert first.message["media_group_id"] == second.message["media_group_id"]
    assert len(fake.calls_to("sendMediaGroup")) == 1


async def test_an_album_queued_before_a_stop_goes_out_whole_at_the_next_start(
    app: App, fake: FakeTelegram, case: OpenCase
) -> None:
    _anna, olena, group, card = case
    # The bot handles the album's updates, and the outbox looks in between; then the process stops.
    here = replace(
        app,
        settings=make_settings(
            app.settings.database_url,
            bot_token=fake.token,
            telegram_api_url=fake.url,
            advisor_chat_id=group.id,
        ),
        on_commit=[],
    )
    bot, _handoff, dispatcher, worker = await assemble(here, None)
    try:
        album = await fake.send_album(olena, ["photo", "photo", "photo"], caption="Атестат")
        updates = [u for u in await bot.get_updates(timeout=0) if u.message and u.message.media_group_id]
        await dispatcher.feed_update(bot, updates[0])
        assert await worker.run_once() == 0, "the first part waits for the rest of its album"
        for update in updates[1:]:
            await dispatcher.feed_update(bot, update)
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    finally:
        await bot.session.close()
    async with app.sessions() as session:
        queued = (await session.scalars(select(OutboxItem).where(OutboxItem.action == "album_in"))).all()
    assert [(i.status, i.payload["message_id"]) for i in queued] == [("pending", m.message_id) for m in album]
    async with serving(app, fake, advisor_chat_id=group.id):
        await fake.wait_for_call("sendMediaGroup", timeout=15)
    copies = [m for m in fake.messages_to(group, thread_id=card.thread_id) if m.method == "sendMediaGroup"]
    assert [m.file_id for m in copies] == [m.file_id for m in album]
    assert len(fake.calls_to("sendMediaGroup")) == 1
    async with app.sessions() as session:
        statuses = await session.scalars(select(OutboxItem.status).where(OutboxItem.action == "album_in"))
        assert set(statuses) == {"done"}
