"""Tables of the supply screens (django-tables2): the plans, and a plan's lines with their rule
and eligibility in words."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tobacco_crm.retailers.choices import BusinessDistrict, BusinessFormat, MarketType

from .models import SupplyPlan, SupplyPlanLine

NUMBER = {"td": {"class": "num"}, "th": {"class": "num"}}
HIDE_PHONE = {"td": {"class": "hide-phone"}, "th": {"class": "hide-phone"}}
SCALE_LABELS = {"1": gettext_lazy("大型"), "2": gettext_lazy("中型"), "3": gettext_lazy("小型")}


def _when(value: Any) -> str:
    return date_format(localtime(value), "Y-m-d H:i") if value else ""


def rule_summary(line: SupplyPlanLine) -> str:
    """A line's rule options in words (what differs from the defaults)."""
    rule: dict[str, Any] = line.rule or {}
    parts = []
    if rule.get("cap_by_demand"):
        parts.append(_("以需求为限"))
    if rule.get("max_per_retailer") is not None:
        parts.append(_("单户上限 %(n)s 条") % {"n": rule["max_per_retailer"]})
    low, high = rule.get("min_tier"), rule.get("max_tier")
    if low is not None or high is not None:
        parts.append(
            _("档位 %(low)s–%(high)s")
            % {"low": low if low is not None else "", "high": high if high is not None else ""}
        )
    weights = rule.get("tier_weights") or None
    if weights:
        if weights.get("policy") == "table":
            table = ", ".join(
                f"{t}:{float(w):g}"
                for t, w in sorted((weights.get("table") or {}).items(), key=lambda kv: int(kv[0]))
            )
            parts.append(_("档位权重表 %(table)s") % {"table": table})
        elif line.basis != "tier":
            parts.append(_("按档位线性加权"))
        if weights.get("as_limits"):
            parts.append(_("权重即档位限量"))
    floats = (rule.get("float_cap") or {}).get("pct_by_scale") or {}
    if floats:
        text = "/".join(
            f"{SCALE_LABELS.get(str(c), c)} {float(p):g}%"
            for c, p in sorted(floats.items(), key=lambda kv: str(kv[0]))
        )
        parts.append(_("协议量上浮 %(text)s") % {"text": text})
    if rule.get("leftover") == "tier":
        parts.append(_("余量整档分配"))
    return "；".join(parts) or _("默认规则")


def eligibility_summary(line: SupplyPlanLine) -> str:
    """A line's eligibility filters in words ("全部零售户" when none)."""
    filters: dict[str, list[str]] = line.eligibility or {}
    labels = {
        "business_formats": dict(BusinessFormat.choices),
        "business_districts": dict(BusinessDistrict.choices),
        "market_types": dict(MarketType.choices),
    }
    names = {
        "compliance_classes": _("守法类别"),
        "business_formats": _("业态"),
        "business_districts": _("商圈"),
        "market_types": _("市场类型"),
        "territories": _("片区"),
    }
    parts = []
    for key, name in names.items():
        values = filters.get(key) or []
        if values:
            shown = [str(labels.get(key, {}).get(v, v)) for v in values]
            parts.append(f"{name} {'、'.join(shown)}")
    return "；".join(parts) or _("全部零售户")


class SupplyPlanTable(tables.Table):
    """Plans of every period. Expects the rows of `selectors.plan_list` (`line_count`)."""

    name = tables.Column(verbose_name=gettext_lazy("方案"), order_by=("name", "id"))
    period = tables.Column(
        verbose_name=gettext_lazy("投放周期"), accessor="period__code",
        order_by=("period__start_date", "created_at"),
    )  # fmt: skip
    status = tables.Column(verbose_name=gettext_lazy("状态"))
    line_count = tables.Column(verbose_name=gettext_lazy("品规数"), attrs=NUMBER)
    created = tables.Column(
        verbose_name=gettext_lazy("制定"), accessor="created_at", attrs=HIDE_PHONE
    )
    simulated_at = tables.Column(verbose_name=gettext_lazy("模拟时间"), attrs=HIDE_PHONE)
    published = tables.Column(
        verbose_name=gettext_lazy("发布"), accessor="published_at", default=""
    )

    class Meta:
        model = SupplyPlan
        fields = (
            "name", "period", "status", "line_count", "created", "simulated_at", "published",
        )  # fmt: skip
        attrs = {"class": "table", "id": "plan-table"}
        orderable = False
        empty_text = gettext_lazy("还没有投放方案。")

    def render_name(self, value: str, record: SupplyPlan) -> SafeString:
        url = reverse("supply-plan-detail", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, value or f"#{record.pk}")

    def render_status(self, value: str, record: SupplyPlan) -> SafeString:
        return format_html(
            '<span class="badge {}">{}</span>', record.status, record.get_status_display()
        )

    def render_created(self, value: Any, record: SupplyPlan) -> str:
        return f"{record.created_by} · {_when(value)}"

    def render_simulated_at(self, value: Any) -> str:
        return _when(value)

    def render_published(self, value: Any, record: SupplyPlan) -> str:
        return f"{record.published_by} · {_when(value)}" if value else ""


class SupplyPlanLineTable(tables.Table):
    """A plan's lines; the actions column (edit, delete) only on an editable plan."""

    product = tables.Column(
        verbose_name=gettext_lazy("卷烟规格"), accessor="product__code", orderable=False
    )
    price_class = tables.Column(
        verbose_name=gettext_lazy("价类"), accessor="product__price_class", attrs=HIDE_PHONE
    )
    available = tables.Column(verbose_name=gettext_lazy("可供量（条）"), attrs=NUMBER)
    basis = tables.Column(verbose_name=gettext_lazy("投放方式"))
    rule = tables.Column(verbose_name=gettext_lazy("规则"), empty_values=())
    eligibility = tables.Column(verbose_name=gettext_lazy("投放条件"), empty_values=())
    actions = tables.TemplateColumn(
        template_name="supply/manage/_line_actions.html", verbose_name="", orderable=False
    )

    class Meta:
        model = SupplyPlanLine
        fields = ("product", "price_class", "available", "basis", "rule", "eligibility")
        attrs = {"class": "table", "id": "line-table"}
        orderable = False
        empty_text = gettext_lazy("方案中还没有投放品规。")

    def render_product(self, value: str, record: SupplyPlanLine) -> SafeString:
        product = record.product
        return format_html(
            '{} <span class="muted">{}</span> <span class="tag {}">{}</span>',
            product, value, product.status, product.get_status_display(),
        )  # fmt: skip

    def render_price_class(self, value: int, record: SupplyPlanLine) -> str:
        return str(record.product.get_price_class_display())

    def render_basis(self, value: str, record: SupplyPlanLine) -> str:
        return str(record.get_basis_display())

    def render_rule(self, record: SupplyPlanLine) -> str:
        return rule_summary(record)

    def render_eligibility(self, record: SupplyPlanLine) -> str:
        return eligibility_summary(record)
