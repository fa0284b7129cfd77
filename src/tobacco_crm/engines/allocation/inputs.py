"""What the engine knows about the retailers of one product's plan: arrays aligned by retailer.

The caller (the Django adapter) gathers them in one pass: row *i* of every array is the same
retailer. Only ``retailer_id`` and ``tier`` are always required; the others default to "no
filter" or are required by the rule that reads them (``history`` for the ratio basis,
``demand`` for the demand basis or ``cap_by_demand``, ``band_history`` for the price-band basis,
``agreed`` and ``scale`` for the float).

Results never depend on the order of the rows: the engine works in ascending ``retailer_id``
order (ties are broken by retailer id) and gives its arrays back in the caller's order. Rows
already sorted by id (``ORDER BY id``) cost no sort.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .rules import MAX_CARTONS, MIN_RATIO

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _fail(path: str, message: str) -> Any:
    raise ValueError(f"{path}: {message}")


def _as_int(name: str, value: ArrayLike, n: int | None, *, low: int | None = 0) -> IntArray:
    arr = np.asarray(value)
    if arr.ndim != 1:
        _fail(name, f"must be a 1-D array, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.floor(arr)):
            _fail(name, "must hold whole numbers")
    elif arr.dtype.kind not in "iub" and arr.size:
        _fail(name, f"must hold integers, got dtype {arr.dtype}")
    out = arr.astype(np.int64)
    if n is not None and out.size != n:
        _fail(name, f"has {out.size} rows, retailer_id has {n}")
    if out.size and low is not None and out.min() < low:
        _fail(name, f"must be >= {low}, got {int(out.min())}")
    if out.size and low is not None and out.max() > MAX_CARTONS:
        _fail(name, f"must be <= {MAX_CARTONS}, got {int(out.max())}")
    return out


def _as_float(name: str, value: ArrayLike, n: int) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1 or arr.size != n:
        _fail(name, f"must be a 1-D array of {n} rows, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or (arr.size and arr.min() < 0):
        _fail(name, "must hold finite non-negative numbers")
    positive = arr[arr > 0]
    if positive.size and positive.min() < positive.max() * MIN_RATIO:
        _fail(name, "a positive value is below 2**-60 of the largest")
    return arr


def _as_bool(name: str, value: ArrayLike, n: int) -> BoolArray:
    arr = np.asarray(value)
    if arr.ndim != 1 or arr.size != n:
        _fail(name, f"must be a 1-D array of {n} rows, got shape {arr.shape}")
    if arr.dtype != np.bool_:
        if arr.size and not np.isin(arr, (0, 1)).all():
            _fail(name, "must hold booleans")
        arr = arr.astype(np.bool_)
    return arr


@dataclasses.dataclass(frozen=True, eq=False)
class AllocationInputs:
    """The retailers of one product's plan, as arrays aligned by retailer (n rows).

    - ``retailer_id`` (int64, unique): the tie-break of last resort and the key of the result.
    - ``tier`` (int, higher = better, for example 1..30): priority and tier weight.
    - ``eligible`` (bool, default all): the caller's filters (class, format, district, market
      type, territory, ...) already applied.
    - ``supply_stopped`` (bool, default none): 停货 retailers get nothing.
    - ``history`` (cartons ≥ 0, float allowed): past cartons of this product (ratio basis).
    - ``demand`` (whole cartons ≥ 0): order or reported demand (demand basis, demand caps).
    - ``band_history`` (cartons ≥ 0): past cartons of the product's price band.
    - ``cap`` (whole cartons, -1 = none): a per-retailer limit set by hand (限量).
    - ``agreed`` (whole cartons, -1 = no agreement): agreed total for the float cap.
    - ``agreed_used`` (whole cartons ≥ 0, default 0): already supplied against the agreement.
    - ``scale`` (int code): business scale, chooses the float percentage.
    """

    retailer_id: IntArray
    tier: IntArray
    eligible: BoolArray | None = None
    supply_stopped: BoolArray | None = None
    history: FloatArray | None = None
    demand: IntArray | None = None
    band_history: FloatArray | None = None
    cap: IntArray | None = None
    agreed: IntArray | None = None
    agreed_used: IntArray | None = None
    scale: IntArray | None = None
    _order: IntArray | None = dataclasses.field(init=False, repr=False, default=None)
    _tier_index: tuple[IntArray, IntArray, IntArray] | None = dataclasses.field(
        init=False, repr=False, default=None
    )

    def __post_init__(self) -> None:
        ids = _as_int("retailer_id", self.retailer_id, None, low=None)
        n = ids.size
        object.__setattr__(self, "retailer_id", ids)
        for f in dataclasses.fields(self):
            if f.init and f.name != "retailer_id":
                object.__setattr__(self, f.name, _check_column(f.name, getattr(self, f.name), n))
        # The canonical order: ascending retailer id (None when the rows already are).
        order: IntArray | None = None
        if n > 1 and not bool(np.all(ids[1:] > ids[:-1])):
            order = np.argsort(ids, kind="stable")
            sorted_ids = ids[order]
            dup = np.flatnonzero(sorted_ids[1:] == sorted_ids[:-1])
            if dup.size:
                _fail("retailer_id", f"must be unique, {int(sorted_ids[dup[0]])} appears twice")
        object.__setattr__(self, "_order", order)

    @property
    def size(self) -> int:
        return int(self.retailer_id.size)

    @property
    def order(self) -> IntArray | None:
        """Permutation to ascending retailer id, or None when the rows are in that order."""
        return self._order

    @property
    def tier_index(self) -> tuple[IntArray, IntArray]:
        """``(values, key)``: ascending tier values and each row's index into them (cached).

        Tiers spanning at most ``_DENSE_SPAN`` integers are indexed densely (``values`` then
        holds every integer between the lowest and the highest tier, present or not), others
        through ``np.unique``.
        """
        if self._tier_index is None:
            tier = self.tier
            if tier.size == 0:
                values, key = np.zeros(0, np.int64), np.zeros(0, np.int64)
            else:
                low, high = int(tier.min()), int(tier.max())
                if high - low < _DENSE_SPAN:
                    values, key = np.arange(low, high + 1, dtype=np.int64), tier - low
                else:
                    values, inverse = np.unique(tier, return_inverse=True)
                    key = inverse.astype(np.int64)
            counts = np.bincount(key, minlength=values.size)
            object.__setattr__(self, "_tier_index", (values, key, counts))
        assert self._tier_index is not None
        return self._tier_index[0], self._tier_index[1]

    @property
    def tier_counts(self) -> IntArray:
        """Rows per entry of ``tier_index`` values (cached)."""
        if self._tier_index is None:
            self.tier_index  # noqa: B018 - fills the cache
        assert self._tier_index is not None
        return self._tier_index[2]

    def canonical(self) -> AllocationInputs:
        """The same inputs with the rows in ascending retailer id."""
        order = self.order
        if order is None:
            return self
        fields: dict[str, Any] = {
            f.name: None if getattr(self, f.name) is None else getattr(self, f.name)[order]
            for f in dataclasses.fields(self)
            if f.init
        }
        return AllocationInputs(**fields)

    def replace(self, **changes: Any) -> AllocationInputs:
        """A copy with some columns replaced (for example another product's history and demand).

        Only the new columns are checked; the id order and the tier index are kept unless
        ``retailer_id`` or ``tier`` change.
        """
        if "retailer_id" in changes or "tier" in changes:
            return dataclasses.replace(self, **changes)
        names = {f.name for f in dataclasses.fields(self) if f.init}
        new = copy.copy(self)
        for name, value in changes.items():
            if name not in names:
                _fail(name, "unknown column")
            object.__setattr__(new, name, _check_column(name, value, self.size))
        return new


#: Tier values spanning at most this many integers are indexed densely.
_DENSE_SPAN = 1 << 16


def _check_column(name: str, value: Any, n: int) -> Any:
    """One column checked and converted (``eligible``/``supply_stopped`` get their default)."""
    if name in ("eligible", "supply_stopped"):
        return _as_bool(name, np.full(n, name == "eligible") if value is None else value, n)
    if value is None:
        return None
    if name in ("history", "band_history"):
        return _as_float(name, value, n)
    low = {"demand": 0, "cap": -1, "agreed": -1, "agreed_used": 0}.get(name)
    return _as_int(name, value, n, low=low)
