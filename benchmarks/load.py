"""Load and faults in webhook mode, against the local Bot API server over HTTP.

    python -m benchmarks.load [--rate 30] [--seconds 300] [--workers 1] [--people 300]
                              [--database-url URL] [--redis-url URL] [--fault KIND --fault-at S]
                              [--flood-limits] [--send-per-second N] [--burst N] [--json]

The bot runs as in production: ``wegweiser run --webhook [--workers N]`` as its own
processes; the local Bot API server (tests/fake_telegram) POSTs each update to the webhook as
Telegram does (a chat's updates one after another, again until answered with 2xx).

People are onboarded first (/start, language, privacy notice; not measured). Then updates
arrive open-loop at ``--rate`` a second, whatever the bot's speed: each is a question from
the FAQ in the person's language with a typo or two (about 40%), or a press of a button of
the last message the bot sent that person (about 60%). An arrival goes to a person who is
not waiting for an answer, as people wait for one.

Reported: p50 / p99 / max from an update's arrival at the server to the bot's first reply
to it arriving there; updates with no reply within 30 s after the run (a button may answer
with a notice only); lost updates (never answered with 2xx, so the server still holds
them); webhook posts and failed posts (each sent again); the workers' resident memory at the
start and at the end. ``--fault`` injects one fault ``--fault-at`` seconds into the
run: SIGKILL of a worker (the parent starts a new one), the Bot API server answering 5xx or
429 for 10 s, or any command (restarting PostgreSQL or Redis). The workers' own metrics
(updates by result, Bot API calls by result) are printed beside, to show the fault.
``--burst N`` instead has N new people press /start within 10 seconds.

The bot paces itself to Telegram's 30 messages a second for the whole bot, shared by its
workers through Redis, so that limit caps every setup at 30 / (messages per update) updates
a second. ``--send-per-second N`` sets the workers' pacing (``SEND_PER_SECOND``) to N, as
for a bot Telegram has granted more, to measure what the workers themselves can handle.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.dispatch import load_questions, perturb
from bot.db.engine import create_engine
from bot.db.models import User
from dialogs.i18n import LANGUAGE_NAMES
from knowledge.model import LANGUAGES
from tests.fake_telegram import FakeTelegram, SentMessage, SimUser
from tests.fake_telegram.faults import MESSAGE_METHODS
from tests.support.bot_process import children_of, free_port, running_bot
from tests.support.telegram import onboard

ROOT = Path(__file__).resolve().parent.parent
GRACE = 30.0
# What a person sees as the answer to an update: a message, an edit of the message whose
# button they pressed, or the 👀 reaction that acknowledges a message during an open case.
REPLY_METHODS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "copyMessage",
        "sendPhoto",
        "sendDocument",
        "setMessageReaction",
    }
)


def callback_labels(message: SentMessage) -> list[str]:
    """Labels of the buttons a person can press in the chat (not links)."""
    markup = message.reply_markup or {}
    return [
        str(button["text"])
        for row in markup.get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]


@dataclass
class Arrival:
    person: int
    at: float
    kind: str = "text"  # "text" (a question typed) or "button" (a press)
    reply_at: float | None = None


@dataclass(frozen=True)
class TreeUsage:
    """A process and its children (the workers): resident memory now, CPU time so far."""

    rss: int = 0  # bytes
    cpu: float = 0.0  # seconds, user + system, of the processes alive now
    harness_cpu: float = 0.0  # seconds, this benchmark's own process


TICKS = os.sysconf("SC_CLK_TCK")


def tree_usage(pid: int) -> TreeUsage:
    """The bot's processes, and beside them this program's own CPU time so far (the local
    Bot API server and the simulated people share the machine's cores with the bot)."""
    rss, ticks = 0, 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if int(entry.name) == pid or int(stat[1]) == pid:
            ticks += int(stat[11]) + int(stat[12])  # utime, stime
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) * 1024
    return TreeUsage(rss, ticks / TICKS, time.process_time())


@dataclass
class Report:
    setup: dict[str, Any]
    arrivals: list[Arrival] = field(default_factory=list)
    start: TreeUsage = TreeUsage()
    end: TreeUsage = TreeUsage()
    webhook: dict[str, Any] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        waits = _waits(self.arrivals)
        no_reply = sum(1 for a in self.arrivals if a.reply_at is None)

        def pct(q: float, of: list[float] = waits) -> float:
            return round(1000 * of[min(len(of) - 1, int(q * len(of)))], 1) if of else float("nan")

        by_kind = {kind: _waits([a for a in self.arrivals if a.kind == kind]) for kind in ("text", "button")}

        return {
            **self.setup,
            "updates": len(self.arrivals),
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": round(1000 * waits[-1], 1) if waits else float("nan"),
            # Where the tail is: questions go through the matcher and the crisis check.
            **{f"{kind}_p50_ms": pct(0.50, of) for kind, of in by_kind.items()},
            **{f"{kind}_p99_ms": pct(0.99, of) for kind, of in by_kind.items()},
            # Handled, but nothing sent or edited (a button whose answer is only a notice).
            "no_reply": no_reply,
            "rss_start_mb": round(self.start.rss / 2**20, 1),
            "rss_end_mb": round(self.end.rss / 2**20, 1),
            # The workers' CPU time over the measured run, per update: what one update costs
            # whatever else the machine does (meaningless when a worker was killed meanwhile).
            "cpu_ms_per_update": round(1000 * (self.end.cpu - self.start.cpu) / len(self.arrivals), 1)
            if self.arrivals
            else float("nan"),
            "harness_cpu_ms_per_update": round(
                1000 * (self.end.harness_cpu - self.start.harness_cpu) / len(self.arrivals), 1
            )
            if self.arrivals
            else float("nan"),
            **self.webhook,
        }


def _waits(arrivals: list[Arrival]) -> list[float]:
    """Seconds from arrival to the first reply of the answered ones, shortest first."""
    return sorted(a.reply_at - a.at for a in arrivals if a.reply_at is not None)


async def upgrade(database_url: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "upgrade", env={**os.environ, "DATABASE_URL": database_url}
    )
    if await process.wait() != 0:
        raise SystemExit("wegweiser db upgrade failed")


async def refuse_used(database_url: str) -> None:
    """A database that an earlier run filled: its people are onboarded already (they would
    never see the language menu this run waits for) and its outbox still retries sends to
    a Bot API server that is gone. Stop at once with what to do, not after 30 s of waiting."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            people = await connection.scalar(select(func.count()).select_from(User))
    finally:
        await engine.dispose()
    if people:
        raise SystemExit(
            f"the database already has people from an earlier run ({people}): "
            "give --database-url a new, empty database for each run"
        )


@asynccontextmanager
async def bot_running(
    fake: FakeTelegram, options: argparse.Namespace, workdir: Path, group_id: int
) -> AsyncIterator[asyncio.subprocess.Process]:
    port = int(os.environ["LOAD_PORT"])
    env = {
        "WEBHOOK_URL": "https://bot.example.test",
        "WEBHOOK_SECRET": "load-test-secret",
        "WEBHOOK_PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics"),
    }
    if options.redis_url:
        env["REDIS_URL"] = options.redis_url
    if options.send_per_second:
        env["SEND_PER_SECOND"] = str(options.send_per_second)
    args = ["--webhook"] + (["--workers", str(options.workers)] if options.workers > 1 else [])
    status, body = await fake.handle(
        "setWebhook",
        {"url": f"http://127.0.0.1:{port}/telegram/webhook", "secret_token": env["WEBHOOK_SECRET"]},
    )
    if status != 200:
        raise SystemExit(f"setWebhook failed: {body}")
    async with running_bot(fake, options.database_url, group_id, workdir, *args, **env) as process:
        yield process


class Driver:
    def __init__(
        self, fake: FakeTelegram, people: list[SimUser], languages: dict[int, str], seed: int
    ) -> None:
        self.fake = fake
        self.people = people
        self.languages = languages
        self.rng = random.Random(seed)
        self.questions = load_questions(ROOT / "knowledge" / "content")
        # person → their updates not answered yet, oldest first (answers come in order).
        self.waiting: dict[int, list[Arrival]] = {}
        self.seen = len(fake.call_log)

    def idle_person(self) -> SimUser:
        idle = [p for p in self.people if p.id not in self.waiting]
        return self.rng.choice(idle or self.people)

    async def arrive(self, report: Report) -> None:
        person = self.idle_person()
        sent = self.fake.messages_to(person)
        labels = callback_labels(sent[-1]) if sent else []
        press = bool(labels) and self.rng.random() < 0.6
        arrival = Arrival(person.id, time.monotonic(), "button" if press else "text")
        self.waiting.setdefault(person.id, []).append(arrival)
        report.arrivals.append(arrival)
        if press:
            await self.fake.press(person, sent[-1], self.rng.choice(labels))
        else:
            text = perturb(self.rng.choice(self.questions[self.languages[person.id]]), self.rng)
            await self.fake.send_text(person, text)

    def collect(self) -> None:
        """An update's reply: the first message sent, edited or reacted to in the person's
        chat after the update arrived (the time its request reached the server)."""
        log = self.fake.call_log
        while self.seen < len(log):
            record = log[self.seen]
            self.seen += 1
            if record.method not in REPLY_METHODS or record.status != 200:
                continue
            chat = record.params.get("chat_id")
            if chat is None:
                continue
            pending = self.waiting.get(int(chat))
            if pending and record.at >= pending[0].at:
                pending.pop(0).reply_at = record.at
                if not pending:
                    del self.waiting[int(chat)]


async def scrape(port: int) -> dict[str, float]:
    """The workers' own account: updates by result and Bot API calls by result, summed."""
    import aiohttp

    totals: dict[str, float] = {}
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics") as response:
        page = await response.text()
    for line in page.splitlines():
        for metric, label in (
            ("wegweiser_updates_total", "result"),
            ("wegweiser_bot_api_calls_total", "result"),
        ):
            if line.startswith(metric + "{"):
                value = line.split(f'{label}="', 1)[1].split('"', 1)[0]
                kind = "updates" if metric == "wegweiser_updates_total" else "api"
                key = f"{kind}_{value}"
                totals[key] = totals.get(key, 0.0) + float(line.rsplit(" ", 1)[1])
    return totals


async def inject(fault: str, fake: FakeTelegram, process: asyncio.subprocess.Process, command: str) -> None:
    if fault == "kill":
        os.kill(children_of(process.pid)[0], signal.SIGKILL)
    elif fault == "api-5xx":
        fake.fail_for(10.0, "*", 500)
    elif fault == "api-429":
        fake.fail_for(10.0, "*", 429, retry_after=3)
    elif fault == "command":
        shell = await asyncio.create_subprocess_shell(command)
        await shell.wait()


async def measure(options: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="wegweiser-load-"))
    os.environ["LOAD_PORT"] = str(free_port())
    if not options.database_url:
        options.database_url = f"sqlite+aiosqlite:///{workdir / 'bot.db'}"
    elif options.database_url.startswith("postgresql"):
        await upgrade(options.database_url)
        await refuse_used(options.database_url)
    setup = {
        "database": options.database_url.split(":", 1)[0].split("+")[0],
        "workers": options.workers,
        "redis": bool(options.redis_url),
        "rate": options.rate,
        "seconds": options.seconds,
        "fault": f"{options.fault} at {options.fault_at:g} s" if options.fault else "none",
        "flood_limits": options.flood_limits,
    }
    report = Report(setup)
    rng = random.Random(options.seed)
    async with FakeTelegram(token="123456:LOADTEST-abcdefghij", allow_http_webhook=True) as fake:
        group = fake.add_forum_group("Beratung")
        people = [fake.add_user(f"P{i}") for i in range(options.people)]
        languages = {p.id: rng.choice(LANGUAGES) for p in people}
        if options.flood_limits:
            fake.set_flood_limits(True)
        async with bot_running(fake, options, workdir, group.id) as process:
            if options.burst:
                return await burst(fake, options, report, process)
            semaphore = asyncio.Semaphore(20)

            async def onboard_one(person: SimUser) -> None:
                async with semaphore:
                    await onboard(fake, person, LANGUAGE_NAMES[languages[person.id]])

            await asyncio.gather(*(onboard_one(p) for p in people))
            driver = Driver(fake, people, languages, options.seed)
            # Warm-up, not measured: every person asks once (models and caches load).
            for person in people:
                driver.waiting[person.id] = [Arrival(person.id, time.monotonic())]
                text = driver.rng.choice(driver.questions[languages[person.id]])
                await fake.send_text(person, text)
            warm_until = time.monotonic() + 120
            while driver.waiting and time.monotonic() < warm_until:
                await asyncio.sleep(0.1)
                driver.collect()
            driver.waiting.clear()
            report.start = tree_usage(process.pid)
            posts_before, failures_before = fake.delivery.stats.posts, fake.delivery.stats.failures
            sent_before = messages_sent(fake)
            started = time.monotonic()
            injected = False
            for n in range(int(options.rate * options.seconds)):
                due = started + n / options.rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                await driver.arrive(report)
                driver.collect()
                if options.fault and not injected and time.monotonic() - started >= options.fault_at:
                    injected = True
                    await inject(options.fault, fake, process, options.fault_command)
            deadline = time.monotonic() + GRACE
            while driver.waiting and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                driver.collect()
            # A worker answers the webhook after its replies went out: the last answers may
            # still be on their way when the last reply has arrived.
            while len(fake.updates) and time.monotonic() < deadline:  # noqa: ASYNC110 (the fake has no event for it)
                await asyncio.sleep(0.1)
            report.end = tree_usage(process.pid)
            report.webhook = {
                # Lost: updates the server never got a 2xx for (Telegram would still hold them).
                "lost": len(fake.updates),
                **await scrape(int(os.environ["LOAD_PORT"])),
                "webhook_posts": fake.delivery.stats.posts - posts_before,
                "webhook_failures": fake.delivery.stats.failures - failures_before,
                # Telegram lets a bot send about 30 messages a second in all: at this many
                # messages per update, 30 / it is the most updates a second it can answer.
                "messages_per_update": round(
                    (messages_sent(fake) - sent_before) / max(1, len(report.arrivals)), 2
                ),
                "fake_internal_errors": len(fake.internal_errors),
                **refused_calls(fake),
            }
    return report.figures()


def messages_sent(fake: FakeTelegram) -> int:
    """Messages the bot put into chats so far (the calls Telegram's flood limits count)."""
    return sum(n for method, n in fake.stats.requests.items() if method in MESSAGE_METHODS)


def refused_calls(fake: FakeTelegram) -> dict[str, int]:
    """Bot API calls the server refused (4xx but 429), by method and Telegram's reason: a
    count alone says something went wrong, the reason says what."""
    refused = Counter(
        f"refused {r.method}: {r.description}"
        for r in fake.call_log
        if 400 <= r.status < 500 and r.status != 429
    )
    return dict(sorted(refused.items()))


async def all_answered(fake: FakeTelegram, people: list[SimUser]) -> None:
    for person in people:
        await fake.wait_for_message(person, timeout=GRACE)


async def burst(
    fake: FakeTelegram, options: argparse.Namespace, report: Report, process: asyncio.subprocess.Process
) -> dict[str, Any]:
    """``--burst N``: N people press /start within 10 seconds (Telegram's limits on at the
    server with --flood-limits); all must be answered once, the last within 15 s."""
    newcomers = [fake.add_user(f"New{i}") for i in range(options.burst)]
    report.start = tree_usage(process.pid)
    started = time.monotonic()
    for n, person in enumerate(newcomers):
        await asyncio.sleep(max(0.0, started + n * 10.0 / options.burst - time.monotonic()))
        report.arrivals.append(Arrival(person.id, time.monotonic()))
        await fake.send_command(person, "/start")
    with contextlib.suppress(TimeoutError, AssertionError):  # the fake's WaitTimeout
        await asyncio.wait_for(all_answered(fake, newcomers), GRACE)
    await asyncio.sleep(2.0)  # a second answer to one /start would show by now
    for arrival in report.arrivals:
        sent = fake.messages_to(arrival.person)
        arrival.reply_at = sent[0].at if sent else None
    answered = [a.reply_at for a in report.arrivals if a.reply_at is not None]
    report.end = tree_usage(process.pid)
    report.webhook = {
        "last_answer_after_s": round(max(answered) - started, 2) if answered else float("nan"),
        "answered_more_than_once": sum(1 for p in newcomers if len(fake.messages_to(p)) > 1),
        "flood_429_served": fake.stats.flood_429,
        "lost": len(fake.updates),
        **await scrape(int(os.environ["LOAD_PORT"])),
    }
    return report.figures()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rate", type=float, default=30.0, help="updates a second, open-loop (30)")
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the run (300)")
    parser.add_argument("--workers", type=int, default=1, help="webhook worker processes (1)")
    parser.add_argument("--people", type=int, default=300, help="simulated people (300)")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument(
        "--redis-url", default="", help="REDIS_URL for the workers (needed for --workers > 1)"
    )
    parser.add_argument(
        "--fault",
        choices=("kill", "api-5xx", "api-429", "command"),
        help="kill: SIGKILL one worker (needs --workers > 1); api-5xx / api-429: the Bot API server "
        "answers every call with 500 / 429 (retry_after 3) for 10 s; command: run --fault-command",
    )
    parser.add_argument("--fault-at", type=float, default=60.0, help="seconds into the run (60)")
    parser.add_argument("--fault-command", default="", help='e.g. "pg_ctlcluster 15 main restart"')
    parser.add_argument("--flood-limits", action="store_true", help="Telegram's flood limits at the server")
    parser.add_argument(
        "--send-per-second", type=int, default=0, help="the workers' overall pacing (default: 30, Telegram's)"
    )
    parser.add_argument("--burst", type=int, default=0, help="instead: N new people press /start within 10 s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    options = parser.parse_args(argv)
    if options.fault == "kill" and options.workers < 2:
        parser.error("--fault kill needs --workers 2 or more (a parent to start the next worker)")
    if options.fault == "command" and not options.fault_command:
        parser.error("--fault command needs --fault-command")
    if options.workers > 1 and not (options.redis_url and options.database_url.startswith("postgresql")):
        parser.error("--workers > 1 needs --database-url postgresql+asyncpg://… and --redis-url")
    figures = asyncio.run(measure(options))
    if options.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>22}  {value}")
    return 1 if figures.get("lost") else 0


if __name__ == "__main__":
    raise SystemExit(main())
