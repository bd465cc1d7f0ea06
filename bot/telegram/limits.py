"""Outgoing requests that respect Telegram's flood limits and retry what can be retried.

Telegram allows about 30 messages a second overall, about one a second per private chat
(short bursts tolerated: a reply of up to :data:`PRIVATE_BURST` messages goes at once) and
20 a minute per group. A 429 carries ``retry_after``: we wait that long and try again.
A 5xx is retried with back-off. A 403 (blocked by the user) is not retried.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections import defaultdict, deque
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

SENDING = frozenset(
    {
        "SendMessage",
        "CopyMessage",
        "ForwardMessage",
        "SendPhoto",
        "SendDocument",
        "SendVoice",
        "SendVideo",
        "SendVideoNote",
        "SendSticker",
        "SendAudio",
        "SendAnimation",
        "SendMediaGroup",
    }
)


class Window:
    """At most ``limit`` events per ``period`` seconds (sliding window)."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.times: deque[float] = deque()

    def delay(self, now: float) -> float:
        while self.times and now - self.times[0] >= self.period:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.period - (now - self.times[0])

    def take(self, now: float) -> None:
        self.times.append(now)


# Seconds a paced message waits beyond what the count asks (see Bucket.delay).
_SLACK = 0.05


class Bucket:
    """``rate`` events a second on average, ``burst`` of them at once (a token bucket)."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.last = float(burst), now

    def delay(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        # Waiting a little longer than the count asks: Telegram counts a message when it
        # arrives, and the first of a burst may have taken longer on its way than this one.
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate + _SLACK

    def take(self, now: float) -> None:
        self.delay(now)
        self.tokens -= 1.0


class SharedWindow:
    """At most ``limit`` messages a second for the whole bot, counted in Redis: Telegram's
    overall limit is the bot's, so several workers share it, and any of them may use what
    the others leave (a fixed share per worker held replies back while another worker idled:
    p99 1.02 s at 25 updates/s with 2 workers of 15 a second each). Redis' own clock times
    the sends, so the workers' clocks need not agree."""

    # KEYS[1]: the sends of the last second; ARGV: limit, a unique member. Returns "0" when
    # the send may go (and counts it), else the seconds to wait, as text (Lua numbers
    # become integers on the way out).
    _SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], now, ARGV[2])
    redis.call('EXPIRE', KEYS[1], 2)
    return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(math.max(0.001, tonumber(oldest[2]) + 1 - now))
"""

    def __init__(self, redis: Redis, limit: int, key: str) -> None:
        self.limit, self.key = limit, key
        self._script = redis.register_script(self._SCRIPT)
        self._member = f"{os.getpid()}-{uuid.uuid4().hex[:8]}-"
        self._sent = 0

    async def acquire(self) -> float:
        """0 when one more message may go now (it is counted), else how long to wait."""
        self._sent += 1
        answer = await self._script(keys=[self.key], args=[self.limit, f"{self._member}{self._sent}"])
        return float(answer)


# Messages of one reply that may go to one person at once. Telegram asks for about one a
# second per chat and tolerates short bursts; a reply is often two or three messages (the
# answer, then a menu). Pacing them a second apart held the next update's reply to that
# person back for up to a second: p99 832 ms at 20 updates/s (benchmarks.load, SQLite).
PRIVATE_BURST = 3
# Buckets kept before those of people who rested are dropped (a full bucket is a new one).
_MAX_CHATS = 10_000


class FloodControl(BaseRequestMiddleware):
    """Paces sending methods and retries in place; a long ``retry_after`` goes back to the caller.

    The persisted outbox then reschedules the call, so a long wait survives a restart.
    """

    def __init__(
        self,
        max_attempts: int = 6,
        overall: int = 30,
        private: int = 1,
        group_per_minute: int = 20,
        max_inline_wait: float = 3.0,
        shared: SharedWindow | None = None,
    ) -> None:
        self.max_attempts = max_attempts
        self.max_inline_wait = max_inline_wait
        self.overall = Window(overall, 1.0)
        # With several workers: the overall limit counted in Redis; the local window stands
        # in while Redis cannot be reached (Telegram's 429s are then waited out as always).
        self.shared = shared
        self._shared_failing = False
        self.private = private
        self.chats: dict[int | str, Bucket] = {}
        self.groups: defaultdict[int | str, Window] = defaultdict(lambda: Window(group_per_minute, 60.0))
        self._lock = asyncio.Lock()

    async def _pace(self, chat_id: Any) -> None:
        while True:
            async with self._lock:
                now = time.monotonic()
                window: Window | Bucket
                if isinstance(chat_id, int) and chat_id < 0:
                    window = self.groups[chat_id]
                else:
                    if len(self.chats) >= _MAX_CHATS:
                        self._forget_rested(now)
                    window = self.chats.setdefault(chat_id, Bucket(self.private, PRIVATE_BURST, now))
                wait = window.delay(now)
                if wait <= 0:
                    wait = await self._overall_delay(now)
                if wait <= 0:
                    window.take(now)
                    return
            await asyncio.sleep(wait)

    async def _overall_delay(self, now: float) -> float:
        """0 when the bot may send one more message now (and it is counted), else the wait."""
        if self.shared is not None:
            try:
                wait = await self.shared.acquire()
            except RedisError as exc:
                if not self._shared_failing:
                    log.warning("flood control: Redis unreachable (%s); pacing this worker alone", exc)
                self._shared_failing = True
            else:
                self._shared_failing = False
                return wait
        wait = self.overall.delay(now)
        if wait <= 0:
            self.overall.take(now)
        return wait

    def _forget_rested(self, now: float) -> None:
        """Drop the buckets of people who were sent nothing long enough to be full again."""
        rested = PRIVATE_BURST / self.private
        for chat_id in [c for c, b in self.chats.items() if now - b.last >= rested]:
            del self.chats[chat_id]

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        sending = type(method).__name__ in SENDING
        chat_id = getattr(method, "chat_id", None)
        for attempt in range(1, self.max_attempts + 1):
            if sending and chat_id is not None:
                await self._pace(chat_id)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self.max_attempts or exc.retry_after > self.max_inline_wait:
                    raise
                log.warning("%s: flood limit, retrying after %ss", type(method).__name__, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
            except TelegramServerError:
                if attempt == self.max_attempts:
                    raise
                backoff = min(0.5 * 2 ** (attempt - 1), 8.0)
                log.warning("%s: Telegram server error, retrying in %.1fs", type(method).__name__, backoff)
                await asyncio.sleep(backoff)
        raise AssertionError("unreachable")
