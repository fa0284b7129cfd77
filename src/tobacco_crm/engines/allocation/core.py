"""The core of every rule: water-filling with largest-remainder rounding.

    water_fill(available, weights, caps=None, priority=None, seed=0) -> x   (int64, n)

Formula. Let ``A`` be the retailers with ``w[i] > 0`` (and ``c[i] > 0`` when there are caps).
The total handed out is ``T = min(available, sum(c[A]))``, or ``available`` without caps
(``0`` when ``A`` is empty). The water level ``s >= 0`` solves ``sum_i min(c[i], s*w[i]) = T``
and the quota is ``q[i] = min(c[i], s*w[i])`` (``0`` outside ``A``): a continuous share in
proportion to the weight, cut at the cap, the cut cartons poured over the others. Then every
retailer gets ``floor(q[i])`` and the ``L = T - sum(floor(q))`` cartons left are handed out one
each (largest remainder, Hamilton) to the retailers with a fractional quota, in this order:

1. larger remainder ``q[i] - floor(q[i])`` first;
2. then higher ``priority`` (the tier);
3. then position, rotated by ``seed``: when ``r`` of the ``g`` candidates still tied win, the
   winners are the ``r`` positions starting at ``(seed * r) mod g`` in ascending position,
   wrapping around. With the period's sequence number as seed, the extra carton goes round the
   tied group: over ``g`` consecutive seeds each of them wins exactly ``r`` times.

Invariants (checked by the property tests):

- ``x`` is int64 and ``0 <= x <= c`` (no cap: unbounded); ``x == 0`` wherever ``w == 0``;
- ``x.sum() == T``: nothing is withheld while somebody still has room;
- ``x[i]`` is ``floor(q[i])`` or ``ceil(q[i])``;
- ``q[i] > q[j]`` implies ``x[i] >= x[j]``; equal quotas and ``p[i] > p[j]`` imply ``x[i] >= x[j]``;
- the same inputs give the same output (no randomness, no dependence on anything else).

Weights are divided by the largest one first, so only their ratios matter. Cost: a few O(n)
passes per Newton round of the water level (typically 2-4 rounds; an exact sort of the
still-uncapped breakpoints after 12), one ``np.partition`` for the leftovers; no Python loop
over retailers.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .rules import MAX_CARTONS

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Rounds of Newton's water level before switching to the exact sort.
_ROUNDS = 12
#: Smallest accepted ratio of a positive weight to the largest: keeps every level finite.
MIN_WEIGHT_RATIO = 2.0**-500


@dataclasses.dataclass(frozen=True, eq=False)
class Fill:
    """The core's full answer; ``x`` is the allocation, the rest explains it.

    ``quota`` is ``q``; ``scale`` is the water level for the weights divided by ``unit`` (the
    largest active weight), exactly as computed: ``q = min(c, scale * (w / unit))``, so the
    level in weight units is ``scale / unit``. ``total`` is ``T`` and ``leftover`` is ``L``,
    the cartons handed out one each after rounding down (or left for the caller to hand out
    when ``spread_leftover=False``); ``bumped`` marks the retailers that got one (``None``
    when nobody did).
    """

    x: IntArray
    quota: FloatArray
    scale: float
    unit: float
    total: int
    leftover: int
    bumped: BoolArray | None = None

    @property
    def level(self) -> float:
        """The water level ``s`` in weight units: an uncapped quota is ``level * w``."""
        return self.scale / self.unit


def water_fill(
    available: int,
    weights: ArrayLike,
    caps: ArrayLike | None = None,
    priority: ArrayLike | None = None,
    seed: int = 0,
) -> IntArray:
    """Split ``available`` whole cartons in proportion to ``weights`` under ``caps``.

    The contract of issue 4 (module docstring): returns int64 ``x`` with ``0 <= x <= caps``,
    ``x.sum() == min(available, caps[weights > 0].sum())``, each ``x[i]`` the floor or ceiling
    of its water-filled quota, leftovers by largest remainder, then higher ``priority``, then
    position rotated by ``seed``.
    """
    return solve(available, weights, caps, priority, seed).x


def solve(
    available: int,
    weights: ArrayLike,
    caps: ArrayLike | None = None,
    priority: ArrayLike | None = None,
    seed: int = 0,
    *,
    spread_leftover: bool = True,
) -> Fill:
    """``water_fill`` with its quotas, water level and leftover count (see ``Fill``)."""
    if isinstance(available, bool) or not isinstance(available, int | np.integer):
        raise ValueError(f"available: must be an integer, got {available!r}")
    if not 0 <= available <= MAX_CARTONS:
        raise ValueError(f"available: must be between 0 and {MAX_CARTONS}, got {available}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed: must be a non-negative integer, got {seed!r}")
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"weights: must be a 1-D array, got shape {w.shape}")
    n = w.size
    if not np.all(np.isfinite(w)) or (n and w.min() < 0):
        raise ValueError("weights: must be finite and non-negative")
    positive = w[w > 0]
    if positive.size and positive.min() < positive.max() * MIN_WEIGHT_RATIO:
        raise ValueError("weights: a positive weight is below 2**-500 of the largest")
    c = None if caps is None else _int_array("caps", caps, n).astype(np.float64)
    p = np.zeros(n, np.int64) if priority is None else _int_array("priority", priority, n, low=None)
    return solve_unchecked(int(available), w, c, p, int(seed), spread_leftover=spread_leftover)


def solve_unchecked(
    available: int,
    w: FloatArray,
    caps: FloatArray | None,
    p: IntArray,
    seed: int,
    *,
    spread_leftover: bool = True,
) -> Fill:
    """``solve`` without argument checks, for callers whose arrays are already valid.

    ``caps`` are whole numbers as floats, ``inf`` for "no cap". Works on the full arrays (no
    gather of the active retailers): a zero weight gives a zero quota at any level, and a zero
    cap a zero quota under the ``min``.
    """
    n = w.size
    unit = float(w.max()) if n else 0.0
    if unit == 0.0 or available == 0:
        return Fill(np.zeros(n, np.int64), np.zeros(n), 0.0, 1.0, 0, 0)
    wn = w / unit  # scale-free, and keeps s * w finite for tiny weights
    c = None
    if caps is not None:
        c = np.where(w > 0, caps, 0.0)  # no weight, no room
        room = float(c.sum())
        if room <= available:  # exact: below 2**40 every partial sum is a whole float
            # Everybody fits: every retailer with a weight gets its cap.
            positive = c > 0
            scale = float(np.max(c[positive] / wn[positive])) if positive.any() else 0.0
            return Fill(c.astype(np.int64), c, scale, unit, int(room), 0)

    total = available
    s = total / float(wn.sum()) if c is None else _level(total, wn, c)
    q, floor, left, fractional = _round(s, wn, c, total)
    if left < 0 or left > fractional:
        # Floating-point rounding put s just past an integer kink: bisect to a consistent s.
        s = _repair(s, wn, c, total)
        q, floor, left, fractional = _round(s, wn, c, total)
    x = floor.astype(np.int64)
    bumped = None
    if spread_leftover and left:
        bumped = _winners(left, q - floor, p, seed)
        x += bumped
    return Fill(x, q, float(s), unit, total, int(left), bumped)


def _int_array(name: str, value: ArrayLike, n: int, *, low: int | None = 0) -> IntArray:
    arr = np.asarray(value)
    if arr.ndim != 1 or arr.size != n:
        raise ValueError(f"{name}: must be a 1-D array of {n} values, got shape {arr.shape}")
    if arr.dtype.kind == "f" and (not np.all(np.isfinite(arr)) or np.any(arr != np.floor(arr))):
        raise ValueError(f"{name}: must hold whole numbers")
    out = arr.astype(np.int64)
    if low is not None and n and out.min() < low:
        raise ValueError(f"{name}: must be >= {low}, got {int(out.min())}")
    return out


def _level(total: int, w: FloatArray, c: FloatArray) -> float:
    """The water level ``s`` with ``sum(min(c, s*w)) == total``, given ``total < sum(c)``.

    ``G(s) = sum(min(c, s*w))`` is increasing, concave and piecewise linear, so Newton's step
    from below, ``s += (total - G(s)) / (sum of w not yet capped)``, lands on the next kink or on
    the answer and never overshoots: once the set of capped retailers stops growing, ``s`` is
    exact. Each round is a few O(n) passes; after ``_ROUNDS`` rounds the breakpoints ``c/w`` of
    the still-uncapped retailers are sorted and the segment holding the level found with
    cumulative sums.
    """
    s = total / float(w.sum())
    q = np.empty_like(w)
    previous = -1
    for _ in range(_ROUNDS):
        np.multiply(w, s, out=q)
        np.minimum(q, c, out=q)
        free = q < c
        count = int(np.count_nonzero(free))
        if count == previous:
            return s
        below = total - float(q.sum())
        np.multiply(w, free, out=q)  # the weights still below their caps
        s += below / float(q.sum())
        previous = count
    # Exact on the uncapped: with the k smallest breakpoints also capped, the level is
    # (R - C_k) / (W - W_k); the answer is the first k whose level stays below breakpoint k.
    free = s * w < c
    capped_sum = float(c[~free].sum())
    rw, rc = w[free], c[free]
    order = np.argsort(rc / rw, kind="stable")
    rw, rc = rw[order], rc[order]
    bp = rc / rw
    cum_c = np.concatenate(([0.0], np.cumsum(rc)[:-1]))
    cum_w = np.concatenate(([0.0], np.cumsum(rw)[:-1]))
    levels = (total - capped_sum - cum_c) / (float(rw.sum()) - cum_w)
    ok = np.flatnonzero(levels < bp)
    return float(levels[ok[0]]) if ok.size else s


def _round(
    s: float, w: FloatArray, c: FloatArray | None, total: int
) -> tuple[FloatArray, FloatArray, int, int]:
    """Quotas at level ``s``, their floors, the leftover count and how many are fractional."""
    q = s * w
    if c is not None:
        np.minimum(q, c, out=q)
    floor = np.floor(q)
    left = total - int(floor.sum())  # exact: whole numbers below 2**53
    return q, floor, left, int(np.count_nonzero(q > floor))


def _repair(s: float, w: FloatArray, c: FloatArray | None, total: int) -> float:
    """Bisect ``s`` until ``sum(floor(q)) <= total <= sum(ceil(q))`` holds in integers."""

    def status(level: float) -> int:
        _, _, left, fractional = _round(level, w, c, total)
        return -1 if left > fractional else (1 if left < 0 else 0)

    lo = hi = s
    step = 2.0**-40
    while status(lo) > 0:  # too high: floors already exceed the total
        lo = s * (1.0 - step)
        step *= 2.0
    while status(hi) < 0:  # too low: even the ceilings fall short
        hi = hi * (1.0 + step) + step
        step *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        state = status(mid)
        if state == 0:
            return mid
        lo, hi = (mid, hi) if state < 0 else (lo, mid)
    return lo if status(lo) == 0 else hi


def _winners(need: int, frac: FloatArray, priority: IntArray, seed: int) -> BoolArray:
    """The ``need`` leftover winners in the core's order, given ``0 < need <= (frac > 0).sum()``.

    Works on the full arrays: the ``need``-th largest remainder is positive, so retailers with
    a whole quota (remainder 0) never win.
    """
    n = frac.size
    cut = float(np.partition(frac, n - need)[n - need])  # the need-th largest remainder
    won = frac > cut
    need -= int(np.count_nonzero(won))
    if need:
        tie = np.flatnonzero(frac == cut)  # ascending position
        pri = priority[tie]
        g = tie.size
        pcut = int(np.partition(pri, g - need)[g - need])
        above = tie[pri > pcut]
        won[above] = True
        need -= above.size
        tied = tie[pri == pcut]
        if need:
            start = (seed * need) % tied.size
            won[tied[(start + np.arange(need)) % tied.size]] = True
    return won
