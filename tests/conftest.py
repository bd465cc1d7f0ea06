from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.config import SHIPPED_CONTENT_DIR, Settings, load_settings
from bot.content import knowledge_for
from knowledge.base import KnowledgeBase
from knowledge.loader import ContentSnapshot, load_content
from tests.fake_telegram import FakeTelegram
from tests.support.chat import ChatClient
from tests.support.databases import database, fill_from_template

_SNAPSHOT: ContentSnapshot | None = None


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer's .env or variables leak into a test."""
    for name in (
        "BOT_TOKEN",
        "DATABASE_URL",
        "REDIS_URL",
        "ADVISOR_CHAT_ID",
        "ADVISOR_OLD_CHAT_IDS",
        "CONTENT_DIR",
        "TELEGRAM_API_URL",
        "OFFICE_HOURS",
        "DEFAULT_LANGUAGE",
        "LOG_LEVEL",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def shipped() -> ContentSnapshot:
    global _SNAPSHOT
    if _SNAPSHOT is None:
        _SNAPSHOT = load_content(SHIPPED_CONTENT_DIR)
    return _SNAPSHOT


@pytest.fixture(scope="session")
def knowledge(shipped: ContentSnapshot) -> KnowledgeBase:
    # The same knowledge base (and vector cache) the assembled application uses.
    return knowledge_for(Settings.model_fields["embedding_cache"].get_default(), shipped)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> AsyncIterator[str]:
    async with database("sqlite", tmp_path) as url:
        yield url


def make_settings(url: str, **overrides: object) -> Settings:
    return load_settings(database_url=url, **overrides)


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[App]:
    """The assembled application on a new database (SQLite and PostgreSQL), migrated and
    filled with the shipped content as its first start would (PostgreSQL is migrated on
    purpose, by wegweiser db upgrade): a copy of one such database per test process."""
    settings = make_settings(database_url)
    await fill_from_template(database_url)
    application = await build_app(settings)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
def chat(app: App) -> ChatClient:
    return ChatClient(app)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The local Bot API server, with a token the bot's settings accept."""
    async with FakeTelegram(token="123456:TESTTOKEN-abcdefghij") as server:
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files that run the bot as processes or drive the browser first: with
    --no-loadscope-reorder (the Makefile) pytest-xdist hands out whole files in this order.
    By its default order (most tests first) these few-test files came last, and one worker
    ran them alone for minutes while the other had nothing to do."""
    items.sort(
        key=lambda item: 0 if item.get_closest_marker("e2e") or item.get_closest_marker("browser") else 1
    )
