"""The grading policy: plain frozen dataclasses, validated, with a JSON round trip.

A policy is data the marketing manager edits (DOMAIN.md, "How real companies do it"): every
threshold, weight and count lives here, none in the engine. Each dataclass validates itself on
construction and raises ``ValueError`` whose message starts with the dotted path of the bad
field, for example ``tiers.class_max_tier['B']: 31 is above tiers.count (30)``.

``GradingPolicy.to_dict()`` gives plain JSON types (lists, dicts, numbers, strings) and
``GradingPolicy.from_dict(d) == policy`` holds for every valid policy. ``from_dict`` rejects
unknown keys (a typo must not silently fall back to a default) and fills missing keys with the
defaults below.

The defaults are the published examples of DOMAIN.md (the 35/55/10 formula, classes A ≥ 91,
B ≥ 81, C ≥ 71, 30 tiers, 20/60/20 segments); docs/engines/grading.md lists every field.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from ._checks import (
    build,
    build_list,
    builder,
    check_choice,
    check_int,
    check_items,
    check_key,
    check_number,
    check_sequence,
    check_types,
    fail,
    to_plain,
)

SCHEMA_VERSION = 1

COMPLIANCE_CLASSES: tuple[str, ...] = ("A", "B", "C", "W")
INDICATOR_METHODS: tuple[str, ...] = ("relative_to_top", "percentile")
TIER_MAPPINGS: tuple[str, ...] = ("rank", "intervals")
NEW_RETAILER_RULES: tuple[str, ...] = ("fixed", "cap")
SEGMENT_SCORES: tuple[str, ...] = ("business", "final")
#: Sub-score keys that name a computed value instead of an input indicator (each 0-100).
COMPUTED_SUB_SCORES: tuple[str, ...] = ("@final", "@business", "@compliance")

IndicatorMethod = Literal["relative_to_top", "percentile"]
TierMapping = Literal["rank", "intervals"]
NewRetailerRule = Literal["fixed", "cap"]
SegmentScore = Literal["business", "final"]


@dataclasses.dataclass(frozen=True)
class DeductionItem:
    """A deduction item (扣分项目): code, Chinese label, default points, whether it stops supply.

    A deduction recorded without points takes ``default_points``. An item with
    ``stops_supply`` stops supply (停货) until the monopoly administration clears it.
    """

    code: str
    label: str
    default_points: float
    stops_supply: bool = False

    def __post_init__(self) -> None:
        check_key("compliance.items[].code", self.code)
        path = f"compliance.items[{self.code!r}]"
        if not isinstance(self.label, str):
            fail(f"{path}.label", f"must be a string, got {self.label!r}")
        check_number(f"{path}.default_points", self.default_points, low=0)
        if not isinstance(self.stops_supply, bool):
            fail(f"{path}.stops_supply", f"must be true or false, got {self.stops_supply!r}")


DEFAULT_DEDUCTION_ITEMS: tuple[DeductionItem, ...] = (
    DeductionItem("price_tag", "未明码标价", 2.0),
    DeductionItem("license_display", "未亮证经营", 2.0),
    DeductionItem("minor_sign", "未张贴不向未成年人售烟标识", 2.0),
    DeductionItem("address_change", "擅自变更经营地址", 5.0),
    DeductionItem("sell_to_minor", "向未成年人售烟", 10.0),
    DeductionItem("illegal_channel", "非法渠道进货", 10.0, stops_supply=True),
    DeductionItem("counterfeit", "销售假冒卷烟", 20.0, stops_supply=True),
    DeductionItem("smuggled", "销售走私卷烟", 20.0, stops_supply=True),
)


@dataclasses.dataclass(frozen=True)
class ComplianceSettings:
    """Compliance evaluation (守法情况评估).

    points = max(base_points − Σ deductions, 0); class W when points < class_c_min or
    penalties ≥ w_penalty_count, else A when points ≥ class_a_min, B when ≥ class_b_min,
    C when ≥ class_c_min.
    """

    base_points: float = 100.0
    items: tuple[DeductionItem, ...] = DEFAULT_DEDUCTION_ITEMS
    class_a_min: float = 91.0
    class_b_min: float = 81.0
    class_c_min: float = 71.0
    w_penalty_count: int = 3

    def __post_init__(self) -> None:
        check_number("compliance.base_points", self.base_points, low=0, low_open=True)
        check_number("compliance.class_a_min", self.class_a_min, high=self.base_points)
        for name, value, above in (
            ("class_b_min", self.class_b_min, "class_a_min"),
            ("class_c_min", self.class_c_min, "class_b_min"),
        ):
            check_number(f"compliance.{name}", value, low=0)
            if value >= getattr(self, above):
                fail(
                    f"compliance.{name}", f"{value} must be below {above} ({getattr(self, above)})"
                )
        check_int("compliance.w_penalty_count", self.w_penalty_count, low=1)
        items = check_items("compliance.items", self.items, DeductionItem, "code")
        object.__setattr__(self, "items", items)

    def item(self, code: str) -> DeductionItem:
        """The item with this code (``KeyError`` if the policy has none)."""
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


@dataclasses.dataclass(frozen=True)
class Indicator:
    """A business indicator (经营指标) and how it is scored.

    ``key`` names the input array (``GradingInputs.indicators[key]``); the adapter computes it
    from the order history or from the customer managers' entries. ``max_points`` is its
    weight: enter a weight w of a 100-point score as ``max_points = 100·w``.

    - ``relative_to_top``: points = clip(value ÷ top, 0, 1) × max_points, top = the
      ``top_quantile`` quantile of the present values (1.0: the maximum; 0.99 stops one
      outlier from flattening everybody else); no points for anyone when top ≤ 0.
    - ``percentile``: points = (share of retailers with a value ≤ this value) × max_points.

    A missing value (NaN) scores 0 points and takes no part in the top or the percentile.
    """

    key: str
    label: str
    max_points: float
    method: IndicatorMethod = "relative_to_top"
    top_quantile: float = 1.0
    unit: str = ""
    group: str = ""

    def __post_init__(self) -> None:
        check_key("business.indicators[].key", self.key)
        if self.key.startswith("@"):
            fail("business.indicators[].key", f"must not start with '@', got {self.key!r}")
        path = f"business.indicators[{self.key!r}]"
        for name in ("label", "unit", "group"):
            if not isinstance(getattr(self, name), str):
                fail(f"{path}.{name}", f"must be a string, got {getattr(self, name)!r}")
        check_number(f"{path}.max_points", self.max_points, low=0, low_open=True)
        check_choice(f"{path}.method", self.method, INDICATOR_METHODS)
        check_number(f"{path}.top_quantile", self.top_quantile, low=0, low_open=True, high=1)


#: The published formula: quantity 35 + amount 55 + extra 10 (5 products bought, 5 cartons of
#: price class 二类 and above), each the retailer's value ÷ the top value × its maximum.
PUBLISHED_35_55_10: tuple[Indicator, ...] = (
    Indicator("cartons", "卷烟销量", 35.0, unit="条", group="卷烟经营水平"),
    Indicator("amount", "卷烟销售额", 55.0, unit="元", group="卷烟经营水平"),
    Indicator("product_count", "订购规格数", 5.0, unit="个", group="附加因素"),
    Indicator("premium_cartons", "二类及以上卷烟销量", 5.0, unit="条", group="附加因素"),
)


@dataclasses.dataclass(frozen=True)
class BusinessSettings:
    """Business evaluation (经营情况评估) and the blend with the customer manager's score.

    business = Σ indicator points (at most ``max_score`` = Σ max_points);
    final = (1 − manager_weight) · business + manager_weight · manager_score ÷
    manager_score_max · max_score, rounded to ``score_decimals``; a missing manager score
    counts as equal to the business score (the blend then changes nothing).
    """

    indicators: tuple[Indicator, ...] = PUBLISHED_35_55_10
    manager_weight: float = 0.0
    manager_score_max: float = 100.0
    score_decimals: int = 4

    def __post_init__(self) -> None:
        indicators = check_items("business.indicators", self.indicators, Indicator, "key")
        if not indicators:
            fail("business.indicators", "must hold at least one indicator")
        object.__setattr__(self, "indicators", indicators)
        check_number("business.manager_weight", self.manager_weight, low=0, high=1)
        check_number("business.manager_score_max", self.manager_score_max, low=0, low_open=True)
        check_int("business.score_decimals", self.score_decimals, low=0, high=9)

    @property
    def max_score(self) -> float:
        """The highest business (and final) score: Σ max_points."""
        return float(sum(ind.max_points for ind in self.indicators))


def _default_caps(count: int) -> dict[str, int]:
    return {
        cls: max(1, math.ceil(count * share))
        for cls, share in zip(COMPLIANCE_CLASSES, (1.0, 0.8, 0.6, 0.2), strict=True)
    }


@dataclasses.dataclass(frozen=True)
class TierSettings:
    """Tiers (档位): tier ``count`` is the best, tier 1 the lowest.

    - ``mapping="rank"``: retailers sorted by final score (desc, then retailer id asc) fill the
      tiers from the top; tier t holds a share ``shares[t-1]`` of them (shares are relative
      weights, normalised; sizes by largest remainder). Retailers with equal final scores
      always share a tier: a tie straddling a boundary goes to the higher tier.
    - ``mapping="intervals"``: tier = 1 + the number of ``bounds`` ≤ score; ``bounds`` holds
      the ``count − 1`` ascending minimum scores of tiers 2..count.

    Then, in this order: ``max_change`` (if set) keeps the tier within ± max_change of a known
    previous tier; a new retailer gets ``new_retailer_tier`` (rule "fixed") or at most it
    (rule "cap"); no tier exceeds ``class_max_tier`` of the compliance class.
    """

    count: int = 30
    mapping: TierMapping = "rank"
    shares: tuple[float, ...] | None = None
    bounds: tuple[float, ...] | None = None
    class_max_tier: Mapping[str, int] | None = None
    new_retailer_tier: int | None = None
    new_retailer_rule: NewRetailerRule = "fixed"
    max_change: int | None = None

    def __post_init__(self) -> None:
        check_int("tiers.count", self.count, low=1, high=1000)
        check_choice("tiers.mapping", self.mapping, TIER_MAPPINGS)
        shares = (1.0,) * self.count if self.shares is None else self.shares
        shares = check_sequence(
            "tiers.shares", shares, self.count, lambda k: f"tier {k + 1}", low=0
        )
        if sum(shares) <= 0:
            fail("tiers.shares", "must not all be zero")
        object.__setattr__(self, "shares", shares)
        if self.bounds is not None:
            bounds = check_sequence(
                "tiers.bounds",
                self.bounds,
                self.count - 1,
                lambda k: f"tier {k + 2}",
                ascending=True,
            )
            object.__setattr__(self, "bounds", bounds)
        elif self.mapping == "intervals":
            fail("tiers.bounds", "are required when tiers.mapping is 'intervals'")
        caps = dict(self.class_max_tier) if self.class_max_tier is not None else {}
        unknown = sorted(set(caps) - set(COMPLIANCE_CLASSES))
        if unknown:
            fail("tiers.class_max_tier", f"unknown class {unknown[0]!r} (classes: A, B, C, W)")
        caps = {cls: caps.get(cls, default) for cls, default in _default_caps(self.count).items()}
        for cls, cap in caps.items():
            check_int(f"tiers.class_max_tier[{cls!r}]", cap, low=1)
            if cap > self.count:
                fail(f"tiers.class_max_tier[{cls!r}]", f"{cap} is above tiers.count ({self.count})")
        object.__setattr__(self, "class_max_tier", caps)
        start = self.new_retailer_tier
        if start is None:
            start = max(1, self.count // 3)
        check_int("tiers.new_retailer_tier", start, low=1, high=self.count)
        object.__setattr__(self, "new_retailer_tier", start)
        check_choice("tiers.new_retailer_rule", self.new_retailer_rule, NEW_RETAILER_RULES)
        if self.max_change is not None:
            check_int("tiers.max_change", self.max_change, low=0)

    def cap(self, compliance_class: str) -> int:
        """The highest tier reachable by a compliance class."""
        caps = self.class_max_tier
        assert caps is not None  # filled by __post_init__
        return caps[compliance_class]


@dataclasses.dataclass(frozen=True)
class StarSubScore:
    """A weighted sub-score of the star rating (规范度, 销售贡献度, 明码标价, 配合度, ...).

    ``key`` names an input indicator (scaled: value ÷ max_value × 100, clipped to 0-100) or a
    computed value in 0-100: ``@final``, ``@business`` (score ÷ max score × 100) or
    ``@compliance`` (compliance points ÷ base points × 100). A missing value counts 0.
    """

    key: str
    label: str
    weight: float
    max_value: float = 100.0

    def __post_init__(self) -> None:
        check_key("stars.sub_scores[].key", self.key)
        path = f"stars.sub_scores[{self.key!r}]"
        if self.key.startswith("@"):
            check_choice(f"{path}.key", self.key, COMPUTED_SUB_SCORES)
        if not isinstance(self.label, str):
            fail(f"{path}.label", f"must be a string, got {self.label!r}")
        check_number(f"{path}.weight", self.weight, low=0, low_open=True)
        check_number(f"{path}.max_value", self.max_value, low=0, low_open=True)


@dataclasses.dataclass(frozen=True)
class StarSettings:
    """Star rating (星级评定) of the best class-A retailers.

    Rated: class-A retailers whose supply is not stopped, the first ``eligible_top_share`` of
    them (rounded half up) by final score (then retailer id), at most ``eligible_top_n``.
    star score = Σ weight · sub-score ÷ Σ weight (0-100; the final score ÷ max score × 100 when
    there are no sub-scores); stars = the number of ``thresholds`` ≤ star score (0-5);
    super five: five stars and star score ≥ ``super_five_min_score``, at most
    ``super_five_max_count`` of them (the highest star scores, then rank).
    """

    enabled: bool = True
    eligible_top_share: float = 1.0
    eligible_top_n: int | None = None
    sub_scores: tuple[StarSubScore, ...] = ()
    thresholds: tuple[float, float, float, float, float] = (60.0, 70.0, 80.0, 90.0, 95.0)
    super_five_min_score: float = 98.0
    super_five_max_count: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            fail("stars.enabled", f"must be true or false, got {self.enabled!r}")
        check_number("stars.eligible_top_share", self.eligible_top_share, low=0, high=1)
        if self.eligible_top_n is not None:
            check_int("stars.eligible_top_n", self.eligible_top_n, low=0)
        subs = check_items("stars.sub_scores", self.sub_scores, StarSubScore, "key")
        object.__setattr__(self, "sub_scores", subs)
        thresholds = check_sequence(
            "stars.thresholds",
            self.thresholds,
            5,
            lambda k: f"{k + 1} star",
            ascending=True,
            low=0,
            high=100,
        )
        object.__setattr__(self, "thresholds", thresholds)
        check_number("stars.super_five_min_score", self.super_five_min_score, low=0, high=100)
        if self.super_five_max_count is not None:
            check_int("stars.super_five_max_count", self.super_five_max_count, low=0)


@dataclasses.dataclass(frozen=True)
class SegmentSettings:
    """Capability segments (seed 003): top, middle (split in three) and bottom.

    By ``score`` (business or final score) desc, then retailer id asc: the first ``top_share``
    are "top", the last ``bottom_share`` "bottom" (sizes by largest remainder). In the middle:
    "volatile" when the coefficient of variation (population std ÷ mean) of the last
    ``cv_months`` monthly sales is ≥ ``volatile_min_cv``; else "high_potential" when growth ≥
    ``high_potential_min_growth``; else "stable". Growth is the input indicator
    ``growth_key`` or, when it is None, from the monthly sales: Σ of the last
    ``growth_window_months`` months ÷ Σ of the same number of months ``growth_lag_months``
    earlier − 1 (lag 3: the last quarter against the one before; lag 12: year on year, which
    evens out the Spring Festival). An unknown CV or growth (no sales) never makes a retailer
    volatile or high-potential.
    """

    top_share: float = 0.2
    bottom_share: float = 0.2
    score: SegmentScore = "business"
    volatile_min_cv: float = 0.35
    high_potential_min_growth: float = 0.10
    cv_months: int = 12
    growth_window_months: int = 3
    growth_lag_months: int = 3
    growth_key: str | None = None

    def __post_init__(self) -> None:
        check_number("segments.top_share", self.top_share, low=0, high=1)
        check_number("segments.bottom_share", self.bottom_share, low=0, high=1)
        if self.top_share + self.bottom_share > 1:
            fail(
                "segments.bottom_share",
                f"top_share + bottom_share must be <= 1, got {self.top_share + self.bottom_share}",
            )
        check_choice("segments.score", self.score, SEGMENT_SCORES)
        check_number("segments.volatile_min_cv", self.volatile_min_cv, low=0)
        check_number("segments.high_potential_min_growth", self.high_potential_min_growth)
        check_int("segments.cv_months", self.cv_months, low=2)
        check_int("segments.growth_window_months", self.growth_window_months, low=1)
        check_int(
            "segments.growth_lag_months", self.growth_lag_months, low=self.growth_window_months
        )
        if self.growth_key is not None:
            check_key("segments.growth_key", self.growth_key)


@dataclasses.dataclass(frozen=True)
class GradingPolicy:
    """A complete grading policy; ``name`` is free text (the Django side versions records)."""

    name: str = "default"
    compliance: ComplianceSettings = dataclasses.field(default_factory=ComplianceSettings)
    business: BusinessSettings = dataclasses.field(default_factory=BusinessSettings)
    tiers: TierSettings = dataclasses.field(default_factory=TierSettings)
    stars: StarSettings = dataclasses.field(default_factory=StarSettings)
    segments: SegmentSettings = dataclasses.field(default_factory=SegmentSettings)

    _NESTED: ClassVar[dict[str, Any]] = {
        "compliance": builder(ComplianceSettings, {"items": build_list(DeductionItem)}),
        "business": builder(BusinessSettings, {"indicators": build_list(Indicator)}),
        "tiers": builder(TierSettings),
        "stars": builder(StarSettings, {"sub_scores": build_list(StarSubScore)}),
        "segments": builder(SegmentSettings),
    }

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            fail("name", f"must be a string, got {self.name!r}")
        check_types(
            self,
            {
                "compliance": ComplianceSettings,
                "business": BusinessSettings,
                "tiers": TierSettings,
                "stars": StarSettings,
                "segments": SegmentSettings,
            },
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types, with ``schema`` (the format version) first."""
        return {"schema": SCHEMA_VERSION, **to_plain(dataclasses.asdict(self))}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GradingPolicy:
        """The inverse of ``to_dict``; raises ``ValueError`` naming the first bad field."""
        if not isinstance(data, Mapping):
            fail("policy", f"must be an object, got {type(data).__name__}")
        data = dict(data)
        schema = data.pop("schema", SCHEMA_VERSION)
        if schema != SCHEMA_VERSION:
            fail("schema", f"unsupported version {schema!r} (this engine reads {SCHEMA_VERSION})")
        return build(cls, data, "", cls._NESTED)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> GradingPolicy:
        return cls.from_dict(json.loads(text))
