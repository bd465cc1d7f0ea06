"""Left-to-right runs inside Arabic and Farsi replies."""

from __future__ import annotations

from dialogs.bidi import LRI, PDI, RLM, isolate_ltr


def test_numbers_and_latin_terms_are_isolated_and_lines_start_right_to_left() -> None:
    assert isolate_ltr("اتصل بـ 0800 111 0 111\nAusbildung مهمة") == (
        f"{RLM}اتصل بـ {LRI}0800 111 0 111{PDI}\n{RLM}{LRI}Ausbildung{PDI} مهمة"
    )


def test_a_bot_command_keeps_its_slash_inside_the_isolate() -> None:
    # Split as "/" + isolate, Telegram no longer saw /privacy as a command to tap.
    assert isolate_ltr("احذفها باستخدام /privacy.") == f"{RLM}احذفها باستخدام {LRI}/privacy{PDI}."
    assert isolate_ltr("• /status و /start") == f"{RLM}• {LRI}/status{PDI} و {LRI}/start{PDI}"


def test_slashes_that_are_no_command_stay_as_they_were() -> None:
    assert isolate_ltr("و/أو") == f"{RLM}و/أو"
    assert isolate_ltr("B1/B2 Deutsch") == f"{RLM}{LRI}B1/B2 Deutsch{PDI}"
    assert isolate_ltr("https://www.arbeitsagentur.de/x") == f"{RLM}{LRI}https://www.arbeitsagentur.de/x{PDI}"


def test_tags_and_entities_are_left_alone() -> None:
    assert isolate_ltr('<a href="https://x.de">x.de</a> /help &amp;') == (
        f'{RLM}<a href="https://x.de">{LRI}x.de{PDI}</a> {LRI}/help{PDI} &amp;'
    )
