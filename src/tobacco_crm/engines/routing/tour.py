"""The closed tour (TSP): LKH through elkai, with a nearest-neighbour + 2-opt baseline.

``solve_tour(dist, time_limit_s=1.0, start=0) -> list[int]``: a permutation of ``range(n)``
beginning with ``start``; the tour closes back to ``start``. Its length is
``sum(dist[t[k], t[(k + 1) % n]])``.

Invariants (tests/test_routing.py checks them):

- the result is a permutation of ``range(n)`` and ``result[0] == start``;
- its length is never above the nearest-neighbour tour from ``start`` (that tour is computed
  too and wins if LKH ever returns something longer);
- n ≤ 3: the tour is exact (every order is tried); for n ≤ 8 LKH finds the optimum in practice
  (the property test compares with brute force);
- asymmetric matrices are *handled*: LKH solves them as an ATSP and the direction of the
  result is the direction driven; symmetric matrices are solved as a TSP;
- deterministic: LKH runs with a fixed seed (``SEED``) and a fixed number of trials, so the same
  matrix gives the same tour; ``time_limit_s`` is only a safety cap (LKH's ``TIME_LIMIT``), and
  the result depends on timing only when the cap is reached (not on the TSPLIB benchmark
  instances, n ≤ 280, which finish in ≤ 0.45 s).

LKH keeps its state in C globals, so calls are serialised by a lock (threads are safe, but
not parallel).
"""

from __future__ import annotations

import itertools
import threading

import numpy as np
from elkai import _elkai  # LKH-2 in C; the public API has no seed or time limit

SEED = 12345
#: LKH scales explicit weights by PRECISION=100 into C ints; keep the largest weight below this.
MAX_WEIGHT = 10_000_000

_LKH_LOCK = threading.Lock()


def check_matrix(dist: object, name: str = "dist") -> np.ndarray:
    """``dist`` as an n×n int64 array of non-negative integers, or ``ValueError``."""
    arr = np.asarray(dist)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name}: must be a square n×n matrix, got shape {arr.shape}")
    integral = np.issubdtype(arr.dtype, np.integer) or (
        np.issubdtype(arr.dtype, np.floating) and bool(np.all(np.mod(arr, 1) == 0))
    )
    if arr.size and not integral:
        raise ValueError(f"{name}: must hold integers")
    out = arr.astype(np.int64, copy=False)
    if out.size and int(out.min()) < 0:
        raise ValueError(f"{name}: must be non-negative")
    if out.size and int(out.max()) > MAX_WEIGHT:
        raise ValueError(f"{name}: weights above {MAX_WEIGHT} are not supported (LKH precision)")
    return out


def tour_length(dist: np.ndarray, tour: list[int] | np.ndarray) -> int:
    """Length of the closed tour, the edge back to the first stop included."""
    t = np.asarray(tour, dtype=np.int64)
    if t.size < 2:
        return 0
    return int(dist[t, np.roll(t, -1)].sum())


def is_symmetric(dist: np.ndarray) -> bool:
    return bool(np.array_equal(dist, dist.T))


def _rotate(tour: list[int], start: int) -> list[int]:
    k = tour.index(start)
    return tour[k:] + tour[:k]


def brute_force_tour(dist: np.ndarray, start: int = 0) -> list[int]:
    """The optimum by trying every order (n ≤ 9); ties to the lexicographically first order."""
    n = dist.shape[0]
    rest = [i for i in range(n) if i != start]
    best: list[int] = [start, *rest]
    best_len = tour_length(dist, best)
    for perm in itertools.permutations(rest):
        cand = [start, *perm]
        length = tour_length(dist, cand)
        if length < best_len:
            best, best_len = cand, length
    return best


def nearest_neighbour_tour(dist: np.ndarray, start: int = 0) -> list[int]:
    """Greedy: from ``start`` always drive to the nearest unvisited stop (ties to lower index)."""
    n = dist.shape[0]
    visited = np.zeros(n, dtype=bool)
    tour = [start]
    visited[start] = True
    current = start
    big = np.iinfo(np.int64).max
    for _ in range(n - 1):
        row = np.where(visited, big, dist[current])
        current = int(np.argmin(row))
        visited[current] = True
        tour.append(current)
    return tour


def two_opt(dist: np.ndarray, tour: list[int]) -> list[int]:
    """2-opt to a local optimum (symmetric distances): best move per position, vectorised.

    Reversing ``t[i+1..j]`` replaces edges (a,b), (c,d) by (a,c), (b,d). ``tour[0]`` stays.
    """
    t = np.asarray(tour, dtype=np.int64)
    n = t.size
    if n < 4:
        return [int(x) for x in t]
    improved = True
    while improved:
        improved = False
        for i in range(n - 2):
            a, b = t[i], t[i + 1]
            js = np.arange(i + 2, n if i > 0 else n - 1)
            if js.size == 0:
                continue
            c = t[js]
            d = t[(js + 1) % n]
            delta = dist[a, c] + dist[b, d] - dist[a, b] - dist[c, d]
            k = int(np.argmin(delta))
            if delta[k] < 0:
                j = int(js[k])
                t[i + 1 : j + 1] = t[i + 1 : j + 1][::-1].copy()
                improved = True
    return [int(x) for x in t]


def baseline_tour(dist: object, start: int = 0) -> list[int]:
    """The benchmark's baseline: nearest neighbour, then 2-opt (symmetric input)."""
    d = check_matrix(dist)
    return two_opt(d, nearest_neighbour_tour(d, start))


def _lkh(dist: np.ndarray, time_limit_s: float) -> list[int]:
    n = dist.shape[0]
    kind = "TSP" if is_symmetric(dist) else "ATSP"
    params = (
        f"RUNS = 1\nSEED = {SEED}\nMAX_TRIALS = {n}\n"
        f"TIME_LIMIT = {max(time_limit_s, 0.01):.3f}\nPROBLEM_FILE = :stdin:\n"
    )
    rows = "\n".join(" ".join(map(str, row)) for row in dist.tolist())
    problem = (
        f"TYPE : {kind}\nDIMENSION : {n}\nEDGE_WEIGHT_TYPE : EXPLICIT\n"
        f"EDGE_WEIGHT_FORMAT : FULL_MATRIX\nEDGE_WEIGHT_SECTION\n{rows}\n"
    )
    with _LKH_LOCK:
        raw = _elkai.solve_problem(params, problem)
    return [int(i) - 1 for i in raw]


def solve_tour(dist: object, time_limit_s: float = 1.0, start: int = 0) -> list[int]:
    """The shortest closed tour through every stop, beginning (and ending) at ``start``.

    ``dist``: n×n non-negative integers (metres, say); the diagonal is ignored. Asymmetric
    matrices are solved as an ATSP. ``time_limit_s`` caps LKH's search (see the module doc).
    """
    d = check_matrix(dist)
    n = d.shape[0]
    if n == 0:
        raise ValueError("dist: needs at least one stop")
    if not 0 <= start < n:
        raise ValueError(f"start: {start} is not in range({n})")
    if time_limit_s <= 0:
        raise ValueError("time_limit_s: must be positive")
    if n <= 3:
        return brute_force_tour(d, start)
    d = d.copy()
    np.fill_diagonal(d, 0)
    tour = _rotate(_lkh(d, time_limit_s), start)
    if sorted(tour) != list(range(n)):  # never expected; keep the contract regardless
        tour = nearest_neighbour_tour(d, start)
    greedy = nearest_neighbour_tour(d, start)
    return greedy if tour_length(d, greedy) < tour_length(d, tour) else tour
