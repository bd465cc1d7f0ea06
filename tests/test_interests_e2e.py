"""End to end: a whole interest check with ``wegweiser run`` on the local Bot API server."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db.models import InterestCount
from tests.fake_telegram import FakeTelegram
from tests.support.bot_process import running_bot
from tests.support.telegram import onboard, press, rows

pytestmark = pytest.mark.e2e


async def test_a_whole_check_in_arabic_over_telegram(fake: FakeTelegram, tmp_path: Path) -> None:
    advisors = fake.add_forum_group("Beratung")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    amina = fake.add_user("Amina", language_code="ar")
    async with running_bot(fake, url, advisors.id, tmp_path):
        # /interests is published with the other commands, in every language.
        published = await fake.wait_for_call(
            "setMyCommands", lambda p: p.get("language_code") == "ar", timeout=30
        )
        assert any(c["command"] == "interests" for c in published["commands"])
        menu = await onboard(fake, amina, "العربية")
        await press(fake, amina, menu, "فحص الاهتمامات")
        intro = await fake.wait_for_message(amina, contains="توجيه وليس امتحاناً", timeout=30)
        assert not intro.button_texts  # the intro comes before the first statement
        # One message shows the statements one after another: each answer edits it in place.
        statement = await fake.wait_for_message(amina, timeout=30)
        for number in range(1, 19):
            if number > 1:
                await fake.wait_for_edit(statement, contains=f"{number}\u2069 من \u2066", timeout=30)
            assert f"{number}\u2069 من \u2066" in (statement.text or "")  # digits isolated in RTL
            assert statement.button_texts[:3] == ["أحب ذلك", "لا أعرف", "لا أحب ذلك"]
            # Practical and technical statements liked, everything else not.
            await press(fake, amina, statement, "أحب ذلك" if number in (1, 10, 17) else "لا أحب ذلك")
        result = await fake.wait_for_message(amina, contains="المجالات المهنية الثلاثة", timeout=30)
        assert "الزراعة والطبيعة والبيئة" in (result.text or "")
        closing = await fake.wait_for_message(amina, contains="هذا توجيه وليس امتحاناً", timeout=30)
        await fake.wait_for_edit(statement, timeout=30)
        assert not statement.button_texts, "the answered last statement keeps no buttons"
        # Every message Telegram took is within its limit (the fake refuses longer ones).
        assert all(len(m.plain) <= 4096 for m in fake.messages_to(amina))
        await press(fake, amina, closing, "💾")
        await fake.wait_for_message(amina, contains="تم حفظ نتيجتك", timeout=30)
    counted = {(r.language, r.measure, r.key): r.count for r in await rows(url, InterestCount)}
    assert counted[("ar", "started", "")] == 1
    assert counted[("ar", "finished", "")] == 1
    assert counted[("ar", "field", "landwirtschaft")] == 1
