"""Anonymous daily statistics for the network's situation analysis (shown by the web admin).

What leaves this module are counts per day and measure, never a person, a case or a text:
starts per campaign link, languages chosen, topics and entries viewed, 👍/👎 per entry,
question outcomes ("none of these" included), cases opened, taken, closed and urgent, and
the median and 90th percentile of the time to the first advisor reply.

Small counts are not shown: every rendering (``Table.rendered``, ``to_csv``, ``to_xlsx``)
writes a count from 0 to 4 as "<5" (``SMALL``). Because the tables carry totals, a "<5" cell
could otherwise be recomputed (a day's total minus the other cells, when it is the only
suppressed cell of its row or column), so further cells are withheld as "x" (``WITHHELD``,
always a count of 5 or more) until no "<5" cell can be derived exactly from what is shown
(see ``_protect``). A median or percentile of fewer than five cases is shown as "n<5".
The dataclasses keep the raw counts for computing and tests; whatever is shown or exported
goes through ``rendered``/``grid``, ``to_csv`` or ``to_xlsx``.

The protection holds within one table. Tables of overlapping periods (the 1st to the 30th
and the 1st to the 31st) differ by a day, and their totals could be subtracted: publish
fixed periods that do not overlap (calendar months, say).

The interest check is counted per calendar month and language (``InterestCount``), so its
two tables have a row per month the period touches (each month's first day), not per day.

Days: usage counters are stored per day already; timestamps (feedback, cases, replies) are
grouped into Europe/Berlin days by the database (``_BerlinDays``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Case, CaseMessage, Feedback, InterestCount, UsageCounter

BERLIN: Final = ZoneInfo("Europe/Berlin")
THRESHOLD: Final = 5
SMALL: Final = "<5"  # a count from 0 to 4
WITHHELD: Final = "x"  # a count of 5 or more, withheld so that no "<5" cell can be recomputed
FEW_CASES: Final = "n<5"  # a median or percentile of fewer than five cases
TOTAL: Final = "total"
DAY: Final = "day"

# The usage counters' key of a start without a campaign link (starts minus campaign starts).
NO_CAMPAIGN: Final = "(no campaign)"
# Question outcomes as counted by dialogs.questions (kind "question"), and how the tables
# name them. "none_of_these" (nothing fitted a "did you mean") follows a suggestion: it is
# no outcome of its own and gets its own table.
OUTCOMES: Final = {"answer": "answered", "suggest": "suggested", "none": "unanswered"}
NONE_OF_THESE: Final = "none_of_these"
CASE_MEASURES: Final = ("opened", "taken", "closed", "urgent")
# The interest check's tables: rows are months (their first day), columns measure (language).
INTEREST_CHECKS_TITLE: Final = "Interest checks started and finished, per month and language"
INTEREST_FIELDS_TITLE: Final = "Occupational fields in interest check results, per month and language"
NO_DIRECTION: Final = "no clear direction"
_COUNTER_KINDS: Final = ("start", "campaign", "language", "topic", "town", "answer", "question")

Cell = int | float | str | dt.date


def suppress(n: int) -> str:
    """A count as it may be shown: "<5" below five."""
    return SMALL if n < THRESHOLD else str(n)


@dataclass(frozen=True, slots=True)
class Table:
    """One measure group: a count per day (rows) and key (columns), with the period's total
    per key. ``additive``: the keys split a whole (each language chosen is one choice), so
    each day also has a total and the period a grand total."""

    name: str
    title: str
    days: tuple[dt.date, ...]
    keys: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]  # counts[day index][key index]
    additive: bool = True

    def count(self, day: dt.date, key: str) -> int:
        if key not in self.keys:
            return 0
        return self.counts[self.days.index(day)][self.keys.index(key)]

    def series(self, key: str) -> tuple[int, ...]:
        """The key's count on each day."""
        if key not in self.keys:
            return (0,) * len(self.days)
        j = self.keys.index(key)
        return tuple(row[j] for row in self.counts)

    @property
    def key_totals(self) -> dict[str, int]:
        """Each key's total over the period."""
        return {key: sum(row[j] for row in self.counts) for j, key in enumerate(self.keys)}

    @property
    def day_totals(self) -> tuple[int, ...]:
        """Each day's total over the keys (meaningful only when ``additive``)."""
        return tuple(sum(row) for row in self.counts)

    @property
    def total(self) -> int:
        return sum(self.day_totals)

    def header(self) -> tuple[str, ...]:
        return (DAY, *self.keys, *((TOTAL,) if self.additive else ()))

    def grid(self) -> list[list[Cell]]:
        """Header, a row per day and the totals row, suppressed (shown counts stay numbers)."""
        values, status = _protect(self.counts, self.additive)
        rows: list[list[Cell]] = [list(self.header())]
        labels: list[Cell] = [*self.days, TOTAL]
        for label, row_values, row_status in zip(labels, values, status, strict=True):
            rows.append([label, *(_shown(v, s) for v, s in zip(row_values, row_status, strict=True))])
        return rows

    def rendered(self) -> tuple[tuple[str, ...], ...]:
        """The table as text for a page: header first, "<5" and "x" where suppressed."""
        return tuple(tuple(_text(cell) for cell in row) for row in self.grid())


@dataclass(frozen=True, slots=True)
class ReplyTimes:
    """Time from opening a case to the first advisor reply, by the day the case was opened."""

    days: tuple[dt.date, ...]
    answered: tuple[int, ...]  # cases opened that day that have had an advisor reply
    median_minutes: tuple[float | None, ...]
    p90_minutes: tuple[float | None, ...]
    total_answered: int
    total_median_minutes: float | None
    total_p90_minutes: float | None

    name = "reply_times"
    title = "Minutes to the first advisor reply, by the day the case was opened"

    def header(self) -> tuple[str, ...]:
        return (DAY, "cases answered", "median minutes", "p90 minutes")

    def grid(self) -> list[list[Cell]]:
        counts = tuple((n,) for n in self.answered)
        values, status = _protect(counts, additive=False)
        rows: list[list[Cell]] = [list(self.header())]
        labels: list[Cell] = [*self.days, TOTAL]
        medians = (*self.median_minutes, self.total_median_minutes)
        p90s = (*self.p90_minutes, self.total_p90_minutes)
        for i, label in enumerate(labels):
            n = values[i][0]
            rows.append([label, _shown(n, status[i][0]), _statistic(medians[i], n), _statistic(p90s[i], n)])
        return rows

    def rendered(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(_text(cell) for cell in row) for row in self.grid())


@dataclass(frozen=True, slots=True)
class Statistics:
    """Every measure for the days from ``start`` to ``end`` (both included)."""

    start: dt.date
    end: dt.date
    starts: Table  # /start commands per campaign link (not distinct people)
    languages: Table  # language choices (also changes of language)
    topics: Table  # topic menus opened
    towns: Table  # towns named in questions (the names of the contacts' towns)
    entry_views: Table  # answers shown, per entry
    helpful: Table  # 👍 per entry
    unhelpful: Table  # 👎 per entry
    questions: Table  # typed questions by outcome (the day's total: questions asked)
    none_of_these: Table  # "none of these" chosen after a "did you mean"
    cases: Table  # cases opened, taken, closed, urgent
    reply_times: ReplyTimes
    # The interest check per calendar month (rows: each month's first day) and language.
    interest_checks: Table  # checks started and finished
    interest_fields: Table  # fields shown in results, and results without a clear direction

    @property
    def days(self) -> tuple[dt.date, ...]:
        return self.starts.days

    def tables(self) -> tuple[Table | ReplyTimes, ...]:
        return (
            self.starts,
            self.languages,
            self.topics,
            self.towns,
            self.entry_views,
            self.helpful,
            self.unhelpful,
            self.questions,
            self.none_of_these,
            self.cases,
            self.reply_times,
            self.interest_checks,
            self.interest_fields,
        )


# ---------------------------------------------------------------------------- reading


async def daily_statistics(session: AsyncSession, start: dt.date, end: dt.date) -> Statistics:
    """The statistics of the days ``start`` to ``end`` (Europe/Berlin days, both included).

    Six queries, each grouped by day in the database; Python only lays the groups out in
    tables, and sorts each answered case's reply time for the percentiles (SQLite has no
    percentile function): one row per answered case, its first reply found by the query.
    """
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    days = tuple(start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    since = dt.datetime.combine(start, dt.time(), BERLIN).astimezone(dt.UTC)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), BERLIN).astimezone(dt.UTC)
    berlin = _BerlinDays(session, since, until)

    counters = await _counters(session, start, end)
    campaigns = counters.get("campaign", {})
    by_campaign: dict[dt.date, int] = defaultdict(int)
    for (day, _key), n in campaigns.items():
        by_campaign[day] += n
    # Every start is counted, those with a campaign link also per campaign: the rest came without.
    direct = {
        (day, NO_CAMPAIGN): max(0, n - by_campaign[day])
        for (day, _key), n in counters.get("start", {}).items()
    }
    questions = counters.get("question", {})
    outcomes = {
        (day, OUTCOMES.get(key, key)): n for (day, key), n in questions.items() if key != NONE_OF_THESE
    }
    none_of_these = {(day, "none of these"): n for (day, key), n in questions.items() if key == NONE_OF_THESE}

    helpful, unhelpful = await _feedback(session, berlin, since, until)
    cases = await _cases(session, berlin, since, until)
    return Statistics(
        start=start,
        end=end,
        starts=_table(
            "starts", "Starts per campaign link", days, {**direct, **campaigns}, first=(NO_CAMPAIGN,)
        ),
        languages=_table("languages", "Languages chosen", days, counters.get("language", {})),
        topics=_table("topics", "Topics viewed", days, counters.get("topic", {})),
        towns=_table("towns", "Towns named", days, counters.get("town", {})),
        entry_views=_table("entry_views", "Entries viewed", days, counters.get("answer", {})),
        helpful=_table("entry_helpful", "👍 per entry", days, helpful),
        unhelpful=_table("entry_unhelpful", "👎 per entry", days, unhelpful),
        questions=_table(
            "questions", "Typed questions by outcome", days, outcomes, first=tuple(OUTCOMES.values())
        ),
        none_of_these=_table(
            "none_of_these",
            "“None of these” chosen after “did you mean”",
            days,
            none_of_these,
            first=("none of these",),
            additive=False,
        ),
        cases=_table("cases", "Cases", days, cases, first=CASE_MEASURES, additive=False),
        reply_times=await _reply_times(session, days, since, until),
        **await _interest_tables(session, start, end),
    )


def _months(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The first day of every calendar month the period touches."""
    months: list[dt.date] = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return tuple(months)


async def _interest_tables(session: AsyncSession, start: dt.date, end: dt.date) -> dict[str, Table]:
    """The interest check's counts, kept per month and language (``InterestCount``): every
    month the period touches, whole (the admin's periods are whole months anyway)."""
    months = _months(start, end)
    labels = {month.strftime("%Y-%m"): month for month in months}
    rows = await session.execute(
        select(
            InterestCount.month,
            InterestCount.language,
            InterestCount.measure,
            InterestCount.key,
            InterestCount.count,
        ).where(InterestCount.month.in_(labels))
    )
    checks: dict[tuple[dt.date, str], int] = defaultdict(int)
    fields: dict[tuple[dt.date, str], int] = defaultdict(int)
    for month, language, measure, key, n in rows:
        if measure in ("started", "finished"):
            checks[(labels[month], f"{measure} ({language})")] += int(n)
        elif measure == "field":
            fields[(labels[month], f"{key} ({language})")] += int(n)
        elif measure == "no_field":
            fields[(labels[month], f"{NO_DIRECTION} ({language})")] += int(n)
    return {
        "interest_checks": _table("interest_checks", INTEREST_CHECKS_TITLE, months, checks, additive=False),
        "interest_fields": _table("interest_fields", INTEREST_FIELDS_TITLE, months, fields, additive=False),
    }


async def _counters(
    session: AsyncSession, start: dt.date, end: dt.date
) -> dict[str, dict[tuple[dt.date, str], int]]:
    rows = await session.execute(
        select(UsageCounter.day, UsageCounter.kind, UsageCounter.key, func.sum(UsageCounter.count))
        .where(UsageCounter.day.between(start, end), UsageCounter.kind.in_(_COUNTER_KINDS))
        .group_by(UsageCounter.day, UsageCounter.kind, UsageCounter.key)
    )
    found: dict[str, dict[tuple[dt.date, str], int]] = defaultdict(dict)
    for day, kind, key, n in rows:
        found[kind][(day, key)] = int(n)
    return found


class _BerlinDays:
    """A timestamp column's Europe/Berlin day, worked out by the database for GROUP BY.

    PostgreSQL knows the zone. SQLite keeps UtcDateTime values as UTC text and knows no
    zones, so it is told Berlin's offset piece by piece: each offset from one change of
    summer time to the next within the period (found hour by hour: Berlin changes on a
    whole UTC hour).
    """

    def __init__(self, session: AsyncSession, since: dt.datetime, until: dt.datetime) -> None:
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.pieces: list[tuple[dt.datetime, int]] = []  # (until when, offset in minutes)
        moment, offset = since, _offset(since)
        while moment < until:
            moment += dt.timedelta(hours=1)
            if moment >= until or _offset(moment) != offset:
                self.pieces.append((moment, offset))
                offset = _offset(moment)
        self._days: dict[str, dt.date] = {}

    def of(self, column: SQLColumnExpression[dt.datetime | None]) -> ColumnElement[str]:
        if self.postgres:
            return func.to_char(func.timezone(BERLIN.key, column), "YYYY-MM-DD")
        *earlier, (_end, last) = self.pieces
        if not earlier:
            return func.date(column, f"{last:+d} minutes")
        shift = case(
            *((column < end, f"{offset:+d} minutes") for end, offset in earlier), else_=f"{last:+d} minutes"
        )
        return func.date(column, shift)

    def day(self, text: str) -> dt.date:
        day = self._days.get(text)
        if day is None:
            day = self._days[text] = dt.date.fromisoformat(text)
        return day


def _offset(moment: dt.datetime) -> int:
    offset = moment.astimezone(BERLIN).utcoffset()
    assert offset is not None
    return int(offset.total_seconds()) // 60


async def _feedback(
    session: AsyncSession, berlin: _BerlinDays, since: dt.datetime, until: dt.datetime
) -> tuple[dict[tuple[dt.date, str], int], dict[tuple[dt.date, str], int]]:
    day = berlin.of(Feedback.created_at)
    rows = await session.execute(
        select(day, Feedback.entry_id, Feedback.helpful, func.count())
        .where(Feedback.created_at >= since, Feedback.created_at < until)
        .group_by(day, Feedback.entry_id, Feedback.helpful)
    )
    helpful: dict[tuple[dt.date, str], int] = defaultdict(int)
    unhelpful: dict[tuple[dt.date, str], int] = defaultdict(int)
    for bucket, entry_id, is_helpful, n in rows:
        (helpful if is_helpful else unhelpful)[(berlin.day(bucket), entry_id)] += int(n)
    return helpful, unhelpful


async def _cases(
    session: AsyncSession, berlin: _BerlinDays, since: dt.datetime, until: dt.datetime
) -> dict[tuple[dt.date, str], int]:
    """Opened and urgent by the day a case was opened; taken and closed by the day that
    happened. From the cases as they are now: a case taken again after reopening counts on
    its latest take, a reopened one is not closed, and deleted people's cases are gone."""
    found: dict[tuple[dt.date, str], int] = defaultdict(int)
    opened = berlin.of(Case.created_at)
    rows = await session.execute(
        select(opened, func.count(), func.sum(case((Case.urgent.is_(True), 1), else_=0)))
        .where(Case.created_at >= since, Case.created_at < until)
        .group_by(opened)
    )
    for bucket, n, urgent in rows:
        found[(berlin.day(bucket), "opened")] += int(n)
        found[(berlin.day(bucket), "urgent")] += int(urgent or 0)
    for measure, column, condition in (
        ("taken", Case.taken_at, Case.taken_at.is_not(None)),
        ("closed", Case.closed_at, Case.state == "closed"),
    ):
        bucket_of = berlin.of(column)
        counted = await session.execute(
            select(bucket_of, func.count())
            .where(condition, column >= since, column < until)
            .group_by(bucket_of)
        )
        for bucket, n in counted:
            found[(berlin.day(bucket), measure)] += int(n)
    return found


async def _reply_times(
    session: AsyncSession, days: tuple[dt.date, ...], since: dt.datetime, until: dt.datetime
) -> ReplyTimes:
    first_reply = func.min(CaseMessage.created_at)
    rows = await session.execute(
        select(Case.created_at, first_reply)
        .join(CaseMessage, CaseMessage.case_id == Case.id)
        .where(
            Case.created_at >= since,
            Case.created_at < until,
            CaseMessage.direction == "out",
            CaseMessage.created_at >= Case.created_at,
        )
        .group_by(Case.id, Case.created_at)
    )
    per_day: dict[dt.date, list[float]] = defaultdict(list)
    for created_at, replied_at in rows:  # one row per answered case, no more
        per_day[created_at.astimezone(BERLIN).date()].append((replied_at - created_at).total_seconds() / 60)
    everything = sorted(m for minutes in per_day.values() for m in minutes)
    sorted_days = [sorted(per_day.get(day, ())) for day in days]
    return ReplyTimes(
        days=days,
        answered=tuple(len(m) for m in sorted_days),
        median_minutes=tuple(_percentile(m, 0.5) for m in sorted_days),
        p90_minutes=tuple(_percentile(m, 0.9) for m in sorted_days),
        total_answered=len(everything),
        total_median_minutes=_percentile(everything, 0.5),
        total_p90_minutes=_percentile(everything, 0.9),
    )


def _percentile(ordered: Sequence[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (PostgreSQL's percentile_cont)."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _table(
    name: str,
    title: str,
    days: tuple[dt.date, ...],
    counts: Mapping[tuple[dt.date, str], int],
    first: Sequence[str] = (),
    additive: bool = True,
) -> Table:
    """``first``: keys always shown, in this order; the others follow alphabetically."""
    keys = (*first, *sorted({key for _day, key in counts} - set(first)))
    matrix = tuple(tuple(counts.get((day, key), 0) for key in keys) for day in days)
    return Table(name, title, days, keys, matrix, additive)


# ---------------------------------------------------------------------------- suppression

_SHOWN, _SMALL, _WITHHELD = 0, 1, 2
_UNBOUNDED = 10**15  # more than any count
_PROPAGATION_ROUNDS = 50

Position = tuple[int, int]
Bounds = dict[Position, int]


@dataclass(frozen=True, slots=True, eq=False)
class _Equation:
    """A row or column of a table: its parts add up to its total."""

    parts: tuple[Position, ...]
    total: Position


Grid = tuple[tuple[int, ...], ...]


@lru_cache(maxsize=32)  # a table is rendered for the page, the CSV and the workbook alike
def _protect(counts: Grid, additive: bool) -> tuple[Grid, Grid]:
    """The table with its margins (a total per day when ``additive``, then the totals row)
    and the status of every cell: shown, small ("<5") or withheld ("x").

    Every count below five is small, zeros included: a "0" beside "<5" would tell which
    cells hold someone. Each row and column is an equation (its cells add up to its total)
    that a reader can solve, so the bounds a reader can reach are worked out: a small cell
    lies in 0..4, a withheld one is 5 or more, a shown one is exact, and each equation
    narrows the bounds of its unknowns, repeated across rows and columns. While some small
    cell is pinned to one number (being the only suppressed cell of its row, say, or one of
    two whose sum is 8), the smallest shown cell of the equation that pins it is withheld
    (its total only when no cell is left to withhold there), and the bounds are worked out
    again. This is interval reasoning, not a full linear-programming audit.
    """
    values = [[*row, *((sum(row),) if additive else ())] for row in counts]
    width = len(values[0])
    values.append([sum(row[j] for row in values) for j in range(width)])
    status = [[_SMALL if v < THRESHOLD else _SHOWN for v in row] for row in values]

    keys, days = len(counts[0]), len(counts)
    equations = [_Equation(tuple((i, j) for i in range(days)), (days, j)) for j in range(width)]
    if additive:
        equations += [_Equation(tuple((i, j) for j in range(keys)), (i, keys)) for i in range(days + 1)]
    holding: dict[Position, list[_Equation]] = defaultdict(list)
    for equation in equations:
        for position in (*equation.parts, equation.total):
            holding[position].append(equation)

    while True:
        low, high = _bounds(values, status, equations)
        pinned = [
            (i, j)
            for i, row in enumerate(status)
            for j, s in enumerate(row)
            if s == _SMALL and low[(i, j)] == high[(i, j)]
        ]
        chosen = _choose(values, status, holding, low, high, pinned) if pinned else set()
        if not chosen:  # (when pinned: nothing shown is left anywhere around those cells)
            return tuple(map(tuple, values)), tuple(map(tuple, status))
        for i, j in chosen:
            status[i][j] = _WITHHELD


def _choose(
    values: list[list[int]],
    status: list[list[int]],
    holding: Mapping[Position, list[_Equation]],
    low: Bounds,
    high: Bounds,
    pinned: list[Position],
) -> set[Position]:
    """What to withhold next. An equation pins an unknown when it is the only unknown left
    there, or when the others are pinned themselves by further equations: then those are
    the ones to mend, and the cells withheld are the smallest of the equations at the root
    (a rectangle of four, in the common case of one small cell alone in its row and column)."""
    chosen: set[Position] = set()
    culprits_of: dict[Position, list[_Equation]] = {}
    visited: set[Position] = set()
    stack = list(pinned)
    while stack:
        position = stack.pop()
        if position in visited:
            continue
        visited.add(position)
        # Pinned by equations together, none alone: every equation holding it is suspect.
        culprits = [e for e in holding[position] if _pins(e, position, status, low, high)] or holding[
            position
        ]
        culprits_of[position] = culprits
        for equation in culprits:
            sources = [
                q
                for q in (*equation.parts, equation.total)
                if q != position and status[q[0]][q[1]] != _SHOWN and low[q] == high[q]
            ]
            if not sources:
                found = _to_withhold(values, status, equation, holding)
                if found is not None:
                    chosen.add(found)
            stack.extend(q for q in sources if q not in visited)
    if not chosen:
        # The pinning goes round in circles (two small cells adding up to 8, say): withhold
        # the smallest shown cell of all the equations involved, then look again.
        involved = [e for culprits in culprits_of.values() for e in culprits]
        for group in ({p for e in involved for p in e.parts}, {e.total for e in involved}):
            shown = [(values[i][j], (i, j)) for i, j in group if status[i][j] == _SHOWN]
            if shown:
                return {min(shown)[1]}
        for equation in involved:
            found = _to_withhold(values, status, equation, holding)
            if found is not None:
                return {found}
    return chosen


def _bounds(
    values: list[list[int]], status: list[list[int]], equations: list[_Equation]
) -> tuple[Bounds, Bounds]:
    """The lowest and highest count a reader can tell each cell has."""
    low: Bounds = {}
    high: Bounds = {}
    for i, row in enumerate(status):
        for j, s in enumerate(row):
            if s == _SHOWN:
                low[(i, j)] = high[(i, j)] = values[i][j]
            elif s == _SMALL:
                low[(i, j)], high[(i, j)] = 0, THRESHOLD - 1
            else:
                low[(i, j)], high[(i, j)] = THRESHOLD, _UNBOUNDED
    open_equations = [e for e in equations if any(status[i][j] != _SHOWN for i, j in (*e.parts, e.total))]
    for _round in range(_PROPAGATION_ROUNDS):
        changed = False
        for e in open_equations:
            parts_low = sum(low[p] for p in e.parts)
            parts_high = sum(high[p] for p in e.parts)
            changed |= _narrow(low, high, e.total, parts_low, parts_high)
            for p in e.parts:
                if low[p] != high[p]:
                    others_low, others_high = parts_low - low[p], parts_high - high[p]
                    changed |= _narrow(low, high, p, low[e.total] - others_high, high[e.total] - others_low)
                    parts_low, parts_high = others_low + low[p], others_high + high[p]
        if not changed:
            break
    return low, high


def _narrow(low: Bounds, high: Bounds, p: Position, lo: int, hi: int) -> bool:
    changed = False
    if lo > low[p]:
        low[p], changed = lo, True
    if hi < high[p]:
        high[p], changed = hi, True
    return changed


def _pins(e: _Equation, p: Position, status: list[list[int]], low: Bounds, high: Bounds) -> bool:
    """Whether this equation alone narrows the unknown ``p`` to one number."""
    parts_low = sum(low[q] for q in e.parts if q != p)
    parts_high = sum(high[q] for q in e.parts if q != p)
    if p == e.total:
        lo, hi = parts_low, parts_high
    else:
        lo, hi = low[e.total] - parts_high, high[e.total] - parts_low
    floor, ceiling = (0, THRESHOLD - 1) if status[p[0]][p[1]] == _SMALL else (THRESHOLD, _UNBOUNDED)
    return max(lo, floor) >= min(hi, ceiling)


def _to_withhold(
    values: list[list[int]],
    status: list[list[int]],
    equation: _Equation,
    holding: Mapping[Position, list[_Equation]],
) -> Position | None:
    """The smallest shown cell of the equation (its total only when no cell is shown), or
    failing that of the equations around it, one step further at a time."""
    seen = {equation}
    ring = [equation]
    while ring:
        parts = {p for e in ring for p in e.parts}
        totals = {e.total for e in ring}
        for group in (parts - totals, totals):
            shown = [(values[i][j], (i, j)) for i, j in group if status[i][j] == _SHOWN]
            if shown:
                return min(shown)[1]
        ring = [e for p in parts | totals for e in holding[p] if e not in seen]
        seen.update(ring)
    return None


def _shown(value: int, status: int) -> Cell:
    return value if status == _SHOWN else SMALL if status == _SMALL else WITHHELD


def _statistic(minutes: float | None, cases: int) -> Cell:
    if minutes is None:
        return ""
    return FEW_CASES if cases < THRESHOLD else round(minutes, 1)


def _text(cell: Cell) -> str:
    return cell.isoformat() if isinstance(cell, dt.date) else str(cell)


# ---------------------------------------------------------------------------- exports


def to_csv(stats: Statistics) -> str:
    """Every table in one long CSV: measure, day ("total" for the period), column, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("measure", DAY, "column", "value"))
    for table in stats.tables():
        header, *rows = table.rendered()
        for row in rows:
            for column, value in zip(header[1:], row[1:], strict=True):
                writer.writerow((table.name, row[0], column, value))
    return out.getvalue()


def to_xlsx(stats: Statistics) -> bytes:
    """A workbook with a sheet per table (header row, a row per day, the totals row) and a
    sheet of notes. Shown counts are numbers; "<5", "x" and "n<5" are text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in stats.tables():
        sheet = book.create_sheet(table.name[:31])
        for row in table.grid():
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
            if isinstance(cell.value, dt.datetime | dt.date):
                cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "B2"
    notes = book.create_sheet("notes")
    for line in _notes(stats):
        notes.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _notes(stats: Statistics) -> list[tuple[str, str]]:
    return [
        ("period", f"{stats.start.isoformat()} to {stats.end.isoformat()} (Europe/Berlin days)"),
        *((table.name, table.title) for table in stats.tables()),
        (SMALL, "fewer than 5 (0 to 4)"),
        (WITHHELD, "5 or more, withheld so that no '<5' can be recomputed from the totals"),
        (FEW_CASES, "not shown: fewer than 5 cases answered"),
    ]
