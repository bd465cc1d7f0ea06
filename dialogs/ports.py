"""What the conversations need from storage, as small interfaces the application implements.

The bot implements them with SQLAlchemy inside one unit of work per incoming update.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    external_id: int
    pseudonym: str
    language: str | None
    consent_at: dt.datetime | None
    created_at: dt.datetime
    urgent_at: dt.datetime | None = None
    share_name: bool = False
    blocked_at: dt.datetime | None = None
    shared_name: str | None = None


@dataclass(frozen=True, slots=True)
class StoredData:
    """What /privacy shows: everything stored about one person."""

    user: UserRecord
    subscriptions: tuple[str, ...]
    open_cases: int
    stored_messages: int


class Users(Protocol):
    async def get(self, external_id: int) -> UserRecord | None: ...

    async def create(self, external_id: int, language: str) -> UserRecord: ...

    async def set_language(self, user_id: int, language: str) -> None: ...

    async def flag_urgent(self, user_id: int) -> None: ...

    async def share_name(self, user_id: int, name: str | None) -> None: ...

    async def stored_data(self, user_id: int) -> StoredData: ...

    async def delete(self, user_id: int) -> None: ...


class Subscriptions(Protocol):
    async def topics(self, user_id: int) -> set[str]: ...

    async def subscribe(self, user_id: int, topic: str) -> None: ...

    async def unsubscribe(self, user_id: int, topic: str) -> None: ...


class OfferFollows(Protocol):
    """People told about new offers in an occupational field."""

    async def fields(self, user_id: int) -> dict[str, str | None]:
        """The fields the person follows, each with the town they gave (an id) or None."""

    async def follow(self, user_id: int, field: str, town: str | None) -> None: ...

    async def unfollow(self, user_id: int, field: str) -> None: ...


class Feedback(Protocol):
    async def rate(self, entry_id: str, language: str, helpful: bool) -> None: ...

    async def unanswered(
        self, text: str, language: str, reason: str, entry_id: str | None, written_in: str | None = None
    ) -> None:
        """``language``: the person's chosen language; ``written_in``: the language the
        message was written in, when recognised; ``reason``: no_match, unhelpful or
        none_of_these (a "did you mean" list where nothing fitted)."""


class Stats(Protocol):
    async def count(self, kind: str, key: str) -> None: ...

    async def count_interest(self, measure: str, language: str, key: str = "") -> None:
        """The interest check, per month and language: ``started``, ``finished``, or a
        ``field`` (``key``) shown in a result. Nothing about who."""


@dataclass(frozen=True, slots=True)
class HandoffRequest:
    user: UserRecord
    reason: str  # "menu", "unhelpful", "no_match", "media", "urgent", "concern"
    topic: str | None
    question: str
    bot_answer: str
    urgent: bool = False
    # The interest check's result the person asked the advisors to see:
    # {"fields": [field ids], "scores": {"R": 6, …}}.
    interest_result: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class HandoffReceipt:
    case_id: int
    opened: bool  # False: the person already had an open case
    muted: bool = False  # an advisor muted the person: nothing reaches the team but a crisis


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: int
    state: str
    closed_at: dt.datetime | None
    urgent: bool = False
    advisor_name: str | None = None  # the advisor who took it, as they call themselves
    created_at: dt.datetime | None = None
    muted: bool = False  # an advisor muted the person (``dialogs.muted``)


class Handoff(Protocol):
    """Cases with the human advisors (the state machine is ``dialogs.handoff``)."""

    async def request(self, request: HandoffRequest) -> HandoffReceipt: ...

    async def latest_case(self, user_id: int) -> CaseRecord | None: ...

    async def reopen(self, case_id: int) -> None: ...

    async def rate(self, case_id: int, user_id: int, helpful: bool) -> bool: ...

    async def close(self, case_id: int, user_id: int) -> bool:
        """The person closes their own case (/status); False when it is not theirs or
        already closed. The advisors' topic is told."""


@dataclass(frozen=True, slots=True)
class Storage:
    users: Users
    subscriptions: Subscriptions
    feedback: Feedback
    stats: Stats
    handoff: Handoff
    offer_follows: OfferFollows
