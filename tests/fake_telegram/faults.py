"""Fault injection, Telegram's flood limits, and counters."""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, http_error, too_many_requests

# Methods that put a message into a chat: the ones Telegram's flood limits count.
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVoice",
        "sendVideo",
        "sendVideoNote",
        "sendSticker",
        "sendAudio",
        "sendAnimation",
        "sendMediaGroup",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendVenue",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
    }
)


@dataclass
class FaultRule:
    """Answer the next ``times`` matching calls with an error instead of applying them."""

    method: str  # canonical method name, or "*" for any method
    status: int
    times: int = 1
    retry_after: int = 2
    description: str | None = None
    chat_id: int | str | None = None
    delay: float = 0.0
    served: int = 0
    # A time window instead of a count: every matching call until this time.monotonic().
    until: float | None = None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.method != "*" and self.method != method:
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)

    def error(self) -> ApiError:
        if self.status == 429:
            error = too_many_requests(self.retry_after)
            if self.description:
                error.description = self.description
            return error
        return http_error(self.status, self.description)


class FaultInjector:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def take(self, method: str, params: dict[str, Any]) -> FaultRule | None:
        """The first rule that matches, with one use consumed (used-up rules are dropped)."""
        now = time.monotonic()
        self.rules = [rule for rule in self.rules if rule.until is None or rule.until > now]
        for index, rule in enumerate(self.rules):
            if rule.matches(method, params):
                rule.served += 1
                if rule.until is not None:
                    return rule
                rule.times -= 1
                if rule.times <= 0:
                    del self.rules[index]
                return rule
        return None


@dataclass
class FloodLimits:
    """Telegram's published guidance, as enforced by the fake.

    * about 30 messages per second overall,
    * about 1 message per second in one private chat (a short burst is tolerated),
    * 20 messages per minute in one group.
    """

    global_per_second: int = 30
    private_per_second: float = 1.0
    private_burst: int = 5
    group_per_minute: int = 20


class FloodController:
    def __init__(
        self, limits: FloodLimits | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.enabled = limits is not None
        self.limits = limits or FloodLimits()
        self.clock = clock
        self._global: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._private: dict[int, tuple[float, float]] = {}  # chat id -> (tokens, last refill)

    def configure(self, limits: FloodLimits | None) -> None:
        self.enabled = limits is not None
        if limits is not None:
            self.limits = limits
        self._global.clear()
        self._groups.clear()
        self._private.clear()

    def check(self, chat_id: int, is_private: bool) -> None:
        """Raise 429 when one more message to ``chat_id`` now would exceed a limit; else count it."""
        if not self.enabled:
            return
        now = self.clock()
        limits = self.limits
        window = self._global
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= limits.global_per_second:
            raise too_many_requests(max(1, math.ceil(window[0] + 1.0 - now)))
        if is_private:
            tokens, last = self._private.get(chat_id, (float(limits.private_burst), now))
            tokens = min(float(limits.private_burst), tokens + (now - last) * limits.private_per_second)
            if tokens < 1.0:
                self._private[chat_id] = (tokens, now)
                raise too_many_requests(max(1, math.ceil((1.0 - tokens) / limits.private_per_second)))
            self._private[chat_id] = (tokens - 1.0, now)
        else:
            group = self._groups.setdefault(chat_id, deque())
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= limits.group_per_minute:
                raise too_many_requests(max(1, math.ceil(group[0] + 60.0 - now)))
            group.append(now)
        window.append(now)


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    served_429: int = 0
    flood_429: int = 0
    injected_faults: int = 0
    updates_pushed: int = 0
    messages_sent: int = 0

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "total_requests": self.total_requests,
            "errors": {str(k): v for k, v in self.errors.items()},
            "served_429": self.served_429,
            "flood_429": self.flood_429,
            "injected_faults": self.injected_faults,
            "updates_pushed": self.updates_pushed,
            "messages_sent": self.messages_sent,
        }
