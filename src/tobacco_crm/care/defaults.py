"""The default service standard (seed 003: 卷烟不同类别客户的服务之道) and greeting templates.

Company policy, so these are only the starting rows: the marketing manager edits them in the
admin. `install_defaults` is shared by the data migration (with historical models) and the
`care_defaults()` service, and only adds rows that are missing, so it can be rerun."""

from __future__ import annotations

from typing import Any

# (segment, code, label, kind, frequency); the segment values of grading.choices.Segment.
STANDARD: list[tuple[str, str, str, str, str]] = [
    # Top 20%: emotional marketing, befriend them, then value-added service.
    ("top", "emotional_marketing", "情感营销：与客户交朋友", "emotional", "per_visit"),
    ("top", "value_added", "增值服务：建设性的经营建议", "marketing", "monthly"),
    ("top", "birthday_greeting", "生日祝福", "emotional", "on_date"),
    ("top", "important_events", "重要事件关注", "emotional", "on_date"),
    # Middle 60%, high potential: sales analysis, layout and display, inventory 15-20%.
    (
        "high_potential",
        "sales_analysis",
        "销售分析：找出与前 20% 客户的差距",
        "marketing",
        "monthly",
    ),
    ("high_potential", "layout_display", "指导店面布局和卷烟出样", "marketing", "per_visit"),
    ("high_potential", "inventory_15_20", "引导合理库存比例 15%-20%", "marketing", "per_visit"),
    ("high_potential", "quarterly_review", "季度总结与对比分析", "marketing", "quarterly"),
    ("high_potential", "birthday_greeting", "生日祝福", "emotional", "on_date"),
    # Middle 60%, stable: a long, continuous, all-round service.
    ("stable", "all_round_service", "全面持续服务（订单、配送、货源保障）", "basic", "per_visit"),
    ("stable", "information_support", "信息支持", "marketing", "weekly"),
    ("stable", "birthday_greeting", "生日祝福", "emotional", "on_date"),
    # Middle 60%, volatile: keep them stable first, then the rest.
    (
        "volatile",
        "stability_advice",
        "根据近期变化给出经营建议，先稳定客户",
        "marketing",
        "per_visit",
    ),
    ("volatile", "regular_follow_up", "定期跟踪经营变化", "basic", "weekly"),
    ("volatile", "birthday_greeting", "生日祝福", "emotional", "on_date"),
    # Bottom 20%: the four-step service.
    ("bottom", "mindset", "第一步：思想工作，重视卷烟销售", "marketing", "per_visit"),
    (
        "bottom",
        "ordering_inventory",
        "第二步：指导订货，保持合理库存（约 15%）",
        "basic",
        "per_visit",
    ),
    ("bottom", "selling_skills", "第三步：传授销售技巧和品牌特点", "marketing", "per_visit"),
    ("bottom", "return_visits", "第四步：定期回访，建设性答复", "basic", "monthly"),
]

# (code, label, text): placeholders {shop_name}, {owner_name}, {label}.
TEMPLATES: list[tuple[str, str, str]] = [
    (
        "birthday",
        "生日祝福",
        "{owner_name}您好，今天是您的生日，祝您生日快乐、生意兴隆！——您的客户经理",
    ),
    (
        "important_date",
        "重要日期问候",
        "{owner_name}您好，值此{shop_name}{label}之际，送上诚挚祝福！——您的客户经理",
    ),
]


def install_defaults(item_model: Any, template_model: Any) -> int:
    """Add the default rows that are missing (by natural key); return how many were added."""
    added = 0
    for position, (segment, code, label, kind, frequency) in enumerate(STANDARD):
        _, created = item_model.objects.get_or_create(
            segment=segment,
            code=code,
            defaults={"label": label, "kind": kind, "frequency": frequency, "position": position},
        )
        added += created
    for code, label, text in TEMPLATES:
        _, created = template_model.objects.get_or_create(
            code=code, defaults={"label": label, "text": text}
        )
        added += created
    return added
