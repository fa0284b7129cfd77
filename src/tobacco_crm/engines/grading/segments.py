"""Capability segments (seed 003: 前20%, 中间60%, 后20%), which drive the service plan.

Retailers ordered by the segment score (business score by default) descending, then retailer
id ascending; sizes (top, middle, bottom) by largest remainder of n × (top_share,
1 − top_share − bottom_share, bottom_share) (equal remainders: the earlier group). The first
are "top", the last "bottom". A middle retailer is

    volatile        if cv ≥ volatile_min_cv
    high_potential  elif growth ≥ high_potential_min_growth
    stable          otherwise (also when cv or growth is unknown)

    cv     = std(m) ÷ mean(m) over the last ``cv_months`` monthly sales m (population std,
             missing months NaN are skipped; unknown when mean ≤ 0 or fewer than 2 months)
    growth = ``indicators[growth_key]``, or Σ last w months ÷ Σ the w months ``lag`` months
             earlier − 1 (unknown when that sum is ≤ 0 or there are not enough months)

Invariants: the three group sizes are the largest-remainder sizes (20/60/20 within rounding);
a "top" retailer never has a lower segment score than a middle one, nor a middle one than a
"bottom" one.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from .policy import SegmentSettings
from .tiers import first_k, id_ranks, largest_remainder

FloatArray = npt.NDArray[np.float64]

SEGMENTS: tuple[str, ...] = ("top", "high_potential", "stable", "volatile", "bottom")
SEG_TOP, SEG_HIGH_POTENTIAL, SEG_STABLE, SEG_VOLATILE, SEG_BOTTOM = range(5)
SEGMENT_LABELS_ZH: dict[str, str] = {
    "top": "前20%客户（情感营销）",
    "high_potential": "中间60%客户·发展潜力大",
    "stable": "中间60%客户·平稳型",
    "volatile": "中间60%客户·易变型",
    "bottom": "后20%客户（四步服务）",
}


@dataclasses.dataclass(frozen=True)
class SegmentOutcome:
    """Per retailer: segment code (index into ``SEGMENTS``), growth and cv (NaN: unknown)."""

    code: npt.NDArray[np.int8]
    growth: FloatArray
    cv: FloatArray


def coefficient_of_variation(monthly: FloatArray, months: int) -> FloatArray:
    """std ÷ mean of each row's last ``months`` columns (NaN: unknown)."""
    n = monthly.shape[0]
    window = monthly[:, -months:] if monthly.shape[1] else monthly
    k = window.shape[1]
    if k < 2:
        return np.full(n, np.nan)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
        if np.isnan(window).any():
            mean = np.nanmean(window, axis=1)
            std = np.nanstd(window, axis=1)
            enough = np.count_nonzero(~np.isnan(window), axis=1) >= 2
            return np.where(enough & (mean > 0), std / mean, np.nan)
        # Two passes as in np.std; einsum reduces short rows several times faster.
        mean = np.einsum("ij->i", window) / k
        deviation = window - mean[:, None]
        cv = np.sqrt(np.einsum("ij,ij->i", deviation, deviation) / k) / mean
    return np.where(mean > 0, cv, np.nan)


def monthly_growth(monthly: FloatArray, window: int, lag: int) -> FloatArray:
    """Σ of the last ``window`` months ÷ Σ of the ``window`` months ``lag`` earlier − 1."""
    n, months = monthly.shape
    if months < window + lag:
        return np.full(n, np.nan)
    recent = monthly[:, months - window :]
    earlier = monthly[:, months - lag - window : months - lag]
    if np.isnan(recent).any() or np.isnan(earlier).any():
        recent, earlier = np.nan_to_num(recent), np.nan_to_num(earlier)
    last, before = np.einsum("ij->i", recent), np.einsum("ij->i", earlier)
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = last / before - 1.0
    return np.where(before > 0, growth, np.nan)


def group_sizes(settings: SegmentSettings, n: int) -> tuple[int, int, int]:
    """Sizes of top, middle and bottom."""
    middle = max(0.0, 1.0 - settings.top_share - settings.bottom_share)
    top, mid, bottom = largest_remainder(
        (settings.top_share, middle, settings.bottom_share), n, prefer_last=False
    )
    return int(top), int(mid), int(bottom)


def segment(
    settings: SegmentSettings,
    score: FloatArray,
    retailer_ids: npt.NDArray[np.int64],
    monthly_sales: FloatArray,
    indicators: Mapping[str, FloatArray],
    order: npt.NDArray[np.intp] | None = None,
    id_rank: npt.NDArray[np.int64] | None = None,
) -> SegmentOutcome:
    """Segment codes, growth and cv of every retailer (see the module docstring).

    ``order`` may pass the positions already sorted by (score desc, retailer id asc), and
    ``id_rank`` the rank of each retailer id (``tiers.id_ranks``).
    """
    n = score.shape[0]
    cv = coefficient_of_variation(monthly_sales, settings.cv_months)
    if settings.growth_key is not None:
        growth = np.asarray(indicators[settings.growth_key], dtype=np.float64)
    else:
        growth = monthly_growth(
            monthly_sales, settings.growth_window_months, settings.growth_lag_months
        )
    middle_code = np.full(n, SEG_STABLE, dtype=np.int8)
    middle_code[growth >= settings.high_potential_min_growth] = SEG_HIGH_POTENTIAL
    middle_code[cv >= settings.volatile_min_cv] = SEG_VOLATILE

    if n == 0 or not (settings.top_share or settings.bottom_share):
        return SegmentOutcome(middle_code, growth, cv)
    n_top, n_middle, _ = group_sizes(settings, n)
    code = middle_code
    if order is not None:
        code[order[:n_top]] = SEG_TOP
        code[order[n_top + n_middle :]] = SEG_BOTTOM
    else:
        if id_rank is None:
            id_rank = id_ranks(retailer_ids)
        code[~first_k(score, id_rank, n_top + n_middle)] = SEG_BOTTOM
        code[first_k(score, id_rank, n_top)] = SEG_TOP
    return SegmentOutcome(code, growth, cv)
