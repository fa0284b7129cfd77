"""The routing engine: tours are permutations from ``start``, never worse than greedy, optimal
for small symmetric cases; day routes respect windows, durations and the day, and say why a
stop does not fit."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tobacco_crm.engines.routing import (
    UnfitReason,
    baseline_tour,
    brute_force_tour,
    nearest_neighbour_tour,
    solve_day_route,
    solve_tour,
    tour_length,
)

FAST = settings(max_examples=40, deadline=None)


@st.composite
def points(draw: st.DrawFn, min_n: int = 1, max_n: int = 30) -> np.ndarray:
    n = draw(st.integers(min_n, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    pts = np.random.default_rng(seed).integers(0, 1000, (n, 2))
    if draw(st.booleans()) and n > 2:  # duplicate points: zero distances
        pts[1] = pts[0]
    return pts


def euclid(pts: np.ndarray) -> np.ndarray:
    d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
    return np.floor(d + 0.5).astype(np.int64)


def is_tour(tour: list[int], n: int, start: int) -> bool:
    return sorted(tour) == list(range(n)) and tour[0] == start


# ------------------------------------------------------------------ solve_tour


@FAST
@given(points(), st.data())
def test_tour_is_permutation_from_start_and_not_worse_than_greedy(pts, data):
    d = euclid(pts)
    start = data.draw(st.integers(0, len(d) - 1))
    tour = solve_tour(d, time_limit_s=0.5, start=start)
    assert is_tour(tour, len(d), start)
    assert tour_length(d, tour) <= tour_length(d, nearest_neighbour_tour(d, start))


@FAST
@given(points(min_n=1, max_n=8), st.data())
def test_small_symmetric_tour_is_optimal(pts, data):
    d = euclid(pts)
    start = data.draw(st.integers(0, len(d) - 1))
    tour = solve_tour(d, start=start)
    assert is_tour(tour, len(d), start)
    assert tour_length(d, tour) == tour_length(d, brute_force_tour(d, start))


@FAST
@given(st.integers(1, 7), st.integers(0, 2**32 - 1))
def test_asymmetric_is_handled_optimally_when_small(n, seed):
    d = np.random.default_rng(seed).integers(0, 100, (n, n))
    np.fill_diagonal(d, 0)
    tour = solve_tour(d)
    assert is_tour(tour, n, 0)
    assert tour_length(d, tour) == tour_length(d, brute_force_tour(d, 0))


def test_tour_is_deterministic():
    d = euclid(np.random.default_rng(7).integers(0, 10_000, (120, 2)))
    assert solve_tour(d) == solve_tour(d) == solve_tour(d.copy())


def test_tour_hand_cases():
    assert solve_tour(np.zeros((1, 1), dtype=int)) == [0]
    assert solve_tour(np.array([[0, 5], [5, 0]]), start=1) == [1, 0]
    square = euclid(np.array([[0, 0], [10, 10], [10, 0], [0, 10]]))  # crossing if 0,1,2,3
    tour = solve_tour(square, start=2)
    assert tour[0] == 2 and tour_length(square, tour) == 40
    one_way = np.array([[0, 1, 9], [9, 0, 1], [1, 9, 0]])  # 0→1→2→0 is 3, the reverse 27
    assert solve_tour(one_way) == [0, 1, 2]


@pytest.mark.parametrize(
    ("dist", "message"),
    [
        (np.zeros((2, 3), dtype=int), "square"),
        (np.array([[0, -1], [1, 0]]), "non-negative"),
        (np.array([[0, 1.5], [1.5, 0]]), "integers"),
        (np.zeros((0, 0), dtype=int), "at least one"),
    ],
)
def test_tour_rejects_bad_matrices(dist, message):
    with pytest.raises(ValueError, match=message):
        solve_tour(dist)


def test_tour_rejects_bad_start():
    with pytest.raises(ValueError, match="start"):
        solve_tour(np.zeros((4, 4), dtype=int), start=4)


@FAST
@given(points(min_n=4, max_n=40))
def test_baseline_is_a_valid_tour_no_worse_than_greedy(pts):
    d = euclid(pts)
    tour = baseline_tour(d)
    assert is_tour(tour, len(d), 0)
    assert tour_length(d, tour) <= tour_length(d, nearest_neighbour_tour(d))


# ------------------------------------------------------------------ solve_day_route


@st.composite
def days(draw: st.DrawFn, max_n: int = 16):
    n = draw(st.integers(1, max_n))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pts = rng.integers(0, 8000, (n, 2))
    dist = euclid(pts)
    travel = np.ceil(dist / 400).astype(np.int64)
    if draw(st.booleans()):  # one-way streets
        travel = travel + rng.integers(0, 3, (n, n))
    opens = rng.choice([480, 540, 600, 840], n)
    closes = np.minimum(opens + rng.choice([5, 60, 240, 600], n), 1320)
    service = rng.integers(5, 30, n)
    return dist, travel, np.c_[opens, closes], service


def check_day(route, dist, travel, windows, service, depot, day_start, day_end):
    n = len(dist)
    assert route.order[0] == depot
    assert sorted(route.order + list(route.unfit)) == list(range(n))
    assert route.departure >= day_start
    t, prev = route.departure, depot
    for k, i in enumerate(route.visits, start=1):
        assert route.arrival[k] == t + travel[prev, i]
        assert route.start[k] == max(route.arrival[k], windows[i, 0])
        assert route.start[k] + service[i] <= windows[i, 1]
        t, prev = route.start[k] + service[i], i
    assert route.return_time == t + travel[prev, depot] <= day_end
    path = [*route.order, depot]
    assert route.distance_m == sum(dist[a, b] for a, b in itertools.pairwise(path))
    assert all(isinstance(r, UnfitReason) for r in route.unfit.values())


@FAST
@given(days(), st.data())
def test_day_route_respects_windows_durations_and_day(day, data):
    dist, travel, windows, service = day
    depot = data.draw(st.integers(0, len(dist) - 1))
    route = solve_day_route(
        dist,
        travel,
        windows,
        service,
        depot=depot,
        day_start=480,
        day_end=1080,
        time_limit_s=0.2,
    )
    check_day(route, dist, travel, windows, service, depot, 480, 1080)
    for i, reason in route.unfit.items():
        if reason is UnfitReason.WINDOW_TOO_SHORT:
            assert windows[i, 1] - windows[i, 0] < service[i]


@FAST
@given(days(max_n=3))
def test_day_route_tiny_is_exact(day):
    """n ≤ 3: every stop that can be visited with the others is visited."""
    dist, travel, windows, service = day
    route = solve_day_route(dist, travel, windows, service, time_limit_s=0.2)
    check_day(route, dist, travel, windows, service, 0, 480, 1080)


def test_day_route_hand_case_and_reasons():
    # depot 0; stop 1 opens at 9:00; stop 2 is a 10-minute window for a 20-minute visit;
    # stop 3 closes at 8:05 but is 30 minutes away; stop 4 is reachable only by 17:50 and
    # the way back takes an hour; stops 5 and 6 need the same hour-long slot.
    n = 7
    travel = np.full((n, n), 10)
    travel[0, 3] = travel[3, 0] = 30
    travel[0, 4] = travel[4, 0] = 60
    np.fill_diagonal(travel, 0)
    dist = travel * 100
    windows = np.array(
        [[0, 1440], [540, 1080], [600, 610], [480, 485], [1060, 1080], [600, 670], [600, 670]]
    )
    service = np.array([0, 15, 20, 5, 10, 60, 60])
    route = solve_day_route(dist, travel, windows, service, day_start=480, day_end=1080)
    check_day(route, dist, travel, windows, service, 0, 480, 1080)
    assert route.unfit[2] is UnfitReason.WINDOW_TOO_SHORT
    assert route.unfit[3] is UnfitReason.CLOSED_BEFORE_REACHABLE
    assert route.unfit[4] is UnfitReason.CANNOT_RETURN
    assert sorted(route.visits) in ([1, 5], [1, 6])
    assert list(route.unfit.values()).count(UnfitReason.NO_TIME_LEFT) == 1
    # leaves as late as the windows allow instead of waiting at the first shop
    assert route.wait_min == 0


def test_day_route_depot_only_and_deterministic():
    route = solve_day_route(np.zeros((1, 1), int), np.zeros((1, 1), int), [[0, 0]], [0])
    assert route.order == [0] and route.unfit == {} and route.return_time == 480
    rng = np.random.default_rng(3)
    pts = rng.integers(0, 6000, (40, 2))
    dist = euclid(pts)
    travel = np.ceil(dist / 400).astype(np.int64)
    windows = np.c_[rng.choice([480, 540], 40), rng.choice([720, 1080], 40)]
    service = rng.integers(5, 15, 40)
    one = solve_day_route(dist, travel, windows, service)
    assert one == solve_day_route(dist, travel, windows, service)


def test_day_route_rejects_bad_input():
    d = np.zeros((3, 3), int)
    with pytest.raises(ValueError, match="travel_min"):
        solve_day_route(d, np.zeros((2, 2), int), [[0, 1]] * 3, [0] * 3)
    with pytest.raises(ValueError, match="open after close"):
        solve_day_route(d, d, [[0, 1], [5, 1], [0, 1]], [0] * 3)
    with pytest.raises(ValueError, match="windows"):
        solve_day_route(d, d, [[0, 1]] * 2, [0] * 3)
