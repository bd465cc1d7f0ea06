"""Several webhook workers on one host: ``wegweiser run --webhook --workers N``.

The parent starts N worker processes (``wegweiser run --webhook``), each listening on the same
``WEBHOOK_PORT`` with ``SO_REUSEPORT``, so the Linux kernel spreads Telegram's connections
over them (the way nginx and gunicorn use it). Across hosts or containers, put nginx in front
of the workers instead (``docker-compose.yml``, ``deploy/nginx/``).

* The workers share PostgreSQL and Redis: conversation state and aiogram's per-chat event
  lock live in Redis, so one chat's updates are handled one after another in whichever
  worker they land; the outbox and the office-hours rounds share the database's queue.
* Every worker answers Telegram only after the update is committed, so an update whose
  worker dies is delivered again by Telegram (and handled once: updates are recorded).
* The parent passes SIGTERM and SIGINT on, waits for the workers to finish what they hold,
  and starts a new worker in place of one that died. Prometheus' multiprocess folder is set
  up for them (``PROMETHEUS_MULTIPROC_DIR``; a temporary one unless given).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)

# A worker that dies sooner than this after its start is restarted only after a pause; when
# that happens this many times in a row the worker cannot start (a wrong setting, a schema
# not upgraded) and everything stops with the worker's exit status.
STEADY_SECONDS = 60.0
RESTART_PAUSE = 2.0
EARLY_DEATHS = 3
# The parent waits this long for its workers after passing SIGTERM on (their own grace
# for the updates in hand and then the sends in flight, and a margin).
STOP_WAIT = 2 * 20.0 + 5.0


def check_workers(settings: Settings, workers: int) -> None:
    if workers < 1:
        raise ConfigError("--workers expects a number of processes, 1 or more.")
    if workers > 1 and (settings.is_sqlite or not settings.redis_url):
        raise ConfigError(
            "Several workers need PostgreSQL (DATABASE_URL=postgresql://…) and Redis (REDIS_URL=redis://…): "
            "they share the conversations and the per-chat order there. With SQLite, run one worker."
        )


def prepare_metrics_folder() -> Path:
    """The folder the workers' metrics are written to, emptied before they start."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="wegweiser-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


class Supervisor:
    def __init__(self, workers: int, argv: list[str]) -> None:
        self.workers = workers
        self.argv = argv
        self.running: dict[int, tuple[asyncio.subprocess.Process, float]] = {}
        self.stopping = asyncio.Event()
        self.restarts = 0
        self.exit_code = 0

    async def start_worker(self, index: int) -> None:
        env = {**os.environ, "WORKER_INDEX": str(index), "WEBHOOK_REUSE_PORT": "1"}
        process = await asyncio.create_subprocess_exec(*self.argv, env=env)
        self.running[index] = (process, time.monotonic())
        log.info("worker %d started (pid %d)", index, process.pid)

    async def watch(self, index: int) -> None:
        early = 0
        while not self.stopping.is_set():
            process, started = self.running[index]
            code = await process.wait()
            forget_process(process.pid)
            if self.stopping.is_set():
                return
            early = early + 1 if time.monotonic() - started < STEADY_SECONDS else 0
            if early >= EARLY_DEATHS:
                log.error("worker %d cannot start (exit status %s, %d times); stopping", index, code, early)
                self.exit_code = code or 1
                self.stop()
                return
            log.error("worker %d (pid %d) ended with %s; starting a new one", index, process.pid, code)
            self.restarts += 1
            if early:
                await asyncio.sleep(RESTART_PAUSE)
            await self.start_worker(index)

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        log.info("stopping %d worker(s)", len(self.running))
        self.stopping.set()
        for process, _ in self.running.values():
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        for index in range(self.workers):
            await self.start_worker(index)
        watchers = [asyncio.create_task(self.watch(index)) for index in range(self.workers)]
        await self.stopping.wait()
        try:
            await asyncio.wait_for(self._all_ended(), STOP_WAIT)
        except TimeoutError:
            log.warning("workers still running after %ss; killing them", STOP_WAIT)
            for process, _ in self.running.values():
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            await self._all_ended()
        for watcher in watchers:
            watcher.cancel()
        for watcher in watchers:
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        return self.exit_code

    async def _all_ended(self) -> None:
        for process, _ in list(self.running.values()):
            await process.wait()


def forget_process(pid: int) -> None:
    """Prometheus' multiprocess mode: a dead worker's live gauges are dropped."""
    from prometheus_client import multiprocess

    with contextlib.suppress(Exception):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


async def serve_workers(settings: Settings, workers: int) -> int:
    check_workers(settings, workers)
    folder = prepare_metrics_folder()
    log.info("%d webhook workers on port %s, metrics in %s", workers, settings.webhook_port, folder)
    argv = [sys.executable, "-m", "bot", "run", "--webhook"]
    return await Supervisor(workers, argv).run()
