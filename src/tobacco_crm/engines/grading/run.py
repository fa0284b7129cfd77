"""``grade(inputs, policy) -> result``: the inputs, the result, and the pipeline.

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

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from . import business, compliance, segments, stars, tiers
from .policy import COMPLIANCE_CLASSES, GradingPolicy

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _vector(name: str, value: Any, dtype: Any, n: int | None) -> Any:
    array = np.asarray(value)
    if array.size == 0:
        array = np.zeros(0, dtype=dtype)
    if array.ndim != 1:
        raise ValueError(f"{name}: must be one-dimensional, got shape {array.shape}")
    if n is not None and array.shape[0] != n:
        raise ValueError(f"{name}: must have {n} values (one per retailer), got {array.shape[0]}")
    whole = np.dtype(dtype).kind in "iub" and array.dtype.kind == "f"
    if whole and (not np.all(np.isfinite(array)) or np.any(array != np.round(array))):
        raise ValueError(f"{name}: must hold whole numbers")
    if np.dtype(dtype).kind == "f" and array.dtype.kind not in "fiub":
        raise ValueError(f"{name}: must hold numbers, got dtype {array.dtype}")
    return array.astype(dtype, copy=False)


@dataclasses.dataclass(frozen=True, eq=False)
class GradingInputs:
    """Everything one grading run needs, as arrays (lists are converted on construction).

    Per retailer (length n, aligned with ``retailer_ids``):

    - ``retailer_ids``: int64, unique (the tie rule of the ranking uses them).
    - ``indicators``: name → float array, NaN = missing; must hold every key the policy uses
      (indicators, star sub-scores, ``segments.growth_key``).
    - ``penalty_counts``: int, administrative penalties in the period (default 0).
    - ``manager_scores``: float, the customer manager's score, NaN = none (default none).
    - ``is_new``: bool, opened during the period (default False).
    - ``monthly_sales``: float matrix (n, months), oldest month first, NaN = unknown; used for
      the cv and the growth of the segments (default: no months).
    - ``previous_tier``: int, last published tier, 0 = none (default 0).

    Per deduction (length m): ``deduction_retailer`` (position 0..n-1 of the retailer, not its
    id), ``deduction_item`` (item code of the policy), ``deduction_points`` (NaN = the item's
    default points), ``deduction_cleared`` (a stop-supply violation already dealt with) and
    ``deduction_ids`` (the source records' ids, echoed in the explanation).
    """

    retailer_ids: IntArray
    indicators: Mapping[str, FloatArray]
    deduction_retailer: IntArray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))
    deduction_item: npt.NDArray[np.str_] = dataclasses.field(
        default_factory=lambda: np.zeros(0, dtype="<U1")
    )
    deduction_points: FloatArray | None = None
    deduction_cleared: BoolArray | None = None
    deduction_ids: IntArray | None = None
    penalty_counts: IntArray | None = None
    manager_scores: FloatArray | None = None
    is_new: BoolArray | None = None
    monthly_sales: FloatArray | None = None
    previous_tier: IntArray | None = None
    #: 0-based rank of each retailer id among the ids (the tie rule), set on construction.
    id_rank: IntArray = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        ids = _vector("retailer_ids", self.retailer_ids, np.int64, None)
        n = ids.shape[0]
        if n < 2 or bool(np.all(ids[1:] > ids[:-1])):  # already ascending: the usual case
            id_rank = np.arange(n, dtype=np.int64)
        else:
            by_id = np.argsort(ids)
            sorted_ids = ids[by_id]
            repeated = sorted_ids[1:] == sorted_ids[:-1]
            if np.any(repeated):
                raise ValueError(
                    f"retailer_ids: must be unique ({sorted_ids[1:][repeated][0]} repeats)"
                )
            id_rank = np.empty(n, dtype=np.int64)
            id_rank[by_id] = np.arange(n, dtype=np.int64)
        put = object.__setattr__
        put(self, "retailer_ids", ids)
        put(self, "id_rank", id_rank)
        if not isinstance(self.indicators, Mapping):
            raise ValueError("indicators: must be a mapping of name to array")
        values = {}
        for key, array in self.indicators.items():
            vec = _vector(f"indicators[{key!r}]", array, np.float64, n)
            if np.isinf(vec).any():
                raise ValueError(f"indicators[{key!r}]: must be finite or NaN (missing)")
            values[str(key)] = vec
        put(self, "indicators", values)

        where = _vector("deduction_retailer", self.deduction_retailer, np.int64, None)
        m = where.shape[0]
        if m and (where.min() < 0 or where.max() >= n):
            raise ValueError(f"deduction_retailer: positions must be within 0..{n - 1}")
        put(self, "deduction_retailer", where)
        items = np.asarray(self.deduction_item)
        if items.size == 0:
            items = np.zeros(0, dtype="<U1")
        if items.ndim != 1 or items.shape[0] != m or items.dtype.kind not in "UO":
            raise ValueError(f"deduction_item: must hold {m} item codes (strings)")
        put(self, "deduction_item", items)
        if self.deduction_points is not None:
            points = _vector("deduction_points", self.deduction_points, np.float64, m)
            if np.any(points < 0) or np.isinf(points).any():
                raise ValueError("deduction_points: must be >= 0 and finite (NaN: item default)")
            put(self, "deduction_points", points)
        for name, dtype in (("deduction_cleared", bool), ("deduction_ids", np.int64)):
            if getattr(self, name) is not None:
                put(self, name, _vector(name, getattr(self, name), dtype, m))

        per_retailer: tuple[tuple[str, Any], ...] = (
            ("penalty_counts", np.int64),
            ("manager_scores", np.float64),
            ("is_new", bool),
            ("previous_tier", np.int64),
        )
        for name, dtype in per_retailer:
            if getattr(self, name) is not None:
                put(self, name, _vector(name, getattr(self, name), dtype, n))
        for name in ("penalty_counts", "previous_tier"):
            array = getattr(self, name)
            if array is not None and array.size and array.min() < 0:
                raise ValueError(f"{name}: must be >= 0")
        if self.monthly_sales is not None:
            monthly = np.asarray(self.monthly_sales, dtype=np.float64)
            if monthly.ndim != 2 or monthly.shape[0] != n:
                raise ValueError(
                    f"monthly_sales: must have shape (n={n}, months), got {monthly.shape}"
                )
            if np.isinf(monthly).any():
                raise ValueError("monthly_sales: must be finite or NaN (unknown)")
            put(self, "monthly_sales", monthly)

    @property
    def n(self) -> int:
        return int(self.retailer_ids.shape[0])

    def check_against(self, policy: GradingPolicy) -> None:
        """Raise ``ValueError`` when an input the policy needs is missing."""
        needed = [
            (f"business.indicators[{ind.key!r}]", ind.key) for ind in policy.business.indicators
        ]
        if policy.stars.enabled:
            needed += [
                (f"stars.sub_scores[{sub.key!r}]", sub.key)
                for sub in policy.stars.sub_scores
                if not sub.key.startswith("@")
            ]
        if policy.segments.growth_key is not None:
            needed.append(("segments.growth_key", policy.segments.growth_key))
        for path, key in needed:
            if key not in self.indicators:
                raise ValueError(f"indicators: no array {key!r}, needed by {path}")


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
        value = self.inputs.indicators[key][i]
        if np.isnan(value):
            return None
        ordered = self._sorted_indicators[key]
        return int(ordered.shape[0] - np.searchsorted(ordered, value, side="right")) + 1

    @functools.cached_property
    def _sorted_indicators(self) -> dict[str, FloatArray]:
        return {
            key: np.sort(values[~np.isnan(values)])
            for key, values in self.inputs.indicators.items()
        }

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
