"""A persisted queue of Telegram calls for the handoff: nothing is lost on 429, 5xx or restart.

Items of one case go out in order. A 429 waits ``retry_after``; a 5xx or a network error
backs off; a 403 (the person blocked the bot) marks the case unreachable instead of
retrying forever. Several bot processes may run workers: an item is locked while sent.

Two lanes run side by side: posts into the advisors' group, and messages to people.
Telegram lets a bot post about 20 messages a minute into one group, so at busy times the
group lane waits (``FloodControl`` paces it); replies to people must not wait with it.
Within a lane, the items of one case keep their order.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Case, OutboxItem, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
# An item is locked while one worker sends it, and the lock is renewed every LOCK / 3
# while the send waits (FloodControl may wait a full minute for the group's window), so
# another process never takes an item still being sent. After a crash the item is sent
# again once the lock has run out.
LOCK = dt.timedelta(seconds=60)

# Actions that post or edit in the advisors' group; all others go to people.
GROUP_ACTIONS = frozenset(
    {"announce", "relay_in", "album_in", "to_topic", "refresh", "edit_topic", "delete_topic", "person_closed"}
)
Lane = Literal["group", "people"]
LANES: tuple[Lane, ...] = ("group", "people")

Perform = Callable[[OutboxItem], Awaitable[None]]


def enqueue(
    session: AsyncSession,
    action: str,
    payload: dict[str, Any],
    case_id: int | None = None,
    *,
    due: dt.datetime | None = None,
) -> None:
    """Queue a call; ``due``: not before then (the case's later items wait behind it)."""
    session.add(OutboxItem(case_id=case_id, action=action, payload=payload, next_attempt_at=due or utcnow()))
    session.info["outbox"] = True  # the commit wakes the worker (App.committed)


class Unreachable(Exception):
    """The person blocked the bot."""


class OutboxWorker:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], perform: Perform) -> None:
        self._sessions = sessions
        self._perform = perform
        self._wake = {lane: asyncio.Event() for lane in LANES}
        self._stopping = False

    def wake_up(self) -> None:
        """Something was queued: look now rather than at the next idle tick."""
        for event in self._wake.values():
            event.set()

    def stop(self) -> None:
        """Take no new item; ``run`` returns once the items being sent are finished, so a
        shutdown never cuts a send in half (and never sends it twice after the restart)."""
        self._stopping = True
        self.wake_up()

    async def _due(self, lane: Lane | None) -> list[OutboxItem]:
        now = utcnow()
        query = select(OutboxItem).where(
            OutboxItem.status == "pending",
            or_(OutboxItem.locked_until.is_(None), OutboxItem.locked_until < now),
        )
        if lane is not None:
            in_group = OutboxItem.action.in_(GROUP_ACTIONS)
            query = query.where(in_group if lane == "group" else ~in_group)
        async with self._sessions() as session:
            return list(await session.scalars(query.order_by(OutboxItem.id).limit(100)))

    async def _lock(self, item: OutboxItem) -> bool:
        now = utcnow()
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.id == item.id,
                    OutboxItem.status == "pending",
                    or_(OutboxItem.locked_until.is_(None), OutboxItem.locked_until < now),
                )
                .values(locked_until=now + LOCK)
            )
            return bool(getattr(result, "rowcount", 0) == 1)

    async def _pending(self, item_id: int) -> bool:
        async with self._sessions() as session:
            status = await session.scalar(select(OutboxItem.status).where(OutboxItem.id == item_id))
            return status == "pending"

    async def _finish(self, item_id: int, **values: Any) -> None:
        async with self._sessions.begin() as session:
            await session.execute(update(OutboxItem).where(OutboxItem.id == item_id).values(**values))

    async def run_once(self, lane: Lane | None = None) -> int:
        """Send what is due in ``lane`` (None: both, one after the other); returns how many
        items were delivered."""
        delivered = 0
        # (case, group or not) with an earlier item still waiting: later ones keep their order
        held: set[tuple[int | None, bool]] = set()
        now = utcnow()
        for item in await self._due(lane):
            if self._stopping:
                break
            key = (item.case_id, item.action in GROUP_ACTIONS)
            if key in held and item.case_id is not None:
                continue
            if item.next_attempt_at > now:
                held.add(key)
                continue
            if not await self._lock(item):
                if await self._pending(item.id):  # another worker sends it now
                    held.add(key)
                continue  # or it went out already, with the album it belongs to
            renew = asyncio.create_task(self._keep_locked(item.id))
            try:
                outcome = await self._send(item)
            finally:
                renew.cancel()
            delivered += outcome == "sent"
            if outcome == "later":
                held.add(key)
        return delivered

    async def _send(self, item: OutboxItem) -> Literal["sent", "later", "dropped"]:
        """Perform one locked item and record the outcome: sent, to be tried later, or
        dropped (refused by Telegram, or the person blocked the bot).

        Cancelled (the bot shuts down) at any point, the item is left unlocked for the
        next start, or marked done if Telegram already has it: never locked for nobody.
        """
        sent = False
        try:
            try:
                await self._perform(item)
                sent = True
            except TelegramRetryAfter as exc:
                wait = dt.timedelta(seconds=exc.retry_after)
                await self._retry(item, wait, f"429 retry after {exc.retry_after}s")
            except (TelegramServerError, TelegramNetworkError) as exc:
                backoff = dt.timedelta(seconds=min(2**item.attempts, 300))
                await self._retry(item, backoff, type(exc).__name__)
            except (TelegramForbiddenError, Unreachable):
                await self._unreachable(item)
                return "dropped"
            except TelegramBadRequest as exc:
                log.warning("outbox item %s (%s) refused: %s", item.id, item.action, exc.message[:120])
                await self._finish(item.id, status="failed", last_error=exc.message[:200], locked_until=None)
                return "dropped"
            else:
                await self._done(item)
                return "sent"
            return "later"
        except asyncio.CancelledError:
            if sent:
                await self._done(item)
            else:
                await self._finish(item.id, locked_until=None)
            raise

    async def _done(self, item: OutboxItem) -> None:
        await self._finish(item.id, status="done", locked_until=None, attempts=item.attempts + 1)

    async def _keep_locked(self, item_id: int) -> None:
        while True:
            await asyncio.sleep(LOCK.total_seconds() / 3)
            async with self._sessions.begin() as session:
                await session.execute(
                    update(OutboxItem)
                    # Not once the outcome is written (done, or unlocked for a retry).
                    .where(
                        OutboxItem.id == item_id,
                        OutboxItem.status == "pending",
                        OutboxItem.locked_until.is_not(None),
                    )
                    .values(locked_until=utcnow() + LOCK)
                )

    async def _retry(self, item: OutboxItem, wait: dt.timedelta, reason: str) -> None:
        attempts = item.attempts + 1
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        log.warning("outbox item %s (%s): %s, attempt %s", item.id, item.action, reason, attempts)
        await self._finish(
            item.id,
            attempts=attempts,
            status=status,
            next_attempt_at=utcnow() + wait,
            locked_until=None,
            last_error=reason[:200],
        )

    async def _unreachable(self, item: OutboxItem) -> None:
        """Marked on the case, and shown in its topic's title (until the person writes again)."""
        log.info("outbox item %s: the person blocked the bot; case %s marked", item.id, item.case_id)
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item.id)
                .values(status="failed", last_error="403 blocked")
            )
            if item.case_id is not None:
                marked = await session.execute(
                    update(Case)
                    .where(Case.id == item.case_id, Case.unreachable_at.is_(None))
                    .values(unreachable_at=utcnow())
                )
                if getattr(marked, "rowcount", 0) == 1:
                    enqueue(session, "refresh", {}, item.case_id)
        self.wake_up()

    async def run(self, idle: float = 1.0) -> None:
        # A task group, not gather: cancelled, it waits until every lane has put back
        # the item it was sending (gather would return at the first lane's end).
        async with asyncio.TaskGroup() as lanes:
            for lane in LANES:
                lanes.create_task(self._run_lane(lane, idle))

    async def _run_lane(self, lane: Lane, idle: float) -> None:
        wake = self._wake[lane]
        while not self._stopping:
            wake.clear()  # before the round: a wake-up during it means "look again"
            try:
                await self.run_once(lane)
            except Exception:
                log.exception("outbox round (%s) failed; trying again", lane)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=idle)

    async def pending(self) -> int:
        async with self._sessions() as session:
            rows = await session.scalars(select(OutboxItem.id).where(OutboxItem.status == "pending"))
            return len(rows.all())
