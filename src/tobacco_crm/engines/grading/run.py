"""``grade(inputs, policy) -> result``: the result and the pipeline (inputs: ``inputs.py``).

Arrays in, arrays out; every per-retailer array is aligned with ``inputs.retailer_ids``
(position i is the same retailer everywhere). The pipeline, all vectorised with NumPy (no
Python loop over retailers):

1. compliance: deductions → points → class A/B/C/W, supply stopped (``compliance.py``)
2. business: indicator points → business score → final score (``business.py``)
3. rank: final score desc, then retailer id asc (``tiers.py``)
4. tiers: score tier by rank shares or intervals, then step limit, new retailers, class caps
5. stars among the best class-A retailers (``stars.py``)
6. capability segments by business score, growth and cv of monthly sales (``segments.py``)

Deterministic: the same inputs and policy give the same outputs, bit for bit (no randomness,
stable sorts, ties broken by retailer id).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from typing import Any

import numpy as np
import numpy.typing as npt

from . import business, compliance, segments, stars, stored, tiers
from .inputs import GradingInputs
from .policy import COMPLIANCE_CLASSES, GradingPolicy

__all__ = ["GradingInputs", "GradingResult", "grade"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclasses.dataclass(frozen=True, eq=False)
class GradingResult:
    """The grades, aligned with ``inputs.retailer_ids``; see ``columns()`` for storage.

    Tier ``policy.tiers.count`` is the best, tier 1 the lowest; rank 1 is the best.
    ``compliance_class`` holds "A", "B", "C" or "W"; ``segment`` one of
    ``segments.SEGMENTS``; ``star_score`` is NaN for retailers not rated.
    """

    policy: GradingPolicy
    inputs: GradingInputs
    deducted: FloatArray
    compliance_points: FloatArray
    compliance_class: npt.NDArray[np.str_]
    class_code: npt.NDArray[np.int8]
    supply_stopped: BoolArray
    penalty_counts: IntArray
    is_new: BoolArray
    previous_tier: IntArray
    deduction_item_index: npt.NDArray[np.intp]
    deduction_points: FloatArray
    indicator_points: dict[str, FloatArray]
    indicator_tops: dict[str, float]
    business_score: FloatArray
    final_score: FloatArray
    rank: IntArray
    score_tier: IntArray
    tier: IntArray
    tier_adjustments: npt.NDArray[np.int8]
    tier_floor: FloatArray
    star_score: FloatArray
    stars: npt.NDArray[np.int8]
    super_five: BoolArray
    segment: npt.NDArray[np.str_]
    growth: FloatArray
    cv: FloatArray

    @property
    def n(self) -> int:
        return self.inputs.n

    @property
    def retailer_ids(self) -> IntArray:
        return self.inputs.retailer_ids

    def index_of(self, retailer_id: int) -> int:
        """Position of a retailer id (``KeyError`` when absent)."""
        hits = np.flatnonzero(self.inputs.retailer_ids == retailer_id)
        if hits.size == 0:
            raise KeyError(retailer_id)
        return int(hits[0])

    def deductions_of(self, i: int) -> npt.NDArray[np.intp]:
        """Positions (in the deduction arrays) of the deductions of retailer i, in input order."""
        order, bounds = self._deduction_index
        return order[bounds[i] : bounds[i + 1]]

    @functools.cached_property
    def _deduction_index(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        where = self.inputs.deduction_retailer
        order = np.argsort(where, kind="stable")
        return order, np.searchsorted(where[order], np.arange(self.n + 1), side="left")

    def indicator_rank(self, key: str, i: int) -> int | None:
        """1 + the number of retailers with a strictly higher value of indicator ``key``
        (None when retailer i has no value)."""
        return int(self.indicator_ranks(key)[i]) or None

    def indicator_ranks(self, key: str) -> IntArray:
        """``indicator_rank`` of every retailer, 0 for no value (computed once per key)."""
        cache = self._indicator_ranks
        if key not in cache:
            values = self.inputs.indicators[key]
            missing = np.isnan(values)
            ordered = np.sort(values[~missing])
            ranks = ordered.shape[0] + 1 - np.searchsorted(ordered, values, side="right")
            ranks[missing] = 0
            cache[key] = ranks.astype(np.int64, copy=False)
        return cache[key]

    @functools.cached_property
    def _indicator_ranks(self) -> dict[str, IntArray]:
        return {}

    def context(self) -> dict[str, Any]:
        """The run-level data of the explanations, JSON types, the same for every retailer:
        ``summary()`` plus ``format`` and ``policy`` (see ``stored.py``). Store it once per
        run; ``explain_row(row, context)`` needs it with each retailer's row."""
        return copy.deepcopy(self._context)

    @functools.cached_property
    def _context(self) -> dict[str, Any]:
        return stored.context(self)

    def row(self, i: int) -> dict[str, Any]:
        """The compact per-retailer data of position ``i`` (JSON types, see ``stored.py``)."""
        if not 0 <= i < self.n:
            raise IndexError(f"retailer position {i} out of range 0..{self.n - 1}")
        return stored.rows(self, i, i + 1)[0]

    def rows(self, start: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
        """``row(i)`` for positions start..stop-1 (all by default; clipped to n like a list
        slice), built column-wise. ``rows(k, k + 1000)`` for k in steps of 1,000 bounds the
        memory of a bulk write, and is faster than all at once. Negative positions raise
        ``IndexError``."""
        if start < 0 or (stop is not None and stop < 0):
            raise IndexError(f"rows {start}..{stop}: positions must be >= 0")
        stop = self.n if stop is None else min(stop, self.n)
        start = min(start, stop)
        return stored.rows(self, start, stop)

    def columns(self) -> dict[str, np.ndarray]:
        """Per-retailer outputs as named arrays, ready for a bulk write or a data frame."""
        out: dict[str, np.ndarray] = {
            "retailer_id": self.inputs.retailer_ids,
            "compliance_points": self.compliance_points,
            "compliance_class": self.compliance_class,
            "supply_stopped": self.supply_stopped,
        }
        out.update({f"points_{key}": pts for key, pts in self.indicator_points.items()})
        out.update(
            business_score=self.business_score,
            final_score=self.final_score,
            rank=self.rank,
            score_tier=self.score_tier,
            tier=self.tier,
            star_score=self.star_score,
            stars=self.stars,
            super_five=self.super_five,
            segment=self.segment,
            growth=self.growth,
            cv=self.cv,
        )
        return out

    def to_polars(self) -> Any:
        """``columns()`` as a Polars DataFrame."""
        import polars as pl

        return pl.DataFrame(self.columns())

    def summary(self) -> dict[str, Any]:
        """Run-level figures (JSON types): counts per tier, class, segment and star, the top
        value of each indicator and the score that reaches each tier."""

        def counts(values: np.ndarray, labels: list[Any]) -> dict[str, int]:
            return {str(label): int(np.count_nonzero(values == label)) for label in labels}

        count = self.policy.tiers.count
        return {
            "retailers": self.n,
            "tiers": {
                str(t): int(c)
                for t, c in enumerate(np.bincount(self.tier, minlength=count + 1)[1:], start=1)
            },
            "classes": counts(self.compliance_class, list(COMPLIANCE_CLASSES)),
            "segments": counts(self.segment, list(segments.SEGMENTS)),
            "stars": {str(k): int(c) for k, c in enumerate(np.bincount(self.stars, minlength=6))},
            "super_five": int(self.super_five.sum()),
            "supply_stopped": int(self.supply_stopped.sum()),
            "indicator_tops": {k: _json_float(v) for k, v in self.indicator_tops.items()},
            "tier_floor": [_json_float(v) for v in self.tier_floor.tolist()],
        }


def _json_float(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def grade(inputs: GradingInputs, policy: GradingPolicy) -> GradingResult:
    """Grade every retailer of ``inputs`` under ``policy`` (see the module docstring).

    Raises ``ValueError`` naming the input when an array the policy needs is missing or a
    deduction names an item code the policy does not know.
    """
    inputs.check_against(policy)
    n = inputs.n
    m = inputs.deduction_retailer.shape[0]
    penalties = inputs.penalty_counts if inputs.penalty_counts is not None else np.zeros(n, int)
    is_new = inputs.is_new if inputs.is_new is not None else np.zeros(n, bool)
    previous = inputs.previous_tier if inputs.previous_tier is not None else np.zeros(n, int)
    manager = inputs.manager_scores if inputs.manager_scores is not None else np.full(n, np.nan)
    monthly = inputs.monthly_sales if inputs.monthly_sales is not None else np.zeros((n, 0))

    comp = compliance.evaluate(
        policy.compliance,
        n,
        inputs.deduction_retailer,
        inputs.deduction_item,
        inputs.deduction_points if inputs.deduction_points is not None else np.full(m, np.nan),
        inputs.deduction_cleared if inputs.deduction_cleared is not None else np.zeros(m, bool),
        penalties,
    )
    biz = business.evaluate(policy.business, inputs.indicators, manager)
    decimals = policy.business.score_decimals
    order = tiers.rank_order(biz.final, inputs.retailer_ids, inputs.id_rank, decimals)
    tier = tiers.assign(biz.final, order, comp.class_code, is_new, previous, policy.tiers)

    max_score = policy.business.max_score
    computed = {
        "@final": biz.final / max_score * 100.0,
        "@business": biz.business / max_score * 100.0,
        "@compliance": comp.points / policy.compliance.base_points * 100.0,
    }
    star = stars.rate(
        policy.stars,
        order,
        comp.class_code,
        comp.supply_stopped,
        computed,
        inputs.indicators,
        policy.business.score_decimals,
    )
    seg_score = biz.business if policy.segments.score == "business" else biz.final
    same_score = seg_score is biz.final or np.array_equal(seg_score, biz.final)
    seg = segments.segment(
        policy.segments,
        seg_score,
        inputs.retailer_ids,
        monthly,
        inputs.indicators,
        order=order if same_score else None,
        id_rank=inputs.id_rank,
    )
    return GradingResult(
        policy=policy,
        inputs=inputs,
        deducted=comp.deducted,
        compliance_points=comp.points,
        compliance_class=compliance.CLASS_LABELS[comp.class_code],
        class_code=comp.class_code,
        supply_stopped=comp.supply_stopped,
        penalty_counts=penalties,
        is_new=is_new,
        previous_tier=previous,
        deduction_item_index=comp.deduction_item_index,
        deduction_points=comp.deduction_points,
        indicator_points=biz.points,
        indicator_tops=biz.tops,
        business_score=biz.business,
        final_score=biz.final,
        rank=tiers.ranks(order),
        score_tier=tier.score_tier,
        tier=tier.tier,
        tier_adjustments=tier.adjustments,
        tier_floor=tier.floor,
        star_score=star.star_score,
        stars=star.stars,
        super_five=star.super_five,
        segment=np.array(segments.SEGMENTS)[seg.code],
        growth=seg.growth,
        cv=seg.cv,
    )
