"""Alembic, run from code on the application's own engine (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class SchemaOutdatedError(Exception):
    """The database is older than this program; ``wegweiser db upgrade`` brings it up to date."""


async def prepare_database(engine: AsyncEngine, settings: Settings) -> None:
    """SQLite migrates itself; a PostgreSQL schema is changed only by ``wegweiser db upgrade``."""
    current = await current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if settings.is_sqlite:
        log.info("migrating the SQLite database from %s to %s", current, head)
        await upgrade(engine)
        return
    raise SchemaOutdatedError(
        f"The database is at schema {current or 'empty'} but this version needs {head}: "
        "run 'wegweiser db upgrade' first."
    )
