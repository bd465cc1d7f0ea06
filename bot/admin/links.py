"""The link check: every web address the served content names, checked in the background.

Sources and contact websites are asked with HEAD (GET where a server refuses HEAD), a few
at a time, with a timeout. The last result per address is kept in ``link_checks`` so any
admin process shows it; the page lists what is broken and where it is used.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ContentItem, LinkCheck, utcnow

log = logging.getLogger(__name__)
# Some sites answer robots differently; say who we are.
USER_AGENT = "WegweiserLinkCheck/1.0 (+content review of a youth migration network)"


def urls_in(kind: str, body: Mapping[str, Any]) -> set[str]:
    found = {str(s.get("url")) for s in body.get("sources", ()) if s.get("url")}
    if body.get("website"):
        found.add(str(body["website"]))
    return found


async def used_links(session: AsyncSession) -> dict[str, list[str]]:
    """Every address in the served content → the items that use it."""
    uses: dict[str, list[str]] = defaultdict(list)
    for row in await session.scalars(
        select(ContentItem).where(ContentItem.kind.in_(("faq", "contact", "event")))
    ):
        for url in urls_in(row.kind, row.body):
            uses[url].append(f"{row.kind}:{row.item_id}")
    return dict(uses)


@dataclass(frozen=True, slots=True)
class Result:
    url: str
    status: int | None
    error: str | None

    @property
    def broken(self) -> bool:
        return self.status is None or self.status >= 400


async def check_one(client: aiohttp.ClientSession, url: str) -> Result:
    try:
        async with client.head(url, allow_redirects=True) as response:
            status = response.status
        if status in (403, 405, 501):  # some servers refuse HEAD but answer GET
            async with client.get(url, allow_redirects=True) as response:
                status = response.status
        return Result(url, status, None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return Result(url, None, (type(exc).__name__ + ": " + str(exc))[:200])


async def check(urls: Iterable[str], per_link_seconds: float = 15.0, parallel: int = 4) -> list[Result]:
    limit = asyncio.Semaphore(parallel)
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=per_link_seconds), headers={"User-Agent": USER_AGENT}
    ) as client:

        async def one(url: str) -> Result:
            async with limit:
                return await check_one(client, url)

        return list(await asyncio.gather(*(one(url) for url in sorted(set(urls)))))


async def run_check(
    sessions: async_sessionmaker[AsyncSession],
    per_link_seconds: float = 15.0,
    prefix: str = "",
) -> list[Result]:
    """Check every address in use now (those starting with ``prefix``) and keep the
    results, forgetting addresses no longer in use."""
    async with sessions() as session:
        uses = await used_links(session)
    results = await check((url for url in uses if url.startswith(prefix)), per_link_seconds)
    async with sessions.begin() as session:
        await session.execute(delete(LinkCheck))
        for r in results:
            session.add(LinkCheck(url=r.url[:500], status=r.status, error=r.error, checked_at=utcnow()))
    broken = sum(r.broken for r in results)
    log.info("link check: %d addresses, %d broken", len(results), broken)
    return results


async def check_forever(sessions: async_sessionmaker[AsyncSession], every: float) -> None:
    """The background task of ``wegweiser admin``: a check now, then every ``every`` seconds."""
    while True:
        try:
            await run_check(sessions)
        except Exception:
            log.exception("link check failed; trying again at the next round")
        await asyncio.sleep(every)


async def broken_links(session: AsyncSession) -> tuple[list[tuple[LinkCheck, list[str]]], int]:
    """The broken addresses of the last check with the items that use them, and how many
    addresses that check looked at."""
    uses = await used_links(session)
    rows = list(await session.scalars(select(LinkCheck).order_by(LinkCheck.url)))
    broken = [(row, sorted(uses.get(row.url, []))) for row in rows if row.status is None or row.status >= 400]
    return broken, len(rows)
