"""Forms of the supply screens: they validate input and shape it into what the services take
(a line's `rule` options and `eligibility` filters); every write goes through
`supply.services`, whose rule check is the engine's (`ProductRule`). An engine error names the
rule field (``max_tier: 2 is below min_tier (3)``) and is shown next to the form field that
sets it (`PlanLineForm.add_service_error`)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tobacco_crm.accounts.models import Territory
from tobacco_crm.grading.choices import ComplianceClass
from tobacco_crm.products.models import Product
from tobacco_crm.retailers.choices import BusinessDistrict, BusinessFormat, MarketType

from .choices import Basis

MAX_IMPORT_FILE_BYTES = 5_000_000

LEFTOVER_CHOICES = [
    ("retailer", gettext_lazy("逐户分配：按余数大小每户至多加 1 条，不留存")),
    ("tier", gettext_lazy("整档分配：同档同量，不足一整档的余量留存")),
]
WEIGHT_POLICY_CHOICES = [
    ("", gettext_lazy("默认：按档位时线性，其他方式不按档位加权")),
    ("linear", gettext_lazy("线性：权重 = 档位")),
    ("table", gettext_lazy("按权重表")),
]
#: Business scale codes of the upper float (adapters.SCALE_CODE): 1 large, 2 medium, 3 small.
FLOAT_FIELDS = {"float_large": 1, "float_medium": 2, "float_small": 3}
#: Eligibility keys (adapters.ELIGIBILITY_FIELDS) — each is a form field of the same name.
ELIGIBILITY_KEYS = (
    "compliance_classes",
    "business_formats",
    "business_districts",
    "market_types",
    "territories",
)
#: The form field that sets the rule field an engine error names (longest prefix wins).
RULE_ERROR_FIELDS = {
    "available": "available",
    "basis": "basis",
    "tier_weights": "weights_table",
    "tier_weights.policy": "weights_policy",
    "tier_weights.as_limits": "weights_as_limits",
    "cap_by_demand": "cap_by_demand",
    "max_per_retailer": "max_per_retailer",
    "float_cap": "float_large",
    "float_cap.pct_by_scale[1]": "float_large",
    "float_cap.pct_by_scale[2]": "float_medium",
    "float_cap.pct_by_scale[3]": "float_small",
    "agreed": "float_large",
    "min_tier": "min_tier",
    "max_tier": "max_tier",
    "leftover": "leftover",
}

_ENTRY_SPLIT = re.compile(r"[\n\r,，;；、]+")
_PAIR_SPLIT = re.compile(r"\s*[:：=]\s*")
_LIST_SPLIT = re.compile(r"[\s,，;；、/]+")


def rule_error_path(message: str) -> str:
    """The dotted rule path an engine error starts with (``tier_weights.table[3]: ...``)."""
    return message.split(": ", 1)[0].strip()


def rule_error_field(message: str, fields: dict[str, str] = RULE_ERROR_FIELDS) -> str | None:
    """The form field (or Excel column) `fields` maps the error's rule path to."""
    path = rule_error_path(message)
    best: str | None = None
    for prefix in fields:
        matches = path == prefix or path.startswith((prefix + "[", prefix + "."))
        if matches and (best is None or len(prefix) > len(best)):
            best = prefix
    return fields[best] if best is not None else None


def parse_weight_table(text: str) -> dict[int, float]:
    """A tier weight table typed as "档位:权重" entries, one a line or separated by commas
    ("1:1, 10:2.5, 30:6"). Raises ValidationError naming the entry."""
    table: dict[int, float] = {}
    for entry in (e.strip() for e in _ENTRY_SPLIT.split(text or "")):
        if not entry:
            continue
        parts = _PAIR_SPLIT.split(entry)
        try:
            if len(parts) != 2:
                raise ValueError
            tier, weight = int(parts[0]), float(parts[1])
        except ValueError:
            raise ValidationError(
                _("“%(entry)s”应为“档位:权重”，例如 10:2.5。") % {"entry": entry}
            ) from None
        if tier in table:
            raise ValidationError(_("第 %(tier)s 档出现了两次。") % {"tier": tier})
        table[tier] = weight
    return table


def weight_table_text(table: dict[str, Any]) -> str:
    return "\n".join(
        f"{int(t)}:{float(w):g}" for t, w in sorted(table.items(), key=lambda kv: int(kv[0]))
    )


def split_list(text: str) -> list[str]:
    """ "A,B" / "A，B" / "A、B" → ["A", "B"]."""
    return [part for part in _LIST_SPLIT.split(text or "") if part]


def rule_data(
    *,
    cap_by_demand: bool,
    max_per_retailer: int | None,
    min_tier: int | None,
    max_tier: int | None,
    leftover: str,
    weights_policy: str,
    weights_table: dict[int, float],
    weights_as_limits: bool,
    float_pct: dict[int, float] | None,
) -> dict[str, Any]:
    """A line's rule options (`ProductRule.to_dict()` without product, available, basis and
    seed, which the line and its period give)."""
    tier_weights: dict[str, Any] | None = None
    if weights_policy == "table" or weights_table:
        tier_weights = {
            "policy": "table",
            "table": {str(t): w for t, w in sorted(weights_table.items())},
            "as_limits": weights_as_limits,
        }
    elif weights_policy == "linear" or weights_as_limits:
        tier_weights = {"policy": "linear", "table": {}, "as_limits": weights_as_limits}
    return {
        "tier_weights": tier_weights,
        "cap_by_demand": cap_by_demand,
        "max_per_retailer": max_per_retailer,
        "float_cap": (
            None
            if float_pct is None
            else {"pct_by_scale": {str(c): p for c, p in float_pct.items()}, "default_pct": None}
        ),
        "min_tier": min_tier,
        "max_tier": max_tier,
        "leftover": leftover,
    }


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        product: Product = obj
        return f"{product.code} {product}（{product.get_status_display()}）"


class PlanCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("方案名称"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("留空则为“<周期> 投放方案”。"),
    )
    day = forms.DateField(
        label=gettext_lazy("投放周期（含这一天的那一周）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("留空为本周。"),
    )


class PlanLineForm(forms.Form):
    """One product's line. A new line refuses a product the plan already holds (edit that
    line instead); on an existing line the product is fixed."""

    product = ProductChoiceField(
        label=gettext_lazy("卷烟规格"),
        queryset=Product.objects.none(),
        help_text=gettext_lazy("紧俏、新品和重点培育规格排在前面；停供规格不能投放。"),
    )
    available = forms.IntegerField(label=gettext_lazy("可供量（条）"), min_value=0)
    basis = forms.ChoiceField(label=gettext_lazy("投放方式"), choices=Basis.choices)
    cap_by_demand = forms.BooleanField(
        label=gettext_lazy("以需求为限（每户不超过其需求提报量）"), required=False
    )
    max_per_retailer = forms.IntegerField(
        label=gettext_lazy("单户上限（条）"), min_value=0, required=False
    )
    float_large = forms.DecimalField(
        label=gettext_lazy("协议量上浮：大型户（%）"),
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        required=False,
    )
    float_medium = forms.DecimalField(
        label=gettext_lazy("协议量上浮：中型户（%）"),
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        required=False,
    )
    float_small = forms.DecimalField(
        label=gettext_lazy("协议量上浮：小型户（%）"),
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=gettext_lazy(
            "可选：协议量 ×（1 + 上浮比例）为上限，只设上限不设下限；"
            "例如大中型 5%–10%、小型 15%。三项都填或都不填。"
        ),
    )
    min_tier = forms.IntegerField(label=gettext_lazy("最低档位"), required=False)
    max_tier = forms.IntegerField(label=gettext_lazy("最高档位"), required=False)
    weights_policy = forms.ChoiceField(
        label=gettext_lazy("档位权重"), choices=WEIGHT_POLICY_CHOICES, required=False
    )
    weights_table = forms.CharField(
        label=gettext_lazy("档位权重表"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "class": "code", "placeholder": "1:1\n10:2.5\n30:6"}
        ),
        help_text=gettext_lazy(
            "每行一个“档位:权重”。某档取不高于它的最近一行的权重，低于第一行的档位为 0；"
            "权重不得随档位降低。"
        ),
    )
    weights_as_limits = forms.BooleanField(
        label=gettext_lazy("权重即档位限量（档位限量表：每户不超过本档的数值）"), required=False
    )
    leftover = forms.ChoiceField(
        label=gettext_lazy("余量分配"), choices=LEFTOVER_CHOICES, initial="retailer"
    )
    compliance_classes = forms.MultipleChoiceField(
        label=gettext_lazy("守法类别"),
        choices=[(c.value, c.value) for c in ComplianceClass],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    business_formats = forms.MultipleChoiceField(
        label=gettext_lazy("业态"),
        choices=BusinessFormat.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    business_districts = forms.MultipleChoiceField(
        label=gettext_lazy("商圈"),
        choices=BusinessDistrict.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    market_types = forms.MultipleChoiceField(
        label=gettext_lazy("市场类型"),
        choices=MarketType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    territories = forms.MultipleChoiceField(
        label=gettext_lazy("片区"),
        choices=[],
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy("投放条件都不选即为全部零售户；按住 Ctrl 可多选片区。"),
    )

    FIELDSETS = (
        (gettext_lazy("规格与可供量"), ("product", "available", "basis")),
        (
            gettext_lazy("上限"),
            ("cap_by_demand", "max_per_retailer", "float_large", "float_medium", "float_small"),
        ),
        (
            gettext_lazy("档位"),
            ("min_tier", "max_tier", "weights_policy", "weights_table", "weights_as_limits"),
        ),
        (gettext_lazy("余量"), ("leftover",)),
        (gettext_lazy("投放条件"), ELIGIBILITY_KEYS),
    )

    def __init__(
        self,
        *args: Any,
        products: QuerySet[Product],
        territories: QuerySet[Territory],
        taken: set[int] | frozenset[int] = frozenset(),
        line: Any = None,
        **kwargs: Any,
    ) -> None:
        self.taken = taken
        self.line = line
        if line is not None:
            kwargs["initial"] = {**line_initial(line), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        product_field = self.fields["product"]
        assert isinstance(product_field, forms.ModelChoiceField)
        product_field.queryset = products
        if line is not None:
            product_field.disabled = True
        territory_field = self.fields["territories"]
        assert isinstance(territory_field, forms.MultipleChoiceField)
        territory_field.choices = [(t.code, f"{t.code} {t.name}") for t in territories]

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(title), [self[name] for name in names]) for title, names in self.FIELDSETS]

    def clean_product(self) -> Product:
        product: Product = self.cleaned_data["product"]
        if self.line is None and product.pk in self.taken:
            raise ValidationError(_("这个规格已在方案中，请在列表中修改它的投放规则。"))
        return product

    def clean_weights_table(self) -> dict[int, float]:
        return parse_weight_table(self.cleaned_data.get("weights_table") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given: dict[int, Decimal] = {
            code: cleaned[name]
            for name, code in FLOAT_FIELDS.items()
            if cleaned.get(name) is not None
        }
        if given and len(given) < len(FLOAT_FIELDS):
            for name in FLOAT_FIELDS:
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, _("上浮比例三项都填或都不填。"))
        policy = cleaned.get("weights_policy") or ""
        table = cleaned.get("weights_table") or {}
        if policy == "table" and not table and "weights_table" not in self.errors:
            self.add_error("weights_table", _("按权重表时请填写档位权重表。"))
        if policy != "table" and table and "weights_table" not in self.errors:
            self.add_error("weights_policy", _("填写了档位权重表时请选“按权重表”。"))
        if self.errors:
            return cleaned
        cleaned["rule"] = rule_data(
            cap_by_demand=bool(cleaned.get("cap_by_demand")),
            max_per_retailer=cleaned.get("max_per_retailer"),
            min_tier=cleaned.get("min_tier"),
            max_tier=cleaned.get("max_tier"),
            leftover=cleaned.get("leftover") or "retailer",
            weights_policy=policy,
            weights_table=table,
            weights_as_limits=bool(cleaned.get("weights_as_limits")),
            float_pct={c: float(v) for c, v in given.items()} if given else None,
        )
        cleaned["eligibility"] = {key: list(cleaned.get(key) or []) for key in ELIGIBILITY_KEYS}
        return cleaned

    def add_service_error(self, error: ValidationError) -> None:
        """A service's ValidationError on the form: an engine rule error next to the field
        that sets the rule field it names; other keys on their field or the whole form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            for message in messages:
                if key == "rule":
                    text = _("规则校验未通过：%(error)s") % {"error": message}
                    self.add_error(rule_error_field(message), text)
                elif key == "eligibility":
                    self.add_error(None, message)
                else:
                    self.add_error(key if key in self.fields else None, message)


def line_initial(line: Any) -> dict[str, Any]:
    """The form's initial values from a stored line (its rule options and filters)."""
    rule: dict[str, Any] = line.rule or {}
    weights = rule.get("tier_weights") or None
    floats = ((rule.get("float_cap") or {}).get("pct_by_scale")) or {}
    initial: dict[str, Any] = {
        "product": line.product_id,
        "available": line.available,
        "basis": line.basis,
        "cap_by_demand": bool(rule.get("cap_by_demand")),
        "max_per_retailer": rule.get("max_per_retailer"),
        "min_tier": rule.get("min_tier"),
        "max_tier": rule.get("max_tier"),
        "leftover": rule.get("leftover") or "retailer",
        "weights_policy": (weights or {}).get("policy", ""),
        "weights_table": weight_table_text((weights or {}).get("table") or {}),
        "weights_as_limits": bool((weights or {}).get("as_limits")),
    }
    for name, code in FLOAT_FIELDS.items():
        value = floats.get(str(code), floats.get(code))
        initial[name] = None if value is None else Decimal(str(value))
    for key in ELIGIBILITY_KEYS:
        initial[key] = list((line.eligibility or {}).get(key) or [])
    return initial


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件 (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_IMPORT_FILE_BYTES:
            raise ValidationError(_("文件太大（不超过 5 MB）。"))
        return upload


class LimitsExportForm(forms.Form):
    """The export's filter (GET): one of the territories the user may see, or all of them."""

    territory = forms.ModelChoiceField(
        label=gettext_lazy("片区"),
        queryset=Territory.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部（我可见的零售户）"),
    )

    def __init__(self, *args: Any, territories: QuerySet[Territory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["territory"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = territories
