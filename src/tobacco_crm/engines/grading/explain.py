"""The explanation of one retailer's grade, as structured data (JSON types).

Seed 004: "我卖的香烟特别多，为什么我拿的紧俏香烟就特别少？" Every grade comes with what produced
it (each indicator's value, top value, points, weight and rank; each deduction; the caps that
lowered the tier) and what would raise it (the score that reaches the next tier, the gap, and
the indicators with the most headroom, with the value that would close the gap alone).

One implementation serves a live result and a stored run: ``explain_row(row, context)``
builds the explanation from a retailer's row (``GradingResult.row(i)``) and the run's context
(``GradingResult.context()``), both plain JSON, and ``explain(result, i)`` is
``explain_row(result.row(i), result.context())``. ``text_zh.explain_text_zh`` renders it.

"The score that reaches the next tier" assumes the other retailers unchanged: with the
"rank" mapping it is the lowest final score in that tier (equal scores share a tier), with
"intervals" the tier's bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import business, tiers
from .compliance import class_rule_text
from .policy import COMPLIANCE_CLASSES
from .stored import STORED_FORMAT

if TYPE_CHECKING:
    from .run import GradingResult


def _deductions(row: Mapping[str, Any], compliance: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = {item["code"]: item for item in compliance["items"]}
    out = []
    for deduction_id, code, points, cleared in row["dd"]:
        if code not in items:
            raise ValueError(f"row.dd: item code {code!r} not in the context's compliance.items")
        item = items[code]
        out.append(
            {
                "deduction_id": deduction_id,
                "item": code,
                "label": item["label"],
                "points": points,
                "stops_supply": item["stops_supply"],
                "cleared": cleared,
            }
        )
    return out


def _contributions(
    row: Mapping[str, Any], context: Mapping[str, Any], max_score: float
) -> list[dict[str, Any]]:
    indicators = context["policy"]["business"]["indicators"]
    if not len(row["v"]) == len(row["p"]) == len(row["r"]) == len(indicators):
        raise ValueError(f"row: v, p and r must hold one entry per indicator ({len(indicators)})")
    tops = context["indicator_tops"]
    return [
        {
            "indicator": ind["key"],
            "label": ind["label"],
            "group": ind["group"],
            "unit": ind["unit"],
            "method": ind["method"],
            "value": value,
            "top_value": tops[ind["key"]],
            "points": points,
            "max_points": ind["max_points"],
            "weight": ind["max_points"] / max_score,
            "rank": rank,
            "headroom": ind["max_points"] - points,
        }
        for ind, value, points, rank in zip(indicators, row["v"], row["p"], row["r"], strict=True)
    ]


def _caps(row: Mapping[str, Any], settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    flags = row["adj"]
    cls = row["cls"]
    previous = row["prev"]
    out = []
    if flags & tiers.ADJUST_STEP_LIMIT:
        max_change = settings["max_change"]
        out.append(
            {
                "kind": "step_limit",
                "previous_tier": previous,
                "max_change": max_change,
                "message": f"tier change limited to ±{max_change} from {previous}",
            }
        )
    if flags & tiers.ADJUST_NEW_RETAILER:
        start, rule = settings["new_retailer_tier"], settings["new_retailer_rule"]
        out.append(
            {
                "kind": "new_retailer",
                "tier": start,
                "rule": rule,
                "message": f"new retailer: tier {start}{' at most' if rule == 'cap' else ''}",
            }
        )
    if flags & tiers.ADJUST_CLASS_CAP:
        cap = settings["class_max_tier"][cls]
        out.append(
            {
                "kind": "class_cap",
                "class": cls,
                "max_tier": cap,
                "message": f"class {cls} caps tier at {cap}",
            }
        )
    return out


def _to_raise(
    row: Mapping[str, Any],
    context: Mapping[str, Any],
    contributions: list[dict[str, Any]],
    caps: list[dict[str, Any]],
) -> dict[str, Any]:
    policy = context["policy"]
    settings = policy["tiers"]
    class_caps = settings["class_max_tier"]
    tier, score_tier = row["t"], row["st"]
    out: dict[str, Any] = {
        "at_top": tier >= settings["count"],
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
        comp = policy["compliance"]
        thresholds = dict(
            zip(
                COMPLIANCE_CLASSES[:3],
                (comp["class_a_min"], comp["class_b_min"], comp["class_c_min"]),
                strict=True,
            )
        )
        better = [c for c in COMPLIANCE_CLASSES[:3] if class_caps[c] > tier]
        if better:
            needed = better[-1]  # the nearest class that lifts the cap
            out["class_needed"] = needed
            out["compliance_points_needed"] = thresholds[needed]
            out["next_tier"] = min(score_tier, class_caps[needed])
    elif "new_retailer" in kinds:
        out["blocked_by"] = "new_retailer"
    elif "step_limit" in kinds and score_tier > tier:
        out["blocked_by"] = "step_limit"  # the score would rise further than allowed
    step = None
    if not (out["at_top"] or out["blocked_by"]):
        # When the step limit held the tier up, the score must first pass that tier.
        floor: Sequence[float | None] = context["tier_floor"]
        step = tiers.score_for_next_tier(floor, max(score_tier, tier))
    if step is not None:
        next_tier, score = step
        gap = max(score - row["fs"], 0.0)
        weight = policy["business"]["manager_weight"]
        if weight > 0 and row["ms"] is not None:
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
    tops = context["indicator_tops"]
    for c in sorted(contributions, key=lambda c: (-c["headroom"], c["indicator"])):
        enough = None if gap_points is None else c["headroom"] >= gap_points
        increase = (
            business.value_for_points(
                c["method"], c["max_points"], tops[c["indicator"]], gap_points
            )
            if enough
            else None
        )
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


def explain_row(row: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The explanation of one retailer from its stored row and the run's context.

    ``row`` is ``GradingResult.row(i)`` and ``context`` is ``GradingResult.context()`` (also
    after a JSON round trip); the result equals ``explain(result, i)``. Raises ``ValueError``
    for a context of another format version or a row that does not fit the context's policy.
    """
    if context.get("format") != STORED_FORMAT:
        raise ValueError(
            f"context.format: unsupported version {context.get('format')!r} "
            f"(this engine reads {STORED_FORMAT})"
        )
    policy = context["policy"]
    comp, biz, settings = policy["compliance"], policy["business"], policy["tiers"]
    max_score = float(sum(ind["max_points"] for ind in biz["indicators"]))
    contributions = _contributions(row, context, max_score)
    caps = _caps(row, settings)
    previous = row["prev"]
    return {
        "retailer_id": row["id"],
        "retailers": context["retailers"],
        "compliance": {
            "base_points": comp["base_points"],
            "deducted": row["ded"],
            "points": row["cp"],
            "class": row["cls"],
            "class_rule": class_rule_text(
                comp["class_a_min"],
                comp["class_b_min"],
                comp["class_c_min"],
                comp["w_penalty_count"],
            ),
            "thresholds": {
                "A": comp["class_a_min"],
                "B": comp["class_b_min"],
                "C": comp["class_c_min"],
                "w_penalty_count": comp["w_penalty_count"],
            },
            "penalties": row["pen"],
            "supply_stopped": row["stop"],
            "deductions": _deductions(row, comp),
        },
        "business": {
            "score": row["bs"],
            "max_score": max_score,
            "contributions": contributions,
        },
        "manager": None
        if biz["manager_weight"] == 0
        else {
            "score": row["ms"],
            "max": biz["manager_score_max"],
            "weight": biz["manager_weight"],
        },
        "final_score": row["fs"],
        "rank": row["rank"],
        "tier": {
            "tier": row["t"],
            "score_tier": row["st"],
            "count": settings["count"],
            "mapping": settings["mapping"],
            "previous": previous or None,
            "change": row["t"] - previous if previous else None,
            "is_new": row["new"],
            "caps": caps,
        },
        "stars": {
            "rated": row["ss"] is not None,
            "star_score": row["ss"],
            "stars": row["stars"],
            "super_five": row["s5"],
        },
        "segment": {"code": row["seg"], "growth": row["g"], "cv": row["cv"]},
        "to_raise": _to_raise(row, context, contributions, caps),
    }


def explain(result: GradingResult, i: int) -> dict[str, Any]:
    """The explanation of the retailer at position ``i`` (``result.index_of(id)`` finds it):
    ``explain_row(result.row(i), result.context())``, JSON types only."""
    return explain_row(result.row(i), result._context)  # the cached context, not a copy
