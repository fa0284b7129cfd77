"""The Chinese explanation sheet (等级说明) for the retailer, from ``explain``'s data alone.

``explain_text_zh(explain_row(row, context))`` renders a stored run's explanation; the sheet
needs nothing but the explanation dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .segments import SEGMENT_LABELS_ZH


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
