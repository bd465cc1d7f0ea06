"""No silence during a case: every message is relayed and acknowledged, a question the
knowledge base answers is answered by the bot too, and /status shows and closes the case."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select, update

from bot.app import App
from bot.config import SHIPPED_CONTENT_DIR
from bot.content import import_folder
from bot.db.models import Advisor, Case, OutboxItem, UnansweredQuestion, utcnow
from dialogs import callbacks
from dialogs.content_checks import MAX_MESSAGE, renderings, telegram_length
from knowledge.model import MAX_ANSWER_CHARS
from tests.support.clocked_chat import MONDAY_MORNING, SATURDAY_EVENING, ClockedChat


@pytest.fixture
async def chat(app: App) -> ClockedChat:
    chat = ClockedChat(app, now=MONDAY_MORNING)
    await chat.onboard("English")
    await chat.send("/advisor")
    return chat


async def the_case(app: App) -> Case:
    async with app.sessions() as session:
        case = await session.scalar(select(Case))
    assert case is not None
    return case


async def test_each_message_during_a_case_is_relayed_and_acknowledged(chat: ClockedChat) -> None:
    case = await the_case(chat.app)
    await chat.send("How do I find an apprenticeship in the district?")
    first = chat.last
    assert first.reaction == "👀"
    assert first.relay_case == case.id
    assert first.relay_messages == [chat.next_message_id]
    assert "Your message is with our team" in chat.text
    assert "as soon as they can" in chat.text
    answers = [r for r in first.replies if r.entry_id]
    assert len(answers) == 1, "the knowledge base's answer comes too"
    assert "Automatic answer from the bot while you wait" in answers[0].text
    assert len(first.replies) == 1, "the line and the answer go as one message"
    assert answers[0].text.startswith("✓ Your message is with our team")
    assert any("Helpful" in b.label for row in answers[0].buttons for b in row)

    # In the same burst, greetings and thanks get the reaction; where Telegram cannot
    # react, the same short line is sent instead.
    for text in ("thanks", "شكرا", "Hallo, ich brauche Hilfe"):
        chat.later(minutes=1)
        await chat.send(text)
        assert chat.last.reaction == "👀", text
        assert "with our team" in chat.last.reaction_fallback
        assert chat.last.relay_messages == [chat.next_message_id]
        assert not any(r.entry_id for r in chat.last.replies)

    # A new burst gets the line again.
    chat.later(minutes=30)
    await chat.send("hallo?")
    assert "Your message is with our team" in chat.text


async def test_a_transport_without_reactions_always_gets_the_line(app: App) -> None:
    chat = ClockedChat(app, now=MONDAY_MORNING, with_message_ids=False)  # like the console chat
    await chat.onboard("English")
    await chat.send("/advisor")
    for text in ("hello", "thanks", "are you there?"):
        await chat.send(text)
        assert "Your message is with our team" in chat.text, text
        assert chat.last.reaction == ""


async def test_outside_office_hours_the_line_says_when_they_answer(chat: ClockedChat) -> None:
    chat.now = SATURDAY_EVENING + dt.timedelta(days=7)  # the case stays open over the weekend
    await chat.send("hello?")
    assert "not at work right now" in chat.text


async def test_questions_during_a_case_are_not_reported_as_unanswered(chat: ClockedChat) -> None:
    await chat.send("qwxz vbnm plokij")
    assert "with our team" in chat.text
    async with chat.app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(UnansweredQuestion)) == 0


async def test_status_shows_the_case_and_who_took_it(chat: ClockedChat) -> None:
    await chat.send("/status")
    case = await the_case(chat.app)
    assert f"#{case.id}" in chat.text
    assert "waiting for an advisor" in chat.text
    async with chat.app.sessions.begin() as session:
        session.add(Advisor(telegram_id=42, display_name="Anna", languages="en", topics=""))
        await session.execute(
            update(Case).where(Case.id == case.id).values(state="taken", advisor_id=42, taken_at=utcnow())
        )
    await chat.send("/status")
    assert "taken by Anna" in chat.text
    assert "Anna from our team is now answering you" in chat.text
    await chat.send("one more thing")
    assert "Anna from our team" in chat.text


async def test_the_person_closes_the_case_from_status(chat: ClockedChat) -> None:
    await chat.send("/status")
    await chat.press("Close my conversation")
    case = await the_case(chat.app)
    assert case.state == "closed"
    assert case.closed_at is not None
    assert "closed" in chat.text
    async with chat.app.sessions() as session:
        actions = list(await session.scalars(select(OutboxItem.action).where(OutboxItem.case_id == case.id)))
    assert "person_closed" in actions
    assert "refresh" in actions
    # Their next message is answered by the bot and does not reopen what they closed.
    await chat.send("thanks")
    assert chat.last.relay_case is None
    assert (await the_case(chat.app)).state == "closed"
    await chat.send("/status")
    assert "no open conversation" in chat.text
    # The old button is out of date now.
    await chat.press_data(f"st:close:{case.id}")
    assert "out of date" in chat.text


async def test_a_message_soon_after_the_advisor_closed_reopens_and_says_so(chat: ClockedChat) -> None:
    case = await the_case(chat.app)
    async with chat.app.sessions.begin() as session:
        await session.execute(
            update(Case)
            .where(Case.id == case.id)
            .values(state="closed", closed_at=chat.now.astimezone(dt.UTC))
        )
    chat.later(minutes=5)
    await chat.send("sorry, one more question")
    assert "reopened your conversation" in chat.text
    assert chat.last.relay_case == case.id
    assert (await the_case(chat.app)).state == "waiting"


async def test_status_without_a_case_offers_an_advisor(app: App) -> None:
    chat = ClockedChat(app, now=MONDAY_MORNING)
    await chat.onboard("English")
    await chat.send("/status")
    assert "no open conversation" in chat.text
    assert any("advisor" in label for label in chat.labels)


async def test_a_line_and_an_answer_too_long_for_one_message_go_as_two(
    chat: ClockedChat, tmp_path: Path
) -> None:
    """Together only where Telegram takes them as one message; else the line, then the answer."""
    entry_id = "ausbildungsplatz-finden"
    snapshot = chat.app.content.knowledge.snapshot
    entry = snapshot.faq[entry_id]
    # The longest answer with which the message the bot sends (with the note that it answers
    # while the person waits) still fits in one message, less a margin of 20 characters.
    room = MAX_MESSAGE - max(r.length for r in renderings(snapshot, entry, "en") if r.waiting) - 20
    longer = len(entry.translations["en"].answer) + room
    assert longer <= MAX_ANSWER_CHARS
    folder = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, folder)
    path = folder / "faq" / f"{entry_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sentence = "Ask at your vocational school who helps you with the search. "
    data["translations"]["en"]["answer"] = (sentence * 60)[: longer - 1] + "."
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    await import_folder(chat.app.sessions, folder, author="editor")
    assert await chat.app.content.refresh()

    await chat.send("How do I find an apprenticeship in the district?")
    line, answer = chat.last.replies
    assert line.text.startswith("✓ Your message is with our team")
    assert line.entry_id is None
    assert answer.entry_id == entry_id
    assert "Automatic answer from the bot while you wait" in answer.text
    assert telegram_length(answer.text) <= MAX_MESSAGE < telegram_length(line.text + "\n\n" + answer.text)


async def test_a_closed_case_is_rated_once_from_its_closing_notice(chat: ClockedChat) -> None:
    case = await the_case(chat.app)
    await chat.press_data(callbacks.make("st", f"close:{case.id}"))
    # The closing notice with the rating buttons is message 42 in the person's chat.
    await chat.press_data(callbacks.make("cr", f"{case.id}:1"), on=42)
    rebuttoned, thanks = chat.last.replies
    assert rebuttoned.edit == 42
    assert not rebuttoned.text
    assert not rebuttoned.buttons, "the rating buttons go"
    assert "Thank you" in thanks.text
    assert chat.last.notice
    assert (await the_case(chat.app)).rating == 1
