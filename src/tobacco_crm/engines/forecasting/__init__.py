"""Weekly demand forecasting (订单需求预测) per retailer × product: pooled level × season.

Public API (no Django; arrays in, arrays out; docs/engines/forecasting.md has the formulas)::

    forecast(history, horizon, season_length, *, groups=None, dates=None, policy=None)
        -> np.ndarray (len(history), horizon)
    forecast_intervals(history, horizon, season_length, *, groups=None, dates=None,
                       policy=None, quantiles=(0.1, 0.9)) -> Forecast (point, lower, upper,
                                                                   median)
    to_matrix(history) -> (y, observed)      # right-aligned padding of the series

``history`` is a list of 1-D arrays, one weekly series each, oldest first, all ending at the
same week (the last complete week); shorter series started later, empty ones are new.
``groups`` (one label per series, e.g. product × territory or product × tier) says which
series share a season profile and whose average a new series gets. ``dates`` are the start
dates of the history weeks of the longest series (7 days apart): the Spring Festival and the
Mid-Autumn Festival are then aligned on their dates each year (``holidays.China``); without
dates the season is the position modulo ``season_length``.

The model (``model``): a season profile per group, pooled as a ratio of sums and shrunk
towards all series; a recency-weighted deseasonalised level per series, shrunk towards the
group's mean for series with little history; forecast = level × profile of the future week.
Quantiles (``intervals``) come from pooled in-sample residual ratios in bins of the mean.

Invariants (the hypothesis properties in engines/tests/test_forecasting.py):

- shape ``(len(history), horizon)``, finite, never negative;
- ``0 <= lower <= point <= upper`` and ``lower <= median <= upper``;
- a series of zeros observed ``policy.full_history`` weeks or more forecasts zero;
- a new series (no history) forecasts its group's mean level × the group's profile;
- deterministic; permuting the series permutes the rows and changes nothing else;
- negative values (returns) count as 0 and NaN as a missing week.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import calendar
from .intervals import apply_quantiles, ratio_quantiles
from .model import Fit, ForecastPolicy, fit, fitted

FloatArray = NDArray[np.float64]

__all__ = [
    "Fit",
    "Forecast",
    "ForecastPolicy",
    "forecast",
    "forecast_intervals",
    "spring_offsets",
    "to_matrix",
]

spring_offsets = calendar.spring_offsets


@dataclasses.dataclass(frozen=True, eq=False)
class Forecast:
    """Point forecasts and quantile bounds, each ``(n, horizon)``."""

    point: FloatArray  # the mean: totals add up (supply planning); the headline forecast
    lower: FloatArray  # the first quantile asked (10 % by default)
    upper: FloatArray  # the last (90 %)
    quantiles: tuple[float, ...]
    bounds: FloatArray  # (len(quantiles), n, horizon)
    fit: Fit
    # The median (minimises absolute error, so WAPE) clipped to [lower, upper]: often 0 for
    # intermittent series, biased low in total; not for supply planning (docs).
    median: FloatArray


def to_matrix(history: Sequence[ArrayLike]) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Right-aligned ``(n, T)`` matrix of the series (``T`` the longest) and the mask of
    observed weeks; NaN is a missing week, negative values count as 0."""
    arrays = [np.asarray(h, dtype=np.float64).reshape(-1) for h in history]
    n = len(arrays)
    lengths = np.fromiter((a.size for a in arrays), dtype=np.int64, count=n)
    columns = int(lengths.max()) if n else 0
    y = np.zeros((n, columns))
    observed = np.zeros((n, columns), dtype=np.bool_)
    if n and columns:
        flat = np.concatenate(arrays)
        rows = np.repeat(np.arange(n), lengths)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        shift = np.repeat(columns - lengths - starts, lengths)
        cols = np.arange(flat.size) + shift
        good = np.isfinite(flat)
        y[rows[good], cols[good]] = np.maximum(flat[good], 0.0)
        observed[rows[good], cols[good]] = True
    return y, observed


def _group_codes(groups: ArrayLike | None, n: int) -> tuple[NDArray[np.int64], int]:
    if groups is None:
        return np.zeros(n, dtype=np.int64), 1
    labels = np.asarray(groups)
    if labels.shape != (n,):
        raise ValueError(f"groups: need one label per series ({n}), got shape {labels.shape}")
    if n == 0:
        return np.zeros(0, dtype=np.int64), 1
    _, codes = np.unique(labels, return_inverse=True)
    codes = codes.reshape(-1).astype(np.int64)
    return codes, int(codes.max()) + 1


def _check(horizon: int, season_length: int) -> None:
    if int(horizon) != horizon or horizon < 0:
        raise ValueError(f"horizon: must be a whole number >= 0, got {horizon}")
    if int(season_length) != season_length or season_length < 1:
        raise ValueError(f"season_length: must be a whole number >= 1, got {season_length}")


def _fit(
    history: Sequence[ArrayLike],
    horizon: int,
    season_length: int,
    groups: ArrayLike | None,
    dates: ArrayLike | None,
    policy: ForecastPolicy,
) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.int64], NDArray[np.int64], Fit]:
    """The padded history, group codes, history keys and the fitted model."""
    y, observed = to_matrix(history)
    n, columns = y.shape
    group, group_count = _group_codes(groups, n)
    if dates is not None and columns > 0:
        starts, future = calendar.week_starts(dates, columns, horizon)
        keys = calendar.date_keys(starts, season_length)
        future_keys = calendar.date_keys(future, season_length)
    else:
        keys, future_keys = calendar.position_keys(columns, horizon, season_length)
    result = fit(
        y,
        observed,
        group,
        group_count,
        keys,
        future_keys,
        calendar.key_count(season_length),
        season_length,
        policy,
    )
    return y, observed, group, keys, result


def forecast_intervals(
    history: Sequence[ArrayLike],
    horizon: int,
    season_length: int,
    *,
    groups: ArrayLike | None = None,
    dates: ArrayLike | None = None,
    policy: ForecastPolicy | None = None,
    quantiles: tuple[float, ...] = (0.1, 0.9),
) -> Forecast:
    """Point forecasts (the expected cartons) and quantile bounds of every series."""
    _check(horizon, season_length)
    if not quantiles or any(not 0.0 < q < 1.0 for q in quantiles):
        raise ValueError("quantiles: need at least one, each strictly between 0 and 1")
    quantiles = tuple(sorted(quantiles))
    policy = policy or ForecastPolicy()
    y, observed, group, keys, result = _fit(history, horizon, season_length, groups, dates, policy)
    columns = y.shape[1]
    point = result.mean
    recent = slice(max(0, columns - policy.calibration_weeks), columns)
    expected = fitted(result, group, keys[recent])
    usable = observed[:, recent] & (expected > 0)
    table = ratio_quantiles(y[:, recent][usable], expected[usable], (*quantiles, 0.5))
    bounds = apply_quantiles(point, table)
    median, bounds = np.maximum(bounds[-1], 0.0), bounds[:-1]
    below = np.asarray([q <= 0.5 for q in quantiles])
    bounds = np.where(below[:, None, None], np.minimum(bounds, point), np.maximum(bounds, point))
    bounds = np.maximum(bounds, 0.0)
    median = np.clip(median, bounds[0], bounds[-1])
    return Forecast(
        point=point,
        lower=bounds[0],
        upper=bounds[-1],
        quantiles=quantiles,
        bounds=bounds,
        fit=result,
        median=median,
    )


def forecast(
    history: Sequence[ArrayLike],
    horizon: int,
    season_length: int,
    *,
    groups: ArrayLike | None = None,
    dates: ArrayLike | None = None,
    policy: ForecastPolicy | None = None,
) -> FloatArray:
    """Point forecasts ``(len(history), horizon)``: expected cartons, never negative."""
    _check(horizon, season_length)
    policy = policy or ForecastPolicy()
    return _fit(history, horizon, season_length, groups, dates, policy)[-1].mean
