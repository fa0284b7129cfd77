"""The pooled level × season model, vectorised over all series (no loop over series).

Notation: ``y[i, t]`` the history of series ``i`` (right-aligned, missing before its first
week), ``o[i, t]`` 1 where observed, ``k(t)`` the season key of week ``t`` (``calendar``),
``g(i)`` the group of series ``i``, ``w_t = 2^(-(T-1-t)/half_life)`` the recency weights.

1. **Season profile** ``P[g, k]``, a ratio of sums pooled over the group (robust with
   intermittent demand: many zeros, a few lots):

       P[g, k] = (N[g, k] + c · P*[k]) / (D[g, k] + c),  P*[k] = (ΣN[·, k] + c) / (ΣD[·, k] + c)

   with ``N[g, k] = Σ_{i∈g, k(t)=k} y[i, t]`` and ``D[g, k] = Σ_{i∈g, k(t)=k} L[i] · o[i, t]``:
   actual over expected at a flat level ``L[i]``. ``c`` (``profile_prior``, in carton-weeks)
   shrinks a thin group towards all series, and those towards 1. Week-of-season keys are
   smoothed over ±2 neighbours (weights 1 2 3 2 1, circular) before dividing; festival keys
   are not. ``L`` starts as each series' mean and is refitted once on the profile:
   ``L[i] = Σ_t y / Σ_t o · P[g(i), k(t)]``.
2. **Level**, recency-weighted and deseasonalised (a ratio estimator, stable for
   intermittent series, like Croston/TSB's demand rate):

       ℓ[i] = Σ_t w_t y[i, t] / Σ_t w_t o[i, t] P[g(i), k(t)]

3. **Shrinkage**: a series with fewer than ``full_history`` observed weeks ``n[i]`` borrows
   from its group: ``λ = m / (m + n[i])`` (``m = shrink_weeks``) and
   ``level[i] = (1 − λ) ℓ[i] + λ ℓ̄[g]``, ``ℓ̄[g]`` the mean level of the group's series that
   have history (of all series when the group has none). A new series (``n = 0``) gets
   ``ℓ̄[g]``; a series observed at least ``full_history`` weeks stands on its own, so a series
   of zeros forecasts zero.
4. **Forecast** ``ŷ[i, h] = level[i] · P[g(i), k(T + h)]``: never negative.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

SMOOTHING = np.asarray([1.0, 2.0, 3.0, 2.0, 1.0])


@dataclasses.dataclass(frozen=True)
class ForecastPolicy:
    """Parameters of the model (module docstring); the defaults were chosen on the demo
    county's history (docs/engines/forecasting.md)."""

    half_life: float = 52.0  # weeks, recency weights of the level
    full_history: int = 13  # weeks observed from which a series no longer borrows
    shrink_weeks: float = 4.0  # m: weight of the group mean, in weeks of history
    profile_prior: float = 30.0  # c: carton-weeks of the shrinkage of a profile
    recent_half_life: float | None = 4.0  # weeks, the group drift of the levels (None: off)
    smooth: bool = True  # smooth week-of-season keys over ±2 neighbours
    calibration_weeks: int = 52  # last weeks whose residuals give the quantiles

    def __post_init__(self) -> None:
        if not self.half_life > 0:
            raise ValueError("half_life: must be > 0")
        if self.full_history < 0 or self.shrink_weeks < 0 or self.profile_prior <= 0:
            raise ValueError("full_history, shrink_weeks >= 0 and profile_prior > 0")
        if self.calibration_weeks < 1:
            raise ValueError("calibration_weeks: must be >= 1")


@dataclasses.dataclass(frozen=True, eq=False)
class Fit:
    """The fitted model: level per series, profile per group × key, and the forecast."""

    level: FloatArray  # (n,)
    profile: FloatArray  # (G, K)
    mean: FloatArray  # (n, horizon)
    observed_weeks: IntArray  # (n,)


class _Groups:
    """Sums of rows by group (rows sorted once, then ``np.add.reduceat``)."""

    def __init__(self, group: IntArray, count: int) -> None:
        self.group = group
        self.count = count
        self.order = np.argsort(group, kind="stable")
        sizes = np.bincount(group, minlength=count)
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.sizes = sizes

    def sum(self, values: FloatArray) -> FloatArray:
        if values.shape[0] == 0:
            return np.zeros((self.count, *values.shape[1:]))
        out: FloatArray = np.add.reduceat(values[self.order], self.starts, axis=0)
        return out  # every group has at least one row (codes from np.unique)


def _smooth(block: FloatArray) -> FloatArray:
    """Circular weighted moving sum over the last axis (weights 1 2 3 2 1)."""
    half = SMOOTHING.size // 2
    out = np.zeros_like(block)
    for shift, weight in zip(range(-half, half + 1), SMOOTHING, strict=True):
        out += weight * np.roll(block, shift, axis=-1)
    return out


def _profile(
    sums: FloatArray,
    counts: FloatArray,
    level: FloatArray,
    groups: _Groups,
    season_length: int,
    policy: ForecastPolicy,
) -> FloatArray:
    """Step 1: ``P[g, k]`` from key sums ``(n, K)``, key counts ``(n, K)`` and levels."""
    num = groups.sum(sums)
    den = groups.sum(level[:, None] * counts)
    if policy.smooth and season_length >= SMOOTHING.size:
        num[:, :season_length] = _smooth(num[:, :season_length])
        den[:, :season_length] = _smooth(den[:, :season_length])
    c = policy.profile_prior
    overall = (num.sum(axis=0) + c) / (den.sum(axis=0) + c)
    profile: FloatArray = (num + c * overall[None, :]) / (den + c)
    return profile


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def fit(
    y: FloatArray,
    observed: BoolArray,
    group: IntArray,
    group_count: int,
    keys: IntArray,
    future_keys: IntArray,
    key_count: int,
    season_length: int,
    policy: ForecastPolicy,
) -> Fit:
    """Steps 1-4 on the padded history ``y`` (n, T), zeros where not ``observed``."""
    n, columns = y.shape
    groups = _Groups(group, group_count)
    one_hot = np.zeros((columns, key_count))
    one_hot[np.arange(columns), keys] = 1.0
    obs = observed.astype(np.float64)
    sums = y @ one_hot  # (n, K): cartons per season key
    counts = obs @ one_hot  # (n, K): observed weeks per season key
    weeks = obs.sum(axis=1)

    level = _ratio(y.sum(axis=1), weeks)
    profile = _profile(sums, counts, level, groups, season_length, policy)
    expected = (counts * profile[group]).sum(axis=1)  # Σ_t o · P
    level = _ratio(y.sum(axis=1), expected)
    profile = _profile(sums, counts, level, groups, season_length, policy)

    recency = np.exp2(-(columns - 1 - np.arange(columns)) / policy.half_life)
    seasonal = profile[group][:, keys]  # (n, T): P[g(i), k(t)]
    weighted_expected = (obs * seasonal) @ recency
    own = _ratio(y @ recency, weighted_expected)
    if policy.recent_half_life is not None:
        # Group drift: recent actual over what the long levels expected, pooled by group.
        short = np.exp2(-(columns - 1 - np.arange(columns)) / policy.recent_half_life)
        drift_num = groups.sum((y @ short)[:, None])[:, 0]
        drift_den = groups.sum((own * ((obs * seasonal) @ short))[:, None])[:, 0]
        c = policy.profile_prior
        drift = (drift_num + c) / (drift_den + c)
        own = own * drift[group]

    has_history = weeks > 0
    per_group = groups.sum(np.stack([own * has_history, has_history.astype(np.float64)], axis=1))
    overall = _ratio(np.asarray(per_group[:, 0].sum()), np.asarray(per_group[:, 1].sum()))
    group_mean = np.where(per_group[:, 1] > 0, _ratio(per_group[:, 0], per_group[:, 1]), overall)
    borrow = np.where(
        weeks < policy.full_history,
        _ratio(np.full(n, policy.shrink_weeks), policy.shrink_weeks + weeks),
        0.0,
    )
    borrow = np.where(has_history, borrow, 1.0)
    level = (1.0 - borrow) * own + borrow * group_mean[group]
    mean = level[:, None] * profile[group][:, future_keys]
    return Fit(
        level=level,
        profile=profile,
        mean=np.maximum(mean, 0.0),
        observed_weeks=weeks.astype(np.int64),
    )


def fitted(fit: Fit, group: IntArray, keys: IntArray) -> FloatArray:
    """In-sample expected values ``level[i] · P[g(i), k(t)]`` for the weeks ``keys``."""
    out: FloatArray = fit.level[:, None] * fit.profile[group][:, keys]
    return out
