"""Conversation state in Redis for several processes, and webhook mode with Telegram's secret."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as redis

from tests.fake_telegram import FakeTelegram
from tests.support.bot_process import free_port, running_bot
from tests.support.databases import server_url
from tests.support.telegram import onboard, start_update

pytestmark = pytest.mark.e2e


@pytest.mark.redis
async def test_conversation_state_lives_in_redis_when_configured(fake: FakeTelegram, tmp_path: Path) -> None:
    redis_url = server_url("TEST_REDIS_URL", "Redis")
    client = redis.from_url(redis_url)
    await client.flushdb()
    group = fake.add_forum_group("Beratung")
    amina = fake.add_user("Amina", language_code="ar")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    try:
        async with running_bot(fake, url, group.id, tmp_path, REDIS_URL=redis_url):
            await onboard(fake, amina, "العربية")
            keys = [k.decode() for k in await client.keys("tg:*")]
            assert any(str(amina.id) in k for k in keys), keys
            stored = await client.get(next(k for k in keys if str(amina.id) in k and k.endswith(":data")))
            assert stored is not None
            assert json.loads(stored)["lang"] == "ar"
    finally:
        await client.flushdb()
        await client.aclose()


async def test_webhook_checks_telegrams_secret(fake: FakeTelegram, tmp_path: Path) -> None:
    group = fake.add_forum_group("Beratung")
    jonas = fake.add_user("Jonas", language_code="de")
    port = free_port()
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env = {
        "WEBHOOK_URL": "https://bot.example.test",
        "WEBHOOK_SECRET": "s3cret-token_1",
        "WEBHOOK_PORT": str(port),
    }
    update = start_update(jonas, update_id=1)
    # The webhook is set once, by the operator's command, never by a worker.
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "webhook",
        "set",
        env={**os.environ, "BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url, **env},
        stdout=asyncio.subprocess.PIPE,
    )
    printed, _ = await command.communicate()
    assert command.returncode == 0
    assert "https://bot.example.test/telegram/webhook" in printed.decode()
    hook = fake.calls_to("setWebhook")[-1]
    assert hook["secret_token"] == "s3cret-token_1"
    # TLS ends at the reverse proxy, which forwards to the bot on loopback.
    assert hook["url"] == "https://bot.example.test/telegram/webhook"
    async with running_bot(fake, url, group.id, tmp_path, "--webhook", **env):
        endpoint = f"http://127.0.0.1:{port}/telegram/webhook"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/readyz") as ready:
                assert ready.status == 200
                assert await ready.json() == {"status": "ready", "database": "ok", "content": "ok"}
            async with http.get(f"http://127.0.0.1:{port}/healthz") as alive:
                assert alive.status == 200
            async with http.get(f"http://127.0.0.1:{port}/metrics") as scraped:
                assert scraped.status == 200
                assert "wegweiser_bot_api_calls_total" in await scraped.text()
            forged = await http.post(
                endpoint, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            )
            assert forged.status == 401
            genuine = await http.post(
                endpoint, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1"}
            )
            assert genuine.status == 200
        reply = await fake.wait_for_message(jonas, timeout=30)
    assert "Deutsch" in " ".join(reply.button_texts)
    assert len(fake.messages_to(jonas)) == 1, "the forged update was not handled"
    # Neither the worker's start nor its stop touched the webhook.
    assert len(fake.calls_to("setWebhook")) == 1
    assert not fake.calls_to("deleteWebhook")
