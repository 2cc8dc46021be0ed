"""NCRONTAB schedules as the Functions host's timer trigger reads them.

Six fields, ``second minute hour day month day-of-week``, each ``*``, a value, a range
``a-b``, a step ``*/n``, ``a-b/n`` or ``a/n`` (from a to the field's last value), or a
comma-separated list of those. Months and days of the week also take their English names
or any prefix of them (``Jan``, ``mon``); day of week runs 0 (Sunday) to 6. As in NCrontab
(the library the host uses), a time matches only when the day of the month AND the day of
the week both match. Times are UTC (the host's default, without WEBSITE_TIME_ZONE).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_MONTH_NAMES = tuple(calendar.month_name[1:])
_DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
# How far ahead a schedule is searched: a schedule with no time in 5 years (Feb 30) has none.
_SEARCH_YEARS = 5


class ScheduleError(ValueError):
    """The expression is not a six-field NCRONTAB schedule."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()

    def parse(self, text: str) -> frozenset[int]:
        values: set[int] = set()
        for part in text.split(","):
            values.update(self._parse_part(part))
        return frozenset(values)

    def _parse_part(self, part: str) -> range:
        every = 1
        if "/" in part:
            part, _, step = part.partition("/")
            every = self._number(step)
            if every < 1:
                raise ScheduleError(f"{self.name}: the step in '{part}/{step}' must be at least 1")
        if part == "*":
            first, last = self.low, self.high
        elif "-" in part:
            start, _, end = part.partition("-")
            first, last = self._value(start), self._value(end)
        else:
            first = self._value(part)
            last = self.high if every > 1 else first
        if first > last:
            raise ScheduleError(f"{self.name}: range '{part}' runs backwards")
        return range(first, last + 1, every)

    def _value(self, text: str) -> int:
        if text[:1].isdigit():
            value = self._number(text)
        else:
            matches = [i for i, name in enumerate(self.names) if text and _is_prefix(text, name)]
            if not matches:
                raise ScheduleError(f"{self.name}: '{text}' is neither a number nor a known name")
            value = matches[0] + self.low
        if not self.low <= value <= self.high:
            raise ScheduleError(f"{self.name}: {value} is outside {self.low}-{self.high}")
        return value

    def _number(self, text: str) -> int:
        if not text.isdigit():
            raise ScheduleError(f"{self.name}: '{text}' is not a number")
        return int(text)


def _is_prefix(text: str, name: str) -> bool:
    return name.lower().startswith(text.lower())


_FIELDS = (
    _Field("second", 0, 59),
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day", 1, 31),
    _Field("month", 1, 12, _MONTH_NAMES),
    _Field("day of week", 0, 6, _DAY_NAMES),
)


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule; ``next_after`` gives its occurrences."""

    expression: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]

    def next_after(self, moment: datetime) -> datetime | None:
        """The first occurrence strictly after ``moment`` (aware), or None if it never comes."""
        current = moment.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
        horizon = current.replace(year=current.year + _SEARCH_YEARS, month=1, day=1)
        while current < horizon:
            if current.month not in self.months:
                current = _start_of_next_month(current)
            elif current.day not in self.days or _weekday(current) not in self.weekdays:
                current = current.replace(hour=0, minute=0, second=0) + timedelta(days=1)
            elif current.hour not in self.hours:
                current = current.replace(minute=0, second=0) + timedelta(hours=1)
            elif current.minute not in self.minutes:
                current = current.replace(second=0) + timedelta(minutes=1)
            elif current.second not in self.seconds:
                current += timedelta(seconds=1)
            else:
                return current
        return None


def _weekday(moment: datetime) -> int:
    """0 for Sunday, as NCRONTAB counts."""
    return (moment.weekday() + 1) % 7


def _start_of_next_month(moment: datetime) -> datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return moment.replace(year=year, month=month, day=1, hour=0, minute=0, second=0)


def parse_schedule(expression: str) -> Schedule:
    """Parse a six-field NCRONTAB expression; ScheduleError says what is wrong."""
    parts = expression.split()
    if len(parts) != len(_FIELDS):
        raise ScheduleError(
            f"'{expression}' must have 6 fields (second minute hour day month day-of-week), "
            f"has {len(parts)}"
        )
    sets = [field.parse(part) for field, part in zip(_FIELDS, parts, strict=True)]
    return Schedule(expression, *sets)
