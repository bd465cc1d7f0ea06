"""The web admin served by uvicorn in a thread, on a real port, for browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks.admin import serving


@contextmanager
def admin_server(database_url: str, *, secure_cookies: bool = True) -> Iterator[str]:
    """Serve the admin on the (migrated, filled) database with production cookie settings."""
    with serving(database_url, secure_cookies=secure_cookies) as base:
        yield base
