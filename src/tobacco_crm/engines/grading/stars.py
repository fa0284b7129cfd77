"""Star rating (星级评定) of the best class-A retailers, with "super five" (超五星).

Rated retailers R: the class-A retailers whose supply is not stopped, taken in rank order
(final score desc, retailer id asc); the first k = ⌊eligible_top_share · |A| + ½⌋ of them,
and at most ``eligible_top_n`` (seed 004: "经营评估得分前40的A类客户进行星级评定").

    sub_ik     = clip(value_ik ÷ max_value_k, 0, 1) × 100   (NaN → 0)
                 @final: final ÷ max score × 100, @business: business ÷ max score × 100,
                 @compliance: compliance points ÷ base points × 100
    star_i     = Σ_k weight_k · sub_ik ÷ Σ_k weight_k          (no sub-scores: @final)
    stars_i    = #{thresholds ≤ star_i}                        (0..5; 0 for everybody not in R)
    super five = stars_i = 5 and star_i ≥ super_five_min_score, at most super_five_max_count
                 of them, the highest star scores first (then rank)

Invariants: stars only for class A (and not stopped); super five ⇒ five stars.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from .compliance import CLASS_A
from .policy import StarSettings

FloatArray = npt.NDArray[np.float64]


@dataclasses.dataclass(frozen=True)
class StarOutcome:
    """Per retailer: star score (NaN when not rated), stars (0-5), super five."""

    star_score: FloatArray
    stars: npt.NDArray[np.int8]
    super_five: npt.NDArray[np.bool_]


def rated_positions(
    settings: StarSettings,
    order: npt.NDArray[np.intp],
    class_code: npt.NDArray[np.int8],
    supply_stopped: npt.NDArray[np.bool_],
) -> npt.NDArray[np.intp]:
    """Positions of the rated retailers, in rank order."""
    if not settings.enabled:
        return np.zeros(0, dtype=np.intp)
    eligible = order[(class_code[order] == CLASS_A) & ~supply_stopped[order]]
    k = math.floor(settings.eligible_top_share * eligible.size + 0.5)
    if settings.eligible_top_n is not None:
        k = min(k, settings.eligible_top_n)
    return eligible[:k]


def rate(
    settings: StarSettings,
    order: npt.NDArray[np.intp],
    class_code: npt.NDArray[np.int8],
    supply_stopped: npt.NDArray[np.bool_],
    computed: Mapping[str, FloatArray],
    indicators: Mapping[str, FloatArray],
    score_decimals: int,
) -> StarOutcome:
    """Star scores, stars and super five (see the module docstring).

    ``computed`` holds the 0-100 arrays ``@final``, ``@business`` and ``@compliance``.
    """
    n = order.shape[0]
    star_score = np.full(n, np.nan)
    stars = np.zeros(n, dtype=np.int8)
    super_five = np.zeros(n, dtype=bool)
    rated = rated_positions(settings, order, class_code, supply_stopped)
    if rated.size == 0:
        return StarOutcome(star_score, stars, super_five)

    if settings.sub_scores:
        total = np.zeros(rated.size, dtype=np.float64)
        weights = 0.0
        for sub in settings.sub_scores:
            if sub.key.startswith("@"):
                values = computed[sub.key][rated]
            else:
                values = np.clip(indicators[sub.key][rated] / sub.max_value, 0.0, 1.0) * 100.0
            total += sub.weight * np.nan_to_num(values, nan=0.0)
            weights += sub.weight
        score = total / weights
    else:
        score = computed["@final"][rated].astype(np.float64, copy=True)
    score = np.round(score, score_decimals)

    rated_stars = np.searchsorted(np.asarray(settings.thresholds), score, side="right")
    star_score[rated] = score
    stars[rated] = rated_stars.astype(np.int8)

    candidates = np.flatnonzero((rated_stars == 5) & (score >= settings.super_five_min_score))
    if settings.super_five_max_count is not None:
        # rated is in rank order, so a stable sort on the score keeps rank as the tie rule.
        best = np.argsort(-score[candidates], kind="stable")[: settings.super_five_max_count]
        candidates = candidates[best]
    super_five[rated[candidates]] = True
    return StarOutcome(star_score, stars, super_five)
