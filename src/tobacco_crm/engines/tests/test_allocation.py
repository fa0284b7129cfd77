"""Tests of ``tobacco_crm.engines.allocation``: hand-worked cases and hypothesis properties.

Every hand case shows its arithmetic in a comment; the properties run ``checks.violations``
(the invariants as code) and the core contract of issue 4 clause by clause.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tobacco_crm.engines.allocation import (
    AllocationInputs,
    FloatRule,
    ProductRule,
    Reason,
    TierWeights,
    Undistributed,
    allocate,
    allocate_many,
    float_cap,
    solve,
    violations,
    water_fill,
)

# ---------------------------------------------------------------- core: hand-worked cases


def test_core_exact_quotas_need_no_rounding():
    # weights 1..4 sum to 10: s = 1, quotas 1, 2, 3, 4 exactly.
    assert water_fill(10, [1, 2, 3, 4]).tolist() == [1, 2, 3, 4]


def test_core_equal_weights_leftover_rotates_with_seed():
    # 10 over three equal weights: quotas 3.33 each, floors 3+3+3 = 9, one leftover carton.
    # Ties go by position rotated by seed: start = (seed * 1) mod 3.
    assert water_fill(10, [1, 1, 1], seed=0).tolist() == [4, 3, 3]
    assert water_fill(10, [1, 1, 1], seed=1).tolist() == [3, 4, 3]
    assert water_fill(10, [1, 1, 1], seed=2).tolist() == [3, 3, 4]
    assert water_fill(10, [1, 1, 1], seed=3).tolist() == [4, 3, 3]


def test_core_cap_pours_over_to_the_others():
    # Caps 1, 10, 10: s = 10/3 caps the first at 1; the 9 left over weights 2: s = 4.5.
    # Quotas 1, 4.5, 4.5: floors 1+4+4 = 9, the leftover to the tie's first position...
    assert water_fill(10, [1, 1, 1], caps=[1, 10, 10]).tolist() == [1, 5, 4]
    # ...or to the higher priority.
    assert water_fill(10, [1, 1, 1], caps=[1, 10, 10], priority=[0, 0, 1]).tolist() == [1, 4, 5]


def test_core_largest_remainder_beats_priority():
    # 7 over history 5, 3, 2: quotas 3.5, 2.1, 1.4; floors 6; the leftover goes to the largest
    # remainder (0.5), even though the others have a higher priority.
    assert water_fill(7, [5, 3, 2], priority=[0, 9, 9]).tolist() == [4, 2, 1]


def test_core_total_is_min_of_available_and_room():
    # Room 2 + 3 = 5 < 8: everyone gets its cap, nothing is invented.
    fill = solve(8, [1, 2], caps=[2, 3])
    assert fill.x.tolist() == [2, 3] and fill.total == 5
    # A zero weight gets nothing even with a cap; all-zero weights give nothing at all.
    assert water_fill(8, [0, 1], caps=[5, 3]).tolist() == [0, 3]
    assert water_fill(8, [0, 0]).tolist() == [0, 0]
    assert water_fill(0, [1, 2]).tolist() == [0, 0]
    assert water_fill(5, []).tolist() == []


def test_core_huge_available_is_exact():
    x = water_fill(2**40, [1, 2, 3])
    assert x.sum() == 2**40 and x.dtype == np.int64


@pytest.mark.parametrize("rounds", [0, 1, 2])
def test_core_sort_fallback_agrees_with_newton(monkeypatch, rounds):
    # Few Newton rounds allowed: the exact sort of the breakpoints takes over, same answer.
    from tobacco_crm.engines.allocation import core

    rng = np.random.default_rng(7)
    w = rng.integers(1, 30, 500).astype(float)
    caps = rng.integers(0, 40, 500)
    available = int(caps.sum() * 0.6)
    expected = solve(available, w, caps)
    monkeypatch.setattr(core, "_ROUNDS", rounds)
    got = solve(available, w, caps)
    assert got.x.sum() == available and np.all(got.x <= caps)
    assert np.allclose(got.quota, expected.quota, rtol=1e-12)
    assert np.array_equal(got.x, expected.x)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"available": -1, "weights": [1]}, "available"),
        ({"available": 2**41, "weights": [1]}, "available"),
        ({"available": 1, "weights": [-1]}, "weights"),
        ({"available": 1, "weights": [np.nan]}, "weights"),
        ({"available": 1, "weights": [1.0, 1e-200]}, "weights"),
        ({"available": 1, "weights": [1], "caps": [-1]}, "caps"),
        ({"available": 1, "weights": [1], "caps": [1, 2]}, "caps"),
        ({"available": 1, "weights": [1], "caps": [1.5]}, "caps"),
        ({"available": 1, "weights": [1], "priority": [1, 2]}, "priority"),
        ({"available": 1, "weights": [1], "seed": -1}, "seed"),
    ],
)
def test_core_rejects_bad_arguments(kwargs, field):
    with pytest.raises(ValueError, match=rf"^{field}:"):
        water_fill(**kwargs)


# ---------------------------------------------------------------- core: properties

weight_values = st.one_of(
    st.sampled_from([0.0, 1.0, 2.0, 3.0, 7.0]),  # many ties
    st.floats(1e-6, 1000),
)


@st.composite
def core_cases(draw):
    n = draw(st.integers(0, 30))
    weights = np.array(draw(st.lists(weight_values, min_size=n, max_size=n)))
    caps = None
    if draw(st.booleans()):
        caps = np.array(
            draw(st.lists(st.one_of(st.integers(0, 12), st.just(10**9)), min_size=n, max_size=n)),
            dtype=np.int64,
        )
    priority = None
    if draw(st.booleans()):
        priority = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    available = draw(st.one_of(st.integers(0, 200), st.sampled_from([0, 1, 10**6, 2**40])))
    seed = draw(st.integers(0, 50))
    return available, weights, caps, priority, seed


@settings(max_examples=400, deadline=None)
@given(core_cases())
def test_core_contract(case):
    available, w, caps, priority, seed = case
    fill = solve(available, w, caps, priority, seed)
    x, q = fill.x, fill.quota
    assert x.dtype == np.int64 and x.shape == w.shape
    # 0 <= x <= caps, and x == 0 wherever the weight is 0.
    assert np.all(x >= 0)
    if caps is not None:
        assert np.all(x <= caps)
    assert not np.any(x[w == 0])
    # x.sum() == min(available, caps.sum()) over positive weights (no caps: available).
    room = w > 0
    if caps is None:
        expected = available if room.any() else 0
    else:
        expected = min(available, int(caps[room].sum()))
    assert int(x.sum()) == expected == fill.total
    # Quotas: q = min(c, s*w), summing to the total; x is the floor or the ceiling of q.
    if expected:
        free = fill.scale * (w / fill.unit)
        assert np.allclose(q, free if caps is None else np.minimum(caps, free), rtol=1e-9)
        assert math.isclose(q.sum(), expected, rel_tol=1e-9, abs_tol=1e-6)
    assert np.all((x == np.floor(q)) | (x == np.ceil(q)))
    # q[i] > q[j] implies x[i] >= x[j]; equal quotas: the higher priority never gets less.
    order = np.argsort(q, kind="stable")
    qs, xs = q[order], x[order]
    for a in range(len(qs)):
        later = qs > qs[a]
        assert np.all(xs[later] >= xs[a])
    if priority is not None:
        for value in np.unique(q):
            same = q == value
            p, xv = priority[same], x[same]
            for a in range(p.size):
                assert np.all(xv[p > p[a]] >= xv[a])
    # Deterministic.
    again = solve(available, w.copy(), None if caps is None else caps.copy(), priority, seed)
    assert np.array_equal(again.x, x)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 12), st.integers(0, 30), st.integers(0, 11))
def test_core_round_robin_over_consecutive_seeds(g, whole, r):
    # g tied retailers, r of them get an extra carton: over g consecutive seeds each gets it r
    # times (r < g).
    r = r % g
    wins = np.zeros(g, dtype=np.int64)
    for seed in range(100, 100 + g):
        x = water_fill(whole * g + r, np.ones(g), seed=seed)
        wins += x - whole
    assert np.all(wins == r)


# ---------------------------------------------------------------- rules: validation, round trip


def test_rule_round_trip_through_json():
    rule = ProductRule(
        product="6901028075862",
        available=1200,
        basis="tier",
        tier_weights=TierWeights(policy="table", table={1: 1, 10: 2.5, 30: 6}, as_limits=True),
        cap_by_demand=True,
        max_per_retailer=20,
        float_cap=FloatRule(pct_by_scale={1: 5, 2: 10, 3: 15}, default_pct=7.5),
        min_tier=3,
        max_tier=30,
        leftover="tier",
        seed=202545,
    )
    assert ProductRule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule
    assert rule.is_combination


@st.composite
def rules(draw, available=None):
    basis = draw(st.sampled_from(["tier", "ratio", "demand", "price_band"]))
    tier_weights = None
    if draw(st.booleans()):
        if draw(st.booleans()):
            tiers = sorted(draw(st.sets(st.integers(-2, 8), min_size=1, max_size=5)))
            weights = sorted(
                draw(st.lists(st.integers(0, 9), min_size=len(tiers), max_size=len(tiers)))
            )
            weights[-1] += 1
            tier_weights = TierWeights(
                "table",
                dict(zip(tiers, weights, strict=True)),
                as_limits=basis == "tier" and draw(st.booleans()),
            )
        else:
            tier_weights = TierWeights()
    low = draw(st.none() | st.integers(0, 4))
    high = draw(st.none() | st.integers(4, 8))
    return ProductRule(
        product="p",
        available=draw(st.integers(0, 10**6) if available is None else available),
        basis=basis,
        tier_weights=tier_weights,
        cap_by_demand=draw(st.booleans()),
        max_per_retailer=draw(st.none() | st.integers(0, 15)),
        float_cap=draw(
            st.none()
            | st.builds(
                FloatRule,
                pct_by_scale=st.dictionaries(st.integers(1, 3), st.sampled_from([0, 5, 7.5, 15])),
                default_pct=st.sampled_from([0.0, 10.0]),
            )
        ),
        min_tier=low,
        max_tier=high,
        leftover=draw(st.sampled_from(["retailer", "tier"])) if basis == "tier" else "retailer",
        seed=draw(st.integers(0, 1000)),
    )


@settings(max_examples=200, deadline=None)
@given(rules())
def test_rule_round_trip_property(rule):
    assert ProductRule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"product": "p"}, "available"),
        ({"product": "", "available": 1}, "product"),
        ({"product": "p", "available": -5}, "available"),
        ({"product": "p", "available": 1.5}, "available"),
        ({"product": "p", "available": 1, "basis": "lottery"}, "basis"),
        ({"product": "p", "available": 1, "avaliable": 2}, "avaliable"),
        ({"product": "p", "available": 1, "leftover": "tier", "basis": "ratio"}, "leftover"),
        ({"product": "p", "available": 1, "min_tier": 5, "max_tier": 2}, "max_tier"),
        ({"product": "p", "available": 1, "max_per_retailer": -1}, "max_per_retailer"),
        ({"product": "p", "available": 1, "seed": -1}, "seed"),
        (
            {
                "product": "p",
                "available": 1,
                "tier_weights": {"policy": "table", "table": {"1": 3, "2": 2}},
            },
            r"tier_weights\.table\[2\]",
        ),
        (
            {"product": "p", "available": 1, "tier_weights": {"policy": "table", "table": {}}},
            r"tier_weights\.table",
        ),
        (
            {"product": "p", "available": 1, "tier_weights": {"policy": "linear", "as_limits": 1}},
            r"tier_weights\.as_limits",
        ),
        (
            {
                "product": "p",
                "available": 1,
                "basis": "ratio",
                "tier_weights": {"policy": "linear", "as_limits": True},
            },
            r"tier_weights\.as_limits",
        ),
        (
            {"product": "p", "available": 1, "float_cap": {"pct_by_scale": {"1": -5}}},
            r"float_cap\.pct_by_scale\[1\]",
        ),
        (
            {"product": "p", "available": 1, "float_cap": {"pct_by_scale": {"1": 5.125}}},
            r"float_cap\.pct_by_scale\[1\]",
        ),
        ({"product": "p", "available": 1, "float_cap": {"pct_by_scale": {}}}, "float_cap"),
        ({"product": "p", "available": 1, "float_cap": {"pct": 5}}, r"float_cap\.pct"),
        ({"product": "p", "available": 1, "schema_version": 9}, "schema_version"),
    ],
)
def test_rule_validation_names_the_field(data, field):
    with pytest.raises(ValueError, match=rf"^{field}"):
        ProductRule.from_dict(data)


# ---------------------------------------------------------------- rules: hand-worked cases


def six_retailers(**extra):
    """Ids deliberately out of order; retailer 6 has its supply stopped."""
    return AllocationInputs(
        retailer_id=[5, 3, 1, 2, 4, 6],
        tier=[3, 2, 1, 1, 3, 2],
        demand=[10, 1, 5, 5, 2, 3],
        supply_stopped=[0, 0, 0, 0, 0, 1],
        **extra,
    )


def test_tier_rule_by_hand():
    # Linear weights = tier; retailer 6 is stopped. Weights 3, 2, 1, 1, 3 sum to 10: s = 1.7,
    # quotas 5.1, 3.4, 1.7, 1.7, 5.1 → floors 5, 3, 1, 1, 5 = 15; 2 leftovers to the largest
    # remainders (0.7, retailers 1 and 2).
    inputs = six_retailers()
    result = allocate(inputs, ProductRule("p", 17))
    assert result.limit.tolist() == [5, 3, 2, 2, 5, 0]
    assert [Reason(r) for r in result.reason] == [
        Reason.TIER_LIMIT,
        Reason.TIER_LIMIT,
        Reason.LEFTOVER,
        Reason.LEFTOVER,
        Reason.TIER_LIMIT,
        Reason.SUPPLY_STOPPED,
    ]
    assert result.total == 17 and result.undistributed == 0
    assert result.undistributed_reason is Undistributed.NONE
    top = result.tiers[0]
    assert (top.tier, top.retailers, top.taking_part, top.allocated) == (3, 2, 2, 10)
    assert (top.min_limit, top.max_limit, top.tier_limit, top.leftover) == (5, 5, 5, 0)
    assert top.demand == 12 and top.demand_satisfied == pytest.approx(10 / 12)
    assert [t.tier for t in result.tiers] == [3, 2, 1]
    assert result.tiers[1].taking_part == 1  # the stopped retailer does not take part
    assert result.tiers[2].leftover == 2 and result.tiers[2].tier_limit == 1
    assert result.explain(5) == "retailer 6, tier 2: 0 cartons (supply stopped)"
    assert result.explain_retailer(1) == (
        "retailer 1, tier 1: 2 cartons (tier limit: share 1.70 rounded down to 1, leftover +1)"
    )
    assert violations(inputs, ProductRule("p", 17), result.limit, result) == []


def test_tier_limits_capped_by_demand_by_hand():
    # s = 17/10 = 1.7 caps retailer 3 (3.4 ≥ demand 1) and 4 (5.1 ≥ 2); the 14 left go over
    # weights 3 + 1 + 1 = 5: s = 2.8, quotas 8.4, 1, 2.8, 2.8, 2 → floors 15, 2 leftovers to
    # the 0.8 remainders (retailers 1 and 2).
    rule = ProductRule("p", 17, cap_by_demand=True)
    result = allocate(six_retailers(), rule)
    assert result.limit.tolist() == [8, 1, 3, 3, 2, 0]
    assert Reason(result.reason[1]) == Reason.CAPPED_DEMAND
    assert result.explain(4) == (
        "retailer 4, tier 3: 2 cartons (capped by demand: 2; share before the cap 8.40)"
    )
    assert result.level == pytest.approx(2.8)


def test_whole_tier_leftovers_by_hand():
    # Quotas 5.1, 3.4, 1.7, 1.7, 5.1 as above; floors 15, 2 left. Whole tiers from the top:
    # tier 3 needs 2 (its two retailers) → raised to 6; nothing left for tier 1.
    rule = ProductRule("p", 17, leftover="tier")
    result = allocate(six_retailers(), rule)
    assert result.limit.tolist() == [6, 3, 1, 1, 6, 0]
    assert result.tiers[0].tier_limit == 6


def test_whole_tier_rest_stays_undistributed_by_hand():
    # Table weights 1 (tier 1) and 1.5 (tier 2); tiers 2, 2, 1; available 4: s = 4/4 = 1,
    # quotas 1.5, 1.5, 1 → floors 3, 1 left. Tier 2 needs 2 cartons; tier 1's quota is whole.
    weights = TierWeights("table", {1: 1, 2: 1.5})
    inputs = AllocationInputs(retailer_id=[1, 2, 3], tier=[2, 2, 1])
    tier_rule = ProductRule("p", 4, tier_weights=weights, leftover="tier")
    result = allocate(inputs, tier_rule)
    assert result.limit.tolist() == [1, 1, 1]
    assert result.undistributed == 1
    assert result.undistributed_reason is Undistributed.WHOLE_TIERS
    assert "raising tier 2 by one carton needs 2 cartons" in result.undistributed_detail
    # Per retailer, the leftover goes to the lowest id of the tie (seed 0), or the next one.
    retailer_rule = ProductRule("p", 4, tier_weights=weights)
    assert allocate(inputs, retailer_rule).limit.tolist() == [2, 1, 1]
    rotated = ProductRule("p", 4, tier_weights=weights, seed=1)
    assert allocate(inputs, rotated).limit.tolist() == [1, 2, 1]


def test_ratio_rule_by_hand():
    # History 5, 3, 2, 0; available 7: quotas 3.5, 2.1, 1.4, 0 → floors 6, the leftover to the
    # largest remainder (0.5). No history: nothing, with its reason.
    inputs = AllocationInputs(retailer_id=[1, 2, 3, 4], tier=[1, 2, 3, 3], history=[5, 3, 2, 0])
    result = allocate(inputs, ProductRule("p", 7, basis="ratio"))
    assert result.limit.tolist() == [4, 2, 1, 0]
    assert Reason(result.reason[3]) == Reason.NO_WEIGHT
    assert "no history of this product" in result.explain(3)


def test_ratio_with_tier_multiplier_by_hand():
    # 组合: history 4, 4 times tier weight 1, 3 → weights 4, 12; available 8 → 2, 6.
    inputs = AllocationInputs(retailer_id=[1, 2], tier=[1, 3], history=[4, 4])
    rule = ProductRule("p", 8, basis="ratio", tier_weights=TierWeights())
    assert allocate(inputs, rule).limit.tolist() == [2, 6]


def test_demand_rule_by_hand():
    inputs = AllocationInputs(retailer_id=[1, 2, 3], tier=[1, 1, 1], demand=[10, 6, 4])
    # Shortage: 10 of 20 demanded, s = 0.5 → 5, 3, 2.
    short = allocate(inputs, ProductRule("p", 10, basis="demand"))
    assert short.limit.tolist() == [5, 3, 2]
    assert Reason(short.reason[0]) == Reason.DEMAND_SHARE
    # Surplus: everyone gets its demand, the rest is undistributed with its reason.
    plenty = allocate(inputs, ProductRule("p", 25, basis="demand"))
    assert plenty.limit.tolist() == [10, 6, 4]
    assert plenty.undistributed == 5
    assert plenty.undistributed_reason is Undistributed.DEMAND_SATISFIED
    assert plenty.undistributed_detail == "5 cartons: all eligible demand satisfied (20 cartons)"


def test_price_band_rule_by_hand():
    # A new product follows the retailers' history in its price band: 6, 2, 0 → 9 as 6.75,
    # 2.25 → 6, 2 and the leftover to 0.75.
    inputs = AllocationInputs(retailer_id=[1, 2, 3], tier=[5, 5, 5], band_history=[6, 2, 0])
    result = allocate(inputs, ProductRule("p", 9, basis="price_band"))
    assert result.limit.tolist() == [7, 2, 0]
    assert Reason(result.reason[1]) == Reason.BAND_SHARE
    with pytest.raises(ValueError, match=r"^band_history: required"):
        allocate(
            AllocationInputs(retailer_id=[1], tier=[1]), ProductRule("p", 1, basis="price_band")
        )


def test_float_cap_by_hand():
    # 100 × 1.15 is 114.99999999999999 in floating point; the float cap must say 115.
    # Scale 1 large (+5 %), 2 medium (+10 %), 3 small (+15 %); 7 × 1.15 = 8.05 → 8;
    # no agreement (-1) → no cap; 40 used of 100 × 1.05 = 105 → 65 left.
    rule = ProductRule("p", 1000, float_cap=FloatRule({1: 5, 2: 10, 3: 15}))
    agreed = np.array([100, 100, 100, 7, -1, 100])
    scale = np.array([1, 2, 3, 3, 1, 1])
    used = np.array([0, 0, 0, 0, 0, 40])
    assert float_cap(agreed, scale, rule, used).tolist() == [105, 110, 115, 8, -1, 65]
    with pytest.raises(
        ValueError, match=r"^float_cap\.pct_by_scale: has no entry for scale code 4"
    ):
        float_cap(agreed, np.array([1, 2, 3, 4, 1, 1]), rule)


def test_float_caps_an_allocation_by_hand():
    # Ratio on history 10, 10; agreed 10 and 20 with +15 %: caps 11 and 23. Available 40:
    # s = 2 → 20, 20 caps the first at 11; the second gets 23; 6 stay (everyone at its cap).
    inputs = AllocationInputs(
        retailer_id=[1, 2], tier=[1, 1], history=[10, 10], agreed=[10, 20], scale=[3, 3]
    )
    rule = ProductRule("p", 40, basis="ratio", float_cap=FloatRule(default_pct=15))
    result = allocate(inputs, rule)
    assert result.limit.tolist() == [11, 23]
    assert [Reason(r) for r in result.reason] == [Reason.CAPPED_FLOAT, Reason.CAPPED_FLOAT]
    assert result.undistributed_reason is Undistributed.CAPS_REACHED


def test_tier_table_as_limits_by_hand():
    # Table: tier 1 → 2 cartons, tier 2 → 4, tier 3 → 6. Plenty: the table as published.
    inputs = AllocationInputs(retailer_id=[1, 2, 3], tier=[1, 2, 3])
    table = TierWeights("table", {1: 2, 2: 4, 3: 6}, as_limits=True)
    plenty = allocate(inputs, ProductRule("p", 100, tier_weights=table))
    assert plenty.limit.tolist() == [2, 4, 6]
    assert Reason(plenty.reason[2]) == Reason.CAPPED_TABLE
    # Short (6 of 12): every limit scaled by one half → 1, 2, 3.
    assert allocate(inputs, ProductRule("p", 6, tier_weights=table)).limit.tolist() == [1, 2, 3]


def test_eligibility_and_tier_range_by_hand():
    inputs = AllocationInputs(
        retailer_id=[1, 2, 3, 4],
        tier=[1, 5, 9, 5],
        eligible=[1, 1, 1, 0],
        supply_stopped=[0, 0, 0, 1],
    )
    result = allocate(inputs, ProductRule("p", 10, min_tier=2, max_tier=8))
    assert result.limit.tolist() == [0, 10, 0, 0]
    assert [Reason(r) for r in result.reason] == [
        Reason.OUTSIDE_TIER_RANGE,
        Reason.TIER_LIMIT,
        Reason.OUTSIDE_TIER_RANGE,
        Reason.SUPPLY_STOPPED,
    ]
    nobody = allocate(inputs, ProductRule("p", 10, min_tier=20))
    assert nobody.total == 0 and nobody.undistributed_reason is Undistributed.NO_RECIPIENTS


def test_inputs_validation_names_the_field():
    with pytest.raises(ValueError, match=r"^retailer_id: must be unique, 2 appears twice"):
        AllocationInputs(retailer_id=[3, 2, 2], tier=[1, 1, 1])
    with pytest.raises(ValueError, match=r"^tier: has 2 rows"):
        AllocationInputs(retailer_id=[1, 2, 3], tier=[1, 1])
    with pytest.raises(ValueError, match=r"^demand: must be >= 0"):
        AllocationInputs(retailer_id=[1], tier=[1], demand=[-1])
    with pytest.raises(ValueError, match=r"^history: must hold finite"):
        AllocationInputs(retailer_id=[1], tier=[1], history=[np.inf])
    with pytest.raises(ValueError, match=r"^demand: required by the demand cap"):
        allocate(
            AllocationInputs(retailer_id=[1], tier=[1]), ProductRule("p", 1, cap_by_demand=True)
        )


def test_allocate_many_keys_by_product():
    inputs = AllocationInputs(retailer_id=[1, 2], tier=[1, 2], history=[1, 1])
    results = allocate_many([(inputs, ProductRule("a", 3)), (inputs, ProductRule("b", 4, "ratio"))])
    assert results["a"].limit.tolist() == [1, 2] and results["b"].limit.tolist() == [2, 2]
    with pytest.raises(ValueError, match=r"^product: 'a' appears twice"):
        allocate_many([(inputs, ProductRule("a", 3)), (inputs, ProductRule("a", 4))])


def test_summary_is_json():
    summary = allocate(six_retailers(), ProductRule("p", 17)).summary()
    assert json.loads(json.dumps(summary))["reasons"] == {
        "tier limit": 3,
        "leftover +1": 2,
        "supply stopped": 1,
    }


# ---------------------------------------------------------------- rules: properties


@st.composite
def plans(draw):
    rule = draw(rules(available=st.one_of(st.integers(0, 150), st.sampled_from([0, 10**7]))))
    n = draw(st.integers(0, 40))
    ids = draw(st.lists(st.integers(-(10**6), 10**6), min_size=n, max_size=n, unique=True))

    def column(strategy):
        return draw(st.lists(strategy, min_size=n, max_size=n))

    inputs = AllocationInputs(
        retailer_id=ids,
        tier=column(st.integers(-1, 9)),
        eligible=column(st.booleans()),
        supply_stopped=column(st.booleans()),
        history=column(st.sampled_from([0.0, 1.0, 2.5, 4.0, 10.0])),
        demand=column(st.integers(0, 12)),
        band_history=column(st.integers(0, 6)),
        cap=column(st.integers(-1, 9)) if draw(st.booleans()) else None,
        agreed=column(st.integers(-1, 30)),
        agreed_used=column(st.integers(0, 5)),
        scale=column(st.integers(1, 4)),
    )
    return inputs, rule


@settings(max_examples=400, deadline=None)
@given(plans())
def test_allocate_invariants(plan):
    inputs, rule = plan
    result = allocate(inputs, rule)
    assert violations(inputs, rule, result.limit, result) == []
    excluded = ~inputs.eligible | inputs.supply_stopped
    assert not np.any(result.limit[excluded])
    assert np.all(result.reason[inputs.supply_stopped] == Reason.SUPPLY_STOPPED)
    assert sum(t.allocated for t in result.tiers) == result.total
    assert sum(t.retailers for t in result.tiers) == inputs.size
    # Deterministic.
    again = allocate(inputs, rule)
    assert np.array_equal(again.limit, result.limit)
    assert np.array_equal(again.reason, result.reason)


@settings(max_examples=200, deadline=None)
@given(plans(), st.randoms(use_true_random=False))
def test_allocate_ignores_row_order(plan, rnd):
    inputs, rule = plan
    perm = np.arange(inputs.size)
    rnd.shuffle(perm)
    shuffled = inputs.replace(
        **{
            name: getattr(inputs, name)[perm]
            for name in (
                "retailer_id",
                "tier",
                "eligible",
                "supply_stopped",
                "history",
                "demand",
                "band_history",
                "cap",
                "agreed",
                "agreed_used",
                "scale",
            )
            if getattr(inputs, name) is not None
        }
    )
    a, b = allocate(inputs, rule), allocate(shuffled, rule)
    assert np.array_equal(a.limit[perm], b.limit)
    assert np.array_equal(a.reason[perm], b.reason)
    assert np.array_equal(a.quota[perm], b.quota)
    assert a.tiers == b.tiers and a.undistributed_detail == b.undistributed_detail


@settings(max_examples=200, deadline=None)
@given(plans())
def test_enough_supply_meets_all_demand(plan):
    inputs, rule = plan
    inputs = inputs.replace(cap=None)  # demand the only cap
    assert inputs.demand is not None
    weights = rule.tier_weights
    if weights is not None:  # a table of limits would be another cap
        weights = TierWeights(weights.policy, weights.table)
    rule = ProductRule(
        "p",
        int(inputs.demand.sum()) + 3,
        basis=rule.basis,
        tier_weights=weights,
        cap_by_demand=True,
        min_tier=rule.min_tier,
        seed=rule.seed,
    )
    result = allocate(inputs, rule)
    takes = result.weight > 0
    assert np.array_equal(result.limit[takes], inputs.demand[takes])
    expected = Undistributed.DEMAND_SATISFIED if takes.any() else Undistributed.NO_RECIPIENTS
    assert result.undistributed_reason is expected


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(0, 400), st.integers(0, 99))
def test_tier_limits_never_decrease_with_the_tier(tiers, available, seed):
    # Many retailers per tier, no caps: every limit of tier t+1 ≥ every limit of tier t.
    tier = np.repeat(np.arange(1, tiers + 1), 7)
    inputs = AllocationInputs(retailer_id=np.arange(tier.size) * 3 + 11, tier=tier)
    for leftover in ("retailer", "tier"):
        result = allocate(inputs, ProductRule("p", available, leftover=leftover, seed=seed))
        lows = [t.min_limit for t in result.tiers]
        highs = [t.max_limit for t in result.tiers]
        assert all(lo >= hi for lo, hi in zip(lows[:-1], highs[1:], strict=True))
        if leftover == "tier":  # whole tiers: one limit per tier
            assert lows == highs


def test_core_repairs_a_water_level_off_by_rounding():
    # Floating point never produced such a level in fuzzing, but the guard must hold: from a
    # level too high (floors 12 > 10) or too low (ceilings 6 < 10) it bisects to a level
    # whose floors and ceilings bracket the total.
    from tobacco_crm.engines.allocation import core

    w = np.ones(3)
    for wrong in (4.0, 2.0):
        s = core._repair(wrong, w, None, 10)
        _, _, left, fractional = core._round(s, w, None, 10)
        assert 0 <= left <= fractional


def test_caps_combine_and_name_the_binding_one_by_hand():
    # Caps: per-retailer 3 / none / 5 / none, plan maximum 4, demand 9 / 9 / 9 / 4.
    # Binding: 3 (per-retailer), 4 (maximum), 4 (maximum), 4 (demand: on a tie the earlier cap
    # in the order demand, float, per-retailer, maximum, table is named). Plenty available:
    # everybody at its cap, the rest undistributed because the caps are reached.
    inputs = AllocationInputs(
        retailer_id=[1, 2, 3, 4], tier=[1, 1, 1, 1], cap=[3, -1, 5, -1], demand=[9, 9, 9, 4]
    )
    rule = ProductRule("p", 100, cap_by_demand=True, max_per_retailer=4)
    result = allocate(inputs, rule)
    assert result.limit.tolist() == [3, 4, 4, 4]
    assert result.cap.tolist() == [3, 4, 4, 4]
    assert [Reason(r) for r in result.reason] == [
        Reason.CAPPED_RETAILER,
        Reason.CAPPED_MAX,
        Reason.CAPPED_MAX,
        Reason.CAPPED_DEMAND,
    ]
    assert result.undistributed == 85
    assert result.undistributed_reason is Undistributed.CAPS_REACHED
    assert rule.is_combination and not ProductRule("p", 1).is_combination
