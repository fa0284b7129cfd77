"""Forms of the grading management screens: they validate input only; every write goes
through `grading.services`.

The policy form edits the most-used fields of a policy and carries the whole policy as JSON
("advanced"): the JSON is the starting point, and each structured field the user changed is
written over it. The engine validates the result; its error names the policy field (for
example ``tiers.count: must be >= 1, got 0``) and is shown next to the form field that sets it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tobacco_crm.accounts.models import Territory
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy

from .choices import ComplianceClass, Segment
from .models import GradingPeriod, GradingPolicy

MAX_POLICY_FILE_BYTES = 1_000_000
COMPLIANCE_CLASSES = ("A", "B", "C", "W")

METHOD_CHOICES = [
    ("relative_to_top", gettext_lazy("相对最高值")),
    ("percentile", gettext_lazy("百分位")),
]
METHOD_DESCRIPTIONS = {
    "relative_to_top": gettext_lazy("相对最高值：本户值 ÷ 最高值 × 满分"),
    "percentile": gettext_lazy("百分位：不高于本户值的户数占比 × 满分"),
}
MAPPING_CHOICES = [
    ("rank", gettext_lazy("按排名（每档人数比例）")),
    ("intervals", gettext_lazy("按综合得分区间")),
]
NEW_RETAILER_RULE_CHOICES = [
    ("fixed", gettext_lazy("固定为该档")),
    ("cap", gettext_lazy("最高为该档")),
]


def policy_error_path(message: str) -> str:
    """The dotted policy path an engine error starts with (``tiers.count: ...``)."""
    return message.split(": ", 1)[0]


def json_error_text(error: json.JSONDecodeError) -> str:
    return _("不是有效的 JSON（第 %(line)s 行第 %(col)s 列）：%(msg)s") % {
        "line": error.lineno,
        "col": error.colno,
        "msg": error.msg,
    }


# Policy ---------------------------------------------------------------------------------


PathStep = str | int | tuple[str, str]  # a dict key, a list index, or ("key", value) in a list


@dataclass(frozen=True)
class PolicyField:
    """A structured form field: where its value lives in the policy dict (`path`), and the
    path the engine names in its errors (`error_path`)."""

    name: str
    path: tuple[PathStep, ...]
    error_path: str


def _step(container: Any, step: PathStep, create: bool) -> Any:
    if isinstance(step, tuple):
        key, value = step
        for item in container:
            if isinstance(item, dict) and item.get(key) == value:
                return item
        raise KeyError(value)
    if isinstance(container, dict) and step not in container:
        if not create:
            raise KeyError(step)
        container[step] = {}
    return container[step]


def _get(data: Any, path: tuple[PathStep, ...]) -> Any:
    for step in path:
        data = _step(data, step, create=False)
    return data


def _set(data: dict[str, Any], path: tuple[PathStep, ...], value: Any) -> None:
    container: Any = data
    for step in path[:-1]:
        container = _step(container, step, create=True)
    last = path[-1]
    if isinstance(last, tuple):
        raise TypeError("the last step of a path names a key")
    container[last] = value


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class PolicyForm(forms.Form):
    """A new version of a policy, from `base` (the data of its latest version, number
    `base_version`). A form opened on an older version than the latest is refused, so that
    nobody overwrites a change saved in the meantime."""

    base_version = forms.IntegerField(widget=forms.HiddenInput)

    note = forms.CharField(
        label=gettext_lazy("修订说明"),
        max_length=255,
        help_text=gettext_lazy("说明本次修改的内容和原因，会记录在版本历史中。"),
    )
    # Compliance classes.
    class_a_min = forms.FloatField(label=gettext_lazy("A 类最低守法得分"))
    class_b_min = forms.FloatField(label=gettext_lazy("B 类最低守法得分"))
    class_c_min = forms.FloatField(label=gettext_lazy("C 类最低守法得分（低于此为 W 类）"))
    w_penalty_count = forms.IntegerField(label=gettext_lazy("行政处罚达到几次即为 W 类"))
    # Business score blend.
    manager_weight = forms.FloatField(
        label=gettext_lazy("客户经理评分权重"),
        help_text=gettext_lazy("0 到 1 之间，例如 0.2 即 80% 计算得分 + 20% 客户经理评分。"),
    )
    # Tiers.
    tier_count = forms.IntegerField(
        label=gettext_lazy("档位数"),
        help_text=gettext_lazy(
            "第 1 档最低。修改档位数时，未修改的各类最高档位和新户档位按默认比例重算。"
        ),
    )
    tier_mapping = forms.ChoiceField(label=gettext_lazy("划档方式"), choices=MAPPING_CHOICES)
    tier_bounds = forms.CharField(
        label=gettext_lazy("得分区间下限"),
        required=False,
        help_text=gettext_lazy(
            "第 2 档起每档的最低综合得分，逗号分隔、从低到高；按得分区间划档时必填。"
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cap_A = forms.IntegerField(label=gettext_lazy("A 类最高档位"))
    cap_B = forms.IntegerField(label=gettext_lazy("B 类最高档位"))
    cap_C = forms.IntegerField(label=gettext_lazy("C 类最高档位"))
    cap_W = forms.IntegerField(label=gettext_lazy("W 类最高档位"))
    new_retailer_tier = forms.IntegerField(label=gettext_lazy("新办零售户档位"))
    new_retailer_rule = forms.ChoiceField(
        label=gettext_lazy("新办零售户规则"), choices=NEW_RETAILER_RULE_CHOICES
    )
    # Segments.
    top_share = forms.FloatField(
        label=gettext_lazy("前段比例"), help_text=gettext_lazy("0 到 1，例如 0.2 即前 20%。")
    )
    bottom_share = forms.FloatField(
        label=gettext_lazy("后段比例"), help_text=gettext_lazy("0 到 1，例如 0.2 即后 20%。")
    )
    volatile_min_cv = forms.FloatField(label=gettext_lazy("易变：月销量变异系数不低于"))
    high_potential_min_growth = forms.FloatField(
        label=gettext_lazy("发展潜力大：销量增长率不低于"),
        help_text=gettext_lazy("例如 0.1 即增长 10%。"),
    )
    advanced_json = forms.CharField(
        label=gettext_lazy("高级：完整政策 JSON"),
        help_text=gettext_lazy(
            "可修改任何字段（扣分项目、每档比例、星级、分群月数等）。上面的字段如有修改，以上面为准。"
        ),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
    )

    STATIC_FIELDS: tuple[PolicyField, ...] = (
        PolicyField("class_a_min", ("compliance", "class_a_min"), "compliance.class_a_min"),
        PolicyField("class_b_min", ("compliance", "class_b_min"), "compliance.class_b_min"),
        PolicyField("class_c_min", ("compliance", "class_c_min"), "compliance.class_c_min"),
        PolicyField(
            "w_penalty_count", ("compliance", "w_penalty_count"), "compliance.w_penalty_count"
        ),
        PolicyField("manager_weight", ("business", "manager_weight"), "business.manager_weight"),
        PolicyField("tier_count", ("tiers", "count"), "tiers.count"),
        PolicyField("tier_mapping", ("tiers", "mapping"), "tiers.mapping"),
        PolicyField("tier_bounds", ("tiers", "bounds"), "tiers.bounds"),
        *(
            PolicyField(f"cap_{c}", ("tiers", "class_max_tier", c), f"tiers.class_max_tier[{c!r}]")
            for c in COMPLIANCE_CLASSES
        ),
        PolicyField("new_retailer_tier", ("tiers", "new_retailer_tier"), "tiers.new_retailer_tier"),
        PolicyField("new_retailer_rule", ("tiers", "new_retailer_rule"), "tiers.new_retailer_rule"),
        PolicyField("top_share", ("segments", "top_share"), "segments.top_share"),
        PolicyField("bottom_share", ("segments", "bottom_share"), "segments.bottom_share"),
        PolicyField("volatile_min_cv", ("segments", "volatile_min_cv"), "segments.volatile_min_cv"),
        PolicyField(
            "high_potential_min_growth",
            ("segments", "high_potential_min_growth"),
            "segments.high_potential_min_growth",
        ),
    )

    def __init__(self, *args: Any, base: dict[str, Any], base_version: int, **kwargs: Any) -> None:
        self.base = base
        self.latest_version = base_version
        self.specs: list[PolicyField] = list(self.STATIC_FIELDS)
        indicator_fields: dict[str, forms.Field] = {}
        self.indicator_names: list[tuple[str, str, str]] = []  # (label, points field, method)
        for k, indicator in enumerate(base.get("business", {}).get("indicators", [])):
            key = indicator["key"]
            where: tuple[PathStep, ...] = ("business", "indicators", ("key", key))
            points, method = f"ind_{k}_max_points", f"ind_{k}_method"
            indicator_fields[points] = forms.FloatField(
                label=_("%(label)s：满分") % {"label": indicator.get("label") or key}
            )
            indicator_fields[method] = forms.ChoiceField(
                label=_("%(label)s：计分方法") % {"label": indicator.get("label") or key},
                choices=METHOD_CHOICES,
            )
            error_path = f"business.indicators[{key!r}]"
            self.specs += [
                PolicyField(points, (*where, "max_points"), f"{error_path}.max_points"),
                PolicyField(method, (*where, "method"), f"{error_path}.method"),
            ]
            self.indicator_names.append((indicator.get("label") or key, points, method))
        initial = dict(kwargs.pop("initial", None) or {})
        for spec in self.specs:
            try:
                value = _get(base, spec.path)
            except (KeyError, IndexError, TypeError):
                continue
            if spec.name == "tier_bounds":
                value = ", ".join(_number(v) for v in value) if value else ""
            initial.setdefault(spec.name, value)
        initial.setdefault("advanced_json", json.dumps(base, ensure_ascii=False, indent=2))
        initial.setdefault("base_version", base_version)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields.update(indicator_fields)

    def fieldsets(self) -> Iterator[tuple[str, list[forms.BoundField]]]:
        """The structured fields in groups, for the template."""
        groups: list[tuple[str, list[str]]] = [
            (_("守法类别"), ["class_a_min", "class_b_min", "class_c_min", "w_penalty_count"]),
            (
                _("经营指标"),
                [
                    name
                    for _label, points, method in self.indicator_names
                    for name in (points, method)
                ]
                + ["manager_weight"],
            ),
            (
                _("档位"),
                [
                    "tier_count",
                    "tier_mapping",
                    "tier_bounds",
                    "cap_A",
                    "cap_B",
                    "cap_C",
                    "cap_W",
                    "new_retailer_tier",
                    "new_retailer_rule",
                ],
            ),
            (
                _("客户分群"),
                ["top_share", "bottom_share", "volatile_min_cv", "high_potential_min_growth"],
            ),
        ]
        for title, names in groups:
            yield title, [self[name] for name in names]

    def clean_tier_bounds(self) -> list[float] | None:
        text = self.cleaned_data.get("tier_bounds") or ""
        parts = [p for p in re.split(r"[\s,，、;；]+", text) if p]
        if not parts:
            return None
        try:
            return [float(p) for p in parts]
        except ValueError:
            raise forms.ValidationError(_("请填写以逗号分隔的数字。")) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("base_version") != self.latest_version:
            self.add_error(
                None,
                _("这个政策已有人保存了第 %(v)s 版，请重新打开修改页面。")
                % {"v": self.latest_version},
            )
            return cleaned
        text = cleaned.get("advanced_json")
        if text is None:
            return cleaned
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            self.add_error("advanced_json", json_error_text(error))
            return cleaned
        if not isinstance(data, dict):
            self.add_error("advanced_json", _("政策 JSON 必须是一个对象（{ ... }）。"))
            return cleaned
        changed = set(self.changed_data)
        for spec in self.specs:
            if spec.name in changed and spec.name in cleaned:
                try:
                    _set(data, spec.path, cleaned[spec.name])
                except (KeyError, IndexError, TypeError):
                    self.add_error(spec.name, _("高级 JSON 中已没有这一项，请在 JSON 中修改。"))
        if "tier_count" in changed and isinstance(data.get("tiers"), dict):
            tiers = data["tiers"]
            shares = tiers.get("shares")
            if shares is None or (isinstance(shares, list) and len(set(map(repr, shares))) <= 1):
                tiers["shares"] = None  # equal shares, for any number of tiers
            if not changed & {f"cap_{c}" for c in COMPLIANCE_CLASSES}:
                tiers.pop("class_max_tier", None)  # the default caps of the new count
            if "new_retailer_tier" not in changed:
                tiers.pop("new_retailer_tier", None)
        if self.errors:
            return cleaned
        try:
            cleaned["policy_data"] = EnginePolicy.from_dict(data).to_dict()
        except (ValueError, TypeError) as error:
            self.add_policy_error(str(error))
        return cleaned

    def field_for_error(self, message: str) -> str:
        """The form field that sets the policy field an engine error names (the advanced
        JSON when no structured field does)."""
        path = policy_error_path(message)
        best: PolicyField | None = None
        for spec in self.specs:
            ep = spec.error_path
            matches = path == ep or path.startswith((ep + "[", ep + "."))
            if matches and (best is None or len(ep) > len(best.error_path)):
                best = spec
        return best.name if best is not None else "advanced_json"

    def add_policy_error(self, message: str) -> None:
        self.add_error(
            self.field_for_error(message), _("政策校验未通过：%(error)s") % {"error": message}
        )


class PolicyCreateForm(forms.Form):
    """A new policy from the engine's defaults (the published 35/55/10 formula)."""

    name = forms.CharField(label=gettext_lazy("政策名称"), max_length=100)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=255, required=False)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写政策名称。"))
        return name


class PolicyImportForm(forms.Form):
    """A policy JSON file (as exported) to save as a new version."""

    file = forms.FileField(
        label=gettext_lazy("政策文件 (.json)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    name = forms.CharField(
        label=gettext_lazy("政策名称"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("留空则用文件中的名称；已有同名政策时保存为它的新版本。"),
    )
    note = forms.CharField(label=gettext_lazy("修订说明"), max_length=255, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size is not None and upload.size > MAX_POLICY_FILE_BYTES:
            self.add_error("file", _("文件太大（政策文件不超过 1 MB）。"))
            return cleaned
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("file", _("文件不是 UTF-8 编码的 JSON 文本。"))
            return cleaned
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            self.add_error("file", json_error_text(error))
            return cleaned
        try:
            normalized = EnginePolicy.from_dict(data).to_dict()
        except (ValueError, TypeError) as error:
            self.add_error("file", _("政策校验未通过：%(error)s") % {"error": error})
            return cleaned
        name = (cleaned.get("name") or "").strip() or str(normalized.get("name") or "").strip()
        if not name:
            self.add_error("name", _("请填写政策名称。"))
            return cleaned
        cleaned["policy_name"] = name
        cleaned["policy_data"] = normalized
        return cleaned


# Periods and runs -----------------------------------------------------------------------


class PeriodForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("编码"), max_length=16, help_text=gettext_lazy("例如 2026Q3")
    )
    name = forms.CharField(
        label=gettext_lazy("名称"), max_length=64, help_text=gettext_lazy("例如 2026年第三季度")
    )
    start_date = forms.DateField(
        label=gettext_lazy("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=gettext_lazy("结束日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("结束日期必须晚于开始日期。"))
        return cleaned


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        period: GradingPeriod = obj
        locked = _("（已锁定）") if period.locked else ""
        return f"{period.code} {period.name}{locked}"


class PolicyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        policy: GradingPolicy = obj
        note = f"：{policy.note}" if policy.note else ""
        return f"{policy.name} v{policy.version}{note}"


class RunStartForm(forms.Form):
    period = PeriodChoiceField(
        label=gettext_lazy("评定周期"), queryset=GradingPeriod.objects.none()
    )
    policy = PolicyChoiceField(
        label=gettext_lazy("分级政策版本"), queryset=GradingPolicy.objects.none()
    )

    def __init__(
        self,
        *args: Any,
        periods: QuerySet[GradingPeriod],
        policies: QuerySet[GradingPolicy],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        period_field = self.fields["period"]
        policy_field = self.fields["policy"]
        assert isinstance(period_field, forms.ModelChoiceField)
        assert isinstance(policy_field, forms.ModelChoiceField)
        period_field.queryset = periods
        policy_field.queryset = policies


ALL = ("", gettext_lazy("全部"))


class GradeFilterForm(forms.Form):
    """Filters of a run's grade list (GET)."""

    territory = forms.ModelChoiceField(
        label=gettext_lazy("片区"),
        queryset=Territory.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部"),
    )
    compliance_class = forms.ChoiceField(
        label=gettext_lazy("守法类别"), choices=[ALL, *ComplianceClass.choices], required=False
    )
    tier = forms.TypedChoiceField(
        label=gettext_lazy("生效档位"), coerce=int, empty_value=None, required=False
    )
    segment = forms.ChoiceField(
        label=gettext_lazy("客户分群"), choices=[ALL, *Segment.choices], required=False
    )

    def __init__(
        self, *args: Any, territories: QuerySet[Territory], tier_count: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        territory_field = self.fields["territory"]
        tier_field = self.fields["tier"]
        assert isinstance(territory_field, forms.ModelChoiceField)
        assert isinstance(tier_field, forms.TypedChoiceField)
        territory_field.queryset = territories
        tier_field.choices = [ALL, *((t, str(t)) for t in range(tier_count, 0, -1))]


class AppealReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("复核结论"),
        choices=[
            ("accept", gettext_lazy("采纳：调整档位")),
            ("reject", gettext_lazy("驳回：维持原档位")),
        ],
        widget=forms.RadioSelect,
    )
    new_tier = forms.IntegerField(
        label=gettext_lazy("调整后档位"),
        required=False,
        help_text=gettext_lazy("采纳时填写；留空则按申请档位。"),
    )
    note = forms.CharField(
        label=gettext_lazy("复核意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("必填，会告知申请的客户经理并记入审计记录。"),
    )

    def __init__(self, *args: Any, requested_tier: int | None, **kwargs: Any) -> None:
        self.requested_tier = requested_tier
        super().__init__(*args, **kwargs)
        if requested_tier is not None:
            self.fields["new_tier"].initial = requested_tier

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("请填写复核意见。"))
        return note

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        accept = cleaned.get("decision") == "accept"
        if accept and cleaned.get("new_tier") is None and self.requested_tier is None:
            self.add_error("new_tier", _("采纳时请填写调整后档位。"))
        return cleaned
