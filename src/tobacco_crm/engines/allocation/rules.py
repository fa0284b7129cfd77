"""One product's allocation plan (投放方案): validated frozen dataclasses with a JSON round trip.

A plan is data the marketing manager edits (DOMAIN.md, "Supply and orders" and "How real
companies do it"): the quantity available (可供量), the basis of the shares, the caps, the tier
range, the upper float and the leftover policy. Nothing here is a fixed company rule.

Every dataclass validates itself on construction and raises ``ValueError`` whose message starts
with the dotted path of the bad field, for example ``tier_weights.table[12]: weights must not
decrease with the tier (2.0 after 3.0 at tier 11)``. ``to_dict()`` gives plain JSON types and
``ProductRule.from_dict(rule.to_dict()) == rule`` holds for every valid rule; ``from_dict``
rejects unknown keys (a typo must not silently fall back to a default) and fills missing keys
with the defaults.

The bases (``ProductRule.basis``) and what the weight of retailer *i* is:

- ``"tier"`` (按档位): ``tier_weights.weight(tier[i])``; linear by default (weight = tier);
- ``"ratio"`` (按比例): ``history[i]``, the retailer's past cartons of this product;
- ``"demand"`` (按需): ``demand[i]``, ordered or reported demand; always capped by demand, so a
  shortage is shared in proportion to demand and a surplus satisfies everyone;
- ``"price_band"`` (按价位段): ``band_history[i]``, the retailer's past cartons of the product's
  price band (价位段), for a product without a history of its own (a new product).

A combination (组合投放) is a basis plus modifiers: ``cap_by_demand`` (for example tier limits
capped by demand), ``tier_weights`` on a non-tier basis (the share is multiplied by the tier
weight, so better tiers get a larger share of the same history or demand), ``max_per_retailer``,
``float_cap`` (agreed total × (1 + float %), rounded down; an upper limit, never a lower one)
and a per-retailer ``cap`` given with the inputs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, Literal, NoReturn, cast, get_args

import numpy as np
from numpy.typing import NDArray

SCHEMA_VERSION = 1
#: Largest quantity (cartons) the engine accepts anywhere: far above any real week, and small
#: enough that every sum of cartons stays exact in int64 and float64.
MAX_CARTONS = 2**40
#: Smallest ratio of a positive weight (tier weight, history) to the largest of its kind.
MIN_RATIO = 2.0**-60

Basis = Literal["tier", "ratio", "demand", "price_band"]
WeightPolicy = Literal["linear", "table"]
Leftover = Literal["retailer", "tier"]
BASES: tuple[str, ...] = get_args(Basis)
WEIGHT_POLICIES: tuple[str, ...] = get_args(WeightPolicy)
LEFTOVERS: tuple[str, ...] = get_args(Leftover)


def _fail(path: str, message: str) -> NoReturn:
    raise ValueError(f"{path}: {message}")


def _check_int(path: str, value: Any, *, low: int | None = None, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(path, f"must be an integer, got {value!r}")
    if low is not None and value < low:
        _fail(path, f"must be >= {low}, got {value!r}")
    if high is not None and value > high:
        _fail(path, f"must be <= {high}, got {value!r}")


def _check_number(path: str, value: Any, *, low: float = 0.0) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(path, f"must be a finite number, got {value!r}")
    if value < low:
        _fail(path, f"must be >= {low}, got {value!r}")


def _check_choice(path: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        _fail(path, f"must be one of {', '.join(choices)}, got {value!r}")


def _check_bool(path: str, value: Any) -> None:
    if not isinstance(value, bool):
        _fail(path, f"must be true or false, got {value!r}")


def _int_key(path: str, key: Any) -> int:
    """A table key: an int, or the decimal string JSON turns it into."""
    if isinstance(key, str):
        try:
            return int(key)
        except ValueError:
            _fail(path, f"key {key!r} is not an integer")
    _check_int(f"{path}[{key!r}]", key)
    return int(key)


def _table(path: str, value: Any) -> tuple[tuple[int, float], ...]:
    """Normalise a mapping (or pairs) of int → number into sorted pairs; reject duplicates."""
    pairs = value.items() if isinstance(value, Mapping) else value
    if not isinstance(pairs, list | tuple) and not isinstance(value, Mapping):
        _fail(path, f"must be a mapping of integer to number, got {value!r}")
    out: dict[int, float] = {}
    for item in pairs:
        if not isinstance(item, list | tuple) or len(item) != 2:
            _fail(path, f"must be a mapping of integer to number, got item {item!r}")
        key = _int_key(path, item[0])
        if key in out:
            _fail(f"{path}[{key}]", "appears twice")
        _check_number(f"{path}[{key}]", item[1])
        out[key] = float(item[1])
    return tuple(sorted(out.items()))


def _known_keys(path: str, data: Any, cls: type) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        _fail(path or cls.__name__, f"must be a mapping, got {type(data).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names - {"schema_version"})
    if unknown:
        where = f"{path}." if path else ""
        _fail(f"{where}{unknown[0]}", f"unknown key (known: {', '.join(sorted(names))})")
    return {k: v for k, v in data.items() if k in names}


@dataclasses.dataclass(frozen=True)
class TierWeights:
    """The weight of each tier (档位) in a tier-based share.

    - ``policy="linear"``: weight = tier for tiers ≥ 1, 0 below (tier 30 weighs 30 times tier 1).
    - ``policy="table"``: a step function over ``table`` (tier → weight): a tier takes the weight
      of the highest listed tier at or below it, and 0 below the lowest listed tier. Weights must
      not decrease with the tier, so a better tier never weighs less.
    - ``as_limits=True``: the weights are the per-tier limits in cartons (档位限量表): a retailer
      never gets more than ``floor(weight)``; when supply is short every limit is scaled down.
    """

    policy: WeightPolicy = "linear"
    table: Mapping[int, float] | tuple[tuple[int, float], ...] = ()
    as_limits: bool = False

    def __post_init__(self) -> None:
        _check_choice("tier_weights.policy", self.policy, WEIGHT_POLICIES)
        object.__setattr__(self, "table", _table("tier_weights.table", self.table))
        table = self.entries
        _check_bool("tier_weights.as_limits", self.as_limits)
        if self.policy == "table" and not any(w > 0 for _, w in table):
            _fail("tier_weights.table", "needs at least one tier with a positive weight")
        if self.policy == "linear" and self.table:
            _fail("tier_weights.table", "must be empty with the linear policy")
        positive = [w for _, w in table if w > 0]
        if positive and min(positive) < max(positive) * MIN_RATIO:
            _fail("tier_weights.table", "a positive weight is below 2**-60 of the largest")
        previous: tuple[int, float] | None = None
        for tier, weight in table:
            if previous is not None and weight < previous[1]:
                _fail(
                    f"tier_weights.table[{tier}]",
                    f"weights must not decrease with the tier ({weight} after {previous[1]} "
                    f"at tier {previous[0]})",
                )
            previous = (tier, weight)

    @property
    def entries(self) -> tuple[tuple[int, float], ...]:
        """``table`` as sorted (tier, weight) pairs (what the constructor normalises it to)."""
        return cast(tuple[tuple[int, float], ...], self.table)

    def weights(self, tier: NDArray[np.int64]) -> NDArray[np.float64]:
        """The weight of every retailer's tier (vectorised step-function lookup)."""
        if self.policy == "linear":
            return np.maximum(tier, 0).astype(np.float64)
        keys = np.array([t for t, _ in self.entries], dtype=np.int64)
        values = np.array([0.0] + [w for _, w in self.entries], dtype=np.float64)
        return values[np.searchsorted(keys, tier, side="right")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "table": {str(t): w for t, w in self.entries},
            "as_limits": self.as_limits,
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "tier_weights") -> TierWeights:
        return cls(**_known_keys(path, data, cls))


@dataclasses.dataclass(frozen=True)
class FloatRule:
    """The upper float (上浮) on agreed totals: cap = floor(agreed × (1 + pct / 100)).

    ``pct_by_scale`` maps a business scale code (for example 1 large, 2 medium, 3 small) to a
    percentage with at most two decimals (for example ``{1: 5, 2: 10, 3: 15}``); a scale code
    missing from it takes ``default_pct``, and without a default the allocation refuses the
    inputs. Percentages are never negative: the float is an upper limit, never a lower one. The
    rounding is exact (integer arithmetic in hundredths of a percent).
    """

    pct_by_scale: Mapping[int, float] | tuple[tuple[int, float], ...] = ()
    default_pct: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "pct_by_scale", _table("float_cap.pct_by_scale", self.pct_by_scale)
        )
        for code, pct in self.entries:
            _check_pct(f"float_cap.pct_by_scale[{code}]", pct)
        if self.default_pct is not None:
            _check_pct("float_cap.default_pct", self.default_pct)
            object.__setattr__(self, "default_pct", float(self.default_pct))
        if not self.pct_by_scale and self.default_pct is None:
            _fail("float_cap.pct_by_scale", "is empty and there is no default_pct")

    @property
    def entries(self) -> tuple[tuple[int, float], ...]:
        """``pct_by_scale`` as sorted (code, percent) pairs."""
        return cast(tuple[tuple[int, float], ...], self.pct_by_scale)

    def basis_points(self, scale: NDArray[np.int64]) -> NDArray[np.int64]:
        """Hundredths of a percent for each retailer's scale code; ValueError for an unknown one."""
        default = round(self.default_pct * 100) if self.default_pct is not None else -1
        if scale.size == 0:
            return np.zeros(0, dtype=np.int64)
        low, high = int(scale.min()), int(scale.max())
        if high - low < 1 << 16:  # a dense lookup table over the codes present
            table = np.full(high - low + 1, default, dtype=np.int64)
            for code, pct in self.entries:
                if low <= code <= high:
                    table[code - low] = round(pct * 100)
            out = table[scale - low]
        else:
            keys = np.array([c for c, _ in self.entries], dtype=np.int64)
            bps = np.array([round(p * 100) for _, p in self.entries], dtype=np.int64)
            out = np.full(scale.shape, default, dtype=np.int64)
            if keys.size:
                pos = np.minimum(np.searchsorted(keys, scale), keys.size - 1)
                out = np.where(keys[pos] == scale, bps[pos], out)
        if default < 0 and out.min() < 0:
            missing = int(scale[out < 0][0])
            _fail("float_cap.pct_by_scale", f"has no entry for scale code {missing} and no default")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "pct_by_scale": {str(c): p for c, p in self.entries},
            "default_pct": self.default_pct,
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "float_cap") -> FloatRule:
        return cls(**_known_keys(path, data, cls))


def _check_pct(path: str, pct: Any) -> None:
    _check_number(path, pct)
    if pct > 1000:
        _fail(path, f"must be <= 1000 (percent), got {pct!r}")
    if abs(pct * 100 - round(pct * 100)) > 1e-6:
        _fail(path, f"at most two decimals, got {pct!r}")


@dataclasses.dataclass(frozen=True)
class ProductRule:
    """One product's plan for one supply period: how ``available`` cartons become limits.

    Fields:

    - ``product``: the product's key (its code), used to label results.
    - ``available``: 可供量, whole cartons, 0 ≤ available ≤ ``MAX_CARTONS``.
    - ``basis``: ``"tier"``, ``"ratio"``, ``"demand"`` or ``"price_band"`` (module docstring).
    - ``tier_weights``: required meaning for ``"tier"`` (``None`` = linear); on another basis an
      optional multiplier of the share (组合投放); ``as_limits`` only with ``"tier"``.
    - ``cap_by_demand``: a retailer never gets more than its demand (implied by ``"demand"``).
    - ``max_per_retailer``: one cap for everybody (限量), cartons.
    - ``float_cap``: the upper float on agreed totals (needs ``agreed`` and ``scale`` inputs).
    - ``min_tier`` / ``max_tier``: tiers outside the range get nothing (an eligibility filter the
      plan itself carries; the caller's other filters come in ``AllocationInputs.eligible``).
    - ``leftover``: ``"retailer"`` (default) spreads the cartons left by rounding down one by one
      by largest remainder, ties to the higher tier, then rotated by ``seed``; ``"tier"``
      (only with ``"tier"``) raises whole tiers by one carton from the best tier down, so that
      everyone in a tier with the same caps gets the same limit; what does not fit a whole tier
      stays undistributed.
    - ``seed``: rotates the last ties; pass the period's sequence number so that, week after
      week, the extra carton of a tie goes round the tied retailers.
    """

    product: str
    available: int
    basis: Basis = "tier"
    tier_weights: TierWeights | None = None
    cap_by_demand: bool = False
    max_per_retailer: int | None = None
    float_cap: FloatRule | None = None
    min_tier: int | None = None
    max_tier: int | None = None
    leftover: Leftover = "retailer"
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.product, str) or not self.product:
            _fail("product", f"must be a non-empty string, got {self.product!r}")
        _check_int("available", self.available, low=0, high=MAX_CARTONS)
        _check_choice("basis", self.basis, BASES)
        if self.tier_weights is not None and not isinstance(self.tier_weights, TierWeights):
            _fail("tier_weights", f"must be TierWeights, got {type(self.tier_weights).__name__}")
        if self.tier_weights is not None and self.tier_weights.as_limits and self.basis != "tier":
            _fail("tier_weights.as_limits", "only with the tier basis")
        _check_bool("cap_by_demand", self.cap_by_demand)
        if self.max_per_retailer is not None:
            _check_int("max_per_retailer", self.max_per_retailer, low=0, high=MAX_CARTONS)
        if self.float_cap is not None and not isinstance(self.float_cap, FloatRule):
            _fail("float_cap", f"must be FloatRule, got {type(self.float_cap).__name__}")
        for name in ("min_tier", "max_tier"):
            if getattr(self, name) is not None:
                _check_int(name, getattr(self, name))
        if (
            self.min_tier is not None
            and self.max_tier is not None
            and self.min_tier > self.max_tier
        ):
            _fail("max_tier", f"{self.max_tier} is below min_tier ({self.min_tier})")
        _check_choice("leftover", self.leftover, LEFTOVERS)
        if self.leftover == "tier" and self.basis != "tier":
            _fail("leftover", "'tier' (whole tiers) only with the tier basis")
        _check_int("seed", self.seed, low=0)

    @property
    def caps_by_demand(self) -> bool:
        """Whether a retailer's demand is one of its caps."""
        return self.cap_by_demand or self.basis == "demand"

    @property
    def effective_tier_weights(self) -> TierWeights | None:
        """The tier weights actually applied (linear for the tier basis when none given)."""
        if self.basis == "tier" and self.tier_weights is None:
            return TierWeights()
        return self.tier_weights

    @property
    def is_combination(self) -> bool:
        """组合投放: a basis with at least one modifier."""
        return bool(
            (self.cap_by_demand and self.basis != "demand")
            or (self.tier_weights is not None and self.basis != "tier")
            or self.max_per_retailer is not None
            or self.float_cap is not None
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "product": self.product,
            "available": self.available,
            "basis": self.basis,
            "tier_weights": None if self.tier_weights is None else self.tier_weights.to_dict(),
            "cap_by_demand": self.cap_by_demand,
            "max_per_retailer": self.max_per_retailer,
            "float_cap": None if self.float_cap is None else self.float_cap.to_dict(),
            "min_tier": self.min_tier,
            "max_tier": self.max_tier,
            "leftover": self.leftover,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, data: Any) -> ProductRule:
        if (
            isinstance(data, Mapping)
            and data.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION
        ):
            _fail("schema_version", f"must be {SCHEMA_VERSION}, got {data['schema_version']!r}")
        kwargs = _known_keys("", data, cls)
        for name in ("product", "available"):
            if name not in kwargs:
                _fail(name, "is required")
        if kwargs.get("tier_weights") is not None:
            kwargs["tier_weights"] = TierWeights.from_dict(kwargs["tier_weights"])
        if kwargs.get("float_cap") is not None:
            kwargs["float_cap"] = FloatRule.from_dict(kwargs["float_cap"])
        return cls(**kwargs)
