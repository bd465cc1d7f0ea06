"""A person an advisor muted (abuse of the service): nothing they write reaches the team.

They get one neutral line saying so, and where to get help now (``dialogs.helplines``).
A crisis message still opens the alarm: the safety check runs before this (``dialogs.crisis``).
"""

from __future__ import annotations

from html import escape

from dialogs import helplines
from dialogs.context import Turn


def notice(turn: Turn) -> None:
    _ = turn._
    head = escape(
        _(
            "Your messages cannot be passed on to our team at the moment. "
            "If you are in danger or need help now:"
        )
    )
    turn.out.add(helplines.short_text(turn, helplines.person_languages(turn), head))
