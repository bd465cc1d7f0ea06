"""The network's anonymous statistics: numbers, Berlin days, suppression, CSV and XLSX,
on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Case, CaseMessage, Feedback, UsageCounter, User
from bot.db.statistics import (
    SMALL,
    WITHHELD,
    Statistics,
    Table,
    daily_statistics,
    suppress,
    to_csv,
    to_xlsx,
)

# Summer time begins in Berlin on 29 March 2026 at 01:00 UTC: the 29th starts at 23:00 UTC
# the day before, the 30th at 22:00 UTC.
D1, D2 = dt.date(2026, 3, 29), dt.date(2026, 3, 30)
ENTRY, OTHER = "ausbildung-dual", "berufsschule"


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


COUNTERS = {
    (D1, "start", "start"): 20,
    (D1, "campaign", "schule-pirna"): 6,
    (D1, "campaign", "invalid"): 1,
    (D2, "start", "start"): 9,
    (D2, "campaign", "schule-pirna"): 2,
    (D1, "language", "de"): 12,
    (D1, "language", "ar"): 7,
    (D1, "language", "uk"): 1,
    (D2, "language", "de"): 5,
    (D1, "topic", "training"): 9,
    (D2, "topic", "training"): 6,
    (D1, "town", "Pirna"): 7,
    (D2, "town", "Sebnitz"): 2,
    (D1, "answer", ENTRY): 10,
    (D2, "answer", ENTRY): 4,
    (D1, "question", "answer"): 30,
    (D1, "question", "suggest"): 8,
    (D1, "question", "none"): 6,
    (D1, "question", "none_of_these"): 2,
    (D2, "question", "answer"): 11,
    (D2, "question", "suggest"): 5,
    (D2, "question", "none"): 1,
    # Not part of the period or of the statistics:
    (D1 - dt.timedelta(days=1), "start", "start"): 50,
    (D2 + dt.timedelta(days=1), "language", "de"): 50,
    (D1, "intent", "greeting"): 40,
}

# Minutes to the first advisor reply of the cases opened on each day.
REPLIES_D1 = (10, 20, 30, 40, 100)
REPLIES_D2 = (15, 45)


async def _fill(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as db:
        for (day, kind, key), n in COUNTERS.items():
            db.add(UsageCounter(day=day, kind=kind, key=key, count=n))
        feedback = [
            *[(ENTRY, True, utc(29, 9 + i)) for i in range(6)],
            (ENTRY, True, utc(28, 23, 30)),  # 00:30 on the 29th in Berlin
            (ENTRY, False, utc(29, 12)),
            *[(ENTRY, True, utc(30, 8 + i)) for i in range(5)],
            (ENTRY, False, utc(30, 9)),
            (ENTRY, False, utc(29, 22, 15)),  # 00:15 on the 30th in Berlin (summer time)
            (OTHER, True, utc(29, 10)),
            (OTHER, True, utc(29, 11)),
            (ENTRY, True, utc(28, 22, 59)),  # 23:59 on the 28th: before the period
            (ENTRY, False, utc(30, 22)),  # midnight starting the 31st: after it
        ]
        for entry_id, helpful, created_at in feedback:
            db.add(Feedback(entry_id=entry_id, language="de", helpful=helpful, created_at=created_at))
        users = [User(external_id=100 + i, pseudonym=f"P {i}", language="de") for i in range(12)]
        db.add_all(users)
        await db.flush()
        people = iter(users)

        def new_case(created_at: dt.datetime, urgent: bool = False, **fields: object) -> Case:
            case = Case(
                user_id=next(people).id, reason="menu", language="de", urgent=urgent, created_at=created_at
            )
            for name, value in fields.items():
                setattr(case, name, value)
            db.add(case)
            return case

        answered: list[tuple[Case, int]] = []
        for i, minutes in enumerate(REPLIES_D1):
            closed = {"state": "closed", "closed_at": utc(30, 10)} if i < 3 else {"state": "taken"}
            case = new_case(utc(29, 8, i), urgent=i == 0, taken_at=utc(29, 8, 5 + i), **closed)
            answered.append((case, minutes))
        new_case(utc(29, 9))  # never answered
        new_case(utc(28, 23, 10))  # 00:10 on the 29th in Berlin, never answered
        for minutes in REPLIES_D2:
            case = new_case(utc(30, 9), urgent=minutes == 45, state="taken", taken_at=utc(30, 9, 1))
            answered.append((case, minutes))
        new_case(utc(28, 22, 50), taken_at=utc(28, 22, 55), state="taken")  # before the period
        await db.flush()
        for case, minutes in answered:
            first = case.created_at + dt.timedelta(minutes=minutes)
            db.add(
                CaseMessage(
                    case_id=case.id,
                    direction="in",
                    user_message_id=1,
                    group_message_id=1,
                    created_at=case.created_at + dt.timedelta(minutes=1),
                )
            )
            db.add(
                CaseMessage(
                    case_id=case.id, direction="out", user_message_id=2, group_message_id=2, created_at=first
                )
            )
            db.add(
                CaseMessage(
                    case_id=case.id,
                    direction="out",
                    user_message_id=3,
                    group_message_id=3,
                    created_at=first + dt.timedelta(minutes=30),
                )
            )


async def _statistics(sessions: async_sessionmaker[AsyncSession]) -> Statistics:
    await _fill(sessions)
    async with sessions() as db:
        return await daily_statistics(db, D1, D2)


# ---------------------------------------------------------------- the numbers


async def test_counters_become_daily_series_and_totals(sessions: async_sessionmaker[AsyncSession]) -> None:
    stats = await _statistics(sessions)
    assert stats.days == (D1, D2)
    assert stats.starts.keys == ("(no campaign)", "invalid", "schule-pirna")
    assert stats.starts.counts == ((13, 1, 6), (7, 0, 2))
    assert stats.starts.day_totals == (20, 9)  # every start, with a campaign link or without
    assert stats.starts.key_totals == {"(no campaign)": 20, "invalid": 1, "schule-pirna": 8}
    assert stats.languages.keys == ("ar", "de", "uk")
    assert stats.languages.series("de") == (12, 5)
    assert stats.languages.total == 25  # the day after the period is not in it
    assert stats.topics.count(D2, "training") == 6
    assert stats.towns.key_totals == {"Pirna": 7, "Sebnitz": 2}
    assert stats.entry_views.key_totals == {ENTRY: 14}
    assert stats.questions.keys == ("answered", "suggested", "unanswered")
    assert stats.questions.counts == ((30, 8, 6), (11, 5, 1))
    assert stats.questions.day_totals == (44, 17)  # typed questions
    # "none of these" follows a suggestion: counted apart, not another outcome
    assert stats.none_of_these.series("none of these") == (2, 0)
    assert not stats.none_of_these.additive


async def test_feedback_counts_by_berlin_day(sessions: async_sessionmaker[AsyncSession]) -> None:
    stats = await _statistics(sessions)
    assert stats.helpful.keys == (ENTRY, OTHER)
    assert stats.helpful.counts == ((7, 2), (5, 0))
    assert stats.unhelpful.keys == (ENTRY,)
    assert stats.unhelpful.series(ENTRY) == (1, 2)


async def test_cases_and_the_time_to_the_first_reply(sessions: async_sessionmaker[AsyncSession]) -> None:
    stats = await _statistics(sessions)
    assert stats.cases.keys == ("opened", "taken", "closed", "urgent")
    assert stats.cases.counts == ((7, 5, 0, 1), (2, 2, 3, 1))
    replies = stats.reply_times
    assert replies.answered == (5, 2)
    assert replies.median_minutes == (30.0, 30.0)
    assert replies.p90_minutes == pytest.approx((76.0, 42.0))  # 40 + 0.6 × 60; 15 + 0.9 × 30
    assert replies.total_answered == 7
    assert replies.total_median_minutes == 30.0
    assert replies.total_p90_minutes == pytest.approx(67.0)  # 45 + 0.4 × 55


async def test_an_empty_period_is_all_small(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as db:
        stats = await daily_statistics(db, D1, D1)
        with pytest.raises(ValueError, match="before it starts"):
            await daily_statistics(db, D2, D1)
    assert stats.cases.rendered() == (
        ("day", "opened", "taken", "closed", "urgent"),
        ("2026-03-29", SMALL, SMALL, SMALL, SMALL),
        ("total", SMALL, SMALL, SMALL, SMALL),
    )
    assert stats.languages.rendered() == (("day", "total"), ("2026-03-29", SMALL), ("total", SMALL))
    assert stats.reply_times.rendered()[1] == ("2026-03-29", SMALL, "", "")


async def test_days_in_winter_and_in_summer(sessions: async_sessionmaker[AsyncSession]) -> None:
    winter, summer = dt.date(2026, 1, 11), dt.date(2026, 7, 11)
    async with sessions.begin() as db:
        for moment in (
            dt.datetime(2026, 1, 10, 22, 59, tzinfo=dt.UTC),  # 23:59 on the 10th in Berlin
            *(dt.datetime(2026, 1, 10, 23, i, tzinfo=dt.UTC) for i in range(6)),  # 00:0i on the 11th
            dt.datetime(2026, 1, 11, 22, 59, tzinfo=dt.UTC),  # 23:59 on the 11th
            dt.datetime(2026, 1, 11, 23, 0, tzinfo=dt.UTC),  # the 12th
            *(dt.datetime(2026, 7, 10, 22, i, tzinfo=dt.UTC) for i in range(5)),  # the 11th of July
            dt.datetime(2026, 7, 10, 21, 59, tzinfo=dt.UTC),  # 23:59 on the 10th of July
        ):
            db.add(Feedback(entry_id=ENTRY, language="de", helpful=True, created_at=moment))
    async with sessions() as db:
        assert (await daily_statistics(db, winter, winter)).helpful.counts == ((7,),)
        july = await daily_statistics(db, summer - dt.timedelta(days=1), summer)
        assert july.helpful.counts == ((1,), (5,))


# ---------------------------------------------------------------- suppression


def test_suppress() -> None:
    assert [suppress(n) for n in (0, 1, 4, 5, 123)] == [SMALL, SMALL, SMALL, "5", "123"]


async def test_rendered_tables_suppress_small_counts_and_what_would_reveal_them(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    stats = await _statistics(sessions)
    # The 1 alone in its row and column: three cells around it are withheld with it.
    assert stats.questions.rendered() == (
        ("day", "answered", "suggested", "unanswered", "total"),
        ("2026-03-29", "30", WITHHELD, WITHHELD, "44"),
        ("2026-03-30", "11", WITHHELD, SMALL, "17"),
        ("total", "41", "13", "7", "61"),
    )
    assert stats.none_of_these.rendered() == (
        ("day", "none of these"),
        ("2026-03-29", SMALL),
        ("2026-03-30", SMALL),
        ("total", SMALL),
    )
    assert stats.cases.rendered() == (
        ("day", "opened", "taken", "closed", "urgent"),
        ("2026-03-29", WITHHELD, WITHHELD, SMALL, SMALL),
        ("2026-03-30", SMALL, SMALL, SMALL, SMALL),
        ("total", "9", "7", SMALL, SMALL),
    )
    assert stats.reply_times.rendered() == (
        ("day", "cases answered", "median minutes", "p90 minutes"),
        ("2026-03-29", WITHHELD, "30.0", "76.0"),
        ("2026-03-30", SMALL, "n<5", "n<5"),  # a median of two cases is not shown
        ("total", "7", "30.0", "67.0"),
    )
    starts = stats.starts.rendered()
    assert starts == (
        ("day", "(no campaign)", "invalid", "schule-pirna", "total"),
        ("2026-03-29", "13", SMALL, WITHHELD, "20"),
        ("2026-03-30", "7", SMALL, SMALL, "9"),
        ("total", "20", SMALL, WITHHELD, "29"),
    )
    for table in stats.tables():
        if isinstance(table, Table) and table.keys:  # (the interest check's have no counts here)
            _assert_no_small_cell_can_be_worked_out(table.rendered(), table.additive)


def test_a_small_cell_alone_in_its_row_and_column_gets_a_rectangle_of_withheld_cells() -> None:
    table = Table("t", "t", (D1, D2), ("a", "b", "c"), ((10, 3, 20), (12, 15, 30)))
    rendered = table.rendered()
    assert rendered == (
        ("day", "a", "b", "c", "total"),
        ("2026-03-29", WITHHELD, SMALL, "20", "33"),
        ("2026-03-30", WITHHELD, WITHHELD, "30", "57"),
        ("total", "22", "18", "50", "90"),
    )
    _assert_no_small_cell_can_be_worked_out(rendered, additive=True)


@pytest.mark.parametrize(
    "counts",
    [
        ((4, 4, 20), (12, 15, 30)),  # two small cells adding up to 8 must both be 4
        ((0, 5, 20), (12, 15, 30)),  # a withheld 5 beside a small 0 would pin both
        ((6, 2, 7), (5, 8, 9), (7, 0, 6)),
        ((1, 9), (9, 1)),
        ((9, 9), (9, 1)),
    ],
)
def test_no_small_cell_can_be_worked_out_from_the_totals(counts: tuple[tuple[int, ...], ...]) -> None:
    days = tuple(D1 + dt.timedelta(days=i) for i in range(len(counts)))
    keys = tuple("abc"[: len(counts[0])])
    for additive in (True, False):
        table = Table("t", "t", days, keys, counts, additive)
        rendered = table.rendered()
        assert sum(row.count(SMALL) for row in rendered) >= 1
        _assert_no_small_cell_can_be_worked_out(rendered, additive)


def _assert_no_small_cell_can_be_worked_out(rendered: tuple[tuple[str, ...], ...], additive: bool) -> None:
    """Solve the table as a reader could, trying every count a "<5" may hold: each must stay
    open between at least two counts that fit every shown number and every marker."""
    body = [row[1:] for row in rendered[1:]]
    rows, width = len(body), len(body[0])
    keys = width - 1 if additive else width
    equations = [([(i, j) for i in range(rows - 1)], (rows - 1, j)) for j in range(width)]
    if additive:
        equations += [([(i, j) for j in range(keys)], (i, keys)) for i in range(rows)]
    known = {
        (i, j): int(cell)
        for i, row in enumerate(body)
        for j, cell in enumerate(row)
        if cell not in (SMALL, WITHHELD)
    }
    ceiling = max([*known.values(), 4])
    possible: dict[tuple[int, int], set[int]] = {}

    def fits(position: tuple[int, int], value: int) -> bool:
        cell = body[position[0]][position[1]]
        return 0 <= value < 5 if cell == SMALL else 5 <= value <= ceiling if cell == WITHHELD else True

    def solve(values: dict[tuple[int, int], int]) -> None:
        values = dict(values)
        changed = True
        while changed:
            changed = False
            for parts, total in equations:
                members = [*parts, total]
                open_ = [p for p in members if p not in values]
                if len(open_) == 1:
                    (p,) = open_
                    rest = sum(values[q] for q in parts if q != p)
                    value = values[total] - rest if p != total else rest
                    if not fits(p, value):
                        return
                    values[p], changed = value, True
                elif not open_ and sum(values[q] for q in parts) != values[total]:
                    return
        unknown = [(i, j) for i in range(rows) for j in range(width) if (i, j) not in values]
        if not unknown:
            for position, value in values.items():
                possible.setdefault(position, set()).add(value)
            return
        position = min(unknown, key=lambda p: body[p[0]][p[1]] != SMALL)
        for value in range(5) if body[position[0]][position[1]] == SMALL else range(5, ceiling + 1):
            solve({**values, position: value})

    solve(known)
    assert possible, f"no table fits {rendered}"
    for i, row in enumerate(body):
        for j, cell in enumerate(row):
            if cell == SMALL:
                assert len(possible[(i, j)]) >= 2, f"cell {i},{j} of {rendered} must be {possible[(i, j)]}"


# ---------------------------------------------------------------- exports


async def test_csv_holds_only_suppressed_cells(sessions: async_sessionmaker[AsyncSession]) -> None:
    stats = await _statistics(sessions)
    rows = list(csv.reader(io.StringIO(to_csv(stats))))
    assert rows[0] == ["measure", "day", "column", "value"]
    assert [r for r in rows if r[0] == "questions"] == [
        ["questions", "2026-03-29", "answered", "30"],
        ["questions", "2026-03-29", "suggested", WITHHELD],
        ["questions", "2026-03-29", "unanswered", WITHHELD],
        ["questions", "2026-03-29", "total", "44"],
        ["questions", "2026-03-30", "answered", "11"],
        ["questions", "2026-03-30", "suggested", WITHHELD],
        ["questions", "2026-03-30", "unanswered", SMALL],
        ["questions", "2026-03-30", "total", "17"],
        ["questions", "total", "answered", "41"],
        ["questions", "total", "suggested", "13"],
        ["questions", "total", "unanswered", "7"],
        ["questions", "total", "total", "61"],
    ]
    # 7 + "<5" = 9 and 5 + "<5" = 5 would give both small counts away; so would any
    # "x" beside a total of 5, since an "x" is 5 or more: little is left to show.
    assert [r for r in rows if r[0] == "entry_helpful"] == [
        ["entry_helpful", "2026-03-29", ENTRY, WITHHELD],
        ["entry_helpful", "2026-03-29", OTHER, SMALL],
        ["entry_helpful", "2026-03-29", "total", WITHHELD],
        ["entry_helpful", "2026-03-30", ENTRY, WITHHELD],
        ["entry_helpful", "2026-03-30", OTHER, SMALL],
        ["entry_helpful", "2026-03-30", "total", WITHHELD],
        ["entry_helpful", "total", ENTRY, WITHHELD],
        ["entry_helpful", "total", OTHER, SMALL],
        ["entry_helpful", "total", "total", "14"],
    ]
    # A table without any count (the interest check's, in this period) has no cells to write.
    written = {t.name for t in stats.tables() if not isinstance(t, Table) or t.keys}
    assert {r[0] for r in rows[1:]} == written
    for measure, _day, column, value in rows[1:]:
        if value not in (SMALL, WITHHELD, "n<5", ""):
            assert float(value) >= 5 or column.endswith("minutes"), (measure, column, value)


async def test_xlsx_has_a_sheet_per_measure_with_suppressed_cells(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    stats = await _statistics(sessions)
    book = load_workbook(io.BytesIO(to_xlsx(stats)))
    assert book.sheetnames == [
        "starts",
        "languages",
        "topics",
        "towns",
        "entry_views",
        "entry_helpful",
        "entry_unhelpful",
        "questions",
        "none_of_these",
        "cases",
        "reply_times",
        "interest_checks",
        "interest_fields",
        "notes",
    ]
    midnight = dt.datetime.combine
    assert [list(row) for row in book["cases"].iter_rows(values_only=True)] == [
        ["day", "opened", "taken", "closed", "urgent"],
        [midnight(D1, dt.time()), WITHHELD, WITHHELD, SMALL, SMALL],
        [midnight(D2, dt.time()), SMALL, SMALL, SMALL, SMALL],
        ["total", 9, 7, SMALL, SMALL],
    ]
    assert [list(row) for row in book["languages"].iter_rows(values_only=True)] == [
        ["day", "ar", "de", "uk", "total"],
        # the 5 of the 30th, beside two "<5", would tell they are 0: many cells go with it
        [midnight(D1, dt.time()), WITHHELD, WITHHELD, SMALL, WITHHELD],
        [midnight(D2, dt.time()), SMALL, WITHHELD, SMALL, WITHHELD],
        ["total", WITHHELD, 17, SMALL, 25],
    ]
    assert [list(row) for row in book["reply_times"].iter_rows(values_only=True)] == [
        ["day", "cases answered", "median minutes", "p90 minutes"],
        [midnight(D1, dt.time()), WITHHELD, 30, 76],
        [midnight(D2, dt.time()), SMALL, "n<5", "n<5"],
        ["total", 7, 30, 67],
    ]
    assert book["questions"]["A2"].number_format == "yyyy-mm-dd"
    assert book["notes"]["B1"].value == "2026-03-29 to 2026-03-30 (Europe/Berlin days)"
    # No cell of any sheet shows a count from 1 to 4.
    for sheet in book.worksheets[:-1]:
        for row in sheet.iter_rows(min_row=2, min_col=2, values_only=True):
            for value in row:
                assert not (isinstance(value, int) and value < 5), (sheet.title, row)
