"""Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database per test.

PostgreSQL tests need TEST_POSTGRES_URL. Outside CI they skip with a reason when it is not
set; in CI (CI=true) they fail, so a missing server can never pass unnoticed.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def server_url(variable: str, what: str) -> str:
    url = os.environ.get(variable, "")
    if not url:
        message = f"{variable} is not set, so the {what} tests cannot run"
        if IN_CI:
            pytest.fail(message + " (CI must run them)")
        pytest.skip(message)
    return url


def sqlite_url(folder: Path) -> str:
    return f"sqlite+aiosqlite:///{folder / 'wegweiser.db'}"


_DROP_ATTEMPTS = 20


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """Create an empty database for one test and drop it afterwards."""
    base = make_url(server_url("TEST_POSTGRES_URL", "PostgreSQL"))
    name = f"wegweiser_t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            for attempt in range(_DROP_ATTEMPTS):
                try:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    break
                except DBAPIError as exc:
                    # An autovacuum worker busy in the test's database cannot be ended by a
                    # role without pg_signal_backend (seen in CI); it finishes in moments.
                    if "pg_signal_backend" not in str(exc) or attempt == _DROP_ATTEMPTS - 1:
                        raise
                    await asyncio.sleep(0.5)
        await admin.dispose()


@asynccontextmanager
async def database(kind: str, folder: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield sqlite_url(folder)
        return
    async with postgres_database() as url:
        yield url


# The application's start on a new database migrates it and imports the shipped content
# (about a second of YAML and SQL). Tests of the assembled application start from a copy
# of a database that went through that start once per test process instead.
_TEMPLATES: dict[str, str] = {}


async def _fill(url: str) -> None:
    from bot.config import SHIPPED_CONTENT_DIR
    from bot.content import fill_if_empty
    from bot.db import migrate
    from bot.db.engine import create_engine, create_session_factory

    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        await fill_if_empty(create_session_factory(engine), SHIPPED_CONTENT_DIR)
    finally:
        await engine.dispose()


async def _template(kind: str) -> str:
    """This process's migrated, filled database: a SQLite file, or a PostgreSQL database name."""
    if kind not in _TEMPLATES:
        if kind == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="wegweiser-template-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            await _fill(sqlite_url(folder))
            _TEMPLATES[kind] = str(folder / "wegweiser.db")
        else:
            name = f"wegweiser_tpl_{uuid.uuid4().hex[:12]}"
            await _on_server(f'CREATE DATABASE "{name}"')
            atexit.register(_drop_at_exit, name)
            base = make_url(server_url("TEST_POSTGRES_URL", "PostgreSQL"))
            await _fill(base.set(database=name).render_as_string(hide_password=False))
            _TEMPLATES[kind] = name
    return _TEMPLATES[kind]


async def _on_server(*statements: str) -> None:
    """Run statements outside a transaction on the test server's own database."""
    admin = create_async_engine(
        make_url(server_url("TEST_POSTGRES_URL", "PostgreSQL")), isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await admin.dispose()


def _drop_at_exit(name: str) -> None:
    with contextlib.suppress(Exception):  # the server may be gone at exit: nothing to clean then
        asyncio.run(_on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def fill_from_template(url: str) -> None:
    """Make the empty database at ``url`` (from ``database``) a copy of the filled template."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        shutil.copyfile(await _template("sqlite"), parsed.database)
        return
    template = await _template("postgres")
    await _on_server(
        f'DROP DATABASE "{parsed.database}"', f'CREATE DATABASE "{parsed.database}" TEMPLATE "{template}"'
    )
