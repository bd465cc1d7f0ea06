"""Throughput of the Telegram side: our dispatcher and services beside a bare aiogram echo.

    python -m benchmarks.dispatch [--updates N] [--users U] [--concurrency C] [--json] [--database-url URL]
                        [--fsm sql|memory] [--flood-control] [--seed S] [--profile FILE] [--keep-going]

The application is assembled as ``wegweiser run`` assembles it (``build_app``, the same
dispatcher, middlewares, routers, FSM storage in the database); only Telegram is replaced,
at the HTTP session: ``FakeSession`` serialises every request as the aiohttp session does
and answers with the JSON Telegram would send, parsed by aiogram's own response check.

Each simulated young person runs one conversation, one update at a time (a person waits for
the answer), while up to C updates of different people are handled at once, as the polling
loop does. A person starts with /start, presses the language and the consent buttons the bot
sent, then presses menu buttons (topics, answers, back to the menu; about 60%) or writes a
question from the FAQ in one of the eight languages with a typo or two (about 40%). The same
updates are then fed, with the same concurrency, to a bare aiogram dispatcher whose only
handlers echo the text and answer the button: the floor any aiogram bot stands on; and once
more to that echo behind our ``UnitOfWork`` middleware (one committed insert per update), the
floor of any bot that remembers the updates it handled.

Reported for each: updates per second and the per-update handling time (parse + dispatch,
p50/p99, ms); the ratio ours/echo (the project's target is at least 0.4) and ours/echo+uow;
for ours also the times per kind of update, the database statements and connections per
update and the outbox items the handoffs queued (the outbox worker runs as in the bot).
Start-up (``build_app``) and a warm-up (first questions in every language) are timed apart
and left out. An update that raises, is not handled or makes no Telegram call is counted and
shown, and makes the command exit with status 1; when that happens in the warm-up already,
nothing is measured unless ``--keep-going``.

The database defaults to a temporary SQLite file. ``--database-url`` takes a scratch
database (PostgreSQL is migrated first; people and statistics are written to it).
``--flood-control`` adds the running bot's pacing (about 30 messages a second), which then
measures Telegram's limit rather than us; ``--fsm memory`` keeps aiogram's FSM data in memory
to show what the database storage costs. Speed targets are checked here, never in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import cProfile
import datetime as dt
import html
import json
import logging
import math
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, Message, Update
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app
from bot.config import Settings, load_settings
from bot.db import migrate
from bot.db.engine import create_engine
from bot.db.models import OutboxItem, utcnow
from bot.handoff.outbox import OutboxWorker
from bot.handoff.service import HandoffService
from bot.telegram.limits import FloodControl
from bot.telegram.middlewares import UnitOfWork
from bot.telegram.runner import create_dispatcher
from knowledge.model import LANGUAGES

TOKEN = "123456:BENCHTOKEN_abcdefghijkl"
ADVISOR_CHAT_ID = -100123
TARGET_RATIO = 0.4
MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
MENU_SHARE = 0.6
# Updates per person in the warm-up: /start, language, consent and three more.
WARM_UP_STEPS = 6
# How long the outbox worker may take to deliver what the measured run queued.
OUTBOX_DRAIN_SECONDS = 30.0
# The database floor replays the run's updates under ids this much higher.
FLOOR_ID_SHIFT = 10**12
# The measured sides of a report and their labels.
SIDES = {"ours": "ours", "echo_unit_of_work": "echo+uow", "echo": "echo"}
# Button kinds a browsing person presses; advisor requests, ratings and privacy stay out of the mix.
BROWSING = ("topic", "a", "menu")

# The update being handled, so the fake session can count the Telegram calls it caused.
CURRENT_UPDATE: contextvars.ContextVar[int | None] = contextvars.ContextVar("bench_update", default=None)

_TAG = re.compile(r"<[^>]+>")
PROJECT = Path(__file__).resolve().parent.parent


class UnsupportedMethodError(Exception):
    """The fake session was asked for a method it does not answer; the benchmark must say so."""


class WarmUpFailedError(Exception):
    """Updates failed before measuring: the figures would be meaningless, so none are taken."""

    def __init__(self, warm: dict[str, Any], tracebacks: list[str], timings: dict[str, float]) -> None:
        super().__init__("updates failed in the warm-up")
        self.warm = warm
        self.tracebacks = tracebacks
        self.timings = timings


# --------------------------------------------------------------------------- Telegram, faked


class FakeSession(BaseSession):
    """Telegram at the HTTP session: real serialisation and parsing, no network.

    Every request is turned into form fields exactly as ``AiohttpSession.build_form_data``
    does, answered with the JSON Telegram sends (or its 400 for an empty or too long text and
    oversized button data), and that JSON goes through ``BaseSession.check_response``, so
    handlers get the same objects (and the same exceptions) as against Telegram.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.calls_per_update: Counter[int] = Counter()
        self.failures: Counter[str] = Counter()
        # The last message with an inline keyboard the bot sent to each chat, as Telegram's JSON.
        self.last_keyboard: dict[int, dict[str, Any]] = {}
        self._message_ids: defaultdict[int, int] = defaultdict(int)
        self._bot_user: dict[str, Any] | None = None

    def next_message_id(self, chat_id: int) -> int:
        """Message ids count up per chat, shared by the person's and the bot's messages."""
        self._message_ids[chat_id] += 1
        return self._message_ids[chat_id]

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (the signature is BaseSession's)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    def form(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
        """The request's fields as ``AiohttpSession.build_form_data`` would post them."""
        fields: dict[str, Any] = {}
        files: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                fields[key] = prepared
        return fields

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        name = method.__api_method__
        self.calls[name] += 1
        current = CURRENT_UPDATE.get()
        if current is not None:
            self.calls_per_update[current] += 1
        fields = self.form(bot, method)
        status, body = self._respond(bot, method, fields)
        if status != 200:
            self.failures[name] += 1
        response = self.check_response(bot=bot, method=method, status_code=status, content=body)
        return cast(TelegramType, response.result)

    # What Telegram answers, as JSON text.

    def _respond(self, bot: Bot, method: TelegramMethod[Any], fields: dict[str, Any]) -> tuple[int, str]:
        name = method.__api_method__
        if name == "sendMessage":
            chat_id = int(fields["chat_id"])
            return self._message(bot, fields, chat_id, self.next_message_id(chat_id))
        if name == "editMessageText" and "chat_id" in fields:
            return self._message(bot, fields, int(fields["chat_id"]), int(fields["message_id"]))
        if name == "copyMessage":
            return self._ok({"message_id": self.next_message_id(int(fields["chat_id"]))})
        if name == "createForumTopic":
            thread_id = self.next_message_id(int(fields["chat_id"]))
            return self._ok({"message_thread_id": thread_id, "name": fields["name"], "icon_color": 7322096})
        if name == "getMe":
            return self._ok(self._me(bot))
        if method.__returning__ is bool:  # answerCallbackQuery, sendChatAction, editForumTopic, ...
            return self._ok(True)
        raise UnsupportedMethodError(f"the benchmark's fake Telegram does not answer {name}")

    def _ok(self, result: Any) -> tuple[int, str]:
        return 200, self.json_dumps({"ok": True, "result": result})

    def _bad_request(self, description: str) -> tuple[int, str]:
        body = {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
        return 400, self.json_dumps(body)

    def _me(self, bot: Bot) -> dict[str, Any]:
        if self._bot_user is None:
            self._bot_user = {
                "id": bot.id,
                "is_bot": True,
                "first_name": "Wegweiser",
                "username": "bench_bot",
            }
        return self._bot_user

    def _message(self, bot: Bot, fields: dict[str, Any], chat_id: int, message_id: int) -> tuple[int, str]:
        """A sent or edited text message as Telegram returns it."""
        raw_text = str(fields.get("text", ""))
        # Telegram parses the markup and sends back plain text (with entities, left out here).
        text = html.unescape(_TAG.sub("", raw_text)) if fields.get("parse_mode") == "HTML" else raw_text
        if not text.strip():
            return self._bad_request("message text is empty")
        if len(text) > MAX_TEXT:
            return self._bad_request("message is too long")
        chat: dict[str, Any] = (
            {"id": chat_id, "type": "private", "first_name": "Bench"}
            if chat_id > 0
            else {"id": chat_id, "type": "supergroup", "title": "Advisors", "is_forum": True}
        )
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self._me(bot),
            "text": text,
        }
        if "message_thread_id" in fields:
            message["message_thread_id"] = int(fields["message_thread_id"])
        if "reply_markup" in fields:
            markup = json.loads(fields["reply_markup"])
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES:
                        return self._bad_request("BUTTON_DATA_INVALID")
            message["reply_markup"] = markup
            if markup.get("inline_keyboard"):
                self.last_keyboard[chat_id] = message
        return self._ok(message)


def make_bot(session: FakeSession, flood_control: bool) -> Bot:
    """A bot as ``bot.telegram.runner.create_bot`` makes it, on the fake session."""
    if flood_control:
        session.middleware(FloodControl())
    return Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


# --------------------------------------------------------------------------- the workload


def load_questions(content_dir: Path) -> dict[str, list[str]]:
    """FAQ questions and their variants per language, as people would type them."""
    questions: dict[str, list[str]] = defaultdict(list)
    for path in sorted((content_dir / "faq").glob("*.yaml")):
        with path.open(encoding="utf-8") as fh:
            entry = yaml.safe_load(fh)
        translations = entry.get("translations") if isinstance(entry, dict) else None
        if not isinstance(translations, dict):
            continue
        for lang, text in translations.items():
            if lang not in LANGUAGES or not isinstance(text, dict):
                continue
            for phrase in [text.get("question"), *(text.get("variants") or [])]:
                if isinstance(phrase, str) and phrase.strip():
                    questions[lang].append(phrase.strip())
    missing = [lang for lang in LANGUAGES if not questions.get(lang)]
    if missing:
        raise SystemExit(f"no FAQ questions in {', '.join(missing)} under {content_dir / 'faq'}")
    return dict(questions)


def perturb(text: str, rng: random.Random) -> str:
    """A typo or two: a letter swapped, dropped or doubled; sometimes all lower case."""
    chars = list(text.lower() if rng.random() < 0.5 else text)
    for _ in range(rng.choice((0, 1, 1, 2))):
        letters = [i for i, ch in enumerate(chars) if ch.isalpha()]
        if len(letters) < 4:
            break
        i = rng.choice(letters[1:-1])
        edit = rng.choice(("swap", "drop", "double"))
        if edit == "swap" and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif edit == "drop":
            del chars[i]
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


@dataclass
class Person:
    chat_id: int
    language: str
    first_name: str
    # Telegram's language_code: mostly the language the person will choose.
    client_language: str

    def user(self) -> dict[str, Any]:
        return {
            "id": self.chat_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.client_language,
        }


@dataclass
class Feed:
    """Raw updates in Telegram's JSON, with fresh ids."""

    session: FakeSession
    next_update_id: int
    _callback_ids: int = 0

    def _update_id(self) -> int:
        self.next_update_id += 1
        return self.next_update_id

    def text(self, person: Person, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.session.next_message_id(person.chat_id),
            "date": int(time.time()),
            "chat": {"id": person.chat_id, "type": "private", "first_name": person.first_name},
            "from": person.user(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(" ", 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": self._update_id(), "message": message}

    def press(self, person: Person, message: dict[str, Any], data: str) -> dict[str, Any]:
        self._callback_ids += 1
        return {
            "update_id": self._update_id(),
            "callback_query": {
                "id": f"{person.chat_id}-{self._callback_ids}",
                "from": person.user(),
                "chat_instance": str(person.chat_id * 7),
                "message": message,
                "data": data,
            },
        }


def buttons(message: dict[str, Any] | None) -> list[str]:
    if message is None:
        return []
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [str(b["callback_data"]) for row in rows for b in row if "callback_data" in b]


@dataclass
class Workload:
    """Decides each person's next update from what the bot last sent them."""

    feed: Feed
    questions: dict[str, list[str]]
    rng: random.Random

    def people(self, count: int, first_chat_id: int) -> list[Person]:
        people = []
        for i in range(count):
            language = LANGUAGES[i % len(LANGUAGES)]
            # Some phones are set to another language than the one the person chooses.
            client = language if self.rng.random() < 0.8 else self.rng.choice(LANGUAGES)
            people.append(Person(first_chat_id + i, language, f"Person{i}", client))
        return people

    def next(self, person: Person, step: int) -> dict[str, Any]:
        keyboard = self.feed.session.last_keyboard.get(person.chat_id)
        offered = buttons(keyboard)
        if step == 0:
            return self.feed.text(person, "/start")
        if keyboard is not None:
            # Onboarding: the language list, then the privacy notice, as the bot sent them.
            choose = f"lang:{person.language}"
            if choose in offered:
                return self.feed.press(person, keyboard, choose)
            if "consent:yes" in offered:
                answer = "consent:yes" if self.rng.random() < 0.9 else "consent:no"
                return self.feed.press(person, keyboard, answer)
        browsing = [data for data in offered if data.split(":", 1)[0] in BROWSING]
        if keyboard is not None and browsing and self.rng.random() < MENU_SHARE:
            return self.feed.press(person, keyboard, self._pick(browsing))
        return self.feed.text(person, self.question(person))

    def _pick(self, offered: list[str]) -> str:
        answers = [d for d in offered if d.startswith("a:")]
        topics = [d for d in offered if d.startswith("topic:")]
        roll = self.rng.random()
        if answers and roll < 0.6:
            return self.rng.choice(answers)
        if topics and roll < 0.9:
            return self.rng.choice(topics)
        return self.rng.choice(offered)

    def question(self, person: Person) -> str:
        # Mostly in the chosen language, sometimes in another one the person also speaks.
        lang = person.language if self.rng.random() < 0.8 else self.rng.choice(LANGUAGES)
        return perturb(self.rng.choice(self.questions[lang]), self.rng)


# --------------------------------------------------------------------------- running


@dataclass
class Run:
    """What happened to the updates of one measured phase."""

    durations: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    errors: int = 0
    unhandled: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)
    tracebacks: list[str] = field(default_factory=list)
    update_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0


Script = list[list[dict[str, Any]]]
NextUpdate = Callable[[int, int], dict[str, Any] | None]


def kind_of(raw: dict[str, Any]) -> str:
    if "callback_query" in raw:
        return "button:" + str(raw["callback_query"].get("data", "")).split(":", 1)[0]
    text = str(raw.get("message", {}).get("text", ""))
    return "command" if text.startswith("/") else "text"


def compact_traceback(exc: BaseException) -> str:
    """The project's own frames and the exception chain: the library frames in between are long."""
    lines = []
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.is_relative_to(PROJECT) and not path.is_relative_to(PROJECT / ".venv"):
            lines.append(f"  {path.relative_to(PROJECT)}:{frame.lineno} in {frame.name}: {frame.line}")
    chain: BaseException | None = exc
    while chain is not None:
        lines.append("".join(traceback.format_exception_only(chain)).strip())
        chain = chain.__cause__ or chain.__context__
    return "\n".join(lines)


async def feed_one(dispatcher: Dispatcher, bot: Bot, raw: dict[str, Any], run: Run) -> None:
    update_id = int(raw["update_id"])
    token = CURRENT_UPDATE.set(update_id)
    started = time.perf_counter()
    try:
        update = Update.model_validate(raw, context={"bot": bot})
        result = await dispatcher.feed_update(bot, update)
    except Exception as exc:
        run.errors += 1
        run.error_kinds[f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"] += 1
        if len(run.tracebacks) < 3:
            run.tracebacks.append(f"update {update_id}:\n{compact_traceback(exc)}")
    else:
        if result is UNHANDLED:
            run.unhandled += 1
    finally:
        run.durations.append(time.perf_counter() - started)
        run.kinds.append(kind_of(raw))
        run.update_ids.append(update_id)
        CURRENT_UPDATE.reset(token)


async def drive(
    dispatcher: Dispatcher, bot: Bot, lanes: int, next_update: NextUpdate, concurrency: int
) -> tuple[Run, Script]:
    """Each lane (a person) sends its next update only after the last one was handled.

    Returns the run and, per lane, the updates sent, so another dispatcher can get the same.
    """
    run = Run()
    script: Script = [[] for _ in range(lanes)]
    slots = asyncio.Semaphore(concurrency)

    async def lane(index: int) -> None:
        step = 0
        while (raw := next_update(index, step)) is not None:
            script[index].append(raw)
            async with slots:
                await feed_one(dispatcher, bot, raw, run)
            step += 1

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index in range(lanes):
            group.create_task(lane(index))
    run.seconds = time.perf_counter() - started
    return run, script


def replay(script: Script) -> NextUpdate:
    def next_update(index: int, step: int) -> dict[str, Any] | None:
        updates = script[index]
        return updates[step] if step < len(updates) else None

    return next_update


def share(total: int, lanes: int) -> list[int]:
    return [total // lanes + (1 if i < total % lanes else 0) for i in range(lanes)]


def echo_dispatcher() -> Dispatcher:
    """The floor: aiogram with one echo handler and one button answer, nothing else."""
    router = Router(name="echo")

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    @router.callback_query()
    async def press(query: CallbackQuery) -> None:
        await query.answer()

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(run: Run, session: FakeSession) -> dict[str, Any]:
    by_kind: defaultdict[str, list[float]] = defaultdict(list)
    for kind, duration in zip(run.kinds, run.durations, strict=True):
        by_kind[kind].append(duration)
    silent = sum(1 for update_id in run.update_ids if session.calls_per_update[update_id] == 0)
    count = len(run.durations)
    return {
        "updates": count,
        "seconds": round(run.seconds, 3),
        "updates_per_second": round(count / run.seconds, 1) if run.seconds > 0 else 0.0,
        "p50_ms": round(percentile(run.durations, 0.50) * 1000, 2),
        "p99_ms": round(percentile(run.durations, 0.99) * 1000, 2),
        "max_ms": round(max(run.durations, default=0.0) * 1000, 2),
        "errors": run.errors,
        "error_kinds": dict(run.error_kinds.most_common(5)),
        "unhandled": run.unhandled,
        "silent": silent,
        "by_kind": {
            kind: {
                "updates": len(values),
                "p50_ms": round(percentile(values, 0.50) * 1000, 2),
                "p99_ms": round(percentile(values, 0.99) * 1000, 2),
            }
            for kind, values in sorted(by_kind.items())
        },
        "telegram_calls": dict(sorted(session.calls.items())),
        "telegram_errors": dict(sorted(session.failures.items())),
    }


@dataclass
class Options:
    updates: int = 2000
    users: int = 50
    concurrency: int = 20
    database_url: str | None = None
    seed: int = 1
    flood_control: bool = False
    fsm: str = "sql"
    profile: Path | None = None
    keep_going: bool = False


@dataclass
class DatabaseCounter:
    """Statements sent and connections checked out, to show how chatty a turn is."""

    statements: Counter[str] = field(default_factory=Counter)
    checkouts: int = 0

    def attach(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)
        event.listen(engine.sync_engine, "checkout", self._checkout)

    def reset(self) -> None:
        self.statements.clear()
        self.checkouts = 0

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements[statement.split(None, 1)[0].upper() if statement.strip() else "?"] += 1

    def _checkout(self, *_args: Any) -> None:
        self.checkouts += 1

    def per_update(self, updates: int) -> dict[str, Any]:
        if not updates:
            return {}
        return {
            "statements_per_update": round(sum(self.statements.values()) / updates, 2),
            "connections_per_update": round(self.checkouts / updates, 2),
            "statements": dict(self.statements.most_common()),
        }


@dataclass
class Measurement:
    summary: dict[str, Any]
    tracebacks: list[str]


async def prepare(settings: Settings) -> None:
    """A PostgreSQL database is migrated on purpose (SQLite migrates itself in ``build_app``)."""
    if settings.is_sqlite:
        return
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@contextlib.contextmanager
def profiled(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(path)


async def outbox_counts(app: App, since: dt.datetime) -> dict[str, int]:
    async with app.sessions() as session:
        rows = await session.execute(
            select(OutboxItem.status, func.count())
            .where(OutboxItem.created_at >= since)
            .group_by(OutboxItem.status)
        )
        return {str(status): int(count) for status, count in rows.all()}


async def drain_outbox(app: App, worker: OutboxWorker, since: dt.datetime) -> dict[str, int]:
    """Let the worker deliver what the run queued (handoffs), then count the items by status."""
    deadline = time.perf_counter() + OUTBOX_DRAIN_SECONDS
    counts = await outbox_counts(app, since)
    while counts.get("pending") and time.perf_counter() < deadline:
        worker.wake_up()
        await asyncio.sleep(0.1)
        counts = await outbox_counts(app, since)
    return counts


async def measure_ours(
    options: Options, settings: Settings
) -> tuple[Measurement, Measurement, Script, dict[str, float]]:
    """Our dispatcher on ``build_app``: start-up and warm-up timed apart, then the measured mix."""
    session = FakeSession()
    bot = make_bot(session, options.flood_control)
    started = time.perf_counter()
    app = await build_app(settings)
    # Assembled as bot.telegram.runner._serve assembles it (the content watcher and the
    # once-a-minute scheduler left out). The running bot keeps aiogram's FSM data in the
    # database (or Redis); "memory" is a diagnostic that leaves that storage out.
    storage: BaseStorage | None = None if options.fsm == "sql" else MemoryStorage()
    handoff = HandoffService(app, bot)
    dispatcher = create_dispatcher(app, storage, handoff)
    worker = OutboxWorker(app.sessions, handoff.perform)
    app.on_commit.append(worker.wake_up)
    timings = {"startup_seconds": time.perf_counter() - started}
    database = DatabaseCounter()
    database.attach(app.engine)
    outbox_task = asyncio.create_task(worker.run())
    since = utcnow()
    try:
        # Fresh ids each run: a reused database remembers update ids and people.
        ids = random.SystemRandom()
        feed = Feed(session, next_update_id=ids.randrange(10**9, 10**12))
        workload = Workload(feed, load_questions(settings.content_dir), random.Random(options.seed))
        first_chat_id = ids.randrange(10**9, 5 * 10**9)

        # Warm-up, not timed: one person per language through onboarding and a few questions,
        # so language models, caches and database connections are loaded.
        warm_people = workload.people(len(LANGUAGES), first_chat_id)
        started = time.perf_counter()
        warm, _ = await drive(
            dispatcher,
            bot,
            len(warm_people),
            lambda i, step: workload.next(warm_people[i], step) if step < WARM_UP_STEPS else None,
            options.concurrency,
        )
        timings["warmup_seconds"] = time.perf_counter() - started
        warm_summary = summary(warm, session)
        if problems(warm_summary) and not options.keep_going:
            raise WarmUpFailedError(warm_summary, warm.tracebacks, timings)

        session.calls.clear()
        session.failures.clear()
        database.reset()
        people = workload.people(options.users, first_chat_id + len(warm_people))
        steps = share(options.updates, len(people))
        with profiled(options.profile):
            measured, script = await drive(
                dispatcher,
                bot,
                len(people),
                lambda i, step: workload.next(people[i], step) if step < steps[i] else None,
                options.concurrency,
            )
        ours = summary(measured, session)
        ours["database"] = database.per_update(len(measured.durations))
        ours["outbox"] = await drain_outbox(app, worker, since)
        floor = await measure_database_floor(options, app, script)
    finally:
        outbox_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await outbox_task
        if storage is not None:
            await storage.close()
        await app.close()
    for key in ("errors", "unhandled", "silent"):
        ours[key] += warm_summary[key]
    ours["warmup_error_kinds"] = warm_summary["error_kinds"]
    return Measurement(ours, warm.tracebacks + measured.tracebacks), floor, script, timings


async def measure_database_floor(options: Options, app: App, script: Script) -> Measurement:
    """The echo behind our ``UnitOfWork``: what one committed transaction per update costs.

    The same updates under new ids (the originals are remembered as processed).
    """
    session = FakeSession()
    bot = make_bot(session, options.flood_control)
    dispatcher = echo_dispatcher()
    dispatcher.update.outer_middleware(UnitOfWork(app))
    shifted = [[{**raw, "update_id": raw["update_id"] + FLOOR_ID_SHIFT} for raw in lane] for lane in script]
    measured, _ = await drive(dispatcher, bot, len(shifted), replay(shifted), options.concurrency)
    return Measurement(summary(measured, session), measured.tracebacks)


async def measure_echo(options: Options, script: Script) -> Measurement:
    """The same updates, lane by lane and with the same concurrency, on the echo dispatcher."""
    session = FakeSession()
    bot = make_bot(session, options.flood_control)
    dispatcher = echo_dispatcher()
    await drive(dispatcher, bot, len(script), replay([lane[:WARM_UP_STEPS] for lane in script]), 1)
    session.calls.clear()
    session.failures.clear()
    session.calls_per_update.clear()
    measured, _ = await drive(dispatcher, bot, len(script), replay(script), options.concurrency)
    return Measurement(summary(measured, session), measured.tracebacks)


def ratio(ours: dict[str, Any], floor: dict[str, Any]) -> float:
    return (
        round(ours["updates_per_second"] / floor["updates_per_second"], 3)
        if floor["updates_per_second"]
        else 0.0
    )


def problems(row: dict[str, Any]) -> int:
    return int(row["errors"] + row["unhandled"] + row["silent"])


def describe(options: Options, settings: Settings) -> dict[str, Any]:
    return {
        "updates": options.updates,
        "users": options.users,
        "concurrency": options.concurrency,
        "database": "sqlite" if settings.is_sqlite else "postgresql",
        "fsm": options.fsm,
        "flood_control": options.flood_control,
        "seed": options.seed,
    }


async def benchmark(options: Options, database_url: str) -> dict[str, Any]:
    settings = load_settings(database_url=database_url, bot_token=TOKEN, advisor_chat_id=ADVISOR_CHAT_ID)
    await prepare(settings)
    try:
        ours, floor, script, timings = await measure_ours(options, settings)
    except WarmUpFailedError as failure:
        for text in failure.tracebacks:
            print(text, file=sys.stderr)
        return {
            "aborted": "updates failed in the warm-up, nothing was measured (--keep-going measures anyway)",
            "warmup": failure.warm,
            "startup_seconds": round(failure.timings["startup_seconds"], 2),
            "warmup_seconds": round(failure.timings["warmup_seconds"], 2),
            "config": describe(options, settings),
        }
    echo = await measure_echo(options, script)
    for text in ours.tracebacks + floor.tracebacks + echo.tracebacks:
        print(text, file=sys.stderr)
    return {
        "ours": ours.summary,
        "echo": echo.summary,
        "ratio": ratio(ours.summary, echo.summary),
        "echo_unit_of_work": floor.summary,
        "ratio_to_unit_of_work": ratio(ours.summary, floor.summary),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio(ours.summary, echo.summary) >= TARGET_RATIO,
        "startup_seconds": round(timings["startup_seconds"], 2),
        "warmup_seconds": round(timings["warmup_seconds"], 2),
        "config": describe(options, settings),
    }


async def run(options: Options) -> dict[str, Any]:
    if options.database_url:
        return await benchmark(options, options.database_url)
    with tempfile.TemporaryDirectory(prefix="wegweiser-bench-") as folder:
        return await benchmark(options, f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")


def failed(report: dict[str, Any]) -> bool:
    if "aborted" in report:
        return True
    outbox = report["ours"].get("outbox", {})
    # Nobody blocks the bot here, so an item that failed or is still waiting is a fault.
    return bool(outbox.get("failed") or outbox.get("pending")) or any(
        problems(report[side]) for side in SIDES
    )


def render(report: dict[str, Any]) -> str:
    config = report["config"]
    lines = [
        f"{config['updates']} updates, {config['users']} people, concurrency {config['concurrency']}, "
        f"{config['database']}, FSM storage {config['fsm']}"
        + (", flood control" if config["flood_control"] else ""),
        f"start-up (build_app): {report['startup_seconds']} s, warm-up: {report['warmup_seconds']} s",
    ]
    if "aborted" in report:
        warm = report["warmup"]
        return "\n".join(
            [
                *lines,
                f"ABORTED: {report['aborted']}",
                f"warm-up: {warm['updates']} updates, {warm['errors']} raised, "
                f"{warm['unhandled']} unhandled, {warm['silent']} without a Telegram call",
                *(f"warm-up error: {kind} ×{n}" for kind, n in warm["error_kinds"].items()),
            ]
        )
    lines += [
        "",
        f"{'':14} {'updates/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} {'failed':>7} {'silent':>7}",
    ]
    for side in SIDES:
        row = report[side]
        lines.append(
            f"{SIDES[side]:14} {row['updates_per_second']:>10} {row['p50_ms']:>9} {row['p99_ms']:>9} "
            f"{row['max_ms']:>9} {row['errors'] + row['unhandled']:>7} {row['silent']:>7}"
        )
    verdict = "meets" if report["meets_target"] else "misses"
    lines += [
        "",
        f"ratio ours/echo: {report['ratio']} ({verdict} the target of {report['target_ratio']}); "
        f"ours/echo+uow: {report['ratio_to_unit_of_work']}",
        "",
        "ours by kind:",
        *(
            f"  {kind:15} {row['updates']:>6}×  p50 {row['p50_ms']:>8} ms  p99 {row['p99_ms']:>8} ms"
            for kind, row in report["ours"]["by_kind"].items()
        ),
        "telegram calls (ours): "
        + ", ".join(f"{name} {count}" for name, count in report["ours"]["telegram_calls"].items()),
        "outbox (ours): " + (", ".join(f"{k} {v}" for k, v in report["ours"]["outbox"].items()) or "empty"),
        "database (ours): "
        + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in report["ours"]["database"].items()),
        *(
            f"{side} error: {kind} ×{count}"
            for side in SIDES
            for kind, count in report[side]["error_kinds"].items()
        ),
        *(
            f"ours warm-up error: {kind} ×{count}"
            for kind, count in report["ours"]["warmup_error_kinds"].items()
        ),
    ]
    return "\n".join(lines)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("expects a whole number of at least 1")
    return value


def parse_args(argv: Sequence[str] | None) -> tuple[Options, bool]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.dispatch", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--updates", type=positive, default=2000, help="measured updates (2000)")
    parser.add_argument("--users", type=positive, default=50, help="simulated people (50)")
    parser.add_argument("--concurrency", type=positive, default=20, help="updates in flight (20)")
    parser.add_argument(
        "--database-url",
        help="a scratch database, migrated and written to (default: a temporary SQLite file)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the mix (1)")
    parser.add_argument(
        "--fsm",
        choices=("sql", "memory"),
        default="sql",
        help="aiogram FSM storage: sql as the running bot (default), memory to leave it out (diagnostic)",
    )
    parser.add_argument(
        "--flood-control",
        action="store_true",
        help="pace sending as the running bot does (~30 messages/s): measures Telegram's limit, not us",
    )
    parser.add_argument(
        "--profile", type=Path, help="write cProfile stats of our measured phase to this file"
    )
    parser.add_argument(
        "--keep-going", action="store_true", help="measure even when updates failed in the warm-up"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    options = Options(
        updates=args.updates,
        users=args.users,
        concurrency=args.concurrency,
        database_url=args.database_url,
        seed=args.seed,
        flood_control=args.flood_control,
        fsm=args.fsm,
        profile=args.profile,
        keep_going=args.keep_going,
    )
    return options, bool(args.json)


def main(argv: Sequence[str] | None = None) -> int:
    options, as_json = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    report = asyncio.run(run(options))
    print(json.dumps(report, ensure_ascii=False) if as_json else render(report))
    if failed(report):
        print("bench: some updates failed (errors, unhandled or without any Telegram call)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
