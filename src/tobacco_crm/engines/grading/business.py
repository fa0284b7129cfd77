"""Business evaluation (经营情况评估): indicator points, business score, manager blend.

For each indicator k of ``BusinessSettings.indicators`` with values v (NaN = missing):

- ``relative_to_top``: top_k = quantile(v present, top_quantile) (the maximum by default);
  points_ik = clip(v_i ÷ top_k, 0, 1) × max_k, and 0 for everybody when top_k ≤ 0.
- ``percentile``: points_ik = #{j present : v_j ≤ v_i} ÷ #{present} × max_k.
- missing: points_ik = 0.

    business_i = Σ_k points_ik                                    ∈ [0, max_score]
    manager_i  = clip(manager_score_i ÷ manager_score_max, 0, 1) × max_score (NaN: business_i)
    final_i    = (1 − w) · business_i + w · manager_i             (w = manager_weight)

Both scores are rounded to ``score_decimals`` (half to even), so the score shown is the score
ranked. Invariants: 0 ≤ points_ik ≤ max_k; a retailer holding the top value gets exactly
max_k (v ÷ v = 1 in floating point); points never decrease when the value increases.

The published formula (DOMAIN.md) is ``PUBLISHED_35_55_10``: cartons 35, amount 55, number of
products bought 5 and cartons of price class 二类 and above 5, all relative to the top.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from .policy import BusinessSettings, Indicator

FloatArray = npt.NDArray[np.float64]


@dataclasses.dataclass(frozen=True)
class BusinessOutcome:
    """Per indicator: points and the top value used (NaN when nobody has a value, and for
    percentile indicators the maximum, for display); per retailer: business and final score."""

    points: dict[str, FloatArray]
    tops: dict[str, float]
    business: FloatArray
    final: FloatArray


def top_value(indicator: Indicator, values: FloatArray) -> float:
    """The top value of an indicator: the ``top_quantile`` quantile of the present values."""
    if indicator.top_quantile >= 1.0:
        return float(np.fmax.reduce(values)) if values.size else float("nan")  # skips NaN
    present = values[~np.isnan(values)]
    if present.size == 0:
        return float("nan")
    return float(np.quantile(present, indicator.top_quantile))


def score_indicator(indicator: Indicator, values: FloatArray) -> tuple[FloatArray, float]:
    """Points of one indicator for every retailer, and the top value used."""
    missing = np.isnan(values)
    if indicator.method == "percentile":
        present = values[~missing]
        if present.size == 0:
            return np.zeros(values.shape, dtype=np.float64), float("nan")
        # #{j : v_j ≤ v_i} = cumulative count of the distinct values up to v_i.
        distinct, inverse, counts = np.unique(present, return_inverse=True, return_counts=True)
        points = np.zeros(values.shape, dtype=np.float64)
        cumulative = np.cumsum(counts)[inverse.reshape(-1)]
        points[~missing] = cumulative / present.size * indicator.max_points
        return points, float(distinct[-1])
    else:
        top = top_value(indicator, values)
        if not top > 0:  # also NaN: nobody has a value
            return np.zeros(values.shape, dtype=np.float64), top
        with np.errstate(invalid="ignore"):
            points = np.clip(values / top, 0.0, 1.0) * indicator.max_points
    points[missing] = 0.0
    return points.astype(np.float64, copy=False), top


def evaluate(
    settings: BusinessSettings,
    indicators: Mapping[str, FloatArray],
    manager_scores: FloatArray,
) -> BusinessOutcome:
    """Indicator points, business and final scores (see the module docstring)."""
    n = manager_scores.shape[0]
    points: dict[str, FloatArray] = {}
    tops: dict[str, float] = {}
    business = np.zeros(n, dtype=np.float64)
    for indicator in settings.indicators:
        pts, top = score_indicator(indicator, indicators[indicator.key])
        points[indicator.key] = pts
        tops[indicator.key] = top
        business += pts
    max_score = settings.max_score
    w = settings.manager_weight
    if w > 0:
        manager = np.clip(manager_scores / settings.manager_score_max, 0.0, 1.0) * max_score
        manager = np.where(np.isnan(manager), business, manager)
        final = (1.0 - w) * business + w * manager
    else:
        final = business
    decimals = settings.score_decimals
    return BusinessOutcome(
        points=points,
        tops=tops,
        business=np.round(business, decimals),
        final=np.round(final, decimals),
    )


def value_for_points(
    method: str, max_points: float, top: float | None, points: float
) -> float | None:
    """The value increase that scores ``points`` more on a relative-to-top indicator (top
    unchanged, not clipped); None for percentile indicators (it depends on everybody else's
    values) and when the top is unknown (None or NaN) or ≤ 0."""
    if method != "relative_to_top" or top is None or not top > 0:
        return None
    return points / max_points * top
