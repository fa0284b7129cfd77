"""Tests of the grading engine: hand-worked examples and hypothesis properties (no Django)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tobacco_crm.engines.grading import (
    BusinessSettings,
    ComplianceSettings,
    GradingInputs,
    GradingPolicy,
    Indicator,
    SegmentSettings,
    StarSettings,
    StarSubScore,
    TierSettings,
    explain,
    explain_row,
    explain_text_zh,
    grade,
)
from tobacco_crm.engines.grading import business as business_module
from tobacco_crm.engines.grading import tiers as tiers_module
from tobacco_crm.engines.grading.compliance import class_rule_text
from tobacco_crm.engines.grading.policy import COMPLIANCE_CLASSES
from tobacco_crm.engines.grading.tiers import largest_remainder

# --- the published 35/55/10 formula, worked by hand --------------------------------------------
#
#            cartons  amount  products  premium | points: 35·c/400  55·a/90000  5·p/50  5·q/100
# 101          400    80000      50       100   |        35        48.888889    5       5  = 93.8889
# 102          300    90000      40        60   |        26.25     55           4       3  = 88.25
# 103          200    30000      25        20   |        17.5      18.333333    2.5     1  = 39.3333
# 104          100    45000      10         0   |         8.75     27.5         1       0  = 37.25

HAND = {
    "retailer_ids": [101, 102, 103, 104],
    "indicators": {
        "cartons": [400.0, 300.0, 200.0, 100.0],
        "amount": [80000.0, 90000.0, 30000.0, 45000.0],
        "product_count": [50.0, 40.0, 25.0, 10.0],
        "premium_cartons": [100.0, 60.0, 20.0, 0.0],
    },
}


def four_tiers(**kwargs):
    caps = kwargs.pop("class_max_tier", {"A": 4, "B": 2, "C": 1, "W": 1})
    return TierSettings(count=4, class_max_tier=caps, new_retailer_tier=1, **kwargs)


def test_published_35_55_10_formula_by_hand():
    result = grade(GradingInputs(**HAND), GradingPolicy(tiers=four_tiers()))
    points = result.indicator_points
    assert points["cartons"].tolist() == [35.0, 26.25, 17.5, 8.75]
    assert points["amount"] == pytest.approx([55 * 80 / 90, 55.0, 55 * 30 / 90, 27.5])
    assert points["product_count"].tolist() == [5.0, 4.0, 2.5, 1.0]
    assert points["premium_cartons"].tolist() == [5.0, 3.0, 1.0, 0.0]
    assert result.business_score.tolist() == [93.8889, 88.25, 39.3333, 37.25]
    assert result.final_score.tolist() == [93.8889, 88.25, 39.3333, 37.25]
    assert result.rank.tolist() == [1, 2, 3, 4]
    assert result.tier.tolist() == [4, 3, 2, 1]  # tier 4 = the best of 4
    assert result.indicator_tops == {
        "cartons": 400.0,
        "amount": 90000.0,
        "product_count": 50.0,
        "premium_cartons": 100.0,
    }


def test_manager_blend_80_20_by_hand():
    policy = GradingPolicy(business=BusinessSettings(manager_weight=0.2), tiers=four_tiers())
    inputs = GradingInputs(**HAND, manager_scores=[90.0, 70.0, np.nan, 100.0])
    result = grade(inputs, policy)
    # 0.8·93.888889 + 0.2·90 = 93.1111; 0.8·88.25 + 0.2·70 = 84.6; no score: 39.3333;
    # 0.8·37.25 + 0.2·100 = 49.8
    assert result.final_score.tolist() == [93.1111, 84.6, 39.3333, 49.8]
    assert result.rank.tolist() == [1, 2, 4, 3]
    assert result.tier.tolist() == [4, 3, 1, 2]


def test_class_cap_lowers_tier_and_is_explained():
    inputs = GradingInputs(
        **HAND,
        deduction_retailer=[1, 1],
        deduction_item=["address_change", "sell_to_minor"],  # 5 + 10 points by default
        deduction_ids=[7001, 7002],
    )
    result = grade(inputs, GradingPolicy(tiers=four_tiers()))
    assert result.compliance_points.tolist() == [100.0, 85.0, 100.0, 100.0]
    assert result.compliance_class.tolist() == ["A", "B", "A", "A"]
    assert result.score_tier.tolist() == [4, 3, 2, 1]
    assert result.tier.tolist() == [4, 2, 2, 1]

    e = explain(result, 1)
    json.dumps(e)  # JSON types only
    assert [d["deduction_id"] for d in e["compliance"]["deductions"]] == [7001, 7002]
    assert [d["points"] for d in e["compliance"]["deductions"]] == [5.0, 10.0]
    assert e["tier"]["caps"] == [
        {"kind": "class_cap", "class": "B", "max_tier": 2, "message": "class B caps tier at 2"}
    ]
    assert e["to_raise"]["blocked_by"] == "class_cap"
    assert e["to_raise"]["class_needed"] == "A"
    assert e["to_raise"]["compliance_points_needed"] == 91.0
    text = explain_text_zh(e, title="2024年第二季度")
    assert "守法类别为 B 类，档位最高为第 2 档" in text
    assert "擅自变更经营地址，扣 5 分" in text
    assert "最终档位：第 2 档" in text


def test_what_would_raise_it_by_hand():
    result = grade(GradingInputs(**HAND), GradingPolicy(tiers=four_tiers()))
    up = explain(result, 2)["to_raise"]  # retailer 103: 39.3333, tier 2; tier 3 starts at 88.25
    assert up["next_tier"] == 3
    assert up["score_needed"] == 88.25
    assert up["points_needed"] == pytest.approx(48.9167)
    by_key = {c["indicator"]: c for c in up["indicators"]}
    assert up["indicators"][0]["indicator"] == "amount"  # most headroom: 55 − 18.3333
    assert by_key["amount"]["headroom"] == pytest.approx(36.666667)
    assert by_key["amount"]["enough_alone"] is False
    top = explain(result, 0)["to_raise"]
    assert top["at_top"] is True and top["next_tier"] is None
    # With an easier gap: 104 (37.25, tier 1) needs 39.3333 for tier 2: 2.0833 points, i.e.
    # 2.0833 / 35 · 400 = 23.81 more cartons, or 2.0833 / 55 · 90000 = 3409 yuan more.
    low = explain(result, 3)["to_raise"]
    by_key = {c["indicator"]: c for c in low["indicators"]}
    assert low["points_needed"] == pytest.approx(2.0833)
    assert by_key["cartons"]["value_increase_needed"] == pytest.approx(2.0833 / 35 * 400)
    assert by_key["amount"]["value_increase_needed"] == pytest.approx(2.0833 / 55 * 90000)
    text = explain_text_zh(explain(result, 3))
    assert "综合得分达到 39.33 分" in text and "可升至第 2 档" in text


@pytest.mark.parametrize(
    ("deducted", "penalties", "expected"),
    [
        (0.0, 0, "A"),
        (9.0, 0, "A"),  # 91: A
        (9.01, 0, "B"),  # 90.99: B
        (19.0, 0, "B"),  # 81: B
        (19.01, 0, "C"),  # 80.99
        (29.0, 0, "C"),  # 71
        (29.01, 0, "W"),  # 70.99
        (30.0, 0, "W"),  # 70
        (0.0, 2, "A"),
        (0.0, 3, "W"),  # three penalties
        (250.0, 0, "W"),  # floored at 0
    ],
)
def test_class_thresholds_at_their_edges(deducted, penalties, expected):
    inputs = GradingInputs(
        retailer_ids=[1],
        indicators={k: [1.0] for k in HAND["indicators"]},
        deduction_retailer=[0],
        deduction_item=["price_tag"],
        deduction_points=[deducted],
        penalty_counts=[penalties],
    )
    result = grade(inputs, GradingPolicy())
    assert result.compliance_class.tolist() == [expected]
    assert result.compliance_points[0] == max(100.0 - deducted, 0.0)


def test_default_points_supply_stop_and_clearing():
    inputs = GradingInputs(
        retailer_ids=[1, 2, 3],
        indicators={k: [1.0, 2.0, 3.0] for k in HAND["indicators"]},
        deduction_retailer=[0, 1, 2],
        deduction_item=["counterfeit", "counterfeit", "price_tag"],
        deduction_points=[np.nan, 3.0, np.nan],
        deduction_cleared=[False, True, False],
    )
    result = grade(inputs, GradingPolicy())
    assert result.compliance_points.tolist() == [80.0, 97.0, 98.0]
    assert result.supply_stopped.tolist() == [True, False, False]


def test_unknown_item_and_missing_indicator_are_named():
    base = {"retailer_ids": [1], "indicators": {k: [1.0] for k in HAND["indicators"]}}
    with pytest.raises(ValueError, match=r"deduction_item.*no_such_item"):
        grade(
            GradingInputs(**base, deduction_retailer=[0], deduction_item=["no_such_item"]),
            GradingPolicy(),
        )
    with pytest.raises(ValueError, match="no array 'amount'"):
        grade(GradingInputs(retailer_ids=[1], indicators={"cartons": [1.0]}), GradingPolicy())
    with pytest.raises(ValueError, match="retailer_ids: must be unique"):
        GradingInputs(retailer_ids=[1, 1], indicators={})
    with pytest.raises(ValueError, match=r"indicators\['cartons'\]: must have 2 values"):
        GradingInputs(retailer_ids=[1, 2], indicators={"cartons": [1.0]})
    with pytest.raises(ValueError, match="deduction_retailer: positions"):
        GradingInputs(**base, deduction_retailer=[1], deduction_item=["price_tag"])


def test_percentile_and_top_quantile():
    policy = GradingPolicy(
        business=BusinessSettings(
            indicators=(
                Indicator("a", "A", 10.0, method="percentile"),
                Indicator("b", "B", 10.0, top_quantile=0.5),
            )
        )
    )
    inputs = GradingInputs(
        retailer_ids=[1, 2, 3, 4, 5],
        indicators={"a": [10.0, 20.0, 20.0, 40.0, np.nan], "b": [1.0, 2.0, 3.0, 4.0, 5.0]},
    )
    result = grade(inputs, policy)
    # ECDF over the 4 present values: 1/4, 3/4, 3/4, 1; missing scores 0.
    assert result.indicator_points["a"].tolist() == [2.5, 7.5, 7.5, 10.0, 0.0]
    # top = median 3: 1/3·10, 2/3·10, 10, 10 (clipped), 10.
    assert result.indicator_points["b"] == pytest.approx([10 / 3, 20 / 3, 10, 10, 10])
    assert result.indicator_tops["b"] == 3.0


def test_intervals_mapping_new_retailers_and_step_limit():
    tiers = TierSettings(
        count=4,
        mapping="intervals",
        bounds=(40.0, 60.0, 90.0),
        new_retailer_tier=2,
        new_retailer_rule="cap",
        max_change=1,
    )
    inputs = GradingInputs(
        **HAND,
        is_new=[False, False, True, False],
        previous_tier=[0, 1, 0, 3],
    )
    result = grade(inputs, GradingPolicy(tiers=tiers))
    # scores 93.8889 / 88.25 / 39.3333 / 37.25 → interval tiers 4 / 3 / 1 / 1
    assert result.score_tier.tolist() == [4, 3, 1, 1]
    # 102 limited to previous 1 + 1; 103 new (cap 2, stays 1); 104 may drop only to 3 − 1.
    assert result.tier.tolist() == [4, 2, 1, 2]
    e = explain(result, 3)
    assert e["tier"]["caps"][0]["kind"] == "step_limit"
    assert e["tier"]["change"] == -1


def test_new_retailer_fixed_start():
    inputs = GradingInputs(**HAND, is_new=[True, False, False, True])
    result = grade(inputs, GradingPolicy(tiers=TierSettings(count=4, new_retailer_tier=3)))
    assert result.tier.tolist() == [3, 3, 2, 3]


def test_ties_share_a_tier_and_rank_by_id():
    inputs = GradingInputs(
        retailer_ids=[30, 10, 20, 40],
        indicators={"x": [5.0, 5.0, 5.0, 1.0]},
    )
    policy = GradingPolicy(
        business=BusinessSettings(indicators=(Indicator("x", "X", 100.0),)),
        tiers=TierSettings(count=4),
    )
    result = grade(inputs, policy)
    assert result.rank.tolist() == [3, 1, 2, 4]  # equal scores: retailer id ascending
    assert result.tier.tolist() == [4, 4, 4, 1]  # the tie straddling tiers 4..2 takes tier 4


def test_stars_and_super_five():
    policy = GradingPolicy(
        tiers=four_tiers(),
        stars=StarSettings(
            sub_scores=(
                StarSubScore("@business", "销售贡献度", 3.0),
                StarSubScore("price_tags", "明码标价", 1.0),
            ),
            thresholds=(30.0, 40.0, 50.0, 60.0, 90.0),
            super_five_min_score=95.0,
        ),
    )
    inputs = GradingInputs(
        retailer_ids=HAND["retailer_ids"],
        indicators={**HAND["indicators"], "price_tags": [100.0, 100.0, 50.0, 0.0]},
        deduction_retailer=[1],
        deduction_item=["address_change"],
        deduction_points=[12.0],  # 88 points: class B, no stars
    )
    result = grade(inputs, policy)
    # (3·93.8889 + 100) / 4 = 95.4167; 103: (3·39.3333 + 50) / 4 = 42; 104: 3·37.25 / 4 = 27.9375
    assert result.star_score[0] == pytest.approx(95.4167)
    assert math.isnan(result.star_score[1])
    assert result.stars.tolist() == [5, 0, 2, 0]
    assert result.super_five.tolist() == [True, False, False, False]
    top_one = GradingPolicy(tiers=four_tiers(), stars=StarSettings(eligible_top_n=1))
    # default thresholds 60/70/80/90/95 on the final score: 93.8889 → 4 stars; only the best rated
    assert grade(inputs, top_one).stars.tolist() == [4, 0, 0, 0]


def test_segments_by_hand():
    # 10 retailers, business score descending with the id; 20/60/20 → 2 top, 6 middle, 2 bottom.
    n = 10
    steady = [100.0] * 12
    rising = [100.0] * 9 + [130.0] * 3  # +30 % on the quarter before, cv 0.13
    jumpy = [10.0, 200.0] * 6  # cv 0.90
    monthly = [steady, steady, rising, jumpy, steady, rising, jumpy, steady, steady, jumpy]
    inputs = GradingInputs(
        retailer_ids=list(range(1, n + 1)),
        indicators={"x": [float(n - i) for i in range(n)]},
        monthly_sales=monthly,
    )
    policy = GradingPolicy(business=BusinessSettings(indicators=(Indicator("x", "X", 100.0),)))
    result = grade(inputs, policy)
    assert result.segment.tolist() == [
        "top",
        "top",
        "high_potential",
        "volatile",
        "stable",
        "high_potential",
        "volatile",
        "stable",
        "bottom",
        "bottom",
    ]
    assert result.growth[2] == pytest.approx(0.3)
    assert result.cv[3] == pytest.approx(95 / 105)


def test_explanation_text_is_chinese_and_complete():
    policy = GradingPolicy(business=BusinessSettings(manager_weight=0.2))
    inputs = GradingInputs(
        **HAND,
        manager_scores=[90.0, 70.0, np.nan, 100.0],
        previous_tier=[28, 0, 5, 0],
        monthly_sales=[[1.0] * 12] * 4,
    )
    result = grade(inputs, policy)
    for i in range(4):
        text = explain_text_zh(explain(result, i))
        for heading in (
            "一、守法情况",
            "二、经营情况",
            "三、档位",
            "四、星级评定",
            "五、客户分群",
            "六、如何提升档位",
        ):
            assert heading in text
    assert "客户经理评分：未评分" in explain_text_zh(explain(result, 2))
    assert "上期第 28 档，本期上升 2 档" in explain_text_zh(explain(result, 0))
    assert result.index_of(103) == 2
    with pytest.raises(IndexError):
        explain(result, 4)


def test_policy_json_round_trip_and_errors():
    policy = GradingPolicy(
        name="2024 Q2",
        compliance=ComplianceSettings(class_a_min=90.0, w_penalty_count=2),
        business=BusinessSettings(manager_weight=0.2),
        tiers=TierSettings(
            count=10,
            mapping="intervals",
            bounds=tuple(range(10, 100, 10)),
            class_max_tier={"B": 7},
            max_change=2,
        ),
        stars=StarSettings(sub_scores=(StarSubScore("@compliance", "规范度", 1.0),)),
        segments=SegmentSettings(growth_key="growth", growth_lag_months=12),
    )
    assert GradingPolicy.from_dict(policy.to_dict()) == policy
    assert GradingPolicy.from_json(policy.to_json()) == policy
    assert GradingPolicy.from_dict(json.loads(json.dumps(GradingPolicy().to_dict()))) == (
        GradingPolicy()
    )
    assert policy.tiers.class_max_tier == {"A": 10, "B": 7, "C": 6, "W": 2}
    bad = [
        ({"tiers": {"count": 10, "class_max_tier": {"B": 11}}}, r"tiers\.class_max_tier\['B'\]"),
        ({"tiers": {"shares": [1.0] * 29}}, r"tiers\.shares: must hold 30 values"),
        ({"tiers": {"mapping": "intervals"}}, r"tiers\.bounds: are required"),
        ({"tiers": {"mapping": "by_magic"}}, r"tiers\.mapping: must be one of"),
        (
            {"business": {"indicators": [{"key": "x", "label": "x", "max_points": -1}]}},
            r"business\.indicators\['x'\]\.max_points",
        ),
        (
            {"business": {"indicators": [{"key": "x", "max_points": 1}]}},
            r"business\.indicators\[0\]\.label: is required",
        ),
        ({"business": {"manager_weight": 1.5}}, r"business\.manager_weight"),
        ({"compliance": {"class_b_min": 95}}, r"compliance\.class_b_min"),
        ({"stars": {"thresholds": [1, 2, 3, 5, 4]}}, r"stars\.thresholds\[4\]"),
        (
            {"stars": {"sub_scores": [{"key": "@nope", "label": "", "weight": 1}]}},
            r"stars\.sub_scores\['@nope'\]\.key",
        ),
        ({"segments": {"top_share": 0.6, "bottom_share": 0.5}}, r"segments\.bottom_share"),
        ({"tierz": {}}, r"tierz: unknown field"),
        ({"tiers": {"count": 30, "colour": "red"}}, r"tiers\.colour: unknown field"),
        ({"schema": 99}, r"schema: unsupported version"),
    ]
    for data, message in bad:
        with pytest.raises(ValueError, match=message):
            GradingPolicy.from_dict(data)


def test_empty_population():
    inputs = GradingInputs(retailer_ids=[], indicators={k: [] for k in HAND["indicators"]})
    result = grade(inputs, GradingPolicy())
    assert result.n == 0 and result.tier.shape == (0,)
    assert result.summary()["retailers"] == 0


# --- properties ---------------------------------------------------------------------------------

VALUES = st.sampled_from([0.0, 1.0, 2.0, 2.0, 5.0, 7.5, 10.0, 40.0, 1000.0, math.nan, -3.0])


@st.composite
def cases(draw, *, distinct=False):
    n = draw(st.integers(1, 40))
    ids = draw(st.lists(st.integers(1, 10**6), min_size=n, max_size=n, unique=True))
    indicators = {}
    for key in ("cartons", "amount", "product_count", "premium_cartons", "coop"):
        indicators[key] = draw(st.lists(VALUES, min_size=n, max_size=n))
    if distinct:  # scores all different: a strictly decreasing cartons column decides
        indicators["cartons"] = [float(1000 - 7 * i) for i in range(n)]
        for key in ("amount", "product_count", "premium_cartons", "coop"):
            indicators[key] = [0.0] * n
    m = draw(st.integers(0, 2 * n))
    items = [item.code for item in ComplianceSettings().items]
    count = draw(st.integers(1, 12))
    caps = {c: draw(st.integers(1, count)) for c in ("A", "B", "C", "W")}
    mapping = "rank" if distinct else draw(st.sampled_from(["rank", "intervals"]))
    bounds = tuple(
        sorted(draw(st.lists(st.floats(0, 100), min_size=count - 1, max_size=count - 1)))
    )
    tiers = TierSettings(
        count=count,
        mapping=mapping,
        shares=tuple(draw(st.lists(st.integers(1, 5), min_size=count, max_size=count))),
        bounds=bounds if mapping == "intervals" else None,
        class_max_tier=caps,
        new_retailer_tier=draw(st.integers(1, count)),
        new_retailer_rule=draw(st.sampled_from(["fixed", "cap"])),
        max_change=None if distinct else draw(st.sampled_from([None, 0, 1, 3])),
    )
    indicators_policy = (
        Indicator("cartons", "销量", 35.0),
        Indicator("amount", "销售额", 55.0),
        Indicator(
            "product_count",
            "规格数",
            5.0,
            method=draw(st.sampled_from(["relative_to_top", "percentile"])),
        ),
        Indicator("premium_cartons", "二类以上", 5.0),
        Indicator("coop", "合作", 10.0, method="percentile"),
    )
    policy = GradingPolicy(
        business=BusinessSettings(
            indicators=indicators_policy,
            manager_weight=draw(st.sampled_from([0.0, 0.2] if distinct else [0.0, 0.2, 1.0])),
        ),
        tiers=tiers,
        stars=StarSettings(
            eligible_top_share=draw(st.sampled_from([1.0, 0.5])),
            super_five_min_score=draw(st.sampled_from([0.0, 98.0])),
        ),
    )
    inputs = GradingInputs(
        retailer_ids=ids,
        indicators=indicators,
        deduction_retailer=draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)),
        deduction_item=draw(st.lists(st.sampled_from(items), min_size=m, max_size=m)),
        deduction_points=draw(
            st.lists(st.sampled_from([math.nan, 0.0, 1.5, 9.0, 30.0]), min_size=m, max_size=m)
        ),
        deduction_cleared=draw(st.none() | st.lists(st.booleans(), min_size=m, max_size=m)),
        deduction_ids=draw(
            st.none() | st.lists(st.integers(1, 10**9), min_size=m, max_size=m, unique=True)
        ),
        penalty_counts=draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)),
        manager_scores=draw(
            st.lists(st.sampled_from([math.nan, 0.0, 55.5, 100.0, 130.0]), min_size=n, max_size=n)
        ),
        is_new=draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        previous_tier=draw(st.lists(st.integers(0, count), min_size=n, max_size=n)),
        monthly_sales=draw(
            st.lists(st.lists(VALUES, min_size=13, max_size=13), min_size=n, max_size=n)
        ),
    )
    return inputs, policy


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cases())
def test_compliance_points_and_classes(case):
    inputs, policy = case
    result = grade(inputs, policy)
    comp = policy.compliance
    for i in range(inputs.n):
        deducted = 0.0
        for r, code, pts in zip(
            inputs.deduction_retailer, inputs.deduction_item, inputs.deduction_points, strict=True
        ):
            if r == i:
                deducted += comp.item(str(code)).default_points if math.isnan(pts) else pts
        points = max(comp.base_points - deducted, 0.0)
        assert result.compliance_points[i] == pytest.approx(points)
        p, pen = result.compliance_points[i], inputs.penalty_counts[i]
        expected = (
            "W"
            if p < comp.class_c_min or pen >= comp.w_penalty_count
            else "A"
            if p >= comp.class_a_min
            else "B"
            if p >= comp.class_b_min
            else "C"
        )
        assert result.compliance_class[i] == expected


@PROPERTY
@given(cases())
def test_indicator_points_bounded_and_top_gets_max(case):
    inputs, policy = case
    result = grade(inputs, policy)
    for ind in policy.business.indicators:
        points = result.indicator_points[ind.key]
        values = inputs.indicators[ind.key]
        assert np.all((points >= 0) & (points <= ind.max_points))
        assert np.all(points[np.isnan(values)] == 0)
        top = np.nanmax(values) if not np.all(np.isnan(values)) else math.nan
        if top > 0 or (ind.method == "percentile" and not math.isnan(top)):
            assert np.all(points[values == top] == ind.max_points)
        order = np.argsort(np.nan_to_num(values, nan=-np.inf), kind="stable")
        assert np.all(np.diff(points[order]) >= 0)  # more value never fewer points
    top_score = policy.business.max_score  # 110 here
    assert np.all((result.business_score >= 0) & (result.business_score <= top_score))
    assert np.all((result.final_score >= 0) & (result.final_score <= top_score))


@PROPERTY
@given(cases())
def test_tiers_within_bounds_caps_and_monotonic(case):
    inputs, policy = case
    result = grade(inputs, policy)
    tiers = policy.tiers
    caps = np.array([tiers.cap(c) for c in result.compliance_class])
    assert np.all((result.tier >= 1) & (result.tier <= caps) & (caps <= tiers.count))
    new = inputs.is_new
    assert np.all(result.tier[new] <= tiers.new_retailer_tier)
    if tiers.new_retailer_rule == "fixed":
        assert np.all(result.tier[new] == np.minimum(tiers.new_retailer_tier, caps[new]))
    if tiers.max_change is not None:  # the step limit keeps a known tier near the previous one
        previous = inputs.previous_tier
        known = previous > 0
        lower = np.maximum(previous - tiers.max_change, 1)
        assert np.all(~known | (result.tier >= np.minimum(lower, caps)) | new)
        assert np.all(~known | (result.tier <= previous + tiers.max_change) | new)
        limited = known
    else:
        limited = np.zeros(inputs.n, dtype=bool)
    final, score_tier = result.final_score, result.score_tier
    for i in range(inputs.n):
        for j in range(inputs.n):
            if final[i] > final[j]:
                assert score_tier[i] >= score_tier[j]
            if final[i] == final[j]:
                assert score_tier[i] == score_tier[j]
            same_class = result.compliance_class[i] == result.compliance_class[j]
            free = not (new[i] or new[j] or limited[i] or limited[j])
            if same_class and free and final[i] > final[j]:
                assert result.tier[i] >= result.tier[j]


@PROPERTY
@given(cases())
def test_rank_is_score_desc_then_id(case):
    inputs, policy = case
    result = grade(inputs, policy)
    expected = sorted(
        range(inputs.n), key=lambda i: (-result.final_score[i], inputs.retailer_ids[i])
    )
    assert [int(result.rank[i]) for i in expected] == list(range(1, inputs.n + 1))


@PROPERTY
@given(cases(distinct=True))
def test_rank_shares_follow_largest_remainder(case):
    inputs, policy = case
    result = grade(inputs, policy)
    assert len(set(result.final_score.tolist())) == inputs.n
    sizes = np.bincount(result.score_tier, minlength=policy.tiers.count + 1)[1:]
    expected = largest_remainder(policy.tiers.shares, inputs.n, prefer_last=True)
    assert sizes.tolist() == expected.tolist()
    shares = np.asarray(policy.tiers.shares) / sum(policy.tiers.shares)
    assert np.all(np.abs(sizes - shares * inputs.n) < 1)


@PROPERTY
@given(cases())
def test_same_inputs_same_outputs_in_any_order(case):
    inputs, policy = case
    first, again = grade(inputs, policy), grade(inputs, policy)
    perm = np.random.default_rng(inputs.n).permutation(inputs.n)
    where = np.empty_like(perm)
    where[perm] = np.arange(inputs.n)
    shuffled = GradingInputs(
        retailer_ids=inputs.retailer_ids[perm],
        indicators={k: v[perm] for k, v in inputs.indicators.items()},
        deduction_retailer=where[inputs.deduction_retailer],
        deduction_item=inputs.deduction_item,
        deduction_points=inputs.deduction_points,
        deduction_cleared=inputs.deduction_cleared,
        deduction_ids=inputs.deduction_ids,
        penalty_counts=inputs.penalty_counts[perm],
        manager_scores=inputs.manager_scores[perm],
        is_new=inputs.is_new[perm],
        previous_tier=inputs.previous_tier[perm],
        monthly_sales=inputs.monthly_sales[perm],
    )
    moved = grade(shuffled, policy)
    for name, column in first.columns().items():
        np.testing.assert_array_equal(column, again.columns()[name])
        np.testing.assert_array_equal(column[perm], moved.columns()[name])


@PROPERTY
@given(cases())
def test_stars_only_for_class_a_and_segments_shares(case):
    inputs, policy = case
    result = grade(inputs, policy)
    starred = result.stars > 0
    assert np.all(result.compliance_class[starred] == "A")
    assert not np.any(result.supply_stopped[starred])
    assert np.all(result.stars[result.super_five] == 5)
    assert np.all(np.isnan(result.star_score[result.compliance_class != "A"]))

    n = inputs.n
    top, middle, bottom = largest_remainder((0.2, 0.6, 0.2), n, prefer_last=False)
    seg = result.segment
    assert (seg == "top").sum() == top and (seg == "bottom").sum() == bottom
    assert np.isin(seg, ["high_potential", "stable", "volatile"]).sum() == middle
    assert abs(top - 0.2 * n) < 1 and abs(bottom - 0.2 * n) < 1
    score = result.business_score
    middle_mask = ~np.isin(seg, ["top", "bottom"])
    if top and middle_mask.any():
        assert score[seg == "top"].min() >= score[middle_mask].max()
    if bottom and middle_mask.any():
        assert score[seg == "bottom"].max() <= score[middle_mask].min()


@settings(max_examples=40, deadline=None)
@given(cases())
def test_every_explanation_is_json_and_renders(case):
    inputs, policy = case
    result = grade(inputs, policy)
    for i in range(inputs.n):
        e = explain(result, i)
        assert json.loads(json.dumps(e)) == e
        assert e["tier"]["tier"] == result.tier[i]
        up = e["to_raise"]
        if up["score_needed"] is not None:
            assert up["score_needed"] > result.final_score[i]
            assert up["next_tier"] > result.tier[i]
        assert "六、如何提升档位" in explain_text_zh(e)


@PROPERTY
@given(
    st.lists(st.sampled_from([0.0, 0.5, 1.25, 3.0, 3.0, 99.9999, 100.0]), min_size=1, max_size=50),
    st.randoms(use_true_random=False),
    st.integers(0, 50),
)
def test_fast_orderings_equal_lexsort(scores, rnd, k):
    from tobacco_crm.engines.grading.tiers import first_k, id_ranks, rank_order

    score = np.asarray(scores)
    ids = np.asarray(rnd.sample(range(1, 10**6), len(scores)), dtype=np.int64)
    expected = np.lexsort((ids, -score))
    assert rank_order(score, ids).tolist() == expected.tolist()
    assert rank_order(score, ids, decimals=4).tolist() == expected.tolist()
    mask = np.zeros(len(scores), dtype=bool)
    mask[expected[:k]] = True
    assert first_k(score, id_ranks(ids), k).tolist() == mask.tolist()


# --- storing a run: row(i) + context() → explain_row -------------------------------------------
#
# ``explain_from_arrays`` is the first, array-based implementation of ``explain`` (it reads the
# GradingResult directly), kept as the oracle of the stored path: a row that carried a wrong or
# misplaced value would make ``explain`` and ``explain_row`` agree with each other but not
# with it.


def json_round_trip(value):
    return json.loads(json.dumps(value))


def same_json(a, b):
    """Equal, with the same JSON types (1 == 1.0 == True in Python, not in JSON)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _nan_none(value):
    value = float(value)
    return None if math.isnan(value) else value


def explain_from_arrays(result, i):
    policy, inputs = result.policy, result.inputs
    comp, biz, tier_settings = policy.compliance, policy.business, policy.tiers
    deductions = []
    for d in result.deductions_of(i).tolist():
        item = comp.items[int(result.deduction_item_index[d])]
        ids, cleared = inputs.deduction_ids, inputs.deduction_cleared
        deductions.append(
            {
                "deduction_id": int(ids[d]) if ids is not None else None,
                "item": item.code,
                "label": item.label,
                "points": float(result.deduction_points[d]),
                "stops_supply": item.stops_supply,
                "cleared": bool(cleared[d]) if cleared is not None else False,
            }
        )
    contributions = []
    for ind in biz.indicators:
        points = float(result.indicator_points[ind.key][i])
        contributions.append(
            {
                "indicator": ind.key,
                "label": ind.label,
                "group": ind.group,
                "unit": ind.unit,
                "method": ind.method,
                "value": _nan_none(inputs.indicators[ind.key][i]),
                "top_value": _nan_none(result.indicator_tops[ind.key]),
                "points": points,
                "max_points": ind.max_points,
                "weight": ind.max_points / biz.max_score,
                "rank": result.indicator_rank(ind.key, i),
                "headroom": ind.max_points - points,
            }
        )
    flags, cls = int(result.tier_adjustments[i]), str(result.compliance_class[i])
    previous, tier, score_tier = (
        int(result.previous_tier[i]),
        int(result.tier[i]),
        int(result.score_tier[i]),
    )
    caps = []
    if flags & 1:
        caps.append(
            {
                "kind": "step_limit",
                "previous_tier": previous,
                "max_change": tier_settings.max_change,
                "message": f"tier change limited to ±{tier_settings.max_change} from {previous}",
            }
        )
    if flags & 2:
        start, rule = tier_settings.new_retailer_tier, tier_settings.new_retailer_rule
        at_most = " at most" if rule == "cap" else ""
        caps.append(
            {
                "kind": "new_retailer",
                "tier": start,
                "rule": rule,
                "message": f"new retailer: tier {start}{at_most}",
            }
        )
    if flags & 4:
        cap = tier_settings.cap(cls)
        caps.append(
            {
                "kind": "class_cap",
                "class": cls,
                "max_tier": cap,
                "message": f"class {cls} caps tier at {cap}",
            }
        )
    manager = math.nan if inputs.manager_scores is None else float(inputs.manager_scores[i])
    up = {
        "at_top": tier >= tier_settings.count,
        "blocked_by": None,
        "next_tier": None,
        "score_needed": None,
        "points_needed": None,
        "business_points_needed": None,
        "class_needed": None,
        "compliance_points_needed": None,
        "indicators": [],
    }
    kinds = [cap["kind"] for cap in caps]
    if "class_cap" in kinds:
        up["blocked_by"] = "class_cap"
        thresholds = {"A": comp.class_a_min, "B": comp.class_b_min, "C": comp.class_c_min}
        better = [c for c in COMPLIANCE_CLASSES[:3] if tier_settings.cap(c) > tier]
        if better:
            up["class_needed"] = better[-1]
            up["compliance_points_needed"] = thresholds[better[-1]]
            up["next_tier"] = min(score_tier, tier_settings.cap(better[-1]))
    elif "new_retailer" in kinds:
        up["blocked_by"] = "new_retailer"
    elif "step_limit" in kinds and score_tier > tier:
        up["blocked_by"] = "step_limit"
    step = None
    if not (up["at_top"] or up["blocked_by"]):
        step = tiers_module.score_for_next_tier(result.tier_floor, max(score_tier, tier))
    if step is not None:
        gap = max(step[1] - float(result.final_score[i]), 0.0)
        w = biz.manager_weight
        biz_gap = (gap / (1.0 - w) if w < 1 else None) if w > 0 and not math.isnan(manager) else gap
        up.update(
            next_tier=step[0],
            score_needed=step[1],
            points_needed=gap,
            business_points_needed=biz_gap,
        )
    gap_points = up["business_points_needed"]
    for c in sorted(contributions, key=lambda c: (-c["headroom"], c["indicator"])):
        enough = None if gap_points is None else c["headroom"] >= gap_points
        top = result.indicator_tops[c["indicator"]]
        up["indicators"].append(
            {
                "indicator": c["indicator"],
                "label": c["label"],
                "unit": c["unit"],
                "headroom": c["headroom"],
                "enough_alone": enough,
                "value_increase_needed": business_module.value_for_points(
                    c["method"], c["max_points"], top, gap_points
                )
                if enough
                else None,
            }
        )
    return {
        "retailer_id": int(result.retailer_ids[i]),
        "retailers": result.n,
        "compliance": {
            "base_points": comp.base_points,
            "deducted": float(result.deducted[i]),
            "points": float(result.compliance_points[i]),
            "class": cls,
            "class_rule": class_rule_text(
                comp.class_a_min, comp.class_b_min, comp.class_c_min, comp.w_penalty_count
            ),
            "thresholds": {
                "A": comp.class_a_min,
                "B": comp.class_b_min,
                "C": comp.class_c_min,
                "w_penalty_count": comp.w_penalty_count,
            },
            "penalties": int(result.penalty_counts[i]),
            "supply_stopped": bool(result.supply_stopped[i]),
            "deductions": deductions,
        },
        "business": {
            "score": float(result.business_score[i]),
            "max_score": biz.max_score,
            "contributions": contributions,
        },
        "manager": None
        if biz.manager_weight == 0
        else {
            "score": _nan_none(manager),
            "max": biz.manager_score_max,
            "weight": biz.manager_weight,
        },
        "final_score": float(result.final_score[i]),
        "rank": int(result.rank[i]),
        "tier": {
            "tier": tier,
            "score_tier": score_tier,
            "count": tier_settings.count,
            "mapping": tier_settings.mapping,
            "previous": previous or None,
            "change": tier - previous if previous else None,
            "is_new": bool(result.is_new[i]),
            "caps": caps,
        },
        "stars": {
            "rated": not math.isnan(float(result.star_score[i])),
            "star_score": _nan_none(result.star_score[i]),
            "stars": int(result.stars[i]),
            "super_five": bool(result.super_five[i]),
        },
        "segment": {
            "code": str(result.segment[i]),
            "growth": _nan_none(result.growth[i]),
            "cv": _nan_none(result.cv[i]),
        },
        "to_raise": up,
    }


def test_stored_row_and_context_by_hand():
    inputs = GradingInputs(
        **HAND,
        deduction_retailer=[1, 3, 1],
        deduction_item=["address_change", "counterfeit", "sell_to_minor"],
        deduction_points=[np.nan, 20.0, 10.0],
        deduction_cleared=[False, True, False],
        deduction_ids=[7001, 7003, 7002],
        previous_tier=[3, 0, 2, 0],
    )
    result = grade(inputs, GradingPolicy(tiers=four_tiers()))
    context = json_round_trip(result.context())
    assert context["format"] == 1
    assert GradingPolicy.from_dict(context["policy"]) == result.policy
    assert context["indicator_tops"] == {
        "cartons": 400.0,
        "amount": 90000.0,
        "product_count": 50.0,
        "premium_cartons": 100.0,
    }
    assert context["tier_floor"] == [37.25, 39.3333, 88.25, 93.8889]
    assert context["classes"] == {"A": 2, "B": 1, "C": 1, "W": 0}
    assert context["tiers"] == {"1": 1, "2": 2, "3": 0, "4": 1}  # 102 capped to 2 (class B)
    row = json_round_trip(result.row(1))  # 102: 85 points, class B, capped at tier 2
    assert row == {
        "id": 102,
        "cp": 85.0,
        "ded": 15.0,
        "cls": "B",
        "pen": 0,
        "stop": False,
        "dd": [[7001, "address_change", 5.0, False], [7002, "sell_to_minor", 10.0, False]],
        "v": [300.0, 90000.0, 40.0, 60.0],
        "p": [26.25, 55.0, 4.0, 3.0],
        "r": [2, 1, 2, 2],
        "bs": 88.25,
        "ms": None,
        "fs": 88.25,
        "rank": 2,
        "st": 3,
        "t": 2,
        "adj": 4,  # the class cap
        "prev": 0,
        "new": False,
        "ss": None,
        "stars": 0,
        "s5": False,
        "seg": "stable",  # 20/60/20 of 4 retailers: 1 top (101), 2 middle, 1 bottom
        "g": None,
        "cv": None,
    }
    assert result.row(3)["dd"] == [[7003, "counterfeit", 20.0, True]]  # cleared: supply goes on
    assert result.row(3)["cls"] == "C" and result.row(3)["stop"] is False
    assert len(json.dumps(row, separators=(",", ":"))) < 400
    for i in range(result.n):
        stored = explain_row(json_round_trip(result.row(i)), context)
        assert same_json(stored, explain(result, i))
        assert same_json(stored, explain_from_arrays(result, i))
        assert explain_text_zh(stored) == explain_text_zh(explain(result, i))
    sheet = explain_text_zh(explain_row(row, context))
    assert "守法类别为 B 类，档位最高为第 2 档" in sheet and "最终档位：第 2 档" in sheet
    # The hand-worked explanations above hold on the stored path too.
    plain = grade(GradingInputs(**HAND), GradingPolicy(tiers=four_tiers()))
    up = explain_row(plain.row(3), plain.context())["to_raise"]
    assert up["points_needed"] == pytest.approx(2.0833)
    assert up["indicators"][0]["value_increase_needed"] == pytest.approx(2.0833 / 55 * 90000)


def test_stored_rows_in_batches_and_errors():
    inputs = GradingInputs(**HAND, deduction_retailer=[2], deduction_item=["price_tag"])
    result = grade(inputs, GradingPolicy(tiers=four_tiers()))
    rows = result.rows()
    assert rows == [result.row(i) for i in range(4)]
    assert result.rows(1, 3) == rows[1:3] and result.rows(2, 2) == []
    assert result.rows(2) == rows[2:]
    assert result.rows(3, 2) == [] and result.rows(2, 10) == rows[2:] and result.rows(9, 12) == []
    for bad in ((-1, 2), (0, -1)):
        with pytest.raises(IndexError):
            result.rows(*bad)
    for i in (-1, 4):
        with pytest.raises(IndexError):
            result.row(i)
    context = result.context()
    context["policy"]["business"]["indicators"].pop()  # a copy: the result's is untouched
    assert same_json(explain(result, 0), explain_from_arrays(result, 0))
    with pytest.raises(ValueError, match="one entry per indicator"):
        explain_row(rows[0], context)
    with pytest.raises(ValueError, match=r"context\.format: unsupported version 2"):
        explain_row(rows[0], {**result.context(), "format": 2})
    with pytest.raises(ValueError, match="item code 'price_tag' not in"):
        context = result.context()
        context["policy"]["compliance"]["items"] = []
        explain_row(rows[2], context)
    empty = grade(
        GradingInputs(retailer_ids=[], indicators={k: [] for k in HAND["indicators"]}),
        GradingPolicy(),
    )
    assert empty.rows() == [] and json_round_trip(empty.context())["retailers"] == 0


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.data())
def test_stored_rows_explain_exactly_like_the_result(case, data):
    inputs, policy = case
    result = grade(inputs, policy)
    context = json_round_trip(result.context())  # as stored: plain JSON
    assert same_json(context, result.context())
    rows = json_round_trip(result.rows())
    assert same_json(rows, result.rows())
    assert len(json.dumps(context)) < 10_000
    start = data.draw(st.integers(0, inputs.n))
    stop = data.draw(st.integers(start, inputs.n))
    assert result.rows(start, stop) == rows[start:stop]
    for i, row in enumerate(rows):
        assert row == result.row(i)
        fixed = {k: v for k, v in row.items() if k != "dd"}  # + ~30 bytes per deduction
        assert len(json.dumps(fixed, separators=(",", ":"))) < 600
        stored = explain_row(row, context)
        assert same_json(stored, explain(result, i))
        assert same_json(stored, explain_from_arrays(result, i))
        for k, ind in enumerate(policy.business.indicators):  # ranks by brute force
            values = inputs.indicators[ind.key]
            higher = int(np.count_nonzero(values > values[i]))
            assert row["r"][k] == (None if math.isnan(values[i]) else 1 + higher)
