"""Webhook delivery as Telegram does it, and workers that lose nothing when one dies.

The local Bot API server POSTs each update to the bot's webhook, a chat's updates one after
another, and sends an update again until it gets a 2xx answer (tests/fake_telegram/webhook.py).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.telegram.workers import RESTART_PAUSE
from tests.fake_telegram import FakeTelegram
from tests.support.bot_process import bot_log, children_of, free_port, running_bot
from tests.support.databases import postgres_database, server_url
from tests.support.telegram import onboard

pytestmark = pytest.mark.e2e

SECRET = "s3cret-token_1"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token="123456:TESTTOKEN-abcdefghij", allow_http_webhook=True) as server:
        yield server


async def set_webhook(fake: FakeTelegram, port: int) -> None:
    status, body = await fake.handle(
        "setWebhook", {"url": f"http://127.0.0.1:{port}/telegram/webhook", "secret_token": SECRET}
    )
    assert status == 200, body


async def test_the_server_delivers_in_order_per_chat_and_again_until_answered(fake: FakeTelegram) -> None:
    seen: list[tuple[int, str]] = []
    refused_once: set[int] = set()
    secrets: set[str] = set()

    async def receive(request: web.Request) -> web.Response:
        update: dict[str, Any] = await request.json()
        secrets.add(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""))
        message = update["message"]
        if message["text"] == "first" and update["update_id"] not in refused_once:
            refused_once.add(update["update_id"])
            return web.Response(status=500)
        seen.append((message["chat"]["id"], message["text"]))
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/telegram/webhook", receive)
    runner = web.AppRunner(receiver)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        amina, jonas = fake.add_user("Amina"), fake.add_user("Jonas")
        await set_webhook(fake, port)
        for text in ("first", "second", "third"):
            await fake.send_text(amina, text)
            await fake.send_text(jonas, text)
        for _ in range(100):
            if len(seen) == 6:
                break
            await asyncio.sleep(0.05)
        _status, info = await fake.handle("getWebhookInfo", {})
    finally:
        await runner.cleanup()
    assert [text for chat, text in seen if chat == amina.id] == ["first", "second", "third"]
    assert [text for chat, text in seen if chat == jonas.id] == ["first", "second", "third"]
    assert len(refused_once) == 2
    assert fake.delivery.stats.failures == 2
    assert secrets == {SECRET}
    assert info["result"]["pending_update_count"] == 0
    assert info["result"]["last_error_message"].startswith("Wrong response from the webhook: 500")


async def test_an_update_whose_worker_died_is_delivered_again_and_answered_once(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    group = fake.add_forum_group("Beratung")
    jonas = fake.add_user("Jonas", language_code="de")
    port = free_port()
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env = {"WEBHOOK_URL": "https://bot.example.test", "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port)}
    await set_webhook(fake, port)
    # The reply hangs at the Bot API server; the worker dies before it answers the webhook.
    fake.fail_next("sendMessage", status=500, delay=30)
    async with running_bot(fake, url, group.id, tmp_path, "--webhook", **env) as worker:
        await fake.send_command(jonas, "/start")
        for _ in range(600):
            if fake.calls_to("sendMessage"):
                break
            await asyncio.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
    assert not fake.messages_to(jonas)
    async with running_bot(fake, url, group.id, tmp_path, "--webhook", **env):
        reply = await fake.wait_for_message(jonas, timeout=60)
        await asyncio.sleep(1.0)
    assert "Deutsch" in " ".join(reply.button_texts), bot_log(tmp_path)[-2000:]
    assert len(fake.messages_to(jonas)) == 1
    assert fake.delivery.stats.failures >= 1


@pytest.mark.postgres
@pytest.mark.redis
async def test_two_workers_keep_each_chat_in_order_and_survive_a_kill(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    # A Redis database of its own: other test files empty theirs.
    redis_url = server_url("TEST_REDIS_URL", "Redis").rsplit("/", 1)[0] + "/3"
    async with postgres_database() as postgres_url:
        await run_two_workers(fake, tmp_path, postgres_url, redis_url)


async def run_two_workers(fake: FakeTelegram, tmp_path: Path, postgres_url: str, redis_url: str) -> None:
    group = fake.add_forum_group("Beratung")
    people = [fake.add_user(f"P{i}", language_code="de") for i in range(4)]
    port = free_port()
    env = {
        "WEBHOOK_URL": "https://bot.example.test",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(port),
        "REDIS_URL": redis_url,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    await set_webhook(fake, port)
    upgrade = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "upgrade", env={**os.environ, "DATABASE_URL": postgres_url}
    )
    assert await upgrade.wait() == 0
    async with running_bot(
        fake, postgres_url, group.id, tmp_path, "--webhook", "--workers", "2", **env
    ) as parent:
        for person in people:
            await onboard(fake, person, "Deutsch")
        workers = children_of(parent.pid)
        assert len(workers) == 2, bot_log(tmp_path)[-2000:]
        questions = ("/help", "/privacy", "/status")
        for question in questions:
            for person in people:
                await fake.send_command(person, question)
        os.kill(workers[0], signal.SIGKILL)
        for person in people:
            for _ in questions:
                await fake.wait_for_message(person, timeout=90)
        # A worker that dies young is replaced after RESTART_PAUSE (it may be failing to start).
        await asyncio.sleep(RESTART_PAUSE + 1.5)
        assert len(children_of(parent.pid)) == 2, "the dead worker was replaced"
    for person in people:
        replies = fake.messages_to(person)
        # onboarding (language, consent, welcome) and then one answer per command, in order
        answers = replies[-len(questions) :]
        assert len({m.message_id for m in replies}) == len(replies)
        assert [answer_kind(fake.text_of(m)) for m in answers] == ["help", "privacy", "status"], [
            fake.text_of(m)[:60] for m in answers
        ]
    assert not fake.internal_errors


def answer_kind(text: str) -> str:
    openings = {
        "So kann ich helfen": "help",
        "Das ist alles, was ich über dich speichere": "privacy",
        "Du hast kein offenes Gespräch": "status",
    }
    return next((kind for opening, kind in openings.items() if text.startswith(opening)), text[:40])


@pytest.mark.parametrize("status", [500, 429])
async def test_replies_that_telegram_refused_go_out_when_the_update_comes_again(
    fake: FakeTelegram, tmp_path: Path, status: int
) -> None:
    group = fake.add_forum_group("Beratung")
    people = [fake.add_user(f"P{i}", language_code="de") for i in range(3)]
    port = free_port()
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env = {"WEBHOOK_URL": "https://bot.example.test", "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port)}
    await set_webhook(fake, port)
    async with running_bot(fake, url, group.id, tmp_path, "--webhook", **env):
        # The Bot API answers every call with an error: an outage longer than the bot's own
        # retries (about 15 s), or flood limits.
        fake.fail_for(18.0 if status == 500 else 4.0, "*", status, retry_after=5)
        for person in people:
            await fake.send_command(person, "/start")
        for person in people:
            await fake.wait_for_message(person, timeout=90)
        await asyncio.sleep(1.0)
    for person in people:
        assert len(fake.messages_to(person)) == 1, bot_log(tmp_path)[-2000:]
    if status == 500:
        assert fake.delivery.stats.failures >= 1  # the webhook answered with an error, so it came again


async def postgres_outage(database_url: str, seconds: float) -> None:
    """PostgreSQL restarting, as the bot sees it: its connections dropped, new ones refused."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    url = make_url(database_url)
    name = url.database
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            await conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
            await asyncio.sleep(seconds)
            await conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    finally:
        await admin.dispose()


async def start_redis(port: int, folder: Path) -> None:
    server = await asyncio.create_subprocess_exec(
        "redis-server", "--port", str(port), "--dir", str(folder), "--save", "60 1", "--daemonize", "yes"
    )
    assert await server.wait() == 0
    for _ in range(50):
        ping = await asyncio.create_subprocess_exec(
            "redis-cli", "-p", str(port), "ping", stdout=asyncio.subprocess.DEVNULL
        )
        if await ping.wait() == 0:
            return
        await asyncio.sleep(0.1)


async def stop_redis(port: int) -> None:
    # A restart as an operator does it: the data is saved and read back.
    stop = await asyncio.create_subprocess_exec("redis-cli", "-p", str(port), "shutdown")
    await stop.wait()


@pytest.mark.postgres
@pytest.mark.parametrize("outage", ["postgres", "redis"])
async def test_two_workers_answer_everything_once_across_a_restart(
    fake: FakeTelegram, tmp_path: Path, outage: str
) -> None:
    redis_port = free_port()
    await start_redis(redis_port, tmp_path)
    group = fake.add_forum_group("Beratung")
    people = [fake.add_user(f"P{i}", language_code="de") for i in range(3)]
    port = free_port()
    env = {
        "WEBHOOK_URL": "https://bot.example.test",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(port),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
    }
    try:
        async with postgres_database() as postgres_url:
            await set_webhook(fake, port)
            upgrade = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "db", "upgrade", env={**os.environ, "DATABASE_URL": postgres_url}
            )
            assert await upgrade.wait() == 0
            args = ("--webhook", "--workers", "2")
            async with running_bot(fake, postgres_url, group.id, tmp_path, *args, **env):
                for person in people:
                    await onboard(fake, person, "Deutsch")
                if outage == "postgres":
                    down = asyncio.ensure_future(postgres_outage(postgres_url, 3.0))
                else:
                    await stop_redis(redis_port)
                await asyncio.sleep(0.5)
                for person in people:
                    await fake.send_command(person, "/help")
                if outage == "postgres":
                    await down
                else:
                    await asyncio.sleep(3.0)
                    await start_redis(redis_port, tmp_path)
                for person in people:
                    await fake.wait_for_message(person, contains="So kann ich helfen", timeout=90)
                await asyncio.sleep(1.5)
    finally:
        await stop_redis(redis_port)
    for person in people:
        helps = [m for m in fake.messages_to(person) if fake.text_of(m).startswith("So kann ich helfen")]
        assert len(helps) == 1, bot_log(tmp_path)[-3000:]
    assert fake.delivery.stats.failures >= 1  # Telegram's delivery met the outage and sent again
