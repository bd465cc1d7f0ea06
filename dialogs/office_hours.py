"""When advisors are at work: weekly hours and Saxony's public holidays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays

WeeklyHours = dict[int, tuple[dt.time, dt.time]]


def saxony_holidays(years: range) -> set[dt.date]:
    """Public holidays in Saxony (incl. Reformationstag, Buß- und Bettag) from a maintained list."""
    return set(holidays.country_holidays("DE", subdiv="SN", years=years).keys())


@dataclass(frozen=True)
class OfficeHours:
    weekly: WeeklyHours
    zone: ZoneInfo
    closed_days: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def for_saxony(cls, weekly: WeeklyHours, zone: ZoneInfo, today: dt.date) -> OfficeHours:
        years = range(today.year - 1, today.year + 3)
        return cls(weekly, zone, frozenset(saxony_holidays(years)))

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.zone)
        span = self.weekly.get(local.weekday())
        if span is None or local.date() in self.closed_days:
            return False
        return span[0] <= local.time() < span[1]

    def next_opening(self, moment: dt.datetime) -> dt.datetime | None:
        """The next moment advisors are at work (``moment`` itself when they are)."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.zone)
        for offset in range(0, 60):
            day = local.date() + dt.timedelta(days=offset)
            span = self.weekly.get(day.weekday())
            if span is None or day in self.closed_days:
                continue
            start = dt.datetime.combine(day, span[0], tzinfo=self.zone)
            if start > local or (offset == 0 and local.time() < span[0]):
                return start
        return None
