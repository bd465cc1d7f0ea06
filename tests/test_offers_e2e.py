"""End to end: ``wegweiser run`` as a process lists offers near a typed town on a local Bot API server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import SHIPPED_CONTENT_DIR
from tests.fake_telegram import FakeTelegram
from tests.support.bot_process import running_bot
from tests.support.telegram import onboard, press
from tests.test_offers_flows import OFFERS, write_offers

pytestmark = pytest.mark.e2e


async def test_offers_listed_nearest_first_through_telegram(fake: FakeTelegram, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, content)
    write_offers(content, OFFERS)
    advisors = fake.add_forum_group("Beratung")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    amina = fake.add_user("Amina", language_code="ar")
    async with running_bot(fake, url, advisors.id, tmp_path, CONTENT_DIR=str(content)):
        await fake.wait_for_call("setMyCommands", lambda p: p.get("language_code") == "ar", timeout=30)
        await onboard(fake, amina, "العربية")
        await fake.send_command(amina, "/offers")
        fields = await fake.wait_for_message(amina, contains="💼", timeout=30)
        await press(fake, amina, fields, "المعادن وبناء الآلات")
        await fake.wait_for_message(amina, contains="🏙", timeout=30)
        await fake.send_text(amina, "Пирна")
        listed = await fake.wait_for_message(amina, contains="Firma heidenau-metall", timeout=30)
        text = listed.text or ""
        assert listed.is_html
        assert text.index("Firma heidenau-metall") < text.index("Firma freital-metall")
        assert "Firma pirna-metall-alt" not in text, "expired offers are hidden"
        await press(fake, amina, listed, "➡️")
        more = await fake.wait_for_message(amina, contains="Firma altenberg-metall", timeout=30)
        assert "4–4 / 4" in (more.text or "")
    assert not fake.internal_errors
