"""The interest check in the chat: a whole check, stop and resume, stale buttons, the result,
keeping or dropping it, an advisor case with the result on its card, and the counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select

from bot.app import App
from bot.db.models import Case, ConversationState, InterestCount, utcnow
from bot.db.retention import purge
from bot.db.statistics import daily_statistics
from bot.handoff.service import HandoffService
from bot.telegram.runner import create_bot
from dialogs import callbacks
from dialogs.content_checks import MAX_MESSAGE, telegram_length
from dialogs.interests import KEPT, RUNNING, training_years
from knowledge.interests import InterestCheck
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.support.chat import ChatClient

LIKE, UNSURE, DISLIKE = 0, 1, 2  # the answer buttons' order in each statement's row


def the_check(chat: ChatClient) -> InterestCheck:
    check = chat.app.content.knowledge.snapshot.interests
    assert check is not None
    return check


async def state(chat: ChatClient) -> dict[str, object]:
    found = await chat.app.state_of(chat.state_key)
    return found or {}


async def answer_all(chat: ChatClient, pick: list[int]) -> None:
    for choice in pick:
        await chat.press_data(chat.buttons[choice].data)


def liking(check: InterestCheck, *dimensions: str) -> list[int]:
    return [LIKE if s.dimension in dimensions else DISLIKE for s in check.statements]


async def counts(app: App) -> dict[tuple[str, str, str], int]:
    async with app.sessions() as session:
        rows = (await session.scalars(select(InterestCount))).all()
    return {(r.language, r.measure, r.key): r.count for r in rows}


async def test_a_complete_check_in_german(chat: ChatClient) -> None:
    await chat.onboard("Deutsch")
    assert any("Interessen-Check" in label for label in chat.labels)  # in the main menu
    await chat.send("/interests")
    check = the_check(chat)
    assert "Das ist eine Orientierung, kein Test." in chat.text.split("\n\n")[0]  # before statement 1
    assert "1 von 18\nIch repariere gern Fahrräder" in chat.text
    assert chat.labels == ["Mag ich", "Weiß nicht", "Mag ich nicht", "⏸ Anhalten"]
    assert all(len(b.data.encode()) <= callbacks.MAX_BYTES for b in chat.buttons)
    await answer_all(chat, liking(check, "R")[:-1])
    assert "18 von 18" in chat.text
    await chat.press("Mag ich")  # the last statement (R) liked
    text = chat.text
    # The three fields of someone who likes only practical work, Landwirtschaft first.
    assert text.index("1. Landwirtschaft, Natur, Umwelt") < text.index("2. Metall, Maschinenbau")
    assert "3. Produktion, Fertigung" in text
    # Each occupation: German name, kind, duration, school, German level, source and date.
    assert "• Forstwirt/in\nDuale Ausbildung" in text
    assert "· 3 Jahre" in text
    assert "· 3,5 Jahre" in text
    assert "Schulabschluss: Das Gesetz schreibt keinen bestimmten Schulabschluss vor." in text
    assert "Deutsch: Dazu gibt es noch keine offizielle Angabe; die Berufsberatung kann es dir sagen." in text
    assert "Stand 05.12.2026 · Angaben noch nicht von unserer Redaktion geprüft." in text
    assert "Das ist eine Orientierung, kein Test. Das Ergebnis sagt nicht" in text
    assert "So geht es weiter:" in text
    assert "CC BY 4.0" in text
    assert "Machine-translated" not in text
    assert "Maschinell" not in text
    assert chat.labels == [
        "📇 Agentur für Arbeit Pirna – Berufsberatung",
        "💼 Praktika und Ausbildungsplätze in diesen Feldern",
        "🙋 Mit einer Beraterin oder einem Berater darüber sprechen",
        "💾 Mein Ergebnis speichern",
        "⬅️ Hauptmenü",
    ]
    assert all(telegram_length(r.text) <= MAX_MESSAGE for r in chat.last.replies)
    assert RUNNING not in await state(chat)  # the answers are gone with the result
    assert KEPT not in await state(chat)
    assert await counts(chat.app) == {
        ("de", "started", ""): 1,
        ("de", "finished", ""): 1,
        ("de", "field", "landwirtschaft"): 1,
        ("de", "field", "metall"): 1,
        ("de", "field", "produktion"): 1,
    }
    await chat.press("Agentur für Arbeit Pirna")  # the Berufsberatung's contact card
    assert "Agentur für Arbeit Pirna" in chat.text


async def test_stop_write_something_else_and_resume_in_ukrainian(chat: ChatClient) -> None:
    chat.language_code = "uk"
    await chat.onboard("Українська")
    await chat.press("Перевірка інтересів")
    check = the_check(chat)
    await answer_all(chat, liking(check, "S")[:4])
    assert "5 з 18" in chat.text
    await chat.press("Зупинити")
    assert "Призупинено" in chat.text
    assert "▶️ Продовжити перевірку інтересів (4/18)" in chat.labels
    # Free text meanwhile is answered as always; the check waits.
    await chat.send("Що таке Ausbildung?")
    assert chat.last.replies
    assert "з 18" not in chat.text
    await chat.send("/interests")
    assert "4 з 18" in chat.text
    await chat.press("Продовжити перевірку інтересів")
    assert "5 з 18" in chat.text
    await answer_all(chat, liking(check, "S")[4:])
    assert "1. Соціальна сфера й педагогіка" in chat.text
    assert "Pflegefachmann/-frau – " in chat.text  # the German name beside the translation
    assert "Це орієнтир, а не тест." in chat.text
    assert "Machine-translated" not in chat.text
    assert "Машинний переклад; редактор його перевірить." in chat.text
    assert await counts(chat.app) == {
        ("uk", "started", ""): 1,
        ("uk", "finished", ""): 1,
        ("uk", "field", "soziales"): 1,
        ("uk", "field", "gesundheit"): 1,
        ("uk", "field", "dienstleistung"): 1,
    }


async def test_start_over_forgets_the_answers(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("/interests")
    await answer_all(chat, [LIKE, LIKE, LIKE])
    await chat.send("/interests")
    await chat.press("Start over")
    assert "1 of 18" in chat.text
    assert (await state(chat))[RUNNING] == ""
    assert (await counts(chat.app))[("en", "started", "")] == 2


async def test_stale_and_forged_buttons_in_arabic(chat: ChatClient) -> None:
    chat.language_code = "ar"
    await chat.onboard("العربية")
    await chat.send("/interests")
    first = chat.buttons[LIKE].data
    await chat.press_data(first)
    assert "2 من 18" in chat.text
    # The first statement's button again (a double tap, an old message): told, and shown where it is.
    await chat.press_data(first)
    assert chat.last.notice
    assert "هذه الجملة تمت الإجابة عنها" in chat.text
    assert "2 من 18" in chat.text
    assert (await state(chat))[RUNNING] == "l"
    await chat.press_data("ic:17d")  # a statement far ahead: forged
    assert "2 من 18" in chat.text
    assert (await state(chat))[RUNNING] == "l"
    for forged in ("icf:unbekannt", "ick:999999", "ica:12", "ic:99x", "ick:", "ic:" + "9" * 70):
        await chat.press_data(forged)
        assert chat.last.replies, forged  # a clear reply, never an exception
        assert (await state(chat))[RUNNING] == "l"
    # Every reply in Arabic keeps its Latin and digits readable right-to-left.
    await chat.press_data(callbacks.make("ic", "go"))
    assert "2 من 18" in chat.text
    await chat.press_data(chat.buttons[LIKE].data)
    assert "\u2066" in chat.last.replies[-1].text  # "3 من 18": the digits isolated
    check = the_check(chat)
    await answer_all(chat, [LIKE] * (len(check.statements) - 2))
    assert "• Industriemechaniker/in – ميكانيكي صناعي" in chat.text  # everything liked: file order
    assert all(telegram_length(r.text) <= MAX_MESSAGE for r in chat.last.replies)
    await chat.press_data(first)  # after the result the check is over
    assert "فحص الاهتمامات هذا لم يعد جارياً" in chat.text


async def test_no_clear_direction(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("/interests")
    await answer_all(chat, [UNSURE] * len(the_check(chat).statements))
    assert "Your answers do not show a clear direction yet." in chat.text
    assert "This is an orientation, not a test." in chat.text
    assert not any("Keep my result" in label for label in chat.labels)
    assert "🙋 Talk to an advisor about this" in chat.labels
    assert (await counts(chat.app))[("en", "no_field", "")] == 1


async def test_keep_and_drop_the_result(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("/interests")
    check = the_check(chat)
    await answer_all(chat, liking(check, "I", "C"))
    await chat.press("Keep my result")
    assert chat.last.notice == "Saved."
    assert (await state(chat))[KEPT] == {
        "fields": ["it", "naturwissenschaften", "wirtschaft"],
        "scores": "060006",
    }
    await chat.send("/privacy")
    assert (
        "• Kept interest check result: IT and computers; Natural sciences; "
        "Business and administration (060006)\n"
    ) in chat.text
    await chat.send("/interests")  # the kept result, each field to open again
    assert "Your kept result of the interest check:\n1. IT and computers" in chat.text
    await chat.press("IT and computers")
    assert "Fachinformatiker/in – " in chat.text
    await chat.send("/interests")
    await chat.press("Delete my kept result")
    assert KEPT not in await state(chat)
    # Kept again, it goes with the person's data.
    await chat.send("/interests")
    await answer_all(chat, liking(check, "A"))
    await chat.press("Keep my result")
    assert KEPT in await state(chat)
    await chat.send("/privacy")
    await chat.press("Delete my data")
    await chat.press("Yes, delete everything")
    async with chat.app.sessions() as session:
        row = await session.get(ConversationState, chat.state_key)
    assert row is not None
    assert row.data == {"lang": "en"}


async def test_keeping_needs_the_privacy_consent(chat: ChatClient) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.press("Continue without saving")
    await chat.send("/interests")
    await answer_all(chat, liking(the_check(chat), "E"))
    await chat.press("Keep my result")
    assert "please first agree to the privacy notice" in chat.text
    assert KEPT not in await state(chat)


async def test_the_advisor_case_carries_the_result_on_its_card(
    chat: ChatClient, fake: FakeTelegram, database_url: str
) -> None:
    # Someone who has not agreed yet: the case needs consent first, and then carries the result.
    await chat.send("/start")
    await chat.press("Deutsch")
    await chat.press("Ohne Speichern weiter")
    await chat.send("/interests")
    await answer_all(chat, liking(the_check(chat), "R", "I"))
    await chat.press("darüber sprechen")
    async with chat.app.sessions() as session:
        assert (await session.scalars(select(Case))).all() == []
    assert "Bist du einverstanden?" in chat.text
    await chat.press("✅")
    async with chat.app.sessions() as session:
        case = (await session.scalars(select(Case))).one()
    assert case.reason == "interests"
    assert case.topic == "interests"
    assert case.interest_result == {
        "fields": ["landwirtschaft", "elektro", "metall"],
        "scores": "660000",
    }
    assert "ic_pending" not in await state(chat)
    group = fake.add_forum_group("Beratung")
    settings = make_settings(
        database_url, bot_token=fake.token, telegram_api_url=fake.url, advisor_chat_id=group.id
    )
    bot = create_bot(settings)
    try:
        await HandoffService(replace(chat.app, settings=settings), bot).ensure_topic(case.id)
    finally:
        await bot.session.close()
    [card] = [m for m in fake.messages_to(group.id) if "#" in m.plain]
    assert (
        "🧭 Interessen-Check: Landwirtschaft, Natur, Umwelt; Elektro; Metall, Maschinenbau "
        "(Punkte pro Interessenbereich: R 6 · I 6 · A 0 · S 0 · E 0 · C 0)"
    ) in card.plain


async def test_the_faq_answers_offer_the_check(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.press_data(callbacks.make("a", "interessen-berufsfelder"))
    await chat.press("Start the interest check")
    assert "1 of 18" in chat.text


async def test_the_statistics_show_the_counts_per_month_and_language(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("/interests")
    await answer_all(chat, liking(the_check(chat), "S"))
    today = dt.date.today()
    async with chat.app.sessions() as session:
        figures = await daily_statistics(session, today.replace(day=1), today)
    assert figures.interest_checks.key_totals == {"finished (en)": 1, "started (en)": 1}
    assert figures.interest_fields.key_totals == {
        "dienstleistung (en)": 1,
        "gesundheit (en)": 1,
        "soziales (en)": 1,
    }
    _header, month, total = figures.interest_checks.rendered()
    assert month[0] == today.replace(day=1).isoformat()
    assert set(month[1:]) == set(total[1:]) == {"<5"}  # small counts stay hidden


async def test_the_result_on_a_case_is_purged_with_its_texts(chat: ChatClient) -> None:
    await chat.onboard("English")
    await chat.send("/interests")
    await answer_all(chat, liking(the_check(chat), "A"))
    await chat.press("Talk to an advisor about this")
    now = utcnow()
    async with chat.app.sessions.begin() as session:
        case = (await session.scalars(select(Case))).one()
        assert case.interest_result is not None
        case.state, case.closed_at = "closed", now - dt.timedelta(days=100)
    async with chat.app.sessions.begin() as session:
        assert (await purge(session, dt.timedelta(days=90), now)).case_texts == 1
    async with chat.app.sessions() as session:
        case = (await session.scalars(select(Case))).one()
    assert case.interest_result is None


def test_training_years_follow_each_languages_plural_rules() -> None:
    # CLDR's plural forms: Arabic has a dual, Ukrainian and Czech a form for fractions.
    assert [training_years(y, "ar") for y in (2.0, 3.0)] == ["سنتان", "3 سنوات"]
    assert [training_years(y, "uk") for y in (2.0, 3.5)] == ["2 роки", "3,5 року"]
    assert [training_years(y, "cs") for y in (2.0, 3.5)] == ["2 roky", "3,5 roku"]
    assert [training_years(y, "ru") for y in (2.0, 3.5)] == ["2 года", "3,5 года"]
    assert [training_years(y, "de") for y in (2.0, 3.5)] == ["2 Jahre", "3,5 Jahre"]
    assert training_years(3.0, "en") == "3 years"
