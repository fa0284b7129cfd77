"""The explanation of one retailer's grade: structured data, and a Chinese text for the retailer.

Seed 004: "我卖的香烟特别多，为什么我拿的紧俏香烟就特别少？" Every grade comes with what produced
it (each indicator's value, top value, points, weight and rank; each deduction; the caps that
lowered the tier) and what would raise it (the score that reaches the next tier, the gap, and
the indicators with the most headroom, with the value that would close the gap alone).

``explain(result, i)`` returns JSON types only, so the Django side can store it with the run;
``explain_text_zh(explanation)`` renders it (it needs nothing else). "The score that reaches the
next tier" assumes the other retailers unchanged: with the "rank" mapping it is the lowest
final score in that tier (equal scores share a tier), with "intervals" the tier's bound.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import business, tiers
from .compliance import class_rule_text
from .policy import COMPLIANCE_CLASSES
from .run import GradingResult
from .segments import SEGMENT_LABELS_ZH


def _f(value: Any) -> float | None:
    """A JSON float (None for NaN)."""
    value = float(value)
    return None if math.isnan(value) else value


def _deductions(result: GradingResult, i: int) -> list[dict[str, Any]]:
    items = result.policy.compliance.items
    inputs = result.inputs
    out = []
    for d in result.deductions_of(i).tolist():
        item = items[int(result.deduction_item_index[d])]
        cleared = (
            bool(inputs.deduction_cleared[d]) if inputs.deduction_cleared is not None else False
        )
        out.append(
            {
                "deduction_id": int(inputs.deduction_ids[d])
                if inputs.deduction_ids is not None
                else None,
                "item": item.code,
                "label": item.label,
                "points": float(result.deduction_points[d]),
                "stops_supply": item.stops_supply,
                "cleared": cleared,
            }
        )
    return out


def _contributions(result: GradingResult, i: int) -> list[dict[str, Any]]:
    settings = result.policy.business
    max_score = settings.max_score
    out = []
    for ind in settings.indicators:
        points = float(result.indicator_points[ind.key][i])
        out.append(
            {
                "indicator": ind.key,
                "label": ind.label,
                "group": ind.group,
                "unit": ind.unit,
                "method": ind.method,
                "value": _f(result.inputs.indicators[ind.key][i]),
                "top_value": _f(result.indicator_tops[ind.key]),
                "points": points,
                "max_points": ind.max_points,
                "weight": ind.max_points / max_score,
                "rank": result.indicator_rank(ind.key, i),
                "headroom": ind.max_points - points,
            }
        )
    return out


def _caps(result: GradingResult, i: int) -> list[dict[str, Any]]:
    settings = result.policy.tiers
    flags = int(result.tier_adjustments[i])
    cls = str(result.compliance_class[i])
    previous = int(result.previous_tier[i])
    out = []
    if flags & tiers.ADJUST_STEP_LIMIT:
        out.append(
            {
                "kind": "step_limit",
                "previous_tier": previous,
                "max_change": settings.max_change,
                "message": f"tier change limited to ±{settings.max_change} from {previous}",
            }
        )
    if flags & tiers.ADJUST_NEW_RETAILER:
        out.append(
            {
                "kind": "new_retailer",
                "tier": settings.new_retailer_tier,
                "rule": settings.new_retailer_rule,
                "message": f"new retailer: tier {settings.new_retailer_tier}"
                f"{' at most' if settings.new_retailer_rule == 'cap' else ''}",
            }
        )
    if flags & tiers.ADJUST_CLASS_CAP:
        out.append(
            {
                "kind": "class_cap",
                "class": cls,
                "max_tier": settings.cap(cls),
                "message": f"class {cls} caps tier at {settings.cap(cls)}",
            }
        )
    return out


def _to_raise(
    result: GradingResult, i: int, contributions: list[dict[str, Any]], caps: list[dict[str, Any]]
) -> dict[str, Any]:
    policy = result.policy
    count = policy.tiers.count
    tier = int(result.tier[i])
    final = float(result.final_score[i])
    out: dict[str, Any] = {
        "at_top": tier >= count,
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
        out["blocked_by"] = "class_cap"
        thresholds = dict(
            zip(
                COMPLIANCE_CLASSES[:3],
                (
                    policy.compliance.class_a_min,
                    policy.compliance.class_b_min,
                    policy.compliance.class_c_min,
                ),
                strict=True,
            )
        )
        better = [c for c in COMPLIANCE_CLASSES[:3] if policy.tiers.cap(c) > tier]
        if better:
            needed = better[-1]  # the nearest class that lifts the cap
            out["class_needed"] = needed
            out["compliance_points_needed"] = thresholds[needed]
            out["next_tier"] = min(int(result.score_tier[i]), policy.tiers.cap(needed))
    elif "new_retailer" in kinds:
        out["blocked_by"] = "new_retailer"
    elif "step_limit" in kinds and int(result.score_tier[i]) > tier:
        out["blocked_by"] = "step_limit"  # the score would rise further than allowed
    step = None
    if not (out["at_top"] or out["blocked_by"]):
        # When the step limit held the tier up, the score must first pass that tier.
        base = max(int(result.score_tier[i]), tier)
        step = tiers.score_for_next_tier(result.tier_floor, base)
    if step is not None:
        next_tier, score = step
        gap = max(score - final, 0.0)
        weight = policy.business.manager_weight
        if weight > 0 and not np.isnan(_manager(result, i)):
            # final = (1 − w)·business + w·manager: a business point is worth (1 − w).
            biz_gap = gap / (1.0 - weight) if weight < 1 else None
        else:
            biz_gap = gap
        out.update(
            next_tier=next_tier,
            score_needed=score,
            points_needed=gap,
            business_points_needed=biz_gap,
        )
    gap_points = out["business_points_needed"]
    ranked = sorted(contributions, key=lambda c: (-c["headroom"], c["indicator"]))
    for c in ranked:
        ind = next(x for x in policy.business.indicators if x.key == c["indicator"])
        top = result.indicator_tops[ind.key]
        enough = None if gap_points is None else c["headroom"] >= gap_points
        increase = business.value_for_points(ind, top, gap_points) if enough else None
        out["indicators"].append(
            {
                "indicator": c["indicator"],
                "label": c["label"],
                "unit": c["unit"],
                "headroom": c["headroom"],
                "enough_alone": enough,
                "value_increase_needed": increase,
            }
        )
    return out


def _manager(result: GradingResult, i: int) -> float:
    scores = result.inputs.manager_scores
    return float("nan") if scores is None else float(scores[i])


def explain(result: GradingResult, i: int) -> dict[str, Any]:
    """The explanation of retailer at position ``i`` (``result.index_of(id)`` finds it)."""
    if not 0 <= i < result.n:
        raise IndexError(f"retailer position {i} out of range 0..{result.n - 1}")
    policy = result.policy
    comp = policy.compliance
    contributions = _contributions(result, i)
    caps = _caps(result, i)
    previous = int(result.previous_tier[i])
    manager = _manager(result, i)
    return {
        "retailer_id": int(result.retailer_ids[i]),
        "retailers": result.n,
        "compliance": {
            "base_points": comp.base_points,
            "deducted": float(result.deducted[i]),
            "points": float(result.compliance_points[i]),
            "class": str(result.compliance_class[i]),
            "class_rule": class_rule_text(comp),
            "thresholds": {
                "A": comp.class_a_min,
                "B": comp.class_b_min,
                "C": comp.class_c_min,
                "w_penalty_count": comp.w_penalty_count,
            },
            "penalties": int(result.penalty_counts[i]),
            "supply_stopped": bool(result.supply_stopped[i]),
            "deductions": _deductions(result, i),
        },
        "business": {
            "score": float(result.business_score[i]),
            "max_score": policy.business.max_score,
            "contributions": contributions,
        },
        "manager": None
        if policy.business.manager_weight == 0
        else {
            "score": _f(manager),
            "max": policy.business.manager_score_max,
            "weight": policy.business.manager_weight,
        },
        "final_score": float(result.final_score[i]),
        "rank": int(result.rank[i]),
        "tier": {
            "tier": int(result.tier[i]),
            "score_tier": int(result.score_tier[i]),
            "count": policy.tiers.count,
            "mapping": policy.tiers.mapping,
            "previous": previous or None,
            "change": int(result.tier[i]) - previous if previous else None,
            "is_new": bool(result.is_new[i]),
            "caps": caps,
        },
        "stars": {
            "rated": not math.isnan(float(result.star_score[i])),
            "star_score": _f(result.star_score[i]),
            "stars": int(result.stars[i]),
            "super_five": bool(result.super_five[i]),
        },
        "segment": {
            "code": str(result.segment[i]),
            "growth": _f(result.growth[i]),
            "cv": _f(result.cv[i]),
        },
        "to_raise": _to_raise(result, i, contributions, caps),
    }


def _n(value: float | None, decimals: int = 2) -> str:
    if value is None:
        return "无数据"
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def explain_text_zh(explanation: Mapping[str, Any], *, title: str | None = None) -> str:
    """A print-friendly Chinese sheet for the retailer, from ``explain(...)``'s data."""
    e = explanation
    comp, biz, tier, star, seg, up = (
        e["compliance"],
        e["business"],
        e["tier"],
        e["stars"],
        e["segment"],
        e["to_raise"],
    )
    lines = [f"零售户 {e['retailer_id']} 客户等级说明" + (f"（{title}）" if title else ""), ""]
    lines.append("一、守法情况")
    lines.append(
        f"  基础分 {_n(comp['base_points'])} 分，扣分 {_n(comp['deducted'])} 分，"
        f"守法得分 {_n(comp['points'])} 分，守法类别：{comp['class']} 类。"
    )
    lines.append(f"  （分类标准：{comp['class_rule']}）")
    if comp["deductions"]:
        lines.append("  扣分明细：")
        for k, d in enumerate(comp["deductions"], start=1):
            note = (
                "（停货项目" + ("，已处理）" if d["cleared"] else "）") if d["stops_supply"] else ""
            )
            lines.append(f"    {k}. {d['label']}，扣 {_n(d['points'])} 分{note}")
    else:
        lines.append("  本期无扣分记录。")
    if comp["penalties"]:
        lines.append(f"  本期受行政处罚 {comp['penalties']} 次。")
    if comp["supply_stopped"]:
        lines.append("  因违规经营暂停供货，待专卖管理部门处理完毕后恢复。")
    lines += ["", f"二、经营情况（满分 {_n(biz['max_score'])} 分）"]
    for k, c in enumerate(biz["contributions"], start=1):
        unit = c["unit"]
        value = f"{_n(c['value'])}{unit}" if c["value"] is not None else "无数据"
        rank = f"，第 {c['rank']} 名" if c["rank"] is not None else ""
        basis = (
            f"最高 {_n(c['top_value'])}{unit}"
            if c["method"] == "relative_to_top"
            else "按全体百分位计分"
        )
        lines.append(
            f"  {k}. {c['label']}：本户 {value}（{basis}{rank}），"
            f"得分 {_n(c['points'])} / {_n(c['max_points'])} 分"
        )
    lines.append(f"  经营得分 {_n(biz['score'])} 分。")
    if e["manager"] is not None:
        m = e["manager"]
        score = f"{_n(m['score'])} 分" if m["score"] is not None else "未评分（按经营得分计）"
        lines.append(f"  客户经理评分：{score}，占综合得分 {_n(m['weight'] * 100)}%。")
    lines.append(
        f"  综合得分 {_n(e['final_score'])} 分，在 {e['retailers']} 户中排名第 {e['rank']} 名。"
    )
    lines += ["", f"三、档位（共 {tier['count']} 档，第 {tier['count']} 档最高）"]
    lines.append(f"  按综合得分为第 {tier['score_tier']} 档。")
    for cap in tier["caps"]:
        if cap["kind"] == "class_cap":
            lines.append(f"  守法类别为 {cap['class']} 类，档位最高为第 {cap['max_tier']} 档。")
        elif cap["kind"] == "new_retailer":
            word = "最高为" if cap["rule"] == "cap" else "定为"
            lines.append(f"  新办零售户，本期档位{word}第 {cap['tier']} 档。")
        else:
            lines.append(
                f"  每期档位调整不超过 {cap['max_change']} 档（上期第 {cap['previous_tier']} 档）。"
            )
    lines.append(f"  最终档位：第 {tier['tier']} 档。")
    if tier["previous"]:
        change = tier["change"]
        moved = (
            f"上升 {change} 档" if change > 0 else f"下降 {-change} 档" if change < 0 else "不变"
        )
        lines.append(f"  上期第 {tier['previous']} 档，本期{moved}。")
    lines += ["", "四、星级评定"]
    if star["rated"]:
        label = (
            "超五星"
            if star["super_five"]
            else (f"{star['stars']} 星" if star["stars"] else "未达星级")
        )
        lines.append(f"  星级得分 {_n(star['star_score'])} 分：{label}。")
    else:
        lines.append("  未参加星级评定（星级评定面向经营得分靠前、未停货的A类客户）。")
    lines += ["", f"五、客户分群：{SEGMENT_LABELS_ZH.get(seg['code'], seg['code'])}"]
    details = []
    if seg["growth"] is not None:
        details.append(f"销量增长 {_n(seg['growth'] * 100, 1)}%")
    if seg["cv"] is not None:
        details.append(f"月销量变异系数 {_n(seg['cv'], 2)}")
    if details:
        lines.append("  " + "，".join(details) + "。")
    lines += ["", "六、如何提升档位"]
    lines += _raise_lines_zh(up, comp)
    return "\n".join(lines) + "\n"


def _raise_lines_zh(up: Mapping[str, Any], comp: Mapping[str, Any]) -> list[str]:
    lines = []
    if up["at_top"]:
        return ["  已是最高档位，请保持规范经营和销售水平。"]
    if up["blocked_by"] == "class_cap":
        if up["class_needed"]:
            lines.append(
                f"  档位受守法类别限制：守法得分达到 {_n(up['compliance_points_needed'])} 分"
                f"（{up['class_needed']} 类）即可提高档位上限，按本期综合得分可为第 "
                f"{up['next_tier']} 档；请诚信守法经营，避免扣分。"
            )
        if comp["penalties"] >= comp["thresholds"]["w_penalty_count"]:
            lines.append(
                f"  受行政处罚 {comp['thresholds']['w_penalty_count']} 次及以上即为 W 类。"
            )
    elif up["blocked_by"] == "new_retailer":
        lines.append("  新办零售户本期档位按政策确定，下期起按经营情况评定。")
    elif up["blocked_by"] == "step_limit":
        lines.append("  本期档位上升幅度已达每期调整上限，下期可继续上调。")
    elif up["next_tier"] is not None:
        lines.append(
            f"  综合得分达到 {_n(up['score_needed'])} 分（还差 {_n(up['points_needed'])} 分），"
            f"可升至第 {up['next_tier']} 档（其他客户不变时）。"
        )
    shown = [c for c in up["indicators"] if c["headroom"] > 0][:3]
    if shown:
        lines.append("  提升空间最大的指标：")
        for c in shown:
            text = f"    · {c['label']}：还可得 {_n(c['headroom'])} 分"
            if c["value_increase_needed"] is not None and c["enough_alone"]:
                text += f"，仅靠该指标需增加约 {_n(c['value_increase_needed'])}{c['unit']}"
            elif c["enough_alone"] is False:
                text += "，仅靠该指标不足以升档"
            lines.append(text + "。")
    return lines
