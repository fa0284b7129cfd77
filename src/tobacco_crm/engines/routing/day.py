"""The day route (拜访线路): one manager, opening-hour windows, visit durations, via OR-Tools.

``solve_day_route(dist_m, travel_min, windows, service_min, depot=0, day_start=480,
day_end=1080, time_limit_s=1.0) -> DayRoute``

Times are whole minutes from midnight. Stop ``i`` is visited inside its opening hours: the
visit starts at or after ``windows[i, 0]`` and ends (start + ``service_min[i]``) at or before
``windows[i, 1]``; arriving early means waiting. The route leaves the depot at or after
``day_start`` and is back by ``day_end``. The depot's own window and service are ignored.

Objective, in this order: visit as many stops as possible (each dropped stop costs more than
any route can be long), then the shortest distance (``dist_m``). ``travel_min`` drives the
schedule. Both matrices may be asymmetric (one-way streets): they are used as given.

Invariants (tests/test_routing.py checks them):

- ``order`` begins with the depot, and it plus ``unfit`` covers every stop exactly once;
- for every visit ``arrival[k] = departure of the previous + travel``, ``start = max(arrival,
  open)``, ``start + service ≤ close``; ``return_time ≤ day_end``; the schedule is recomputed
  here from the order, never taken from the solver (a stop the check rejects becomes unfit);
- each unfit stop has a reason: ``window_too_short`` (the visit is longer than the opening
  hours), ``closed_before_reachable`` (closed before one can get there from the depot),
  ``cannot_return`` (alone it cannot be visited and the manager back by ``day_end``),
  ``no_time_left`` (fits alone, not with the rest of the day);
- n ≤ 3 (at most two stops besides the depot): solved exactly by enumeration;
- deterministic: guided local search stops after a fixed number of solutions
  (``SOLUTIONS_PER_SECOND × time_limit_s``); ``time_limit_s`` is a safety cap that only decides
  the result when reached first (at 60 stops on the dev machine 100 solutions take about 0.5 s).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .tour import check_matrix

#: Guided local search budget; solutions, not seconds, so that the result is reproducible.
SOLUTIONS_PER_SECOND = 100
#: OR-Tools first-solution strategy (measured against the others: docs/engines/routing.md).
FIRST_SOLUTION = "PATH_CHEAPEST_ARC"


class UnfitReason(StrEnum):
    WINDOW_TOO_SHORT = "window_too_short"
    CLOSED_BEFORE_REACHABLE = "closed_before_reachable"
    CANNOT_RETURN = "cannot_return"
    NO_TIME_LEFT = "no_time_left"


@dataclass(frozen=True)
class DayRoute:
    """A day's route. Lists are aligned with ``order`` (``order[0]`` is the depot: its
    ``arrival`` and ``start`` are the departure time)."""

    order: list[int]
    arrival: list[int]
    start: list[int]
    return_time: int
    distance_m: int
    unfit: dict[int, UnfitReason] = field(default_factory=dict)

    @property
    def departure(self) -> int:
        return self.start[0]

    @property
    def visits(self) -> list[int]:
        return self.order[1:]

    @property
    def wait_min(self) -> int:
        return sum(s - a for s, a in zip(self.start[1:], self.arrival[1:], strict=True))


@dataclass(frozen=True)
class _Day:
    dist: np.ndarray
    travel: np.ndarray
    open: np.ndarray
    close: np.ndarray
    service: np.ndarray
    depot: int
    day_start: int
    day_end: int


def _check(
    dist_m: object,
    travel_min: object,
    windows: object,
    service_min: object,
    depot: int,
    day_start: int,
    day_end: int,
) -> _Day:
    dist = check_matrix(dist_m, "dist_m")
    travel = check_matrix(travel_min, "travel_min")
    n = dist.shape[0]
    if n == 0:
        raise ValueError("dist_m: needs at least the depot")
    if travel.shape != dist.shape:
        raise ValueError(f"travel_min: shape {travel.shape} differs from dist_m {dist.shape}")
    win = np.asarray(windows)
    if win.shape != (n, 2) or not np.issubdtype(win.dtype, np.integer):
        raise ValueError(f"windows: must be {n}×2 integer minutes (open, close)")
    service = np.asarray(service_min)
    if service.shape != (n,) or not np.issubdtype(service.dtype, np.integer):
        raise ValueError(f"service_min: must be {n} integer minutes")
    if int(service.min()) < 0:
        raise ValueError("service_min: must be non-negative")
    if np.any(win[:, 0] > win[:, 1]):
        raise ValueError("windows: open after close")
    if not 0 <= depot < n:
        raise ValueError(f"depot: {depot} is not in range({n})")
    if not 0 <= day_start <= day_end:
        raise ValueError("day_start/day_end: need 0 ≤ day_start ≤ day_end")
    open_ = win[:, 0].astype(np.int64)
    close = win[:, 1].astype(np.int64)
    service = service.astype(np.int64)
    open_[depot], close[depot], service[depot] = day_start, day_end, 0
    return _Day(dist, travel, open_, close, service, depot, int(day_start), int(day_end))


def _alone(day: _Day, i: int) -> UnfitReason | None:
    """Why stop ``i`` cannot be visited even alone, or None."""
    if day.close[i] - day.open[i] < day.service[i]:
        return UnfitReason.WINDOW_TOO_SHORT
    begin = max(day.day_start + int(day.travel[day.depot, i]), int(day.open[i]))
    if begin + day.service[i] > day.close[i]:
        return UnfitReason.CLOSED_BEFORE_REACHABLE
    if begin + day.service[i] + day.travel[i, day.depot] > day.day_end:
        return UnfitReason.CANNOT_RETURN
    return None


def _schedule(day: _Day, visits: list[int]) -> tuple[list[int], list[int], int, int | None]:
    """Arrivals, starts, return time, and the position of the first visit that breaks a rule."""
    t = day.day_start
    prev = day.depot
    arrival, start = [t], [t]
    for k, i in enumerate(visits):
        a = t + int(day.travel[prev, i])
        s = max(a, int(day.open[i]))
        if s + day.service[i] > day.close[i]:
            return arrival, start, t, k
        arrival.append(a)
        start.append(s)
        t = s + int(day.service[i])
        prev = i
    back = t + int(day.travel[prev, day.depot])
    if back > day.day_end:
        return arrival, start, back, len(visits) - 1 if visits else None
    return arrival, start, back, None


def _route(day: _Day, visits: list[int], unfit: dict[int, UnfitReason]) -> DayRoute:
    """Check the schedule (dropping offenders as ``no_time_left``), then leave as late as the
    windows allow without coming back later (Savelsbergh's forward slack, capped by waiting)."""
    visits = list(visits)
    while True:
        arrival, start, back, bad = _schedule(day, visits)
        if bad is None:
            break
        unfit[visits.pop(bad)] = UnfitReason.NO_TIME_LEFT
    waits = np.array(start[1:], dtype=np.int64) - np.array(arrival[1:], dtype=np.int64)
    latest = np.array([int(day.close[i] - day.service[i]) for i in visits], dtype=np.int64)
    slack = np.cumsum(waits) + latest - np.array(start[1:], dtype=np.int64)
    shift = min(int(slack.min(initial=day.day_end)), int(waits.sum()))  # ≤ waits: back no later
    if shift > 0:
        arrival, start, back, bad = _schedule(replace(day, day_start=day.day_start + shift), visits)
        assert bad is None
    order = [day.depot, *visits]
    distance = int(sum(day.dist[a, b] for a, b in itertools.pairwise([*order, day.depot])))
    return DayRoute(order, arrival, start, back, distance, dict(sorted(unfit.items())))


def _enumerate(day: _Day, candidates: list[int]) -> list[int]:
    """Exact for a handful of stops: most visits, then shortest distance, then first order."""
    best: list[int] = []
    best_key = (0, 0)
    for r in range(len(candidates), 0, -1):
        for perm in itertools.permutations(candidates, r):
            visits = list(perm)
            if _schedule(day, visits)[3] is not None:
                continue
            path = [day.depot, *visits, day.depot]
            key = (-r, int(sum(day.dist[a, b] for a, b in itertools.pairwise(path))))
            if not best or key < best_key:
                best, best_key = visits, key
    return best


def _ortools(day: _Day, candidates: list[int], time_limit_s: float) -> list[int]:
    nodes = [day.depot, *candidates]  # solver index → stop
    sub = np.ix_(nodes, nodes)
    dist = day.dist[sub]
    service = day.service[nodes]
    transit = day.travel[sub] + service[:, None]
    manager = pywrapcp.RoutingIndexManager(len(nodes), 1, 0)
    model = pywrapcp.RoutingModel(manager)
    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitMatrix(dist.tolist()))
    horizon = day.day_end
    model.AddDimension(model.RegisterTransitMatrix(transit.tolist()), horizon, horizon, False, "T")
    time = model.GetDimensionOrDie("T")
    penalty = int(dist.max(initial=0)) * (len(nodes) + 1) + 1
    for k, i in enumerate(candidates, start=1):
        index = manager.NodeToIndex(k)
        time.CumulVar(index).SetRange(int(day.open[i]), int(day.close[i] - day.service[i]))
        model.AddDisjunction([index], penalty)
    time.CumulVar(model.Start(0)).SetRange(day.day_start, day.day_end)
    time.CumulVar(model.End(0)).SetRange(day.day_start, day.day_end)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, FIRST_SOLUTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.solution_limit = max(5, int(SOLUTIONS_PER_SECOND * time_limit_s))
    params.time_limit.FromMilliseconds(max(10, int(time_limit_s * 1000)))
    solution = model.SolveWithParameters(params)
    if solution is None:
        return []
    visits: list[int] = []
    index = solution.Value(model.NextVar(model.Start(0)))
    while not model.IsEnd(index):
        visits.append(nodes[manager.IndexToNode(index)])
        index = solution.Value(model.NextVar(index))
    return visits


def solve_day_route(
    dist_m: object,
    travel_min: object,
    windows: object,
    service_min: object,
    depot: int = 0,
    day_start: int = 8 * 60,
    day_end: int = 18 * 60,
    time_limit_s: float = 1.0,
) -> DayRoute:
    """The day's visiting order with arrival times, and the stops that do not fit, with why."""
    if time_limit_s <= 0:
        raise ValueError("time_limit_s: must be positive")
    day = _check(dist_m, travel_min, windows, service_min, depot, day_start, day_end)
    unfit: dict[int, UnfitReason] = {}
    candidates: list[int] = []
    for i in range(day.dist.shape[0]):
        if i == day.depot:
            continue
        reason = _alone(day, i)
        if reason is None:
            candidates.append(i)
        else:
            unfit[i] = reason
    if len(candidates) <= 2:
        visits = _enumerate(day, candidates)
    else:
        visits = _ortools(day, candidates, time_limit_s)
    for i in candidates:
        if i not in visits:
            unfit[i] = UnfitReason.NO_TIME_LEFT
    return _route(day, visits, unfit)
