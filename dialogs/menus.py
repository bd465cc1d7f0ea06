"""Which question the bot asked last (language menu, privacy notice, consent), so that a
typed answer ("عربي", "ok", "ja") answers it, and so that its buttons can be shown again
when the person wrote something else.

The marker lives in the conversation state for exactly one turn: ``take`` removes it at
the start of every turn, and the menu sets it again whenever it is shown.
"""

from __future__ import annotations

from typing import Literal, cast

from dialogs.context import Turn

AWAITING = "awaiting"
Menu = Literal["language", "privacy", "consent", "town"]
MENUS: tuple[Menu, ...] = ("language", "privacy", "consent", "town")


def expect(turn: Turn, menu: Menu) -> None:
    turn.state[AWAITING] = menu


def take(turn: Turn) -> Menu | None:
    value = turn.state.pop(AWAITING, None)
    return cast(Menu, value) if value in MENUS else None
