"""Drive conversations the way a person does: write text, press buttons by their label."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from bot.app import App
from dialogs.replies import Button, Incoming, Kind, Outcome

_TAG = re.compile(r"<[^>]+>")
_BIDI = re.compile("[\u2066-\u2069\u200e\u200f]")


def visible(text: str) -> str:
    return _BIDI.sub("", html.unescape(_TAG.sub("", text)))


@dataclass
class ChatClient:
    app: App
    chat_id: int = 1001
    language_code: str | None = "de"
    first_name: str = "Sam"
    last: Outcome = field(default_factory=Outcome)

    @property
    def state_key(self) -> str:
        return f"test:{self.chat_id}:{self.chat_id}"

    @property
    def text(self) -> str:
        """Everything the person sees of the last outcome, as plain text."""
        return "\n\n".join(visible(r.text) for r in self.last.replies)

    @property
    def html(self) -> str:
        return "\n\n".join(r.text for r in self.last.replies)

    @property
    def buttons(self) -> list[Button]:
        return [b for r in self.last.replies for row in r.buttons for b in row]

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.buttons]

    async def send(self, text: str) -> Outcome:
        return await self._turn(Incoming.message(self.chat_id, text, self.language_code))

    async def send_media(self, kind: str) -> Outcome:
        return await self._turn(
            Incoming(self.chat_id, Kind.MEDIA, media=kind, language_code=self.language_code, message_id=77)
        )

    async def press(self, label: str, on: int | None = None) -> Outcome:
        """Press the button whose label contains ``label`` (on the message with transport id
        ``on``, as Telegram tells; none, as in the console); fail listing what there is."""
        matches = [b for b in self.buttons if label in b.label]
        if not matches:
            raise AssertionError(f"no button {label!r}; the buttons are {self.labels}")
        return await self.press_data(matches[0].data, on)

    async def press_data(self, data: str, on: int | None = None) -> Outcome:
        return await self._turn(
            Incoming(
                self.chat_id,
                Kind.BUTTON,
                data=data,
                language_code=self.language_code,
                first_name=self.first_name,
                pressed_on=on,
            )
        )

    async def _turn(self, incoming: Incoming) -> Outcome:
        self.last = await self.app.turn(incoming, self.state_key)
        return self.last

    async def onboard(self, language_label: str = "Deutsch") -> None:
        """/start, choose a language, agree to the privacy notice."""
        await self.send("/start")
        await self.press(language_label)
        await self.press("✅")
