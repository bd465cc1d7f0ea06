"""Metrics and JSON logs: what the bot counts is what the dashboard reads."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from pathlib import Path

from aiogram.types import Update
from prometheus_client import REGISTRY

from bot.app import App
from bot.logs import JsonFormatter
from bot.telegram import metrics
from bot.telegram.runner import create_bot, create_dispatcher
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.support.chat import ChatClient
from tests.support.telegram import text_update

ROOT = Path(__file__).resolve().parent.parent


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_updates_and_bot_api_calls_are_counted(app: App, fake: FakeTelegram, database_url: str) -> None:
    mira = fake.add_user("Mira", language_code="tr")
    before = {
        "ok": sample("wegweiser_updates_total", kind="message", result="ok"),
        "sent": sample("wegweiser_bot_api_calls_total", method="sendMessage", result="ok"),
        "typing429": sample("wegweiser_bot_api_calls_total", method="sendChatAction", result="429"),
        "waited": sample("wegweiser_bot_api_retry_after_seconds_total"),
        "timed": sample("wegweiser_update_seconds_count", kind="message"),
    }
    fake.fail_next("sendChatAction", status=429, retry_after=3, chat_id=mira.id)
    settings = make_settings(database_url, bot_token=fake.token, telegram_api_url=fake.url)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(replace(app, settings=settings), None)
    try:
        await dispatcher.feed_update(bot, Update.model_validate(text_update(mira, 701, "Merhaba")))
    finally:
        await bot.session.close()
    assert sample("wegweiser_updates_total", kind="message", result="ok") == before["ok"] + 1
    assert sample("wegweiser_update_seconds_count", kind="message") == before["timed"] + 1
    assert sample("wegweiser_bot_api_calls_total", method="sendMessage", result="ok") >= before["sent"] + 1
    assert (
        sample("wegweiser_bot_api_calls_total", method="sendChatAction", result="429")
        == before["typing429"] + 1
    )
    assert sample("wegweiser_bot_api_retry_after_seconds_total") == before["waited"] + 3
    page, content_type = metrics.exposition()
    assert content_type.startswith("text/plain")
    assert b'wegweiser_updates_total{kind="message",result="ok"}' in page


async def test_the_outbox_and_cases_are_sampled(app: App) -> None:
    chat = ChatClient(app)
    await chat.onboard("English")
    await chat.send("/advisor")  # a waiting case, and its announcement queued in the outbox
    await metrics.sample_queues(app.sessions)
    assert sample("wegweiser_cases", state="waiting") == 1
    assert sample("wegweiser_cases", state="taken") == 0
    assert sample("wegweiser_outbox_pending") >= 1
    assert sample("wegweiser_outbox_oldest_seconds") >= 0


def test_every_dashboard_query_reads_a_metric_the_bot_exports() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "wegweiser.json").read_text(encoding="utf-8"))
    exported = {m.name for m in REGISTRY.collect()} | {
        f"{m.name}_{suffix}" for m in REGISTRY.collect() for suffix in ("total", "bucket", "count", "sum")
    }
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            names = set(re.findall(r"\bwegweiser_[a-z_]+", target["expr"]))
            assert names
            assert names <= exported, (panel["title"], names - exported)


def test_json_log_lines_are_one_object_each() -> None:
    record = logging.LogRecord("bot.telegram.people", logging.WARNING, __file__, 1, "retry %d", (2,), None)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "bot.telegram.people"
    assert entry["message"] == "retry 2"
    assert "\n" not in line
