"""A chat at a chosen moment, whose messages carry Telegram-like message ids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from dialogs.replies import Incoming, Outcome
from tests.support.chat import ChatClient

BERLIN = ZoneInfo("Europe/Berlin")
# Saturday evening in Saxony: the advisors are back on Monday, 7 December 2026, 09:00.
SATURDAY_EVENING = dt.datetime(2026, 12, 5, 22, 30, tzinfo=BERLIN)
MONDAY_MORNING = dt.datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN)


@dataclass
class ClockedChat(ChatClient):
    now: dt.datetime = SATURDAY_EVENING
    with_message_ids: bool = True
    next_message_id: int = 500

    def later(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    async def _turn(self, incoming: Incoming) -> Outcome:
        if self.with_message_ids and incoming.kind.value in ("text", "media"):
            self.next_message_id += 1
            incoming = replace(incoming, message_id=self.next_message_id)
        self.last = await self.app.turn(incoming, self.state_key, self.now)
        return self.last
