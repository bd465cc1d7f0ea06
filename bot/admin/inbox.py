"""What young people asked that the bot could not answer, grouped by meaning across languages.

Wordings group by their words first (``knowledge.reports.group_questions``: typos, word
order); groups in different languages that ask the same thing are then joined by their
meaning (``knowledge.question_groups.cross_language_links``, the bot's own sentence model).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Feedback, UsageCounter, utcnow
from bot.db.reports import unanswered_questions
from knowledge.match_dense import Embedder, default_embedder
from knowledge.question_groups import cross_language_links
from knowledge.reports import QuestionGroup, group_questions


@dataclass
class MeaningGroup:
    """Wording groups that ask the same, in one or more languages."""

    parts: list[QuestionGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(p.count for p in self.parts)

    @property
    def languages(self) -> list[str]:
        return sorted({lang for p in self.parts for lang in p.languages})

    @property
    def reasons(self) -> list[str]:
        return sorted({r for p in self.parts for r in p.reasons})

    @property
    def entries(self) -> list[str]:
        return sorted({e for p in self.parts for e in p.entries})

    @property
    def newest(self) -> dt.datetime:
        return max(p.newest for p in self.parts)

    @property
    def texts(self) -> set[str]:
        return {t for p in self.parts for t in p.texts}


@cache
def _embedder() -> Embedder | None:
    return default_embedder()


def join_by_meaning(groups: list[QuestionGroup], embedder: Embedder | None) -> list[MeaningGroup]:
    """Each group joined with the groups of other languages that ask the same thing."""
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if embedder is not None and len(groups) > 1:
        languages = [min(g.languages) for g in groups]
        for i, j, _cosine in cross_language_links([g.example for g in groups], languages, embedder):
            parent[root(j)] = root(i)
    joined: dict[int, MeaningGroup] = {}
    for index, group in enumerate(groups):
        joined.setdefault(root(index), MeaningGroup()).parts.append(group)
    return sorted(joined.values(), key=lambda m: (m.count, m.newest), reverse=True)


async def inbox(session: AsyncSession, days: int, embedder: Embedder | None = None) -> list[MeaningGroup]:
    questions = await unanswered_questions(session, days=days)
    groups = group_questions(questions)
    model = embedder if embedder is not None else await asyncio.to_thread(_embedder)
    return await asyncio.to_thread(join_by_meaning, groups, model)


async def unhelpful_per_entry(session: AsyncSession, days: int) -> list[tuple[str, int]]:
    """👎 per entry in the period, most first."""
    since = utcnow() - dt.timedelta(days=days)
    rows = await session.execute(
        select(Feedback.entry_id, func.count())
        .where(Feedback.created_at >= since, Feedback.helpful.is_(False))
        .group_by(Feedback.entry_id)
        .order_by(func.count().desc(), Feedback.entry_id)
    )
    return [(str(entry), int(n)) for entry, n in rows.all()]


async def none_of_these(session: AsyncSession, days: int) -> int:
    """How often people chose "none of these" under a "did you mean" list in the period."""
    since = dt.date.today() - dt.timedelta(days=days)
    total = await session.scalar(
        select(func.sum(UsageCounter.count)).where(
            UsageCounter.kind == "question", UsageCounter.key == "none_of_these", UsageCounter.day >= since
        )
    )
    return int(total or 0)
