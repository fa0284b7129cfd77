"""Season keys of weeks: festival-aligned weeks first, then the week of the season.

Every week (given by its start date) gets one integer key in ``0 .. key_count - 1``:

- ``season_length + SPRING_BEFORE + j`` for the week ``j`` weeks from the week holding the
  first day of the Spring Festival (正月初一), ``-SPRING_BEFORE <= j <= SPRING_AFTER``;
- ``season_length + SPRING_WEEKS + 1 + j`` for the week ``j`` weeks from the Mid-Autumn
  Festival (中秋节), ``-1 <= j <= 1``, unless already a Spring Festival week;
- otherwise ``floor(day_of_year / 365.25 × season_length)``, the week of the season.

Both festivals follow the lunar calendar and move by up to four weeks in the solar year, so
"week 5 of the year" mixes peak and dip weeks; aligning on the festival keeps them apart. Their
dates come from ``holidays.China`` (1950-2100), not from a hand-typed table. The week holding a
festival is offset 0: ``j = floor((week_start + 6 - festival) / 7)`` for the nearest festival.

Without dates the key is the position in the season: ``t mod season_length``, with ``t`` the
column index (history columns ``0 .. T-1``, then the forecast weeks ``T ..``).
"""

from __future__ import annotations

import functools

import holidays
import numpy as np
from numpy.typing import NDArray

SPRING_BEFORE = 8  # 年货: the weeks before the festival
SPRING_AFTER = 6  # the quiet weeks after it
SPRING_WEEKS = SPRING_BEFORE + SPRING_AFTER + 1
AUTUMN_HALF = 1
AUTUMN_WEEKS = 2 * AUTUMN_HALF + 1

DayArray = NDArray[np.datetime64]
IntArray = NDArray[np.int64]


def key_count(season_length: int) -> int:
    return season_length + SPRING_WEEKS + AUTUMN_WEEKS


@functools.lru_cache(maxsize=64)
def festival_days(first_year: int, last_year: int) -> tuple[DayArray, DayArray]:
    """First days of the Spring Festival and the Mid-Autumn Festival days of the years given
    and one either side, from ``holidays.China``."""
    calendar = holidays.China(years=range(first_year - 1, last_year + 2), language="en_US")
    spring: dict[int, str] = {}
    autumn: list[str] = []
    for day, name in sorted(calendar.items()):
        if "Spring Festival" in name and "observed" not in name.lower():
            spring.setdefault(day.year, day.isoformat())
        elif name == "Mid-Autumn Festival":
            autumn.append(day.isoformat())
    if not spring:
        raise RuntimeError("holidays.China gave no Spring Festival dates")
    return (
        np.asarray(sorted(spring.values()), dtype="datetime64[D]"),
        np.asarray(autumn, dtype="datetime64[D]"),
    )


def _nearest_week_offset(starts: DayArray, events: DayArray) -> IntArray:
    """Weeks from the week holding the nearest event (0: the event falls in the week)."""
    if events.size == 0:
        return np.full(starts.size, 10_000, dtype=np.int64)
    days = (starts[:, None] + np.timedelta64(6, "D") - events[None, :]).astype(np.int64)
    offsets = np.floor_divide(days, 7)
    nearest = np.abs(offsets).argmin(axis=1)
    return offsets[np.arange(starts.size), nearest]


def spring_offsets(starts: DayArray) -> IntArray:
    """Weeks from the Spring Festival's week, for weeks starting on ``starts``."""
    if starts.size == 0:
        return np.zeros(0, dtype=np.int64)
    years = starts.astype("datetime64[Y]").astype(np.int64) + 1970
    spring, _ = festival_days(int(years.min()), int(years.max()))
    return _nearest_week_offset(starts, spring)


def date_keys(starts: DayArray, season_length: int) -> IntArray:
    """Season keys (module docstring) of the weeks starting on ``starts`` (datetime64[D])."""
    starts = np.asarray(starts, dtype="datetime64[D]")
    if starts.size == 0:
        return np.zeros(0, dtype=np.int64)
    years = starts.astype("datetime64[Y]").astype(np.int64) + 1970
    spring, autumn = festival_days(int(years.min()), int(years.max()))
    middle = starts + np.timedelta64(3, "D")
    day_of_year = (middle - middle.astype("datetime64[Y]")).astype(np.int64)
    keys = np.minimum((day_of_year / 365.25 * season_length).astype(np.int64), season_length - 1)
    autumn_j = _nearest_week_offset(starts, autumn)
    in_autumn = np.abs(autumn_j) <= AUTUMN_HALF
    keys = np.where(in_autumn, season_length + SPRING_WEEKS + AUTUMN_HALF + autumn_j, keys)
    spring_j = _nearest_week_offset(starts, spring)
    in_spring = (spring_j >= -SPRING_BEFORE) & (spring_j <= SPRING_AFTER)
    return np.where(in_spring, season_length + SPRING_BEFORE + spring_j, keys)


def position_keys(columns: int, horizon: int, season_length: int) -> tuple[IntArray, IntArray]:
    """Keys without dates: the column's position in the season."""
    t = np.arange(columns + horizon, dtype=np.int64) % season_length
    return t[:columns], t[columns:]


def week_starts(dates: object, columns: int, horizon: int) -> tuple[DayArray, DayArray]:
    """Validated history week starts (``columns`` of them, 7 days apart) and the next
    ``horizon`` week starts."""
    starts = np.asarray(dates, dtype="datetime64[D]")
    if starts.ndim != 1 or starts.size != columns:
        raise ValueError(
            f"dates: need one week start per history week ({columns}), got {starts.size}"
        )
    if columns > 1 and np.any(np.diff(starts).astype(np.int64) != 7):
        raise ValueError("dates: week starts must be 7 days apart, oldest first")
    future = starts[-1] + np.arange(1, horizon + 1) * np.timedelta64(7, "D")
    return starts, future
