"""Grading policies: versions, a readable rendering, a new version by form or JSON, export and
import, and a first policy from the engine's defaults."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tobacco_crm.core.http import add_service_errors, download
from tobacco_crm.core.requests import request_user
from tobacco_crm.engines.grading import GradingPolicy as EnginePolicy

from ..forms_manage import (
    MAPPING_CHOICES,
    METHOD_DESCRIPTIONS,
    NEW_RETAILER_RULE_CHOICES,
    PolicyCreateForm,
    PolicyForm,
    PolicyImportForm,
)
from ..models import GradingPolicy
from ..services import grading_policy_save
from . import reads
from .base import GradingManagerView

SEGMENT_SCORE_LABELS = {"business": gettext_lazy("经营得分"), "final": gettext_lazy("综合得分")}


def _pct(share: float) -> str:
    return f"{share * 100:g}%"


def policy_sections(policy: EnginePolicy) -> dict[str, Any]:
    """The policy in the words of the detail page (labels resolved, shares as percentages)."""
    methods = METHOD_DESCRIPTIONS
    comp, biz, tiers, stars, segs = (
        policy.compliance, policy.business, policy.tiers, policy.stars, policy.segments,
    )  # fmt: skip
    shares = list(tiers.shares or ())
    equal_shares = len(set(shares)) <= 1
    total = sum(shares) or 1.0
    caps = dict(tiers.class_max_tier or {})
    return {
        "compliance": {
            "base_points": comp.base_points,
            "items": comp.items,
            "classes": [
                ("A", f"≥ {comp.class_a_min:g}"),
                ("B", f"≥ {comp.class_b_min:g}，< {comp.class_a_min:g}"),
                ("C", f"≥ {comp.class_c_min:g}，< {comp.class_b_min:g}"),
                (
                    "W",
                    _("低于 %(c)s 分，或行政处罚 %(n)s 次及以上")
                    % {"c": f"{comp.class_c_min:g}", "n": comp.w_penalty_count},
                ),
            ],
        },
        "business": {
            "indicators": [
                {
                    "key": ind.key,
                    "label": ind.label,
                    "group": ind.group,
                    "unit": ind.unit,
                    "max_points": ind.max_points,
                    "method": methods.get(ind.method, ind.method),
                    "top_quantile": ind.top_quantile,
                }
                for ind in biz.indicators
            ],
            "max_score": biz.max_score,
            "manager_weight": biz.manager_weight,
            "manager_pct": _pct(biz.manager_weight),
            "computed_pct": _pct(1 - biz.manager_weight),
            "manager_score_max": biz.manager_score_max,
        },
        "tiers": {
            "count": tiers.count,
            "mapping": dict(MAPPING_CHOICES).get(tiers.mapping, tiers.mapping),
            "is_rank": tiers.mapping == "rank",
            "equal_shares": equal_shares,
            "shares": [(t, _pct(s / total)) for t, s in sorted(enumerate(shares, 1), reverse=True)],
            "bounds": [(t, b) for t, b in sorted(enumerate(tiers.bounds or (), 2), reverse=True)],
            "caps": [(c, caps.get(c)) for c in ("A", "B", "C", "W")],
            "new_retailer_tier": tiers.new_retailer_tier,
            "new_retailer_rule": dict(NEW_RETAILER_RULE_CHOICES).get(
                tiers.new_retailer_rule, tiers.new_retailer_rule
            ),
            "max_change": tiers.max_change,
        },
        "stars": {
            "enabled": stars.enabled,
            "eligible_pct": _pct(stars.eligible_top_share),
            "eligible_top_n": stars.eligible_top_n,
            "sub_scores": stars.sub_scores,
            "thresholds": list(enumerate(stars.thresholds, 1)),
            "super_five_min_score": stars.super_five_min_score,
            "super_five_max_count": stars.super_five_max_count,
        },
        "segments": {
            "top_pct": _pct(segs.top_share),
            "middle_pct": _pct(max(0.0, 1 - segs.top_share - segs.bottom_share)),
            "bottom_pct": _pct(segs.bottom_share),
            "score": SEGMENT_SCORE_LABELS.get(segs.score, segs.score),
            "volatile_min_cv": segs.volatile_min_cv,
            "high_potential_pct": _pct(segs.high_potential_min_growth),
            "cv_months": segs.cv_months,
            "growth_window_months": segs.growth_window_months,
            "growth_lag_months": segs.growth_lag_months,
            "growth_key": segs.growth_key,
        },
    }


class PolicyListView(GradingManagerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "grading/manage/policy_list.html",
            {"groups": reads.policy_groups(), "create_form": PolicyCreateForm()},
        )


class PolicyCreateView(GradingManagerView):
    """POST: a new policy holding the engine's defaults (the published 35/55/10 formula)."""

    template_name = "grading/manage/policy_create.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": PolicyCreateForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PolicyCreateForm(request.POST)
        if form.is_valid():
            name = form.cleaned_data["name"]
            if reads.policy_exists(name=name):
                form.add_error("name", _("已有同名政策，请在该政策上修改，保存为新版本。"))
            else:
                data = EnginePolicy(name=name).to_dict()
                try:
                    policy = grading_policy_save(
                        name=name,
                        data=data,
                        actor=request_user(request),
                        note=form.cleaned_data["note"] or _("按默认政策（35/55/10 公式）创建"),
                    )
                except ValidationError as error:
                    add_service_errors(form, error, {"data": "name"})
                else:
                    messages.success(request, _("已创建政策 %(policy)s。") % {"policy": policy})
                    return redirect("grading-policy-detail", pk=policy.pk)
        return render(request, self.template_name, {"form": form})


class PolicyDetailView(GradingManagerView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        policy = reads.policy_get(pk=pk)
        try:
            engine = EnginePolicy.from_dict(policy.data)
        except (ValueError, TypeError) as error:  # stored by an older engine: show the JSON
            engine, problem = None, str(error)
        else:
            problem = ""
        versions = list(reads.policy_versions(name=policy.name))
        return render(
            request,
            "grading/manage/policy_detail.html",
            {
                "policy": policy,
                "sections": policy_sections(engine) if engine is not None else None,
                "problem": problem,
                "data_json": json.dumps(policy.data, ensure_ascii=False, indent=2),
                "versions": versions,
                "is_latest": versions[0].pk == policy.pk,
            },
        )


class PolicyEditView(GradingManagerView):
    """A new version of the policy, starting from its latest version."""

    template_name = "grading/manage/policy_edit.html"

    def _base(self, pk: int) -> tuple[GradingPolicy, GradingPolicy]:
        policy = reads.policy_get(pk=pk)
        latest = reads.policy_latest(name=policy.name)
        if latest is None:  # pragma: no cover - policy_get found a version of it
            raise Http404
        return policy, latest

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        _policy, latest = self._base(pk)
        form = PolicyForm(base=latest.data, base_version=latest.version)
        return render(request, self.template_name, {"form": form, "policy": latest})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        _policy, latest = self._base(pk)
        form = PolicyForm(request.POST, base=latest.data, base_version=latest.version)
        if form.is_valid():
            try:
                saved = grading_policy_save(
                    name=latest.name,
                    data=form.cleaned_data["policy_data"],
                    actor=request_user(request),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _show_policy_errors(form, error)
            else:
                messages.success(request, _("已保存为新版本 %(policy)s。") % {"policy": saved})
                return redirect("grading-policy-detail", pk=saved.pk)
        return render(request, self.template_name, {"form": form, "policy": latest})


def _show_policy_errors(form: PolicyForm, error: ValidationError) -> None:
    """The service's errors on the form; the policy's own next to the field that sets it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, found in error.message_dict.items():
        if key == "data":
            for message in found:
                form.add_policy_error(message)
        else:
            form.add_error(key if key in form.fields else None, found)


class PolicyExportView(GradingManagerView):
    """The version's JSON, as `GradingPolicy.to_dict()` gives it (importable as is)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        policy = reads.policy_get(pk=pk)
        text = json.dumps(policy.data, ensure_ascii=False, indent=2) + "\n"
        filename = f"grading-policy-{policy.name}-v{policy.version}.json"
        return download(text.encode("utf-8"), filename, "application/json; charset=utf-8")


class PolicyImportView(GradingManagerView):
    template_name = "grading/manage/policy_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PolicyImportForm(initial={"name": request.GET.get("name", "")})
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PolicyImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                policy = grading_policy_save(
                    name=form.cleaned_data["policy_name"],
                    data=form.cleaned_data["policy_data"],
                    actor=request_user(request),
                    note=form.cleaned_data["note"] or _("从 JSON 文件导入"),
                )
            except ValidationError as error:
                add_service_errors(form, error, {"data": "file"})
            else:
                messages.success(request, _("已导入为 %(policy)s。") % {"policy": policy})
                return redirect(reverse("grading-policy-detail", args=[policy.pk]))
        return render(request, self.template_name, {"form": form})
