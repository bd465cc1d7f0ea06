"""``wegweiser run`` as a real process, talking HTTP to the local Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on now (for a webhook worker)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def running_bot(
    fake: FakeTelegram, database_url: str, advisor_chat_id: int, workdir: Path, *args: str, **env: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Start ``wegweiser run [args]``; ready once it polls, or with --webhook once it set its webhook."""
    environment = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("BOT_", "TELEGRAM_", "DATABASE_", "REDIS_", "ADVISOR_"))
        },
        "BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_URL": database_url,
        "ADVISOR_CHAT_ID": str(advisor_chat_id),
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "INFO",
        **env,
    }
    log = (workdir / "bot.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        cwd=workdir,
        env=environment,
        stdout=log,
        stderr=log,
    )
    try:
        started: asyncio.Future[Any]
        if "--webhook" in args:
            started = asyncio.ensure_future(_ready(int(environment.get("WEBHOOK_PORT", "8080"))))
        else:
            started = asyncio.ensure_future(fake.wait_for_call("getUpdates", timeout=180, in_flight=True))
        ended = asyncio.ensure_future(process.wait())
        await asyncio.wait({started, ended}, return_when=asyncio.FIRST_COMPLETED)
        if not started.done():
            started.cancel()
            raise AssertionError(f"the bot exited with {process.returncode}:\n{bot_log(workdir)[-3000:]}")
        ended.cancel()
        started.result()
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()


async def _ready(port: int, patience: float = 180) -> None:
    """A webhook worker is ready when its /readyz says so."""
    deadline = asyncio.get_running_loop().time() + patience
    async with aiohttp.ClientSession() as http:
        while asyncio.get_running_loop().time() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise TimeoutError("the webhook worker never became ready")


def bot_log(workdir: Path) -> str:
    path = workdir / "bot.log"
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def children_of(pid: int) -> list[int]:
    """The processes ``pid`` started (the workers of ``wegweiser run --workers N``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found
