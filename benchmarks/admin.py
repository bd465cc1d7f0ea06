"""Page-load benchmark of the web admin: ``python -m benchmarks.admin``.

Fills a database with ``--entries`` FAQ entries (copies of the shipped ones under new ids)
and ``--days`` of anonymous statistics, serves the admin with uvicorn on a real port, signs
in and loads each main page ``--rounds`` times over HTTP. Prints p50, p95 and max per page.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import http.cookiejar
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.admin import accounts
from bot.admin.accounts import Role
from bot.admin.web import build_admin_app
from bot.config import SHIPPED_CONTENT_DIR
from bot.content import import_folder
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import ContentItem, ContentRevision, Feedback, UsageCounter, item_title
from knowledge.model import LANGUAGES, TOPICS

PASSWORD = "benchmark password"
PAGES = (
    "/",
    "/content",
    "/content?page=400",
    "/content?q=anerkennung",
    "/content/faq/{entry}",
    "/content/faq/{entry}/de",
    "/content/faq/{entry}/uk",
    "/accounts",
    "/audit",
    "/statistics",
    "/statistics?period={year}",
)


async def fill(sessions: async_sessionmaker[AsyncSession], entries: int, days: int) -> str:
    """The shipped content, then copies up to ``entries`` FAQ entries, then a year of counts."""
    await import_folder(sessions, SHIPPED_CONTENT_DIR, author="bench")
    async with sessions.begin() as db:
        await accounts.create_account(db, "bench", PASSWORD, Role.ADMIN)
        originals = [
            row.body for row in (await db.scalars(select(ContentItem).where(ContentItem.kind == "faq"))).all()
        ]
        revision = ContentRevision(author="bench", source="bench", changes={})
        db.add(revision)
        await db.flush()
        rows: list[dict[str, object]] = []
        for n in range(entries - len(originals)):
            body = copy.deepcopy(originals[n % len(originals)])
            body["id"] = f"{body['id'][:38]}-{n:06d}"
            rows.append(
                {
                    "kind": "faq",
                    "item_id": body["id"],
                    "body": body,
                    "revision_id": revision.id,
                    "title": item_title(body),
                }
            )
            if len(rows) == 2000:
                await db.execute(insert(ContentItem), rows)
                rows = []
        if rows:
            await db.execute(insert(ContentItem), rows)
        entry_ids = [body["id"] for body in originals]
        rng = random.Random(7)
        today = dt.date.today()
        counters: list[dict[str, object]] = []
        for back in range(days):
            day = today - dt.timedelta(days=back)
            for kind, keys in (
                ("start", ["start"]),
                ("campaign", ["school-pirna", "flyer", "instagram"]),
                ("language", list(LANGUAGES)),
                ("topic", list(TOPICS)),
                ("answer", entry_ids),
                ("question", ["answer", "suggest", "none", "none_of_these"]),
            ):
                counters.extend(
                    {"day": day, "kind": kind, "key": key, "count": rng.randint(0, 30)} for key in keys
                )
        for start in range(0, len(counters), 5000):
            await db.execute(insert(UsageCounter), counters[start : start + 5000])
        feedback = [
            {
                "entry_id": rng.choice(entry_ids),
                "language": rng.choice(LANGUAGES),
                "helpful": rng.random() < 0.8,
                "created_at": dt.datetime.now(dt.UTC) - dt.timedelta(days=rng.randrange(days)),
            }
            for _ in range(days * 20)
        ]
        await db.execute(insert(Feedback), feedback)
    return str(originals[0]["id"])


@contextmanager
def serving(url: str, *, secure_cookies: bool = False) -> Iterator[str]:
    """The admin on ``url``'s database under uvicorn in a thread, on a free port; yields
    its base address (``localhost``, where browsers accept secure cookies over http)."""
    servers: list[uvicorn.Server] = []

    async def serve() -> None:
        engine = create_engine(url)
        app = build_admin_app(create_session_factory(engine), secure_cookies=secure_cookies)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        )
        servers.append(server)
        try:
            await server.serve()
        finally:
            await engine.dispose()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not (servers and servers[0].started):
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the admin server did not start")
        time.sleep(0.05)
    server = servers[0]
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://localhost:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sign_in(base: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    form = urllib.parse.urlencode({"csrf": token.group(1), "username": "bench", "password": PASSWORD})
    opener.open(base + "/login", data=form.encode()).read()
    return opener


def measure(base: str, entry: str, rounds: int) -> dict[str, dict[str, float]]:
    opener = sign_in(base)
    figures: dict[str, dict[str, float]] = {}
    for template in PAGES:
        path = template.format(entry=entry, year=dt.date.today().year - 1)
        times = []
        for _ in range(rounds + 1):
            start = time.perf_counter()
            with opener.open(base + path) as response:
                response.read()
                if response.status != 200 or response.url.endswith("/login"):
                    raise RuntimeError(f"{path} answered {response.status} at {response.url}")
            times.append((time.perf_counter() - start) * 1000)
        times = sorted(times[1:])  # the first load warms caches
        figures[path] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            "max_ms": round(times[-1], 1),
        }
    return figures


async def prepare(url: str, entries: int, days: int) -> str:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        return await fill(create_session_factory(engine), entries, days)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database", help="an empty database URL (default: a new SQLite file)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        entry = asyncio.run(prepare(url, args.entries, args.days))
        filled = time.perf_counter() - started
        with serving(url) as base:
            figures = measure(base, entry, args.rounds)
    if args.json:
        print(json.dumps({"entries": args.entries, "days": args.days, "pages": figures}, indent=1))
        return 0
    engine = url.split(":", 1)[0]
    print(
        f"{args.entries} FAQ entries, {args.days} days of statistics on {engine} (filled in {filled:.0f} s)"
    )
    print(f"{'page':<42}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for path, row in figures.items():
        print(f"{path:<42}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['max_ms']:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
