"""ORM ⇄ routing engine: stops as plain dataclasses, haversine distance and travel-time
matrices, opening-hour windows, the geographic split of a week's stops into days (a sweep by
angle around the office into days of about equal workload), and the engine's day route back
as times. No query here: services fetch, these compute."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tobacco_crm.engines.routing import DayRoute, solve_day_route

EARTH_RADIUS_M = 6_371_000
DAY = 24 * 60


@dataclass
class Stop:
    """One retailer to visit, with what routing needs and why it is planned."""

    retailer_id: int
    lat: float
    lon: float
    opens: int  # minutes from midnight
    closes: int
    service_min: int
    priority: int = 0  # lower first: key targets 0, then by weeks overdue
    purposes: list[dict[str, Any]] = field(default_factory=list)


def minutes(t: dt.time | None, default: int) -> int:
    return default if t is None else t.hour * 60 + t.minute


def window(opens_at: dt.time | None, closes_at: dt.time | None) -> tuple[int, int]:
    """Opening hours as minutes; unknown hours are the whole day, and a shop closing after
    midnight is open until the end of the day."""
    opens, closes = minutes(opens_at, 0), minutes(closes_at, DAY)
    if closes <= opens:
        closes = DAY
    return opens, closes


def as_time(value: int) -> dt.time:
    value = max(0, min(value, DAY - 1))
    return dt.time(value // 60, value % 60)


def haversine_matrix(points: list[tuple[float, float]]) -> np.ndarray:
    """Great-circle distances in whole metres between (lat, lon) points."""
    lat = np.radians([p[0] for p in points])
    lon = np.radians([p[1] for p in points])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return np.rint(d).astype(np.int64)


def travel_minutes(dist_m: np.ndarray, speed_kmh: float) -> np.ndarray:
    return np.ceil(dist_m / (speed_kmh * 1000 / 60)).astype(np.int64)


def split_by_sweep(
    depot: tuple[float, float], stops: list[Stop], days: int, day_visits: int
) -> list[list[Stop]]:
    """Stops into `days` groups: sorted by angle around the depot, cut into consecutive
    runs of about equal service minutes, at most `day_visits` each (the caller keeps the
    total within `days × day_visits`)."""
    if days <= 0:
        return []
    ordered = sorted(
        stops,
        key=lambda s: (math.atan2(s.lat - depot[0], s.lon - depot[1]), s.retailer_id),
    )
    groups: list[list[Stop]] = [[] for _ in range(days)]
    remaining_min = sum(s.service_min for s in ordered)
    i = 0
    for d in range(days):
        target = remaining_min / (days - d)
        load = 0
        left_after = len(ordered) - i
        while i < len(ordered) and len(groups[d]) < day_visits:
            # Keep enough room in the later days for what is left.
            if groups[d] and load >= target and left_after <= (days - d - 1) * day_visits:
                break
            groups[d].append(ordered[i])
            load += ordered[i].service_min
            i += 1
            left_after -= 1
        remaining_min -= load
    return groups


@dataclass
class RoutedDay:
    """A day's route as retailer ids with times, and the stops it could not fit."""

    visits: list[tuple[Stop, int, int]]  # stop, arrival, start (minutes)
    unfit: list[tuple[Stop, str]]
    distance_m: int


def route_day(
    depot: tuple[float, float],
    stops: list[Stop],
    *,
    speed_kmh: float,
    day_start: int,
    day_minutes: int,
    time_limit_s: float = 1.0,
) -> RoutedDay:
    """The engine's day route from the depot over `stops` (every stop has coordinates)."""
    if not stops:
        return RoutedDay([], [], 0)
    dist = haversine_matrix([depot] + [(s.lat, s.lon) for s in stops])
    travel = travel_minutes(dist, speed_kmh)
    windows = np.array([(0, DAY)] + [(s.opens, s.closes) for s in stops], dtype=np.int64)
    service = np.array([0] + [s.service_min for s in stops], dtype=np.int64)
    route: DayRoute = solve_day_route(
        dist, travel, windows, service, depot=0, day_start=day_start,
        day_end=min(DAY, day_start + day_minutes), time_limit_s=time_limit_s,
    )  # fmt: skip
    visits = [
        (stops[node - 1], route.arrival[k], route.start[k])
        for k, node in enumerate(route.order)
        if k > 0
    ]
    unfit = [(stops[node - 1], str(reason)) for node, reason in sorted(route.unfit.items())]
    return RoutedDay(visits, unfit, route.distance_m)
