"""Routing (拜访线路): the order of a day's visits.

Public API (no Django; arrays in, lists out; docs/engines/routing.md has the details)::

    solve_tour(dist, time_limit_s=1.0, start=0) -> list[int]
        # n×n non-negative integers → a permutation of range(n) beginning with start;
        # the closed tour returns to start. LKH (elkai); asymmetric input solved as an ATSP.
    solve_day_route(dist_m, travel_min, windows, service_min, depot=0, day_start=480,
                    day_end=1080, time_limit_s=1.0) -> DayRoute
        # opening-hour windows and visit durations (OR-Tools); most visits first, then the
        # shortest distance; arrival and start times; the stops that do not fit and why.
    tour_length(dist, tour) -> int
    nearest_neighbour_tour(dist, start=0), two_opt(dist, tour), baseline_tour(dist, start=0)
    brute_force_tour(dist, start=0)          # exact, n ≤ 9 (tests)

Formula: minimise ``sum(dist[t[k], t[(k + 1) % n]])`` over the permutations ``t`` with
``t[0] == start``. Invariants (``tour`` and ``day`` state them in full): a valid permutation
starting at ``start``; never longer than the nearest-neighbour tour; exact for n ≤ 3;
every visit inside its window and the day; every stop either visited or unfit with a reason;
deterministic (fixed seeds and fixed search budgets; the time limit is a safety cap).
"""

from .day import DayRoute, UnfitReason, solve_day_route
from .tour import (
    baseline_tour,
    brute_force_tour,
    check_matrix,
    nearest_neighbour_tour,
    solve_tour,
    tour_length,
    two_opt,
)

__all__ = [
    "DayRoute",
    "UnfitReason",
    "baseline_tour",
    "brute_force_tour",
    "check_matrix",
    "nearest_neighbour_tour",
    "solve_day_route",
    "solve_tour",
    "tour_length",
    "two_opt",
]
