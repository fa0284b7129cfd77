"""Tiers (档位): tier ``count`` is the best, tier 1 the lowest.

Order and rank. Retailers are ordered by final score descending, then retailer id ascending
(a stable, documented tie rule); rank = 1 + position in that order, so ranks are 1..n and
unique.

Score tier (from the score alone, ``TierSettings.mapping``):

- ``rank``: sizes n_t = largest-remainder rounding of n · share_t ÷ Σ share (Σ n_t = n,
  |n_t − n · share_t ÷ Σ share| < 1; equal remainders favour the higher tier). The ordered
  retailers fill tier count first, then count − 1, ... Retailers with equal final scores
  always get the same tier: a tie that straddles a boundary takes the higher tier, so sizes
  may then exceed their rounding by the size of the tie.
- ``intervals``: tier = 1 + #{bounds ≤ score}.

Tier: starting from the score tier, (1) with ``max_change`` and a known previous tier p the
tier is clipped to [p − max_change, p + max_change]; (2) a new retailer gets
``new_retailer_tier`` (rule "fixed") or min(tier, new_retailer_tier) (rule "cap"); (3) the
tier is at most ``class_max_tier`` of its compliance class; always 1 ≤ tier ≤ count.

Invariants (property tests): 1 ≤ tier ≤ class cap ≤ count; within one compliance class, among
retailers that are not new and have no step limit, a higher final score never gets a lower
tier; new retailers are at or below ``new_retailer_tier``; with "rank" and distinct scores the
tier sizes are the largest-remainder sizes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .policy import COMPLIANCE_CLASSES, TierSettings

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Bits of ``TierOutcome.adjustments``: what moved the tier away from the score tier.
ADJUST_STEP_LIMIT = 1
ADJUST_NEW_RETAILER = 2
ADJUST_CLASS_CAP = 4


@dataclasses.dataclass(frozen=True)
class TierOutcome:
    """``score_tier`` (from the score), ``tier`` (after the caps), ``adjustments`` (bit mask of
    ADJUST_*, set only where that step changed the tier) and ``floor``: for tier t (index
    t − 1) the final score that reaches it, other retailers unchanged (NaN: unknown or empty)."""

    score_tier: IntArray
    tier: IntArray
    adjustments: npt.NDArray[np.int8]
    floor: FloatArray


def id_ranks(retailer_ids: IntArray) -> IntArray:
    """0-based rank of each retailer id among the ids (ids are unique)."""
    out = np.empty(retailer_ids.shape[0], dtype=np.int64)
    out[np.argsort(retailer_ids)] = np.arange(retailer_ids.shape[0], dtype=np.int64)
    return out


def _score_key(score: FloatArray, decimals: int | None) -> IntArray:
    """Integers in the order of −score (equal scores, equal keys), from 0 up."""
    if decimals is not None and score.size:
        low, high = float(score.min()), float(score.max())
        scale = 10.0**decimals
        span = (high - low) * scale
        if span < 2.0**52 and (span + 1) * score.size < 2.0**62:
            # Scores rounded to ``decimals``: score·10^d is an exact integer.
            return np.rint((high - score) * scale).astype(np.int64)
    distinct, dense = np.unique(score, return_inverse=True)
    return (distinct.shape[0] - 1 - dense.reshape(-1)).astype(np.int64)


def rank_order(
    score: FloatArray,
    retailer_ids: IntArray,
    id_rank: IntArray | None = None,
    decimals: int | None = None,
) -> npt.NDArray[np.intp]:
    """Positions of the retailers, best first: score desc, then retailer id asc.

    The same order as ``np.lexsort((retailer_ids, -score))``, computed as one argsort of the
    unique integer key (rank of −score) · n + (rank of the id): the keys are unique, so NumPy's
    fast unstable sort gives a deterministic order (5-10× faster than lexsort). ``id_rank``
    may pass ``id_ranks(retailer_ids)``; ``decimals``, when the scores are rounded to that
    many decimals, lets the score rank be read off score·10^d instead of sorting.
    """
    n = score.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    if id_rank is None:
        id_rank = id_ranks(retailer_ids)
    return np.argsort(_score_key(score, decimals) * n + id_rank)


def first_k(score: FloatArray, id_rank: IntArray, k: int) -> npt.NDArray[np.bool_]:
    """Mask of the first ``k`` retailers by score desc, then id asc, without a full sort."""
    n = score.shape[0]
    mask = np.zeros(n, dtype=bool)
    if k <= 0:
        return mask
    if k >= n:
        mask[:] = True
        return mask
    kth = np.partition(score, n - k)[n - k]  # the k-th highest score
    mask = score > kth
    tied = np.flatnonzero(score == kth)
    mask[tied[np.argsort(id_rank[tied])[: k - int(mask.sum())]]] = True
    return mask


def ranks(order: npt.NDArray[np.intp]) -> IntArray:
    """rank[i] = 1 + the position of retailer i in ``order``."""
    out = np.empty(order.shape[0], dtype=np.int64)
    out[order] = np.arange(1, order.shape[0] + 1, dtype=np.int64)
    return out


def largest_remainder(shares: Sequence[float], n: int, *, prefer_last: bool) -> IntArray:
    """Integer sizes summing to ``n`` proportional to ``shares`` (Hamilton's method).

    Each size is the floor of its quota n · share ÷ Σ share, and the seats left go to the
    largest fractional parts; equal parts go to the later entry when ``prefer_last``, else to
    the earlier one.
    """
    weights = np.asarray(shares, dtype=np.float64)
    quotas = weights / weights.sum() * n
    sizes = np.floor(quotas).astype(np.int64)
    left = int(n - sizes.sum())
    if left > 0:
        fractions = quotas - sizes
        index = np.arange(weights.size)
        tie = -index if prefer_last else index
        # lexsort: last key is primary -> fraction desc, then the tie rule.
        winners = np.lexsort((tie, -fractions))[:left]
        sizes[winners] += 1
    return sizes


def score_tiers_by_rank(
    final: FloatArray, order: npt.NDArray[np.intp], settings: TierSettings
) -> IntArray:
    """Score tiers with the "rank" mapping (see the module docstring)."""
    n = final.shape[0]
    assert settings.shares is not None
    sizes = largest_remainder(settings.shares, n, prefer_last=True)
    tier_sorted = np.repeat(np.arange(settings.count, 0, -1, dtype=np.int64), sizes[::-1])
    if n:
        ordered = final[order]
        start = np.empty(n, dtype=bool)
        start[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=start[1:])
        group = np.cumsum(start) - 1
        tier_sorted = tier_sorted[np.flatnonzero(start)][group]
    out = np.empty(n, dtype=np.int64)
    out[order] = tier_sorted
    return out


def score_tiers_by_intervals(final: FloatArray, settings: TierSettings) -> IntArray:
    """Score tiers with the "intervals" mapping: 1 + the number of bounds ≤ score."""
    assert settings.bounds is not None
    bounds = np.asarray(settings.bounds, dtype=np.float64)
    return 1 + np.searchsorted(bounds, final, side="right").astype(np.int64)


def tier_floors(score_tier: IntArray, final: FloatArray, settings: TierSettings) -> FloatArray:
    """The final score that reaches each tier (index t − 1), other retailers unchanged."""
    floor = np.full(settings.count, np.nan)
    if settings.mapping == "intervals":
        assert settings.bounds is not None
        floor[1:] = settings.bounds
        return floor
    if final.size:
        lowest = np.full(settings.count, np.inf)
        np.minimum.at(lowest, score_tier - 1, final)
        floor = np.where(np.isinf(lowest), np.nan, lowest)
    return floor


def assign(
    final: FloatArray,
    order: npt.NDArray[np.intp],
    class_code: npt.NDArray[np.int8],
    is_new: npt.NDArray[np.bool_],
    previous_tier: IntArray,
    settings: TierSettings,
) -> TierOutcome:
    """Score tier, tier after the caps, the adjustments made and the tier floors."""
    if settings.mapping == "rank":
        score_tier = score_tiers_by_rank(final, order, settings)
    else:
        score_tier = score_tiers_by_intervals(final, settings)
    tier = score_tier.copy()
    adjustments = np.zeros(final.shape[0], dtype=np.int8)

    if settings.max_change is not None:
        known = previous_tier > 0
        limited = np.clip(
            tier, previous_tier - settings.max_change, previous_tier + settings.max_change
        )
        changed = known & (limited != tier)
        tier = np.where(known, limited, tier)
        adjustments[changed] |= ADJUST_STEP_LIMIT

    start = settings.new_retailer_tier
    assert start is not None
    if settings.new_retailer_rule == "fixed":
        new_tier = np.where(is_new, start, tier)
    else:
        new_tier = np.where(is_new, np.minimum(tier, start), tier)
    adjustments[new_tier != tier] |= ADJUST_NEW_RETAILER
    tier = new_tier

    caps = np.array([settings.cap(cls) for cls in COMPLIANCE_CLASSES], dtype=np.int64)
    capped = np.minimum(tier, caps[class_code])
    adjustments[capped != tier] |= ADJUST_CLASS_CAP
    tier = np.clip(capped, 1, settings.count)

    return TierOutcome(
        score_tier=score_tier,
        tier=tier,
        adjustments=adjustments,
        floor=tier_floors(score_tier, final, settings),
    )


def score_for_next_tier(floor: Sequence[float | None], score_tier: int) -> tuple[int, float] | None:
    """The next tier above ``score_tier`` that someone reached and the score that reaches it,
    from the tier floors (index t − 1; None or NaN: unknown); None at the top (or when no
    higher tier is known)."""
    for t in range(score_tier + 1, len(floor) + 1):
        value = floor[t - 1]
        if value is not None and not math.isnan(value):
            return t, float(value)
    return None
