"""The web admin served by uvicorn in a thread, on a real port, for browser tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from bot.admin.web import build_admin_app
from bot.db.engine import create_engine, create_session_factory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def admin_server(database_url: str, *, secure_cookies: bool = True) -> Iterator[str]:
    """Serve the admin on the (migrated, filled) database; yields its base URL."""
    port = free_port()
    servers: list[uvicorn.Server] = []

    async def serve() -> None:
        engine = create_engine(database_url)
        app = build_admin_app(create_session_factory(engine), secure_cookies=secure_cookies)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        servers.append(server)
        try:
            await server.serve()
        finally:
            await engine.dispose()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not (servers and servers[0].started):
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the admin server did not start")
        time.sleep(0.05)
    try:
        yield f"http://localhost:{port}"
    finally:
        servers[0].should_exit = True
        thread.join(timeout=10)
