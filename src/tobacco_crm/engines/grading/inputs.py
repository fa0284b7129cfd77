"""``GradingInputs``: everything one grading run needs, as validated NumPy arrays.

Lists are converted on construction; bad shapes, dtypes, duplicate ids or out-of-range
positions raise a ``ValueError`` that names the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from .policy import GradingPolicy

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
