"""A new event reaches its followers in their language, through the outbox."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

from sqlalchemy import select

from bot.announcements import announce_events
from bot.app import App
from bot.config import SHIPPED_CONTENT_DIR
from bot.content import import_folder
from bot.db.models import OutboxItem
from tests.support.chat import ChatClient

EVENT = """\
id: infoabend-pirna-probe
topic: events
starts_at: 2027-02-10T17:00:00+01:00
sources:
  - url: https://www.landratsamt-pirna.de/
    title: Landratsamt
checked_on: 2026-11-27
translations:
  de:
    title: Infoabend Ausbildung
    description: Wir erklären die Ausbildung.
    place: Pirna
  en:
    source_revision: 1
    machine_translated: true
    title: Information evening on training
    description: We explain vocational training.
    place: Pirna
"""


async def test_followers_get_new_events_in_their_language(app: App, tmp_path: Path) -> None:
    follower, other = ChatClient(app, chat_id=5001), ChatClient(app, chat_id=5002)
    await follower.onboard("English")
    await follower.press("Events")
    await follower.press("Announce new events: Events")
    await other.onboard("Deutsch")
    app.content.on_new_events = partial(announce_events, app)
    folder = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, folder)
    (folder / "events" / "infoabend-pirna-probe.yaml").write_text(EVENT, encoding="utf-8")
    await import_folder(app.sessions, folder, author="editor")
    assert await app.content.refresh()
    async with app.sessions() as session:
        items = (await session.scalars(select(OutboxItem).where(OutboxItem.action == "send"))).all()
    assert [item.payload["chat_id"] for item in items] == [5001]
    assert "Information evening on training" in items[0].payload["text"]
    assert "New event" in items[0].payload["text"]
