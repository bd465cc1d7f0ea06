"""The interest check in the chat: statements with three buttons, a result with fields and
training occupations, and next steps (issue 13; scoring and content in ``knowledge.interests``).

State: ``ic`` holds the answers so far while a check runs (one letter per statement: l, u,
d), so a person who stops or writes something else meanwhile can continue. The answers go
when the result is shown; the result's buttons carry the six dimension scores themselves
(``Result.code``), so nothing stays behind unless the person presses "keep my result":
then ``ic_kept`` holds the three field ids and the six scores, and goes with /privacy's
deletion like everything else. Counts (started, finished, fields shown) are anonymous, per
month and language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from babel.units import format_unit

from dialogs import callbacks, keyboards, offers, render, start
from dialogs.advisor import request_advisor
from dialogs.content_checks import MAX_MESSAGE, telegram_length
from dialogs.context import Turn
from dialogs.i18n import N_, Catalogs
from dialogs.replies import Button
from knowledge.interests import (
    ANSWERS,
    DIMENSIONS,
    InterestCheck,
    Occupation,
    OccupationalField,
    Result,
    text_in,
)

RUNNING = "ic"  # the answers so far, one letter per statement
KEPT = "ic_kept"  # {"fields": [...], "scores": "604213"}: only when the person asked to keep it
PENDING = "ic_pending"  # the result waiting for the consent an advisor case needs
LETTERS = {"l": "like", "u": "unsure", "d": "dislike"}
_LETTER = {answer: letter for letter, answer in LETTERS.items()}
BERUFSBERATUNG = "agentur-fuer-arbeit-pirna"  # the contact for the next steps, when it exists
# Room for the right-to-left marks ``render.finish`` adds (each Latin run two, each line one).
PACK_LIMIT = MAX_MESSAGE - 600


def check_of(turn: Turn) -> InterestCheck | None:
    return turn.knowledge.snapshot.interests


def answers_of(turn: Turn, check: InterestCheck) -> str | None:
    """The answers so far, or None when no check runs (or the content changed under it)."""
    answers = turn.state.get(RUNNING)
    if not isinstance(answers, str) or len(answers) >= len(check.statements):
        return None
    if any(letter not in LETTERS for letter in answers):
        return None
    return answers


def running(turn: Turn) -> tuple[int, int] | None:
    """(answered, total) while a started check is unfinished, for the menu's button."""
    check = check_of(turn)
    answers = answers_of(turn, check) if check is not None else None
    return (len(answers), len(check.statements)) if answers is not None and check is not None else None


def menu_button(turn: Turn) -> Button | None:
    """The main menu's button: start the check, or continue it where the person stopped."""
    if check_of(turn) is None:
        return None
    progress = running(turn)
    if progress is not None and progress[0] > 0:
        label = turn._(N_("▶️ Continue the interest check")) + f" ({progress[0]}/{progress[1]})"
        return Button(label, callbacks.make("ic", "go"))
    return keyboards.button(turn, N_("🧭 Interest check: which jobs suit me?"), "ic")


# ---------------------------------------------------------------- entering and leaving


async def open_check(turn: Turn) -> None:
    """/interests and the menu's button: continue or start over while a check is unfinished,
    the kept result when there is one, otherwise the intro and the first statement."""
    check = check_of(turn)
    if check is None:
        _unavailable(turn)
        return
    _ = turn._
    answers = answers_of(turn, check)
    if answers:
        text = _("You have answered {done} of {total} statements. Continue where you stopped, or start over?")
        rows = (
            (keyboards.button(turn, N_("▶️ Continue the interest check"), "ic", "go"),),
            (keyboards.button(turn, N_("🔄 Start over"), "ic", "new"),),
            keyboards.back_to_menu(turn),
        )
        turn.out.add(escape(text.format(done=len(answers), total=len(check.statements))), rows)
        return
    kept = _kept(turn, check)
    if kept is not None and answers is None:
        _show_kept(turn, check, kept)
        return
    await _begin(turn, check)


async def go(turn: Turn) -> None:
    """Continue where the person stopped (or begin, when nothing runs)."""
    check = check_of(turn)
    if check is None:
        _unavailable(turn)
        return
    answers = answers_of(turn, check)
    if answers is None:
        await _begin(turn, check)
        return
    _statement(turn, check, answers)


async def restart(turn: Turn) -> None:
    check = check_of(turn)
    if check is None:
        _unavailable(turn)
        return
    await _begin(turn, check)


def stop(turn: Turn) -> None:
    _ = turn._
    turn.out.add(
        escape(_("Paused. Your answers are kept for now: continue any time with /interests or in the menu.")),
        keyboards.main_menu(turn),
    )


async def _begin(turn: Turn, check: InterestCheck) -> None:
    turn.state[RUNNING] = ""
    await turn.storage.stats.count_interest("started", turn.lang)
    intro = text_in(check.messages["intro"], turn.lang).format(n=len(check.statements))
    turn.out.add("🧭 " + escape(intro))
    _statement(turn, check, "")


def _unavailable(turn: Turn) -> None:
    _ = turn._
    turn.out.add(escape(_("The interest check is not available right now.")), keyboards.main_menu(turn))


# ---------------------------------------------------------------- the statements


def _statement(turn: Turn, check: InterestCheck, answers: str, pressed_on: int | None = None) -> None:
    _ = turn._
    number = len(answers) + 1
    statement = check.statements[number - 1]
    progress = _("{current} of {total}").format(current=number, total=len(check.statements))
    labels = [text_in(check.messages[f"answer_{answer}"], turn.lang) for answer in ANSWERS]
    row = tuple(
        Button(label, callbacks.make("ic", f"{number}{_LETTER[answer]}"))
        for label, answer in zip(labels, ANSWERS, strict=True)
    )
    rows = (row, (keyboards.button(turn, N_("⏸ Stop"), "ic", "stop"),))
    text = f"<b>{escape(progress)}</b>\n{escape(text_in(statement.text, turn.lang))}"
    turn.out.replace(pressed_on, text, rows)


async def answer(turn: Turn, arg: str) -> None:
    """A pressed answer ``<statement number><l|u|d>``; one for another statement than the
    current one (pressed twice, an old message, forged) gets told so and sees the current one."""
    check = check_of(turn)
    if check is None:
        _unavailable(turn)
        return
    _ = turn._
    number, letter = int(arg[:-1]), arg[-1]
    answers = answers_of(turn, check)
    if answers is None:
        rows = ((keyboards.button(turn, N_("🔄 Start over"), "ic", "new"),), keyboards.back_to_menu(turn))
        turn.out.notice = _("This button is no longer valid.")
        turn.out.add(escape(_("This interest check is no longer running. Start it again?")), rows)
        return
    if number != len(answers) + 1:
        turn.out.notice = _("This button is no longer valid.")
        turn.out.add(escape(_("That statement is already answered or out of date. Here is where you are:")))
        _statement(turn, check, answers)
        return
    answers += letter
    # The next statement takes the answered one's place, so the chat shows one statement at
    # a time (and the check costs no message of Telegram's limit per answer).
    pressed_on = turn.incoming.pressed_on
    if len(answers) < len(check.statements):
        turn.state[RUNNING] = answers
        _statement(turn, check, answers, pressed_on)
        return
    turn.out.rebutton(pressed_on, ())
    turn.state.pop(RUNNING, None)  # the answers go as soon as the result is worked out
    result = check.score([LETTERS[a] for a in answers])
    await _count_result(turn, result)
    show_result(turn, check, result)


async def _count_result(turn: Turn, result: Result) -> None:
    await turn.storage.stats.count_interest("finished", turn.lang)
    for occupational_field in result.fields:
        await turn.storage.stats.count_interest("field", turn.lang, occupational_field.id)
    if not result.clear:
        await turn.storage.stats.count_interest("no_field", turn.lang)


# ---------------------------------------------------------------- the result


def show_result(turn: Turn, check: InterestCheck, result: Result, kept: bool = False) -> None:
    """The fields (or "no clear direction"), each field's occupations, then the disclaimer
    and next steps, split into messages Telegram takes."""
    lang = turn.lang
    if result.clear:
        lines = [escape(text_in(check.messages["result_intro"], lang))]
        for place, occupational_field in enumerate(result.fields, 1):
            lines.append(
                f"\n<b>{place}. {escape(text_in(occupational_field.name, lang))}</b>\n"
                + escape(text_in(occupational_field.description, lang))
            )
        turn.out.add("🧭 " + "\n".join(lines))
        for occupational_field in result.fields:
            for text in field_messages(turn, check, occupational_field):
                turn.out.add(text)
    else:
        turn.out.add("🧭 " + escape(text_in(check.messages["result_none"], lang)))
    _closing(turn, check, result, kept)


def _closing(turn: Turn, check: InterestCheck, result: Result, kept: bool) -> None:
    _ = turn._
    lang = turn.lang
    parts = [
        escape(text_in(check.messages["result_disclaimer"], lang)),
        escape(text_in(check.messages["next_steps"], lang)),
        "<i>"
        + escape(text_in(check.messages["source_note"], lang))
        + "\n"
        + escape(check.attribution)
        + "</i>",
    ]
    if lang in check.machine_translated:
        parts.append("<i>" + escape(_("Machine-translated; an editor will review it.")) + "</i>")
    rows: list[tuple[Button, ...]] = []
    contact = turn.knowledge.contact(BERUFSBERATUNG)
    if contact is not None:
        label = render.label("📇 " + contact.organisation)
        rows.append((Button(label, callbacks.make("ct", contact.id)),))
    code = result.code()
    if result.fields:
        rows.append(
            (keyboards.button(turn, N_("💼 Internships and training places in these fields"), "ico", code),)
        )
    rows.append((keyboards.button(turn, N_("🙋 Talk to an advisor about this"), "ica", code),))
    if result.clear and not kept:
        rows.append((keyboards.button(turn, N_("💾 Keep my result"), "ick", code),))
    rows.append(keyboards.back_to_menu(turn))
    turn.out.add("\n\n".join(parts), tuple(rows))


def training_years(value: float, lang: str) -> str:
    """'3,5 Jahre', 'سنتان', '3,5 року': CLDR's plural rules of each language, fractions too."""
    number: float | int = int(value) if value.is_integer() else value
    return format_unit(number, "duration-year", length="long", locale=render.locale_for(lang))


def occupation_block(turn: Turn, check: InterestCheck, occupation: Occupation) -> str:
    """One training occupation: the German name beside the translation, kind and duration,
    school certificate, German level, the official page, source and date, and the notice."""
    _ = turn._
    lang = turn.lang
    name = f"<b>{escape(occupation.german)}</b>"
    if lang != "de":
        name += " – " + escape(text_in(occupation.name, lang))
    kind = text_in(check.kinds[occupation.kind], lang)
    if occupation.duration_years is not None:
        kind += " · " + training_years(occupation.duration_years, lang)
    school = (
        text_in(check.school_texts[occupation.school], lang)
        if occupation.school is not None
        else _("No official statement yet; the Berufsberatung can tell you.")
    )
    if occupation.german_level is not None:
        level = occupation.german_level
        german = escape(level.level) + " (" + render._link(level.source.url) + ")"
    else:
        german = escape(_("No official statement yet; the Berufsberatung can tell you."))
    lines = [
        "• " + name,
        escape(kind),
        "🎓 " + escape(_("School certificate:")) + " " + escape(school),
        "🗣 " + escape(_("German:")) + " " + german,
    ]
    if occupation.url:
        lines.append("🔗 " + render._link(occupation.url))
    facts: list[str] = []
    source = occupation.sources[0].url if occupation.sources else occupation.district_source
    if source:
        facts.append(escape(_("Source:")) + " " + render._link(source))
    facts.append(escape(_("As of")) + " " + escape(render.format_day(occupation.checked_on, lang)))
    if occupation.verify:
        facts.append(escape(_("Details not yet confirmed by our editors.")))
    lines.append("<i>" + " · ".join(facts) + "</i>")
    return "\n".join(lines)


def field_messages(turn: Turn, check: InterestCheck, occupational_field: OccupationalField) -> list[str]:
    """A field's heading and its occupations, in as few messages as fit Telegram's limit."""
    heading = f"<b>{escape(text_in(occupational_field.name, turn.lang))}</b>"
    blocks = [occupation_block(turn, check, o) for o in occupational_field.occupations]
    return pack([heading, *blocks])


def pack(blocks: Sequence[str], limit: int = PACK_LIMIT) -> list[str]:
    """Blocks joined by blank lines into messages of at most ``limit`` characters as Telegram
    counts them; a block never splits (each is far below the limit)."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        joined = f"{current}\n\n{block}" if current else block
        if current and telegram_length(joined) > limit:
            messages.append(current)
            joined = block
        current = joined
    if current:
        messages.append(current)
    return messages


# ---------------------------------------------------------------- after the result


def _result_from(turn: Turn, check: InterestCheck, code: str) -> Result | None:
    scores = check.scores_from_code(code)
    return check.result(scores) if scores is not None else None


def _kept(turn: Turn, check: InterestCheck) -> Result | None:
    kept = turn.state.get(KEPT)
    if not isinstance(kept, Mapping):
        return None
    return _result_from(turn, check, str(kept.get("scores", "")))


def as_stored(result: Result) -> dict[str, Any]:
    """What is kept, or put on an advisor's card: the field ids and the six scores."""
    return {"fields": [f.id for f in result.fields], "scores": result.code()}


async def keep(turn: Turn, code: str) -> None:
    check = check_of(turn)
    result = _result_from(turn, check, code) if check is not None else None
    _ = turn._
    if result is None or not result.clear:
        start.stale(turn)
        return
    if turn.user is None:
        turn.out.add(
            escape(_("To keep your result, please first agree to the privacy notice with /start.")),
            (keyboards.back_to_menu(turn),),
        )
        return
    turn.state[KEPT] = as_stored(result)
    turn.out.notice = _("Saved.")
    turn.out.add(
        escape(
            _(
                "Your result is kept: the three fields and your points per interest area, nothing else. "
                "/interests shows it again; /privacy deletes it."
            )
        ),
        (keyboards.back_to_menu(turn),),
    )


def forget(turn: Turn) -> None:
    _ = turn._
    turn.state.pop(KEPT, None)
    turn.out.notice = _("Deleted.")
    turn.out.add(escape(_("Your kept result is deleted.")), keyboards.main_menu(turn))


def _show_kept(turn: Turn, check: InterestCheck, result: Result) -> None:
    _ = turn._
    lines = [escape(_("Your kept result of the interest check:"))]
    lines += [f"{i}. {escape(text_in(f.name, turn.lang))}" for i, f in enumerate(result.fields, 1)]
    rows: list[tuple[Button, ...]] = [
        (Button(render.label(text_in(f.name, turn.lang)), callbacks.make("icf", f.id)),)
        for f in result.fields
    ]
    if result.fields:
        rows.append(
            (
                keyboards.button(
                    turn, N_("💼 Internships and training places in these fields"), "ico", result.code()
                ),
            )
        )
    rows.append((keyboards.button(turn, N_("🙋 Talk to an advisor about this"), "ica", result.code()),))
    rows.append((keyboards.button(turn, N_("🔄 Start over"), "ic", "new"),))
    rows.append((keyboards.button(turn, N_("🗑 Delete my kept result"), "ic", "forget"),))
    rows.append(keyboards.back_to_menu(turn))
    turn.out.add("🧭 " + "\n".join(lines), tuple(rows))


async def show_field(turn: Turn, field_id: str) -> None:
    check = check_of(turn)
    occupational_field = check.field(field_id) if check is not None else None
    if check is None or occupational_field is None:
        start.stale(turn)
        return
    texts = field_messages(turn, check, occupational_field)
    for text in texts[:-1]:
        turn.out.add(text)
    turn.out.add(texts[-1], (keyboards.back_to_menu(turn),))


async def ask_advisor(turn: Turn, code: str) -> None:
    """An advisor case whose card carries the result; a person without consent is asked
    first (``dialogs.start.consent`` opens the case after a yes)."""
    check = check_of(turn)
    result = _result_from(turn, check, code) if check is not None else None
    if result is None:
        start.stale(turn)
        return
    stored = as_stored(result)
    if turn.user is None:
        turn.state[PENDING] = stored
    await request_advisor(turn, "interests", interest_result=stored)


async def show_offers(turn: Turn, code: str) -> None:
    """The internship and training offers in the result's fields (``dialogs.offers``)."""
    check = check_of(turn)
    result = _result_from(turn, check, code) if check is not None else None
    if result is None or not result.fields:
        start.stale(turn)
        return
    await offers.show_offers_for_fields(turn, [f.id for f in result.fields])


async def button(turn: Turn, name: str, arg: str) -> None:
    if name == "ico":
        await show_offers(turn, arg)
    elif name == "ick":
        await keep(turn, arg)
    elif name == "ica":
        await ask_advisor(turn, arg)
    elif name == "icf":
        await show_field(turn, arg)
    elif arg == "":
        await open_check(turn)
    elif arg == "go":
        await go(turn)
    elif arg == "new":
        await restart(turn)
    elif arg == "stop":
        stop(turn)
    elif arg == "forget":
        forget(turn)
    else:
        await answer(turn, arg)


# ---------------------------------------------------------------- for the advisors


def card_line(check: InterestCheck | None, stored: Mapping[str, Any], catalogs: Catalogs, lang: str) -> str:
    """The result on a case card, in the advisors' language: fields and points per area."""

    def _(message: str) -> str:
        return catalogs.translate(lang, message)

    names = []
    for field_id in stored.get("fields") or []:
        found = check.field(str(field_id)) if check is not None else None
        names.append(text_in(found.name, lang) if found is not None else str(field_id))
    code = str(stored.get("scores") or "")
    scores = " · ".join(f"{d} {c}" for d, c in zip(DIMENSIONS, code, strict=False))
    fields = "; ".join(names) if names else _("no clear direction")
    title, points = _("Interest check:"), _("points per interest area:")
    return f"{title} {fields} ({points} {scores})"
