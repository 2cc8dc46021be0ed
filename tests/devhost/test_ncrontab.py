"""NCRONTAB schedules: the examples of the Azure Functions timer trigger docs, and errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devhost.ncrontab import ScheduleError, parse_schedule

# A Wednesday.
START = datetime(2025, 1, 1, 0, 0, 0, tzinfo=UTC)


def occurrences(expression: str, count: int, start: datetime = START) -> list[datetime]:
    schedule = parse_schedule(expression)
    found: list[datetime] = []
    moment = start
    for _ in range(count):
        following = schedule.next_after(moment)
        assert following is not None
        found.append(following)
        moment = following
    return found


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_every_five_minutes() -> None:
    assert occurrences("0 */5 * * * *", 3) == [
        at(2025, 1, 1, 0, 5),
        at(2025, 1, 1, 0, 10),
        at(2025, 1, 1, 0, 15),
    ]


def test_top_of_every_hour() -> None:
    assert occurrences("0 0 * * * *", 2) == [at(2025, 1, 1, 1), at(2025, 1, 1, 2)]


def test_every_two_hours() -> None:
    assert occurrences("0 0 */2 * * *", 2) == [at(2025, 1, 1, 2), at(2025, 1, 1, 4)]


def test_every_hour_from_nine_to_five() -> None:
    found = occurrences("0 0 9-17 * * *", 10)
    assert found[0] == at(2025, 1, 1, 9)
    assert found[8] == at(2025, 1, 1, 17)
    assert found[9] == at(2025, 1, 2, 9)


def test_half_past_nine_every_day() -> None:
    assert occurrences("0 30 9 * * *", 2) == [at(2025, 1, 1, 9, 30), at(2025, 1, 2, 9, 30)]


def test_half_past_nine_every_weekday() -> None:
    found = occurrences("0 30 9 * * 1-5", 4)
    # Wed 1, Thu 2, Fri 3, then Mon 6 January 2025.
    assert [moment.day for moment in found] == [1, 2, 3, 6]


def test_half_past_nine_every_monday_in_january() -> None:
    found = occurrences("0 30 9 * Jan Mon", 5)
    assert [moment.day for moment in found[:4]] == [6, 13, 20, 27]
    assert found[4] == at(2026, 1, 5, 9, 30)


def test_seconds_lists_and_ranges() -> None:
    assert [m.second for m in occurrences("5,8,10 * * * * *", 4)] == [5, 8, 10, 5]
    assert [m.second for m in occurrences("5-7 * * * * *", 4)] == [5, 6, 7, 5]


def test_every_few_seconds() -> None:
    assert [m.second for m in occurrences("*/20 * * * * *", 4)] == [20, 40, 0, 20]


def test_value_with_step_runs_to_the_end_of_the_field() -> None:
    assert [m.second for m in occurrences("50/4 * * * * *", 4)] == [50, 54, 58, 50]


def test_range_with_step() -> None:
    assert [m.minute for m in occurrences("0 10-20/5 * * * *", 4)] == [10, 15, 20, 10]


def test_next_is_strictly_after_the_moment() -> None:
    assert parse_schedule("0 0 * * * *").next_after(at(2025, 1, 1, 1)) == at(2025, 1, 1, 2)


def test_day_of_month_and_day_of_week_must_both_match() -> None:
    # Friday the 13th: June 2025 is the first one after January 2025.
    assert occurrences("0 0 0 13 * Fri", 1) == [at(2025, 6, 13)]


def test_names_are_case_insensitive_prefixes() -> None:
    assert parse_schedule("0 0 0 * feb,MARCH sun-tue").months == {2, 3}
    assert parse_schedule("0 0 0 * * sun-tue").weekdays == {0, 1, 2}


def test_day_31_skips_short_months() -> None:
    found = occurrences("0 0 0 31 * *", 3)
    assert [(m.month, m.day) for m in found] == [(1, 31), (3, 31), (5, 31)]


def test_leap_day() -> None:
    assert occurrences("0 0 0 29 Feb *", 1) == [at(2028, 2, 29)]


def test_a_date_that_never_comes_has_no_occurrence() -> None:
    assert parse_schedule("0 0 0 30 Feb *").next_after(START) is None


@pytest.mark.parametrize(
    "expression",
    [
        "0 0 * * *",  # five fields: the seconds are required
        "0 0 * * * * *",
        "60 * * * * *",
        "0 0 24 * * *",
        "0 0 0 0 * *",
        "0 0 0 * 13 *",
        "0 0 0 * * 7",
        "*/0 * * * * *",
        "0 5-1 * * * *",
        "0 x * * * *",
        "0 0 0 * Foo *",
        "00:05:00",
        "",
    ],
)
def test_bad_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(expression)
