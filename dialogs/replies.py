"""What comes in and what goes out of a conversation, free of any transport.

Reply texts use Telegram's HTML subset; every text that did not come from our own
catalogs (content, user input) is escaped where it is inserted. The console strips tags.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Kind(enum.StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    MEDIA = "media"


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a young person did: wrote, sent a command, pressed a button, sent media."""

    chat_id: int
    kind: Kind
    text: str = ""
    command: str = ""
    payload: str = ""
    data: str = ""
    media: str = ""
    language_code: str | None = None
    # Transport message id, so a handoff can copy the original message.
    message_id: int | None = None
    # The message this one replies to (transport id), to keep advisor threads together.
    reply_to: int | None = None
    # The first name the transport knows; stored only if the person chooses to share it.
    first_name: str | None = None
    # For a pressed button: the message it sits on (transport id), which a reply may replace.
    pressed_on: int | None = None

    @classmethod
    def message(cls, chat_id: int, text: str, language_code: str | None = None) -> Incoming:
        """A typed message; a leading slash makes it a command, as Telegram does."""
        stripped = text.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            head, _, payload = stripped[1:].partition(" ")
            command = head.split("@", 1)[0].lower()
            return cls(
                chat_id,
                Kind.COMMAND,
                text=text,
                command=command,
                payload=payload.strip(),
                language_code=language_code,
            )
        return cls(chat_id, Kind.TEXT, text=text, language_code=language_code)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    # The rendered answer belongs to this FAQ entry (for statistics and the handoff card).
    entry_id: str | None = None
    rtl: bool = False
    # Replace the message with this transport id (the one whose button was pressed) instead
    # of sending a new one; with no text, only its buttons are replaced. Where it cannot be
    # edited (too old, gone), a reply with text is sent as a new message.
    edit: int | None = None


@dataclass(slots=True)
class Outcome:
    replies: list[Reply] = field(default_factory=list)
    # A short notice for the pressed button ("Saved"), shown by Telegram as a toast.
    notice: str = ""
    # True when answering took a search, so the transport may show "typing" first.
    slow: bool = False
    # The person's messages (transport ids) to copy into this case for the advisors.
    relay_case: int | None = None
    relay_messages: list[int] = field(default_factory=list)
    # A reaction (one emoji) for the person's message, and the text to send instead where
    # the transport cannot put one there.
    reaction: str = ""
    reaction_fallback: str = ""

    def relay(self, case_id: int, message_id: int | None) -> None:
        self.relay_case = case_id
        if message_id is not None:
            self.relay_messages.append(message_id)

    def react(self, emoji: str, fallback: str) -> None:
        self.reaction = emoji
        self.reaction_fallback = fallback

    def add(
        self, text: str, buttons: tuple[tuple[Button, ...], ...] = (), *, entry_id: str | None = None
    ) -> Reply:
        reply = Reply(text, buttons, entry_id=entry_id)
        self.replies.append(reply)
        return reply

    def replace(
        self, pressed_on: int | None, text: str, buttons: tuple[tuple[Button, ...], ...] = ()
    ) -> Reply:
        """A reply that takes the place of the message whose button was pressed: a step of a
        menu or of a questionnaire, not something the person may want to read again. Sent
        as a new message where nothing was pressed (a typed answer, the console)."""
        reply = Reply(text, buttons, edit=pressed_on)
        self.replies.append(reply)
        return reply

    def rebutton(self, pressed_on: int | None, buttons: tuple[tuple[Button, ...], ...]) -> None:
        """New buttons for the message whose button was pressed (its text stays)."""
        if pressed_on is not None:
            self.replies.append(Reply("", buttons, edit=pressed_on))
