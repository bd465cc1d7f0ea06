"""Migrations and content storage on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, inspect, select

from bot.app import App, build_app
from bot.config import SHIPPED_CONTENT_DIR
from bot.content import fill_if_empty, import_folder
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import SchemaOutdatedError
from bot.db.models import Base, ContentItem, ContentRevision
from knowledge.loader import ContentError
from tests.conftest import make_settings


def _diff(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_migrations_build_exactly_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await engine.dispose()


def _downgrade(connection: Connection, revision: str) -> None:
    config = migrate.alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_the_latest_migration_downgrades_and_upgrades_cleanly(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade, "-1")
        async with engine.connect() as conn:
            assert {"offer_follows", "announced_offers"}.isdisjoint(await conn.run_sync(_tables))
        await migrate.upgrade(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_sqlite_start_up_migrates_an_empty_file(sqlite_url: str) -> None:
    app = await build_app(make_settings(sqlite_url))
    try:
        assert await migrate.current_revision(app.engine) == migrate.head_revision()
        assert len(app.content.knowledge.snapshot.faq) >= 40
    finally:
        await app.close()


async def test_workers_starting_together_on_a_new_database_import_the_content_once(database_url: str) -> None:
    # Seen in a load run: the second of two webhook workers failed on a duplicate key and
    # exited (its parent started it again) because both found the database empty.
    engines = [create_engine(database_url) for _ in range(3)]
    try:
        await migrate.upgrade(engines[0])
        await asyncio.gather(
            *(fill_if_empty(create_session_factory(e), SHIPPED_CONTENT_DIR) for e in engines)
        )
        async with create_session_factory(engines[0])() as session:
            assert await session.scalar(select(func.count()).select_from(ContentRevision)) == 1
    finally:
        for engine in engines:
            await engine.dispose()


@pytest.mark.postgres
async def test_postgres_is_not_migrated_behind_the_operators_back() -> None:
    from tests.support.databases import postgres_database

    async with postgres_database() as url:
        with pytest.raises(SchemaOutdatedError, match="wegweiser db upgrade"):
            await build_app(make_settings(url))


async def test_import_is_all_or_nothing_and_keeps_history(app: App, tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, folder)
    entry = folder / "faq" / "berufsschule.yaml"
    entry.write_text(
        entry.read_text(encoding="utf-8").replace("checked_on: 2026-11-27", "checked_on: 2026-11-28"),
        encoding="utf-8",
    )
    (folder / "faq" / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    async with app.sessions() as session:
        before = await session.scalar(select(func.count()).select_from(ContentRevision))
    with pytest.raises(ContentError):
        await import_folder(app.sessions, folder, author="editor")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ContentRevision)) == before
    (folder / "faq" / "broken.yaml").unlink()
    result = await import_folder(app.sessions, folder, author="editor")
    assert result.changed == ("faq:berufsschule",)
    assert (result.added, result.removed) == ((), ())
    async with app.sessions() as session:
        revision = await session.get_one(ContentRevision, result.revision_id)
        assert revision.author == "editor"
        assert revision.changes["changed"] == ["faq:berufsschule"]
        item = await session.scalar(select(ContentItem).where(ContentItem.item_id == "berufsschule"))
        assert item is not None
        assert item.revision_id == revision.id


async def test_a_running_app_picks_up_new_content_without_restart(app: App, tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, folder)
    (folder / "faq" / "berufsschule.yaml").unlink()
    assert app.content.knowledge.entry("berufsschule") is not None
    await import_folder(app.sessions, folder, author="editor")
    assert await app.content.refresh() is True
    assert app.content.knowledge.entry("berufsschule") is None
    assert await app.content.refresh() is False  # nothing new since


async def test_a_second_import_of_the_same_folder_changes_nothing(app: App) -> None:
    result = await import_folder(app.sessions, SHIPPED_CONTENT_DIR, author="editor")
    assert result.unchanged
