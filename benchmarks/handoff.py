"""Load figure for the handoff: many young people open cases at once while advisors reply.

    python -m benchmarks.handoff [--people N] [--advisors A] [--group-per-minute G]
                                  [--database-url URL] [--eager] [--settle S] [--timeout T]
                                  [--workdir DIR] [--json]

``wegweiser run`` runs as a real process (``tests.support.bot_process.running_bot``) against the
local Bot API server (``tests.fake_telegram``) with Telegram's flood limits switched on: about
30 messages a second overall, about one a second per private chat (a burst of five tolerated)
and 20 a minute per group. ``--group-per-minute`` changes the fake's group limit and the bot's
own pacing (``SEND_PER_GROUP_PER_MINUTE``, applied by ``FloodControl`` in
``bot/telegram/limits.py``) alike; both are reported.

The advisors' chat is a forum group with A advisors (registered with ``python -m bot advisors
add`` against the same database), office hours all week so that cases are announced at once.
N simulated young people (their Telegram languages mixed over the eight the bot speaks) each go
through /start, the language menu and the privacy notice. Then, all at once, each presses
"🙋" in the main menu, waits for the bot's confirmation (as a person would; ``--eager`` writes
without waiting) and writes one message carrying a unique marker. Whenever a marker shows up in
a case's topic, the advisor whose turn it is answers once in that topic with a unique reply
marker. The topic is found by its card (the message with "#<case number>") and the case is
mapped to its person by the relayed marker.

Measured: the time from the burst until the last person's message is in its topic, until the
last advisor reply is with its person, the whole wall time, the 429s the server answered, the
topics created. Checked, after a settling time (``--settle``) for late duplicates: every
person's marker is in the group exactly once (in the topic whose card belongs to that case),
every reply marker is in the right person's chat exactly once and nowhere else, one topic and
one card per case, nothing stuck or failed in the outbox, no error in ``bot.log``. Any problem
is listed and the command exits with status 1.

SQLite in a temporary folder by default. ``--database-url`` takes a scratch PostgreSQL
database; ``python -m bot db upgrade`` is run on it first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.db.models import Case, OutboxItem
from bot.telegram.limits import PRIVATE_BURST, FloodControl
from dialogs.i18n import LANGUAGE_NAMES
from knowledge.model import LANGUAGES
from tests.fake_telegram import FakeTelegram, FloodLimits, SentMessage, SimChat, SimUser, WaitTimeout
from tests.support.bot_process import ROOT, bot_log, running_bot
from tests.support.telegram import press, rows

TOKEN = "123456:BENCHTOKEN-abcdefghij"
ADVISOR_NAMES = ("Anna", "Max", "Leyla", "Jonas", "Olena")
FIRST_NAMES = ("Amina", "Olena", "Reza", "Jonas", "Mehmet", "Tereza", "Dmytro", "Sara", "Ali", "Lena")
CASE_NUMBER = re.compile(r"#(\d+)")


# ---------------------------------------------------------------------- the people


@dataclass
class Person:
    index: int
    user: SimUser
    language: str
    marker: str
    reply_marker: str
    menu: SentMessage | None = None
    pressed_at: float | None = None
    sent_at: float | None = None  # their marker message was written
    arrived_at: float | None = None  # the marker reached its topic
    thread_id: int | None = None
    replied_at: float | None = None  # the advisor wrote the reply marker
    reply_arrived_at: float | None = None  # the reply reached the person
    advisor: str = ""


@dataclass
class Observed:
    """What the bot put where, read off the server as it happens."""

    marker_count: Counter[str] = field(default_factory=Counter)  # person marker -> times in the group
    marker_threads: defaultdict[str, set[int | None]] = field(default_factory=lambda: defaultdict(set))
    reply_count: Counter[str] = field(default_factory=Counter)  # reply marker -> times in its person's chat
    misplaced: list[str] = field(default_factory=list)
    thread_people: defaultdict[int | None, set[int]] = field(default_factory=lambda: defaultdict(set))
    cards: defaultdict[int | None, list[int]] = field(default_factory=lambda: defaultdict(list))
    group_kinds: Counter[str] = field(default_factory=Counter)
    private_kinds: Counter[str] = field(default_factory=Counter)
    taken_notices: Counter[int] = field(default_factory=Counter)  # person index -> "💬" notices
    cards_without_mention: int = 0  # the card names no advisor (they were not pinged with it)
    last_card_at: float | None = None


def classify_group(message: SentMessage, has_marker: bool) -> str:
    text = message.plain
    if has_marker:
        return "relayed person message"
    for mark, name in (
        ("⏰", "⏰ waiting announcement"),
        ("🔔", "🔔 reminder"),
        ("🔄", "🔄 reopened"),
        ("🚨", "🚨 urgent"),
        ("↪️", "↪️ canned echo"),
    ):
        if text.startswith(mark):
            return name
    if message.method == "sendMessage" and CASE_NUMBER.search(text) and message.reply_markup:
        return "card"
    return "other"


class Watcher:
    """Scans every message the bot sends; answers as an advisor when a person's marker arrives."""

    def __init__(
        self,
        fake: FakeTelegram,
        group: SimChat,
        people: list[Person],
        advisors: list[tuple[SimUser, str]],
        run_id: str,
    ) -> None:
        self.fake, self.group, self.people, self.advisors = fake, group, people, advisors
        self.by_chat = {p.user.id: p for p in people}
        self.person_marker = re.compile(rf"P-{run_id}-(\d{{4}})")
        self.reply_marker = re.compile(rf"R-{run_id}-(\d{{4}})")
        self.seen = Observed()
        self._cursor = 0
        self._turn = 0
        self.replies: list[asyncio.Task[None]] = []

    def scan(self) -> None:
        sent = self.fake.sent
        now = time.monotonic()
        while self._cursor < len(sent):
            message = sent[self._cursor]
            self._cursor += 1
            if message.chat_id == self.group.id:
                self._group_message(message, now)
            else:
                self._private_message(message, now)

    def _group_message(self, message: SentMessage, now: float) -> None:
        seen = self.seen
        found = self.person_marker.findall(message.plain)
        kind = classify_group(message, bool(found))
        seen.group_kinds[kind] += 1
        if kind == "card":
            seen.cards[message.thread_id].append(int(CASE_NUMBER.search(message.plain).group(1)))  # type: ignore[union-attr]
            seen.last_card_at = now
            if not any(name in message.plain for _advisor, name in self.advisors):
                seen.cards_without_mention += 1
        for number in found:
            person = self.people[int(number)]
            seen.marker_count[person.marker] += 1
            seen.marker_threads[person.marker].add(message.thread_id)
            seen.thread_people[message.thread_id].add(person.index)
            if person.arrived_at is None:
                person.arrived_at = now
                person.thread_id = message.thread_id
                self.replies.append(asyncio.ensure_future(self._advisor_replies(person)))
        for number in self.reply_marker.findall(message.plain):
            seen.misplaced.append(f"reply marker R-{number} appeared in the advisors' group")

    def _private_message(self, message: SentMessage, now: float) -> None:
        seen = self.seen
        person = self.by_chat.get(message.chat_id)
        if person is None:
            seen.private_kinds["to someone else"] += 1
            return
        replies = self.reply_marker.findall(message.plain)
        for number in replies:
            owner = self.people[int(number)]
            if owner is not person:
                seen.misplaced.append(
                    f"reply for person {owner.index} arrived in the chat of person {person.index}"
                )
                continue
            seen.reply_count[person.reply_marker] += 1
            if person.reply_arrived_at is None:
                person.reply_arrived_at = now
        for number in self.person_marker.findall(message.plain):
            seen.misplaced.append(f"person marker P-{number} came back to a private chat")
        if replies:
            seen.private_kinds["relayed advisor reply"] += 1
        elif message.plain.startswith("💬"):
            seen.private_kinds["💬 taken notice"] += 1
            seen.taken_notices[person.index] += 1
        else:
            seen.private_kinds["other (dialog)"] += 1

    async def _advisor_replies(self, person: Person) -> None:
        advisor, name = self.advisors[self._turn % len(self.advisors)]
        self._turn += 1
        person.advisor = name
        person.replied_at = time.monotonic()
        await self.fake.send_text(
            advisor,
            f"{person.reply_marker} Hallo, ich kümmere mich um deine Frage.",
            chat=self.group,
            thread_id=person.thread_id,
        )

    async def run(self, stop: asyncio.Event, every: float = 0.05) -> None:
        while not stop.is_set():
            self.scan()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
        self.scan()


# ---------------------------------------------------------------------- setup


async def run_cli(url: str, workdir: Path, *args: str) -> None:
    """``python -m bot ARGS`` against the benchmark's database (as tests/test_handoff_e2e.add_advisor)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=workdir,
        env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"python -m bot {' '.join(args)} failed:\n{output.decode(errors='replace')}")


async def onboard(fake: FakeTelegram, user: SimUser, language: str, timeout: float) -> SentMessage:  # noqa: ASYNC109
    """tests.support.telegram.onboard with a timeout that suits a loaded server."""
    await fake.send_command(user, "/start")
    choose = await fake.wait_for_message(user, timeout=timeout)
    await press(fake, user, choose, language)
    notice = await fake.wait_for_message(user, contains="🔒", timeout=timeout)
    await press(fake, user, notice, "✅")
    return await fake.wait_for_message(user, timeout=timeout)


def make_people(fake: FakeTelegram, count: int, run_id: str) -> list[Person]:
    people = []
    for index in range(count):
        language = LANGUAGES[index % len(LANGUAGES)]
        # Most phones tell the bot their language; some are set to another one, some to none.
        code: str | None = language
        if index % 7 == 3:
            code = "en"
        elif index % 11 == 5:
            code = None
        user = fake.add_user(f"{FIRST_NAMES[index % len(FIRST_NAMES)]}{index}", language_code=code)
        people.append(
            Person(
                index=index,
                user=user,
                language=language,
                marker=f"P-{run_id}-{index:04d}",
                reply_marker=f"R-{run_id}-{index:04d}",
            )
        )
    return people


def advisor_languages(count: int) -> list[str]:
    groups: list[list[str]] = [[] for _ in range(count)]
    for position, language in enumerate(LANGUAGES):
        groups[position % count].append(language)
    return [",".join(g) for g in groups]


# ---------------------------------------------------------------------- figures


def seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def spread(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": seconds(statistics.median(ordered)), "p95": seconds(p95), "max": seconds(ordered[-1])}


EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout)): ")


def log_findings(log: str) -> dict[str, Any]:
    lines = log.splitlines()
    errors = [line for line in lines if " ERROR " in line or " CRITICAL " in line]
    exceptions = Counter(m.group(1) for line in lines if (m := EXCEPTION_LINE.match(line)))
    return {
        "lines": len(lines),
        "errors": len(errors),
        "failed_updates": sum("Cause exception while process update" in line for line in lines),
        "exceptions": dict(exceptions),
        "first_errors": errors[:5],
        "flood_warnings": sum("flood limit" in line for line in lines),
        "outbox_retries": sum("outbox item" in line and "attempt" in line for line in lines),
    }


def bot_pacing(group_per_minute: int) -> dict[str, float]:
    control = FloodControl(group_per_minute=group_per_minute)
    return {
        "overall_per_second": control.overall.limit,
        "private_per_second": control.private,
        "private_burst": PRIVATE_BURST,
        "group_per_minute": control.groups[-1].limit,
        "max_inline_wait_s": control.max_inline_wait,
    }


# ---------------------------------------------------------------------- the run


async def bench(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    started = time.monotonic()
    run_id = secrets.token_hex(3)
    workdir = Path(args.workdir)
    url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    limits = FloodLimits(group_per_minute=args.group_per_minute)
    problems: list[str] = []

    def progress(text: str) -> None:
        if not args.quiet:
            print(f"[{time.monotonic() - started:7.1f}s] {text}", file=sys.stderr, flush=True)

    async with FakeTelegram(token=TOKEN, flood_limits=limits) as fake:
        advisors = [fake.add_user(name) for name in ADVISOR_NAMES[: args.advisors]]
        group = fake.add_forum_group("Beratung", members=advisors)
        people = make_people(fake, args.people, run_id)

        if args.database_url:
            await run_cli(url, workdir, "db", "upgrade")
        for advisor, languages in zip(advisors, advisor_languages(len(advisors)), strict=True):
            await run_cli(
                url, workdir, "advisors", "add", str(advisor.id), "--name", advisor.first_name,
                "--languages", languages,
            )  # fmt: skip
        progress(f"work dir {workdir}, database {url.split('@')[-1]}")

        always_open = {
            "OFFICE_HOURS": "mon-sun 00:00-23:59",
            "PUBLIC_HOLIDAYS": "false",
            "SEND_PER_GROUP_PER_MINUTE": str(args.group_per_minute),
        }
        stop = asyncio.Event()
        watcher = Watcher(fake, group, people, [(a, a.first_name) for a in advisors], run_id)
        timings: dict[str, float | None] = {}
        async with running_bot(fake, url, group.id, workdir, **always_open):
            # 1. Everybody gets to the main menu (not measured; at most C at once).
            gate = asyncio.Semaphore(args.onboard_concurrency)

            async def arrive(person: Person) -> None:
                async with gate:
                    for attempt in range(1, 4):  # not measured: a person who got no answer starts again
                        try:
                            person.menu = await onboard(
                                fake, person.user, LANGUAGE_NAMES[person.language], args.step_timeout
                            )
                            return
                        except (WaitTimeout, AssertionError) as exc:
                            onboarding_trouble.append(
                                f"person {person.index}: onboarding attempt {attempt} failed: "
                                + str(exc).splitlines()[0]
                            )

            onboarding = time.monotonic()
            onboarding_trouble: list[str] = []
            await asyncio.gather(*(arrive(p) for p in people))
            timings["onboarding_s"] = time.monotonic() - onboarding
            dropped = [p for p in people if p.menu is None]
            problems.extend(f"person {p.index} never reached the main menu; left out" for p in dropped)
            people = [p for p in people if p.menu is not None]
            progress(
                f"{len(people)} people onboarded in {timings['onboarding_s']:.1f}s"
                + (f" ({len(onboarding_trouble)} failed attempts)" if onboarding_trouble else "")
            )
            fake.clear_records()  # only the burst counts from here on
            before_429 = fake.stats.served_429
            before_flood = fake.stats.flood_429
            before_requests = Counter(fake.stats.requests)
            watching = asyncio.ensure_future(watcher.run(stop))

            # 2. The burst: all press "🙋" and write their message at once.
            async def open_case(person: Person) -> None:
                assert person.menu is not None
                person.pressed_at = time.monotonic()
                await press(fake, person.user, person.menu, "🙋")
                if not args.eager:
                    try:
                        await fake.wait_for_message(person.user, timeout=args.confirm_timeout)
                    except WaitTimeout:
                        # They write anyway, as a person would; whether it gets through is checked.
                        problems.append(
                            f"person {person.index}: no answer to '🙋' within {args.confirm_timeout:.0f}s"
                        )
                person.sent_at = time.monotonic()
                await fake.send_text(
                    person.user, f"{person.marker} Ich habe eine Frage zu meiner Ausbildung."
                )

            burst = time.monotonic()
            await asyncio.gather(*(open_case(p) for p in people))
            timings["burst_written_s"] = time.monotonic() - burst
            progress(f"burst written in {timings['burst_written_s']:.1f}s")

            # 3. Wait until every marker and every reply has arrived (advisors answer as they come).
            deadline = burst + args.timeout
            last_report = 0.0
            last_count, last_change = len(fake.sent), time.monotonic()
            while time.monotonic() < deadline:
                arrived = sum(p.arrived_at is not None for p in people)
                answered = sum(p.reply_arrived_at is not None for p in people)
                if arrived == answered == len(people):
                    break
                if len(fake.sent) != last_count:
                    last_count, last_change = len(fake.sent), time.monotonic()
                elif time.monotonic() - last_change > args.stall:
                    problems.append(
                        f"gave up waiting: the bot sent nothing for {args.stall:.0f}s "
                        f"({arrived} messages in topics, {answered} replies of {len(people)})"
                    )
                    break
                if time.monotonic() - last_report >= args.progress_every:
                    last_report = time.monotonic()
                    progress(
                        f"cards {watcher.seen.group_kinds['card']}/{len(people)}, "
                        f"in topics {arrived}/{len(people)}, replies {answered}/{len(people)}, "
                        f"group msgs {sum(watcher.seen.group_kinds.values())}, "
                        f"429s {fake.stats.served_429 - before_429}"
                    )
                await asyncio.sleep(0.2)
            else:
                problems.append(f"timed out after {args.timeout:.0f}s after the burst")
            done = time.monotonic()
            progress(
                f"waited {done - burst:.1f}s after the burst; settling {args.settle:.0f}s for duplicates"
            )
            await asyncio.sleep(args.settle)
            stop.set()
            await watching
            await asyncio.gather(*watcher.replies)
        total = time.monotonic() - started

        # ------------------------------------------------------------ what the server saw
        seen = watcher.seen
        topics_ok = sum(1 for r in fake.call_log if r.method == "createForumTopic" and r.status == 200)
        topics_failed = sum(1 for r in fake.call_log if r.method == "createForumTopic" and r.status != 200)
        live_topics = len(group.live_topics()) if hasattr(group, "live_topics") else None
        served_429 = fake.stats.served_429 - before_429
        served_429_total = fake.stats.served_429
        flood_429 = fake.stats.flood_429 - before_flood
        requests = dict(Counter(fake.stats.requests) - before_requests)
        internal = [repr(e) for e in fake.internal_errors]

    # ---------------------------------------------------------------- checks
    for person in people:
        count = seen.marker_count[person.marker]
        if count != 1:
            problems.append(f"person {person.index} ({person.marker}): in the group {count}x, expected once")
        threads = seen.marker_threads[person.marker]
        if len(threads) > 1:
            problems.append(f"person {person.index}: marker in several topics {sorted(map(str, threads))}")
        if person.thread_id is not None and person.thread_id not in seen.cards:
            problems.append(f"person {person.index}: marker in topic {person.thread_id}, which has no card")
        replies = seen.reply_count[person.reply_marker]
        if person.arrived_at is not None and replies != 1:
            problems.append(f"person {person.index}: advisor reply arrived {replies}x, expected once")
        if person.arrived_at is None:
            problems.append(f"person {person.index}: marker never reached the group (lost)")
        if person.reply_arrived_at is not None and seen.taken_notices[person.index] != 1:
            problems.append(
                f"person {person.index}: {seen.taken_notices[person.index]} 'taken' notices, expected 1"
            )
    for thread, owners in seen.thread_people.items():
        if len(owners) > 1:
            problems.append(f"topic {thread} got the messages of several people: {sorted(owners)}")
    for thread, numbers in seen.cards.items():
        if len(numbers) > 1:
            problems.append(f"topic {thread} has {len(numbers)} cards {numbers}")
    case_numbers = [n for numbers in seen.cards.values() for n in numbers]
    if len(set(case_numbers)) != len(case_numbers):
        duplicated = sorted(n for n, c in Counter(case_numbers).items() if c > 1)
        problems.append(f"cards for the same case in several topics: {duplicated}")
    if topics_ok != len(people):
        problems.append(f"{topics_ok} topics created for {len(people)} people")
    problems.extend(seen.misplaced)
    problems.extend(f"fake server error: {e}" for e in internal)

    cases = await rows(url, Case)
    outbox = await rows(url, OutboxItem)
    outbox_status = Counter(f"{i.status}:{i.action}" for i in outbox)
    failed = [i for i in outbox if i.status == "failed"]
    for item in failed[:10]:
        problems.append(
            f"outbox item {item.id} ({item.action}, case {item.case_id}) failed: {item.last_error}"
        )
    if len(failed) > 10:
        problems.append(f"... and {len(failed) - 10} more failed outbox items")
    if len(cases) != len(people):
        problems.append(f"{len(cases)} cases in the database for {len(people)} people")
    log = log_findings(bot_log(workdir))
    if log["failed_updates"]:
        problems.append(
            f"bot.log: {log['failed_updates']} updates failed in the bot and were dropped: "
            f"{log['exceptions']}"
        )
    if log["errors"] > log["failed_updates"]:
        problems.append(f"bot.log has {log['errors']} error lines, first: {log['first_errors'][:1]}")

    # ---------------------------------------------------------------- figures
    arrivals = [p.arrived_at for p in people if p.arrived_at is not None]
    reply_arrivals = [p.reply_arrived_at for p in people if p.reply_arrived_at is not None]
    result: dict[str, Any] = {
        "people": len(people),
        "people_requested": args.people,
        "advisors": len(advisors),
        "database": "postgresql" if args.database_url else "sqlite",
        "eager": args.eager,
        "server_limits": asdict(limits),
        "bot_pacing": bot_pacing(args.group_per_minute),
        "times_s": {
            "onboarding": seconds(timings["onboarding_s"]),
            "burst_written": seconds(timings["burst_written_s"]),
            "last_card": seconds(seen.last_card_at - burst) if seen.last_card_at else None,
            "last_person_message_in_topic": seconds(max(arrivals) - burst) if arrivals else None,
            "last_reply_at_person": seconds(max(reply_arrivals) - burst) if reply_arrivals else None,
            "all_arrived": seconds(done - burst),
            "total_wall": seconds(total),
        },
        "latency_s": {
            "person_to_topic": spread(
                [p.arrived_at - p.sent_at for p in people if p.arrived_at and p.sent_at]
            ),
            "advisor_to_person": spread(
                [p.reply_arrived_at - p.replied_at for p in people if p.reply_arrived_at and p.replied_at]
            ),
        },
        "http_429": {"served": served_429, "by_flood_limits": flood_429, "incl_onboarding": served_429_total},
        "topics_created": topics_ok,
        "topic_creation_failures": topics_failed,
        "live_topics": live_topics,
        "cases_in_db": len(cases),
        "group_messages": dict(seen.group_kinds),
        "cards_without_mention": seen.cards_without_mention,
        "private_messages_after_burst": dict(seen.private_kinds),
        "requests_after_burst": requests,
        "outbox_at_end": dict(sorted(outbox_status.items())),
        "bot_log": log,
        "exactly_once": not problems,
        "problems": problems,
        "workdir": str(workdir),
    }
    return result, problems


def summary(result: dict[str, Any]) -> str:
    t, lat, server, pacing = (result[k] for k in ("times_s", "latency_s", "server_limits", "bot_pacing"))
    into, back = lat["person_to_topic"], lat["advisor_to_person"]
    limits = (
        f"  server limits: {server['global_per_second']}/s overall, {server['private_per_second']}/s per "
        f"private chat (burst {server['private_burst']}), {server['group_per_minute']}/min per group; "
        f"bot paces at {pacing['group_per_minute']}/min per group"
    )
    http, log = result["http_429"], result["bot_log"]
    lines = [
        f"handoff load: {result['people']} people, {result['advisors']} advisors, {result['database']}"
        + (", eager (no wait for the confirmation)" if result["eager"] else ""),
        limits,
        f"  onboarding {t['onboarding']}s (not measured), burst written in {t['burst_written']}s",
        f"  from the burst: last card {t['last_card']}s, "
        f"last person message in its topic {t['last_person_message_in_topic']}s, "
        f"last advisor reply at its person {t['last_reply_at_person']}s",
        f"  latency p50/p95/max: person->topic {into['p50']}/{into['p95']}/{into['max']}s; "
        f"advisor->person {back['p50']}/{back['p95']}/{back['max']}s",
        f"  total wall time {t['total_wall']}s; 429s served after the burst {http['served']} "
        f"(flood limits {http['by_flood_limits']}), {http['incl_onboarding']} incl. onboarding",
        f"  topics created {result['topics_created']} (expected {result['people']}), "
        f"cases {result['cases_in_db']}",
        f"  group messages: {result['group_messages']}",
        f"  cards naming no advisor: {result['cards_without_mention']}",
        f"  outbox at the end: {result['outbox_at_end']}",
        f"  bot.log: {log['errors']} errors ({log['failed_updates']} failed updates), "
        f"{log['flood_warnings']} flood-limit retries, "
        f"{log['outbox_retries']} outbox retries",
        f"  exactly once: {'yes' if result['exactly_once'] else 'NO'}",
    ]
    lines += [f"    - {p}" for p in result["problems"][:40]]
    if len(result["problems"]) > 40:
        lines.append(f"    ... {len(result['problems']) - 40} more")
    lines.append(f"  work dir (bot.log, database): {result['workdir']}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.handoff", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--people", type=int, default=200, help="young people opening cases at once")
    parser.add_argument("--advisors", type=int, default=3, choices=range(1, len(ADVISOR_NAMES) + 1))
    parser.add_argument(
        "--group-per-minute",
        type=int,
        default=20,
        help="the group limit of the server and of the bot (Telegram: 20)",
    )
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (default: SQLite)")
    parser.add_argument("--eager", action="store_true", help="write right after pressing, no waiting")
    parser.add_argument("--onboard-concurrency", type=int, default=25)
    parser.add_argument("--step-timeout", type=float, default=120.0, help="per onboarding step, seconds")
    parser.add_argument(
        "--confirm-timeout", type=float, default=60.0, help="seconds a person waits for the answer to 🙋"
    )
    parser.add_argument(
        "--stall", type=float, default=150.0, help="give up when the bot sends nothing for this long"
    )
    parser.add_argument("--timeout", type=float, help="after the burst, seconds (default from the limits)")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to watch for late duplicates")
    parser.add_argument("--progress-every", type=float, default=30.0)
    parser.add_argument("--workdir", help="where bot.log and the SQLite database go (default: a temp dir)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.timeout is None:
        # Two group messages per case (card, relayed message) at the slower of both group limits.
        per_minute = args.group_per_minute
        args.timeout = max(600.0, 2 * 2 * args.people / per_minute * 60 + 300)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    else:
        args.workdir = tempfile.mkdtemp(prefix="bench_handoff_")
    result, problems = asyncio.run(bench(args))
    print(json.dumps(result, ensure_ascii=False, indent=None) if args.json else summary(result))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
