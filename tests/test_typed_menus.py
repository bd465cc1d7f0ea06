"""Typed answers to the bot's menus: a language named in any script picks it, a typed "ok"
answers the privacy notice, the buttons stay at hand, and deleting one's data keeps the
language."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Case, User
from dialogs.i18n import LANGUAGE_NAMES
from tests.support.chat import ChatClient


@pytest.fixture
def chat(app: App) -> ChatClient:
    return ChatClient(app, language_code=None)


async def users(app: App) -> list[User]:
    async with app.sessions() as session:
        return list((await session.scalars(select(User))).all())


# The privacy notice's "I agree" button in each language, to see which language it is in.
AGREE = {
    "ar": "أوافق",
    "ru": "Даю согласие",
    "uk": "Погоджуюся",
    "fa": "موافقم",
    "tr": "Kabul ediyorum",
    "cs": "Souhlasím",
    "en": "I agree",
    "de": "Ich stimme zu",
}


@pytest.mark.parametrize(
    ("typed", "lang"),
    [
        ("عربي", "ar"),
        ("arapça", "ar"),
        ("по-русски", "ru"),
        ("українська", "uk"),
        ("فارسی", "fa"),
        ("دری", "fa"),
        ("turkce", "tr"),
        ("cestina", "cs"),
        ("english", "en"),
        ("Deutsch", "de"),
    ],
)
async def test_a_language_typed_at_the_language_menu_picks_it(
    chat: ChatClient, typed: str, lang: str
) -> None:
    await chat.send("/start")
    await chat.send(typed)
    state = await chat.app.state_of(chat.state_key)
    assert state is not None
    assert state.get("lang") == lang
    assert "🔒" in chat.text, "the privacy notice follows, as after pressing the button"
    assert any(AGREE[lang] in label for label in chat.labels), chat.labels


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("English", "ok"),
        ("Deutsch", "ja"),
        ("English", "yes"),
        ("Русский", "да"),
        ("العربية", "نعم"),
        ("العربية", "تمام"),
        ("Türkçe", "evet"),
        ("Čeština", "ano"),
    ],
)
async def test_a_typed_yes_at_the_privacy_notice_accepts_it(
    chat: ChatClient, language: str, typed: str
) -> None:
    await chat.send("/start")
    await chat.press(language)
    await chat.send(typed)
    assert len(await users(chat.app)) == 1, f"{typed!r} accepted the notice"
    assert chat.labels, "the main menu follows"


async def test_a_typed_no_at_the_privacy_notice_stores_nothing(chat: ChatClient) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.send("no")
    assert await users(chat.app) == []
    assert "🔒" not in chat.text


async def test_a_question_at_the_privacy_notice_is_answered_and_the_buttons_stay(chat: ChatClient) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.send("How long does an Ausbildung take?")
    assert await users(chat.app) == []
    labels = chat.labels
    assert any("I agree" in label for label in labels), labels
    assert any("without saving" in label for label in labels), labels
    await chat.send("ok")
    assert len(await users(chat.app)) == 1, "the notice can still be answered by typing"


async def test_ok_is_not_a_question_for_an_advisor(chat: ChatClient) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.send("ok")
    async with chat.app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Case)) == 0


async def test_after_deleting_ones_data_the_bot_keeps_the_persons_language(chat: ChatClient) -> None:
    await chat.onboard("العربية")
    await chat.send("/privacy")
    await chat.press("🗑")
    await chat.press_data(next(b.data for b in chat.buttons if b.data.endswith(":yes")))
    assert await users(chat.app) == []
    await chat.send("كم يدوم التدريب المهني؟")
    assert not any(word in chat.text for word in ("Ausbildung dauert", "Hallo", "Bitte")), chat.text
    arabic = sum(1 for ch in chat.text if "\u0600" <= ch <= "\u06ff")
    assert arabic > len(chat.text) / 4, chat.text


@pytest.mark.parametrize(
    ("typed", "lang"),
    [
        ("مرحبا", "ar"),
        ("Привіт", "uk"),
        ("merhaba", "tr"),
        ("Wo finde ich ein Praktikum?", "de"),
        ("как найти практику", "ru"),
    ],
)
async def test_a_message_in_a_clear_language_before_any_choice_preselects_it(
    app: App, typed: str, lang: str
) -> None:
    """The Telegram app is set to English, the person writes in their language: the reply
    and the language menu shown again are in theirs, marked, and nothing is stored yet."""
    chat = ChatClient(app, language_code="en")
    await chat.send("/start")
    await chat.send(typed)
    state = await chat.app.state_of(chat.state_key)
    assert state is not None
    assert state.get("lang") == lang
    assert any(label.startswith("✓ ") and label[2:] == LANGUAGE_NAMES[lang] for label in chat.labels)
    assert await users(chat.app) == []


async def test_a_language_a_message_chose_holds_through_latin_letters(app: App) -> None:
    """ "مرحبا" chose Arabic; the next message is Arabizi with a German word in it: the
    reply is Arabic and Arabic stays marked, not German."""
    chat = ChatClient(app, language_code="en")
    await chat.send("/start")
    await chat.send("مرحبا")
    await chat.send("ana 3ayez a3mel ausbildung kam bakhod flus")
    assert any(label == "✓ " + LANGUAGE_NAMES["ar"] for label in chat.labels), chat.labels
    assert "Das weiß ich" not in chat.text, chat.text
    await chat.send("praktikum pls")
    state = await chat.app.state_of(chat.state_key)
    assert state is not None
    assert state.get("lang") == "ar"


async def test_romanised_arabic_after_a_german_message_chooses_arabic(app: App) -> None:
    chat = ChatClient(app, language_code="en")
    await chat.send("/start")
    await chat.send("Wo finde ich ein Praktikum?")
    await chat.send("ana 3ayez a3mel ausbildung kam bakhod flus")
    assert any(label == "✓ " + LANGUAGE_NAMES["ar"] for label in chat.labels), chat.labels


async def test_a_greeting_shared_by_two_languages_keeps_the_preselection(app: App) -> None:
    """ "سلام" is Arabic and Persian alike: the app's language stays preselected."""
    chat = ChatClient(app, language_code="en")
    await chat.send("/start")
    await chat.send("سلام")
    assert any(label == "✓ English" for label in chat.labels), chat.labels
