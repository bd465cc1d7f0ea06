"""The parent of ``wegweiser run --webhook --workers N`` (``bot.telegram.workers``): what
each worker process is started with."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.telegram.workers import Supervisor


async def test_each_worker_paces_itself_to_its_share_of_telegrams_limit(tmp_path: Path) -> None:
    """Telegram's 30 messages a second are the bot's in all: three workers get 10 each,
    so together they stay below it; one worker keeps all 30."""
    seen = tmp_path / "seen"
    record = "import os, sys; open(sys.argv[1], 'a').write(os.environ['SEND_PER_SECOND'] + ' ')"
    for workers, each in ((3, "10"), (1, "30"), (40, "1")):
        seen.write_text("", encoding="utf-8")
        supervisor = Supervisor(workers, [sys.executable, "-c", record, str(seen)], send_per_second=30)
        for index in range(min(workers, 3)):
            await supervisor.start_worker(index)
        await asyncio.gather(*(process.wait() for process, _ in supervisor.running.values()))
        assert seen.read_text(encoding="utf-8").split() == [each] * min(workers, 3)
