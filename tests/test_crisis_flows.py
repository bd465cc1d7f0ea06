"""Safety first: the crisis reply comes before anything else, says which languages each line
speaks and honestly when an advisor reads the message, also before consent and at weekends."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Case, ConversationState, OutboxItem, User
from bot.db.retention import purge
from dialogs.crisis import CONCERN, PENDING, PLEA
from dialogs.i18n import Catalogs
from dialogs.render import format_clock
from dialogs.replies import Reply
from knowledge.crisis_lines import default_crisis_lines
from knowledge.match_dense import default_embedder
from knowledge.safety import DEFAULT_PATH, CrisisDetector
from knowledge.safety_meaning import FITTED_PATH, MeaningModel
from tests.support.chat import visible
from tests.support.clocked_chat import BERLIN, MONDAY_MORNING, ClockedChat

CRISIS = "Ich will nicht mehr leben."
OPENING = dt.datetime(2026, 12, 7, 9, 0, tzinfo=BERLIN)


async def count(app: App, model: type, *where: object) -> int:
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def only_case(app: App) -> Case:
    async with app.sessions() as session:
        cases = (await session.scalars(select(Case))).all()
    assert len(cases) == 1
    return cases[0]


@pytest.fixture
def chat(app: App) -> ClockedChat:
    return ClockedChat(app)


def monday(lang: str) -> str:
    return format_clock(OPENING, lang, BERLIN)


async def test_weekend_crisis_before_consent_comes_first_and_nothing_is_lost(chat: ClockedChat) -> None:
    await chat.send("/start")
    await chat.press("English")
    assert "🔒" in chat.text  # the privacy notice is waiting for an answer
    await chat.send(CRISIS)
    crisis, question = chat.last.replies
    text = chat.text
    assert crisis.text.startswith("🆘")
    for number in ("112", "110", "0800 111 0 111", "0800 111 0 222", "116 111", "116 016"):
        assert number in text
    assert "speaks German" in text
    assert "Nummer gegen Kummer" in text
    assert "closed now" in text
    assert "only read your message if you agree" in text
    assert monday("en") in text, "honest about when a person reads it"
    assert "I have passed your message" not in text, "no promise before consent"
    assert "✅ I agree" in [b.label for row in question.buttons for b in row]
    assert await count(chat.app, User) == 0
    assert await count(chat.app, Case) == 0

    # A follow-up is never met with silence, and is kept as well.
    chat.later(minutes=5)
    await chat.send("hallo? ist jemand da?")
    assert "112" in chat.text
    assert "not with our advisors yet" in chat.text
    assert any("I agree" in label for label in chat.labels)

    chat.later(minutes=5)
    await chat.press("I agree")
    assert await count(chat.app, User) == 1
    case = await only_case(chat.app)
    assert (case.urgent, case.reason, case.question) == (True, "urgent", CRISIS)
    assert "passed your message to our advisors as urgent" in chat.text
    assert monday("en") in chat.text
    assert "112" in chat.text
    assert chat.last.relay_messages == [501, 502], "both held messages reach the advisors"
    assert await count(chat.app, OutboxItem, OutboxItem.action == "announce") == 1
    state = await chat.app.state_of(chat.state_key)
    assert state is not None
    assert PENDING not in state


async def test_weekend_crisis_after_consent_opens_the_urgent_case_at_once(chat: ClockedChat) -> None:
    await chat.onboard("English")
    await chat.send(CRISIS)
    assert len(chat.last.replies) == 1
    assert chat.text.startswith("🆘")
    assert "passed your message to our advisors as urgent" in chat.text
    assert "not at work right now" in chat.text
    assert monday("en") in chat.text
    case = await only_case(chat.app)
    assert case.urgent
    assert case.question == CRISIS
    assert chat.last.relay_case == case.id
    assert chat.last.relay_messages == [501]
    assert await count(chat.app, OutboxItem, OutboxItem.action == "announce") == 1

    # Any message in the next hours: the advisors have it, and the numbers again.
    for minutes, text in ((2, "hallo? ist jemand da?"), (3, "bitte"), (300, "???")):
        chat.later(minutes=minutes)
        await chat.send(text)
        assert chat.last.replies, f"silence after {text!r}"
        assert "Your message is with our team" in chat.text
        assert "112" in chat.text
        assert "0800 111 0 111" in chat.text
        assert chat.last.relay_case == case.id


async def test_crisis_in_office_hours_says_a_person_reads_it_now(chat: ClockedChat) -> None:
    chat.now = MONDAY_MORNING + dt.timedelta(days=1)  # Tuesday 10:00
    await chat.onboard("English")
    await chat.send(CRISIS)
    assert "at work now" in chat.text
    assert "116 111" in chat.text
    assert "(closed now)" in chat.text
    chat.now = chat.now.replace(hour=14, minute=30)
    await chat.send(CRISIS)
    assert "(open now)" in chat.text


async def test_the_crisis_at_the_end_of_a_1181_character_message_is_found(chat: ClockedChat) -> None:
    await chat.onboard("Deutsch")
    opening = "Hallo, ich habe eine Frage zur Ausbildung als Elektroniker in Pirna und zum Praktikum vorher. "
    text = (opening * 13)[: 1181 - len(CRISIS) - 1] + " " + CRISIS
    assert len(text) == 1181
    await chat.send(text)
    assert chat.last.replies[0].text.startswith("🆘")
    assert "112" in chat.text
    assert (await only_case(chat.app)).urgent


@pytest.mark.parametrize(
    ("label", "message", "expected", "spoken"),
    [
        ("العربية", "أريد أن أموت", ("0351 850 75 222", "030 443 509 821"), "الألمانية"),
        ("فارسی", "می‌خواهم خودکشی کنم", ("0351 850 75 222",), "آلمانی"),
        ("Українська", "Я хочу померти", ("0800 500 225 0", "0351 850 75 222"), "німецька"),
        ("Русский", "Я хочу умереть", ("030 440 308 454", "0800 500 225 0"), "немецкий"),
        ("Türkçe", "Ölmek istiyorum", ("030 443 509 821",), "Almanca"),
    ],
)
async def test_lines_in_the_persons_language_and_what_each_line_speaks(
    chat: ClockedChat, label: str, message: str, expected: tuple[str, ...], spoken: str
) -> None:
    await chat.onboard(label)
    await chat.send(message)
    assert chat.last.replies[0].text.lstrip("\u200f").startswith("🆘"), chat.text
    for number in ("112", "116 111", "116 016", *expected):
        assert number in chat.text
    assert spoken in chat.text, "the national lines say they speak German, in the person's language"


async def test_czech_is_told_honestly_that_no_line_speaks_it(chat: ClockedChat) -> None:
    await chat.onboard("Čeština")
    await chat.send("Chci zemřít")
    assert "112" in chat.text
    assert "němčin" in chat.text  # "speaks German" in Czech
    honest = Catalogs().translate(
        "cs",
        "I know of no crisis line in Germany that speaks your language. "
        "If you can, call in German or English, or ask someone to call with you.",
    )
    assert honest in chat.text


async def test_declining_after_a_crisis_drops_the_held_message(chat: ClockedChat) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.send(CRISIS)
    await chat.press("Continue without saving")
    assert "Nothing is stored" in chat.text
    assert await count(chat.app, User) == 0
    state = await chat.app.state_of(chat.state_key)
    assert state is not None
    assert PENDING not in state


async def test_a_held_crisis_message_is_forgotten_after_a_day(chat: ClockedChat) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.send(CRISIS)
    state = await chat.app.state_of(chat.state_key)
    assert state is not None
    assert state[PENDING]["text"] == CRISIS
    chat.later(hours=25)
    await chat.send("/help")
    state = await chat.app.state_of(chat.state_key)
    assert state is not None
    assert PENDING not in state


async def test_retention_forgets_held_crisis_messages_nobody_came_back_for(chat: ClockedChat) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.send(CRISIS)
    async with chat.app.sessions.begin() as session:
        purged = await purge(session, dt.timedelta(days=90), dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    assert purged.held_messages == 1
    async with chat.app.sessions() as session:
        data = await session.scalar(select(ConversationState.data))
    assert data is not None
    assert PENDING not in data
    assert data.get("lang") == "en"


def test_every_crisis_line_is_sourced_checked_and_reaches_its_audience() -> None:
    lines = default_crisis_lines()
    numbers = {number for line in lines.lines for number in line.numbers}
    assert {"112", "110", "116 111", "0800 111 0 111", "0800 111 0 222", "116 016"} <= numbers
    for line in lines.lines:
        assert all(str(source.url).startswith(("https://", "http://")) for source in line.sources)
        assert line.checked_on <= dt.date.today()
        for lang in line.for_languages:
            assert line.reaches(lang), f"{line.id} is shown to {lang} speakers but does not speak it"
    kummer = next(line for line in lines.lines if line.id == "nummer-gegen-kummer")
    saturday_noon = dt.datetime(2026, 12, 5, 11, 0, tzinfo=BERLIN)
    wednesday_morning = dt.datetime(2026, 12, 9, 10, 30, tzinfo=BERLIN)
    assert not kummer.is_open(saturday_noon, BERLIN)
    assert kummer.is_open(saturday_noon.replace(hour=15), BERLIN)
    assert kummer.is_open(wednesday_morning, BERLIN)
    assert kummer.is_open(wednesday_morning + dt.timedelta(days=1), BERLIN)  # Thursday
    assert not kummer.is_open(wednesday_morning - dt.timedelta(days=1), BERLIN)  # Tuesday


@pytest.fixture
def unsure_app(app: App, tmp_path: Path) -> App:
    """The shipped meaning model, set to alarm almost never and to be concerned almost always."""
    shipped = MeaningModel.load(FITTED_PATH)
    assert shipped is not None
    unsure = replace(shipped, threshold=0.9999, threshold_long=0.9999, concern=(0.0001, 0.0001))
    unsure.save(tmp_path / "fitted.yaml")
    app.crisis = CrisisDetector.from_file(
        DEFAULT_PATH, embedder=default_embedder(), fitted=tmp_path / "fitted.yaml"
    )
    return app


async def test_a_concern_gets_the_usual_answer_then_where_to_get_help(unsure_app: App) -> None:
    chat = ClockedChat(unsure_app)
    await chat.onboard("English")
    await chat.send("I feel so alone here and I do not know what to do with my Ausbildung")
    first, *rest = chat.last.replies
    assert not first.text.startswith("🆘"), "no alarm: the question is answered first"
    assert rest, "then where to get help"
    help_text = visible(rest[-1].text)
    assert "0800 111 0 111" in help_text or "112" in help_text
    assert any("advisor" in b.label for row in rest[-1].buttons for b in row)
    assert await count(unsure_app, Case) == 0, "a concern opens no urgent case"
    state = await unsure_app.state_of(chat.state_key)
    assert state is not None
    assert CONCERN not in state


def advisor_offers(*replies: Reply) -> list[str]:
    return [b.data for reply in replies for row in reply.buttons for b in row if b.data.startswith("adv")]


@pytest.mark.parametrize(
    ("language", "plea"),
    [("English", "please save me!"), ("العربية", "انقذوني"), ("Русский", "спасите меня!")],
)
async def test_a_lone_cry_for_help_gets_where_to_find_help_and_no_urgent_case(
    app: App, language: str, plea: str
) -> None:
    chat = ClockedChat(app)
    await chat.onboard(language)
    await chat.send(plea)
    (reply,) = chat.last.replies  # no answer from the knowledge base: "save" is no question
    assert not reply.text.startswith("🆘"), "no alarm for a plea alone"
    assert "112" in visible(reply.text)
    assert reply.entry_id is None
    assert advisor_offers(reply) == ["adv:concern"]
    assert await count(app, Case) == 0
    state = await app.state_of(chat.state_key)
    assert state is not None
    assert CONCERN not in state
    assert PLEA not in state


async def test_a_plea_at_the_privacy_notice_gets_help_and_the_notice_stays(chat: ClockedChat) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.send("save me")
    help_line, notice = chat.last.replies
    assert "112" in visible(help_line.text)
    assert "✅ I agree" in [b.label for row in notice.buttons for b in row], "the question is asked again"
    await chat.send("yes")
    assert await count(chat.app, User) == 1, "a typed yes still answers the privacy notice"
    assert await count(chat.app, Case) == 0


async def test_a_concern_under_i_dont_know_offers_the_advisor_once(unsure_app: App) -> None:
    chat = ClockedChat(unsure_app)
    await chat.onboard("English")
    await chat.send("is there a chess club for teenagers somewhere near here? i feel lonely on weekends")
    first, *rest = chat.last.replies
    assert first.entry_id is None, "I don't know"
    assert rest, "then where to get help"
    assert advisor_offers(*chat.last.replies) == ["adv:concern"], "one advisor button"
    assert advisor_offers(rest[-1]) == ["adv:concern"], "right under where to find help"
