"""An answer as the bot sends it (question, answer, contact card, source line, and the note
while someone waits for an advisor) must fit in one Telegram message."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app import App
from bot.config import SHIPPED_CONTENT_DIR
from dialogs import callbacks
from dialogs.content_checks import MAX_MESSAGE, load_checked, renderings, telegram_length, too_long
from knowledge.loader import ContentError, ContentSnapshot, load_content
from knowledge.model import LANGUAGES, MAX_ANSWER_CHARS
from tests.fake_telegram.errors import ApiError
from tests.fake_telegram.limits import check_message_text, parse_html
from tests.support.clocked_chat import MONDAY_MORNING, ClockedChat
from tests.test_editor import Cli

SENTENCE = "Frag in deiner Berufsschule nach, wer dir bei der Suche hilft. "
# An answer the model allows: one character under its limit.
ALLOWED = (SENTENCE * 60)[: MAX_ANSWER_CHARS - 2] + "."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, target)
    return target


def edit_entry(folder: Path, entry_id: str, change: Any) -> Path:
    path = folder / "faq" / f"{entry_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def answer_line(path: Path, lang: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  {lang}:")
    return next(i for i, line in enumerate(lines[start:], start=start + 1) if line.startswith("    answer:"))


def set_answer(folder: Path, entry_id: str, lang: str, text: str) -> Path:
    return edit_entry(folder, entry_id, lambda d: d["translations"][lang].update(answer=text))


# ---------------------------------------------------------------- measuring as Telegram does


def test_length_is_counted_after_parsing_in_characters() -> None:
    assert telegram_length("<b>Ä &amp; 😀</b>\n<i>x</i>") == 7
    assert telegram_length('<a href="https://www.bamf.de/">bamf.de</a>') == 7
    assert telegram_length("\u2066116 111\u2069") == 9  # bidi isolates are characters too


def test_every_shipped_answer_is_measured_as_telegram_parses_it(shipped: ContentSnapshot) -> None:
    for entry in shipped.faq.values():
        for lang in LANGUAGES:
            for rendering in renderings(shipped, entry, lang):
                assert rendering.length == len(parse_html(rendering.html).text), (entry.id, lang)
                assert rendering.length <= MAX_MESSAGE, (entry.id, lang)
    assert too_long(shipped) == []


# ---------------------------------------------------------------- too long with its contact card


def test_an_allowed_answer_too_long_with_its_contact_card_is_named(folder: Path) -> None:
    path = set_answer(folder, "jugendmigrationsdienst", "de", ALLOWED)
    snapshot = load_content(folder)  # the answer alone is within the model's limit
    assert len(snapshot.faq["jugendmigrationsdienst"].translations["de"].answer) == MAX_ANSWER_CHARS - 1

    problems = too_long(snapshot)

    longest = max(r.length for r in renderings(snapshot, snapshot.faq["jugendmigrationsdienst"], "de"))
    assert longest > MAX_MESSAGE
    assert [str(p) for p in problems] == [
        f"content/faq/jugendmigrationsdienst.yaml:{answer_line(path, 'de')}: with its question, the card "
        "of the contact 'jugendmigrationsdienst-ssoe', the source line and the note that the bot answers "
        f"while someone waits for an advisor, the de answer makes a message of {longest} characters; "
        f"one Telegram message holds {MAX_MESSAGE}, so shorten the answer by at least "
        f"{longest - MAX_MESSAGE} characters"
    ]
    # Telegram refuses that message, and shortened by as much the answer fits.
    message = max(renderings(snapshot, snapshot.faq["jugendmigrationsdienst"], "de"), key=lambda r: r.length)
    with pytest.raises(ApiError, match="message is too long"):
        check_message_text(parse_html(message.html))
    set_answer(folder, "jugendmigrationsdienst", "de", ALLOWED[: -(longest - MAX_MESSAGE) - 1] + ".")
    fitting = load_content(folder)
    assert too_long(fitting) == []
    at_limit = max(renderings(fitting, fitting.faq["jugendmigrationsdienst"], "de"), key=lambda r: r.length)
    assert at_limit.length == MAX_MESSAGE
    check_message_text(parse_html(at_limit.html))


def test_the_note_while_someone_waits_counts_too(folder: Path) -> None:
    set_answer(folder, "praktikum-finden", "de", ALLOWED)
    snapshot = load_content(folder)
    entry = snapshot.faq["praktikum-finden"]
    plain = [r for r in renderings(snapshot, entry, "de") if not r.waiting]
    assert max(r.length for r in plain) <= MAX_MESSAGE  # fits as a plain answer...
    problems = too_long(snapshot)
    assert len(problems) == 1  # ...but not under the note that the bot answers
    assert "the note that the bot answers while someone waits" in problems[0].message


def test_each_contact_that_can_come_first_is_measured(shipped: ContentSnapshot) -> None:
    entry = shipped.faq["asa-flex"]
    assert entry.contacts == ("agentur-fuer-arbeit-pirna", "jobcenter-ssoe")
    # Without a town the first contact; for someone in Freital the Jobcenter there.
    assert {r.contact for r in renderings(shipped, entry, "de")} == set(entry.contacts)


def test_one_problem_per_answer_even_when_other_languages_read_it(folder: Path) -> None:
    def english_only_beside_german(data: dict[str, Any]) -> None:
        data["translations"] = {lang: data["translations"][lang] for lang in ("de", "en")}
        data["translations"]["en"]["answer"] = ALLOWED

    path = edit_entry(folder, "jugendmigrationsdienst", english_only_beside_german)
    snapshot = load_content(folder)

    problems = too_long(snapshot)

    # Six languages read the English answer (Arabic and Farsi longest, with the note that
    # it is not in their language and the marks that keep numbers in order): one problem.
    assert len(problems) == 1, problems
    assert problems[0].line == answer_line(path, "en")
    assert "the en answer makes a message of" in problems[0].message
    assert "for someone who reads " in problems[0].message
    assert "as the entry has no " in problems[0].message


def test_too_long_answers_are_reported_with_the_other_problems(folder: Path) -> None:
    set_answer(folder, "jugendmigrationsdienst", "de", ALLOWED)
    (folder / "faq" / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_checked(folder)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith("content/faq/broken.yaml:1: the required field") for p in problems), problems
    too_long_here = [p for p in problems if "jugendmigrationsdienst.yaml" in p]
    assert len(too_long_here) == 1, problems
    assert "shorten the answer" in too_long_here[0]
    assert all(p.startswith("content/faq/broken.yaml:") for p in problems if p not in too_long_here)


def test_kb_import_refuses_an_answer_too_long_with_its_contact_card(tmp_path: Path, folder: Path) -> None:
    set_answer(folder, "jugendmigrationsdienst", "de", ALLOWED)
    cli = Cli(tmp_path)
    result = cli("kb", "import", "content", "--author", "alice")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Nothing was imported: content has 1 problem:")
    assert "content/faq/jugendmigrationsdienst.yaml:" in result.stderr
    assert "so shorten the answer by at least" in result.stderr
    assert not cli.database.exists(), "the folder is checked before the database is touched"


def test_load_checked_gives_the_snapshot_of_good_content(folder: Path) -> None:
    assert load_checked(folder).fingerprint == load_content(folder).fingerprint


# ---------------------------------------------------------------- exactly what the bot sends


async def test_the_renderings_are_the_messages_the_bot_sends(app: App) -> None:
    snapshot = app.content.knowledge.snapshot
    entry = snapshot.faq["asa-flex"]

    # Arabic, from the menu: right-to-left marks and all.
    arabic = ClockedChat(app, now=MONDAY_MORNING, chat_id=2001, language_code="ar")
    await arabic.onboard("العربية")
    await arabic.press_data(callbacks.make("a", entry.id))
    first = next(
        r
        for r in renderings(snapshot, entry, "ar")
        if r.contact == "agentur-fuer-arbeit-pirna" and not r.waiting
    )
    assert [r.text for r in arabic.last.replies if r.entry_id == entry.id] == [first.html]

    # Someone in Freital gets the card of the Jobcenter there first.
    await arabic.send("Freital")
    await arabic.press_data(callbacks.make("a", entry.id))
    in_freital = next(
        r for r in renderings(snapshot, entry, "ar") if r.contact == "jobcenter-ssoe" and not r.waiting
    )
    assert [r.text for r in arabic.last.replies if r.entry_id == entry.id] == [in_freital.html]

    # While someone waits for an advisor, the bot answers under a note saying so.
    waiting = ClockedChat(app, now=MONDAY_MORNING, chat_id=2002, language_code="en")
    await waiting.onboard("English")
    await waiting.send("/advisor")
    await waiting.send("How do I find an apprenticeship in the district?")
    answered = [r for r in waiting.last.replies if r.entry_id]
    assert len(answered) == 1
    answered_entry = snapshot.faq[str(answered[0].entry_id)]
    sent_waiting = {r.html for r in renderings(snapshot, answered_entry, "en") if r.waiting}
    # The first message of a burst also carries the line that the team has it, above.
    line, _sep, answer = answered[0].text.partition("\n\n")
    assert line.startswith("✓ Your message is with our team")
    assert answer in sent_waiting
