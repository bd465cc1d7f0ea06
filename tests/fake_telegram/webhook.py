"""Webhook delivery as Telegram does it: each pending update is POSTed to the bot's URL.

* One chat's updates go one after another: the next only when the previous got its answer
  (grammY's deployment guide and Telegram's behaviour: updates of different chats go out
  at once, up to ``max_connections``, default 40).
* An update is forgotten only after a 2xx answer. Any other status, a refused connection or
  a timeout, and it is sent again later with a growing pause; the chat's later updates wait
  behind it. ``getWebhookInfo`` then shows ``last_error_date`` and ``last_error_message``.
* ``X-Telegram-Bot-Api-Secret-Token`` carries the secret given to ``setWebhook``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .state import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_MAX_CONNECTIONS = 40


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat whose updates must stay in order (None: no chat, no order to keep)."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        chat = payload.get("chat")
        if chat is None and isinstance(payload.get("message"), dict):
            chat = payload["message"].get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return int(chat["id"])
        sender = payload.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return int(sender["id"])
    return None


@dataclass
class DeliveryStats:
    posts: int = 0
    delivered: int = 0
    failures: int = 0
    # update_id → how many 2xx answers it got (more than one: Telegram sent it again after
    # an answer that never arrived; never happens here, kept to check the bot's side).
    answered: dict[int, int] = field(default_factory=dict)
    # update_id → time.monotonic() when the update was first offered to the bot.
    queued_at: dict[int, float] = field(default_factory=dict)


class WebhookDelivery:
    def __init__(
        self,
        queue: UpdateQueue,
        *,
        retry_first: float = 0.25,
        retry_max: float = 4.0,
        timeout: float = 60.0,
    ) -> None:
        self.queue = queue
        self.url = ""
        self.secret: str | None = None
        self.max_connections = DEFAULT_MAX_CONNECTIONS
        self.retry_first = retry_first
        self.retry_max = retry_max
        self.timeout = timeout
        self.stats = DeliveryStats()
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._in_flight: set[int] = set()
        self._not_before: dict[int, float] = {}
        self._attempts: dict[int, int] = {}
        self._kick = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()
        self._http: aiohttp.ClientSession | None = None

    @property
    def active(self) -> bool:
        return bool(self.url)

    def configure(self, url: str, secret: str | None, max_connections: int) -> None:
        self.url, self.secret, self.max_connections = url, secret, max_connections
        self.last_error_date = self.last_error_message = None
        if url and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        self.kick()

    def kick(self) -> None:
        self._kick.set()

    async def stop(self) -> None:
        self.url = ""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for post in list(self._posts):
            post.cancel()
        for post in list(self._posts):
            with contextlib.suppress(asyncio.CancelledError):
                await post
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _run(self) -> None:
        while True:
            wait = self._launch()
            self._kick.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), wait)

    def _launch(self) -> float | None:
        """Start every delivery that may start now; returns when to look again (None: on a kick)."""
        if not self.url:
            return None
        now = time.monotonic()
        soonest: float | None = None
        waiting_chats: set[int] = set()
        for update in self.queue.peek(len(self.queue)):
            update_id = int(update["update_id"])
            self.stats.queued_at.setdefault(update_id, now)
            chat = chat_of(update)
            if chat is not None:
                if chat in waiting_chats:
                    continue
                waiting_chats.add(chat)
            if update_id in self._in_flight:
                continue
            not_before = self._not_before.get(update_id, 0.0)
            if not_before > now:
                soonest = not_before - now if soonest is None else min(soonest, not_before - now)
                continue
            if len(self._in_flight) >= self.max_connections:
                break
            self._in_flight.add(update_id)
            post = asyncio.get_running_loop().create_task(self._post(update))
            self._posts.add(post)
            post.add_done_callback(self._posts.discard)
        return soonest

    async def _post(self, update: dict[str, Any]) -> None:
        update_id = int(update["update_id"])
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        self.stats.posts += 1
        error: str | None = None
        try:
            async with self._http.post(self.url, json=update, headers=headers) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"Connection failed: {type(exc).__name__}"
        finally:
            self._in_flight.discard(update_id)
        if error is None:
            self.stats.delivered += 1
            self.stats.answered[update_id] = self.stats.answered.get(update_id, 0) + 1
            self.queue.remove(update_id)
            self._not_before.pop(update_id, None)
            self._attempts.pop(update_id, None)
        else:
            self.stats.failures += 1
            attempts = self._attempts.get(update_id, 0) + 1
            self._attempts[update_id] = attempts
            pause = min(self.retry_max, self.retry_first * 2 ** (attempts - 1))
            self._not_before[update_id] = time.monotonic() + pause
            self.last_error_date = int(time.time())
            self.last_error_message = error
        self.kick()
