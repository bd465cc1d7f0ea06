"""Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database per test.

PostgreSQL tests need TEST_POSTGRES_URL. Outside CI they skip with a reason when it is not
set; in CI (CI=true) they fail, so a missing server can never pass unnoticed.
"""

from __future__ import annotations

import asyncio
import os
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
