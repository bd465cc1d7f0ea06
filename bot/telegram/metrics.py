"""Prometheus metrics (the official client), multiprocess-safe.

With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder shared by
them (cleared before they start): every process writes its numbers there and ``/metrics``
of any of them sums them up. Metric labels never carry a person, a chat or a text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import time

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

# The multiprocess folder must exist before the client writes its first file (at import).
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Case, OutboxItem, utcnow

log = logging.getLogger(__name__)

UPDATES = Counter("wegweiser_updates_total", "Updates handled, by kind and result", ["kind", "result"])
UPDATE_SECONDS = Histogram(
    "wegweiser_update_seconds",
    "Time from taking an update to having handled it (replies sent)",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)
API_CALLS = Counter(
    "wegweiser_bot_api_calls_total", "Bot API calls by method and result", ["method", "result"]
)
RETRY_AFTER = Counter(
    "wegweiser_bot_api_retry_after_seconds_total", "Seconds Telegram asked us to wait (429)"
)
OUTBOX_PENDING = Gauge("wegweiser_outbox_pending", "Messages waiting in the outbox", multiprocess_mode="max")
OUTBOX_OLDEST = Gauge(
    "wegweiser_outbox_oldest_seconds", "Age of the oldest waiting outbox message", multiprocess_mode="max"
)
DECISIONS = Counter(
    "wegweiser_decisions_total",
    "What the bot made of a message: question (answer, suggest, none, two), intent, crisis, handoff",
    ["kind", "decision"],
)
FIRST_REPLY_SECONDS = Histogram(
    "wegweiser_first_advisor_reply_seconds",
    "Time from a case's opening to its first advisor message reaching the person",
    ["urgent"],
    buckets=(60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600),
)
# What the usage counters count that tells how the bot understood a message.
DECISION_KINDS = frozenset({"question", "intent", "crisis", "crisis_concern", "handoff"})
CASES = Gauge("wegweiser_cases", "Cases not closed, by state", ["state"], multiprocess_mode="max")


class ApiMetrics(BaseRequestMiddleware):
    """Counts every Bot API call by method and result ("ok", "429", "400", "network"…)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = type(method).__name__
        name = name[:1].lower() + name[1:]
        try:
            response = await make_request(bot, method)
        except TelegramRetryAfter as exc:
            API_CALLS.labels(name, "429").inc()
            RETRY_AFTER.inc(exc.retry_after)
            raise
        except TelegramNetworkError:
            API_CALLS.labels(name, "network").inc()
            raise
        except TelegramAPIError as exc:
            API_CALLS.labels(name, type(exc).__name__).inc()
            raise
        API_CALLS.labels(name, "ok").inc()
        return response


class Timer:
    """Times one update and counts it with its result."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.started = time.perf_counter()

    def done(self, result: str) -> None:
        UPDATES.labels(self.kind, result).inc()
        UPDATE_SECONDS.labels(self.kind).observe(time.perf_counter() - self.started)


def observe_count(kind: str, key: str) -> None:
    """A usage counter went up (StatsBuffer): the decisions among them are metrics too."""
    if kind in DECISION_KINDS:
        DECISIONS.labels(kind, key).inc()


def observe_first_reply(opened: dt.datetime, *, urgent: bool) -> None:
    if opened.tzinfo is None:
        opened = opened.replace(tzinfo=dt.UTC)
    FIRST_REPLY_SECONDS.labels("yes" if urgent else "no").observe((utcnow() - opened).total_seconds())


def exposition() -> tuple[bytes, str]:
    """The metrics page: this process's numbers, or all processes' in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


async def sample_queues(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The outbox's depth and oldest item, and the open cases by state, read once."""
    async with sessions() as session:
        pending, oldest = (
            await session.execute(
                select(func.count(), func.min(OutboxItem.created_at)).where(OutboxItem.status == "pending")
            )
        ).one()
        states = dict(
            (
                await session.execute(
                    select(Case.state, func.count()).where(Case.state != "closed").group_by(Case.state)
                )
            ).all()
        )
    OUTBOX_PENDING.set(int(pending))
    oldest_at: dt.datetime | None = oldest
    if oldest_at is not None and oldest_at.tzinfo is None:
        oldest_at = oldest_at.replace(tzinfo=dt.UTC)
    OUTBOX_OLDEST.set((utcnow() - oldest_at).total_seconds() if oldest_at is not None else 0)
    for state in ("waiting", "taken"):
        CASES.labels(state).set(int(states.get(state, 0)))


async def sample_forever(sessions: async_sessionmaker[AsyncSession], every: float = 15.0) -> None:
    while True:
        try:
            await sample_queues(sessions)
        except Exception:
            log.exception("could not sample the outbox and cases for the metrics")
        await asyncio.sleep(every)
