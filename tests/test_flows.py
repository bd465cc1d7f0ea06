"""The young person's conversations, driven by writing and pressing buttons by their text."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import (
    Case,
    ConversationState,
    Feedback,
    OutboxItem,
    Subscription,
    UnansweredQuestion,
    UsageCounter,
    User,
)
from dialogs.i18n import LANGUAGE_NAMES
from dialogs.replies import Outcome
from tests.support.chat import ChatClient


async def count(app: App, model: type, *where: object) -> int:
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_start_offers_every_language_named_in_itself_with_telegrams_preselected(
    chat: ChatClient,
) -> None:
    chat.language_code = "uk"
    await chat.send("/start")
    for name in LANGUAGE_NAMES.values():
        assert any(name in label for label in chat.labels)
    assert "✓ Українська" in chat.labels
    assert await count(chat.app, User) == 0  # nothing stored before the privacy notice


async def test_privacy_notice_comes_before_anything_is_stored(chat: ChatClient) -> None:
    await chat.send("/start")
    await chat.press("English")
    assert "privacy" in chat.text.lower()
    assert await count(chat.app, User) == 0
    await chat.press("I agree")
    assert await count(chat.app, User) == 1
    assert "Hello" in chat.text
    assert any("Training" in label for label in chat.labels)


async def test_campaign_start_links_are_counted_without_a_person(chat: ChatClient) -> None:
    await chat.send("/start schule-pirna")
    await chat.send("/start <script>")
    async with chat.app.sessions() as session:
        rows = (await session.scalars(select(UsageCounter).where(UsageCounter.kind == "campaign"))).all()
    assert {r.key: r.count for r in rows} == {"schule-pirna": 1, "invalid": 1}


async def test_menu_topic_answer_and_rating(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    await chat.press("Ausbildung")
    assert len(chat.buttons) >= 4
    await chat.press(chat.labels[0])
    assert "Quelle:" in chat.text
    assert "Stand" in chat.text
    assert "<a href=" in chat.html
    await chat.press("👍")
    assert await count(chat.app, Feedback, Feedback.helpful.is_(True)) == 1


async def test_menu_steps_replace_their_message_and_answers_stay(chat: ChatClient) -> None:
    """The menu's own message becomes a topic's list and back, in place; an answer, the
    greeting and a rating leave their text standing (each new message counts against
    Telegram's limit for the whole bot, and a chat full of old menus helps nobody)."""
    await chat.onboard("Deutsch")
    await chat.press("Ausbildung", on=3)  # on the greeting: it stays
    assert [r.edit for r in chat.last.replies] == [None]
    await chat.send("/menu")
    await chat.press("Ausbildung", on=5)
    (topic,) = chat.last.replies
    assert topic.edit == 5
    assert "Frage" in chat.text
    await chat.press("Hauptmenü", on=5)
    (menu,) = chat.last.replies
    assert menu.edit == 5
    assert "Hauptmenü" in chat.text
    await chat.press("Ausbildung", on=5)
    await chat.press(chat.labels[0], on=5)  # a question: its answer is a new message
    (answer,) = chat.last.replies
    assert answer.edit is None
    assert answer.entry_id
    await chat.press("👍", on=6)
    (rebuttoned,) = chat.last.replies
    assert rebuttoned.edit == 6
    assert not rebuttoned.text, "only the answer's buttons change"
    labels = [b.label for row in rebuttoned.buttons for b in row]
    assert labels
    assert not any("👍" in label or "👎" in label for label in labels)
    assert chat.last.notice
    chat.last = Outcome([answer])
    await chat.press("Hauptmenü", on=6)  # under an answer: the answer stays
    assert [r.edit for r in chat.last.replies] == [None]


async def test_free_text_with_a_typo_finds_training(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    await chat.send("wie funktioniert eine ausbildunk?")
    replies = chat.last.replies
    assert replies[0].entry_id is not None or "Meintest du" in chat.text or "gemeint" in chat.text
    assert "Ausbildung" in chat.text


async def test_unhelpful_answer_offers_an_advisor_and_feeds_the_report(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("How much money do I get during my Ausbildung?")
    await chat.press("👎")
    assert any("advisor" in label for label in chat.labels)
    assert await count(chat.app, UnansweredQuestion, UnansweredQuestion.reason == "unhelpful") == 1
    await chat.press("advisor")
    assert await count(chat.app, Case) == 1


async def test_nonsense_gets_an_honest_answer_and_an_advisor(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("qwxz vbnm plokij")
    assert any("advisor" in label for label in chat.labels)
    assert await count(chat.app, UnansweredQuestion, UnansweredQuestion.reason == "no_match") == 1


async def test_privacy_shows_and_deletes_everything(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.press("Events")
    await chat.press("Announce new events")
    await chat.send("/advisor")
    assert await count(chat.app, Subscription) == 1
    assert await count(chat.app, Case) == 1
    await chat.send("/privacy")
    assert "Pseudonym" in chat.text
    await chat.press("Delete my data")
    await chat.press("Yes, delete everything")
    assert "deleted" in chat.text
    assert await count(chat.app, User) == 0
    assert await count(chat.app, Subscription) == 0
    assert await count(chat.app, Case) == 0
    state = await chat.app.state_of(chat.state_key)
    assert set(state or {}) <= {"lang"}, "no conversation data survives, at most the language choice"


async def test_forged_and_stale_buttons_get_a_polite_answer(chat: ChatClient) -> None:
    await chat.onboard("English")
    for data in ("a:no-such-entry", "x" * 300, "topic:../../etc", "rate:1:", "lang:zz", "\u202e", ""):
        await chat.press_data(data)
        assert "out of date" in chat.text
        assert any("Training" in label for label in chat.labels)


async def test_media_is_answered_kindly_with_an_advisor_offer(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send_media("voice")
    assert "voice messages" in chat.text
    assert any("advisor" in label for label in chat.labels)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "🙂🙂🙂",
        "\u202eevil\u202c",
        "a\u200bu\u200bs\u200bb\u200bildung",
        "x" * 10_000,
        "<b>bold</b> & <script>alert(1)</script>",
    ],
)
async def test_odd_input_never_breaks_and_is_always_escaped(chat: ChatClient, text: str) -> None:
    await chat.onboard("English")
    await chat.send(text)
    assert chat.last.replies
    for reply in chat.last.replies:
        assert "<script>" not in reply.text
        assert "<b>bold</b> &" not in reply.text


async def test_language_change_and_detected_language(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    await chat.send("/language")
    await chat.press("Türkçe")
    async with chat.app.sessions() as session:
        assert await session.scalar(select(User.language)) == "tr"
    assert any("Ausbildung" in label for label in chat.labels)


async def test_arabic_answers_isolate_numbers_for_right_to_left(chat: ChatClient) -> None:
    await chat.onboard("العربية")
    await chat.press("🛠")
    await chat.press(chat.labels[0])
    assert "\u2066" in chat.html  # left-to-right runs are isolated
    assert chat.html.startswith("\u200f")


async def test_cancel_returns_to_the_menu(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("/cancel")
    assert "Main menu" in chat.text


async def test_conversation_state_is_stored_per_chat(chat: ChatClient) -> None:
    await chat.onboard("English")
    assert await count(chat.app, ConversationState) == 1


async def test_first_name_is_shown_to_advisors_only_while_agreed(chat: ChatClient) -> None:
    chat.first_name = "Amina"
    await chat.onboard("English")
    await chat.send("/advisor")
    await chat.send("/privacy")
    assert "not shared" in chat.text
    await chat.press("Show my first name")
    assert "Amina" in chat.text
    async with chat.app.sessions() as session:
        user = await session.scalar(select(User))
        refresh = await session.scalar(select(OutboxItem).where(OutboxItem.action == "refresh"))
    assert user is not None
    assert (user.share_name, user.shared_name) == (True, "Amina")
    assert refresh is not None, "the open case's card is updated"
    await chat.press("Stop sharing")
    async with chat.app.sessions() as session:
        user = await session.scalar(select(User))
    assert user is not None
    assert (user.share_name, user.shared_name) == (False, None)
