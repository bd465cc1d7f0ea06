"""Everything one turn of a conversation works with, handed in by the transport."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from babel.support import NullTranslations

from dialogs.i18n import Catalogs
from dialogs.office_hours import OfficeHours
from dialogs.ports import Storage, UserRecord
from dialogs.replies import Incoming, Outcome
from knowledge.base import KnowledgeBase
from knowledge.safety import CrisisDetector
from knowledge.understanding import Understanding


@dataclass(frozen=True, slots=True)
class Environment:
    """What stays the same across turns: content, catalogs, safety check, time zone."""

    knowledge: KnowledgeBase
    catalogs: Catalogs
    crisis: CrisisDetector
    zone: ZoneInfo
    office: OfficeHours
    default_language: str = "de"
    towns: tuple[str, ...] = ()
    # A message this soon after a case was closed reopens it.
    reopen_window: dt.timedelta = dt.timedelta(hours=24)


@dataclass(slots=True)
class Turn:
    incoming: Incoming
    env: Environment
    storage: Storage
    user: UserRecord | None
    # Conversation state the transport keeps between turns (FSM data on Telegram).
    state: dict[str, Any]
    now: dt.datetime
    out: Outcome = field(default_factory=Outcome)
    # Messages already understood during this turn (``dialogs.reading``), by text and language.
    read_ahead: dict[tuple[str, str], Understanding] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        if self.user is not None and self.user.language:
            return self.user.language
        chosen = self.state.get("lang")
        return str(chosen) if chosen else self.env.default_language

    @property
    def translations(self) -> NullTranslations:
        return self.env.catalogs.get(self.lang)

    def _(self, message: str) -> str:
        return self.translations.gettext(message)

    @property
    def knowledge(self) -> KnowledgeBase:
        return self.env.knowledge
