"""The load benchmark refuses a database an earlier run filled, at once and saying why."""

from __future__ import annotations

import pytest

from benchmarks.load import refuse_used
from bot.app import App
from tests.support.chat import ChatClient


async def test_a_database_with_people_from_an_earlier_run_is_refused(app: App) -> None:
    await refuse_used(app.settings.database_url)  # migrated and filled with content: fine
    chat = ChatClient(app, language_code=None)
    await chat.send("/start")
    await chat.press("English")
    await chat.press("I agree")
    with pytest.raises(SystemExit, match=r"has people from an earlier run \(1\)"):
        await refuse_used(app.settings.database_url)
