"""The field side of grading, used on a phone: a retailer's grade with its explanation (an htmx
fragment of the retailer page, or a page), the print sheet for the retailer, the inspector's
deductions (find a retailer, record, correct), the customer manager's manual indicators and
appeals. Views validate input and configure; reads are scoped by `visible_to`, writes go
through `services`; a PermissionDenied answers 403 and a ValidationError becomes form errors.

Which policy a deduction is recorded against: `selectors.policy_for_period`. The items offered
are that policy's; `services.deduction_record` checks the item against the same policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from tobacco_crm.core.http import add_service_errors, is_htmx
from tobacco_crm.core.requests import request_user
from tobacco_crm.engines.grading import explain_text_zh
from tobacco_crm.retailers.choices import RetailerStatus
from tobacco_crm.retailers.models import Retailer
from tobacco_crm.retailers.selectors import retailer_get

from . import selectors, services
from .choices import AppealStatus, ComplianceClass, RunStatus, Segment
from .forms_field import AppealForm, DeductionCorrectForm, DeductionForm, IndicatorGridForm
from .models import Deduction, GradingPeriod, ManualIndicator
from .selectors import (
    deductions_visible_to,
    default_period,
    manual_keys,
    open_periods,
    policy_for_period,
)

if TYPE_CHECKING:
    from .models import RetailerGrade

INDICATOR_PAGE_SIZE = 25
SEARCH_LIMIT = 20
RECENT_LIMIT = 20


def grade_context(grade: RetailerGrade) -> dict[str, Any]:
    """Everything the grade fragment and the sheet show of one grade."""
    explanation = None
    if grade.row:
        explanation = selectors.grade_explanation(grade)
        for c in explanation["business"]["contributions"]:
            c["weight_pct"] = round(c["weight"] * 100, 2)
        tier = explanation["tier"]
        tier["change_abs"] = abs(tier["change"]) if tier["change"] is not None else None
        segment = explanation["segment"]
        if segment["growth"] is not None:
            segment["growth_pct"] = segment["growth"] * 100
    adjustment = grade.adjustments.order_by("-made_at", "-id").first()
    return {
        "grade": grade,
        "explanation": explanation,
        "tier_in_force": services.effective_tier(grade),
        "adjustment": adjustment,
        "class_label": ComplianceClass(grade.compliance_class).label,
        "segment_label": Segment(grade.segment).label,
        "tier_count": explanation["tier"]["count"]
        if explanation
        else services.engine_policy(grade.run.policy).tiers.count,
    }


class _RoleRequiredMixin(LoginRequiredMixin):
    """403 for a signed-in user whose role lacks `capability` (a `User` property)."""

    capability = ""
    refusal: Any = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and not getattr(request_user(request), self.capability):
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


# A retailer's grade -----------------------------------------------------------------------


class RetailerGradeView(LoginRequiredMixin, View):
    """The grade in force with its explanation: a fragment for htmx (the retailer page loads
    it), a page otherwise. 404 for a retailer outside the user's scope."""

    def get(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        user = request_user(request)
        retailer = retailer_get(user=user, pk=retailer_id)
        grade = selectors.grade_current(user=user, retailer_id=retailer.pk)
        context: dict[str, Any] = {
            "retailer": retailer,
            "grade": grade,
            "can_record": user.records_deductions,
        }
        # Recorded since the grade in force was computed (without a grade: in open periods).
        pending = Deduction.objects.filter(retailer=retailer)
        if grade is not None:
            pending = pending.filter(created_at__gt=grade.run.created_at)
        else:
            pending = pending.filter(period__locked=False)
        context["pending"] = pending.select_related("period", "inspector", "corrected_by").order_by(
            "-occurred_on", "-id"
        )[:RECENT_LIMIT]
        if grade is not None:
            context |= grade_context(grade)
            context["appeals"] = list(grade.appeals.order_by("-raised_at"))
            context["can_appeal"] = (
                user.enters_indicators
                and grade.run.status == RunStatus.PUBLISHED
                and Retailer.objects.editable_by(user).filter(pk=retailer.pk).exists()
            )
        template = (
            "grading/field/_retailer_grade.html"
            if is_htmx(request)
            else "grading/field/retailer_grade.html"
        )
        return render(request, template, context)


class GradeSheetView(LoginRequiredMixin, View):
    """The print sheet handed to the retailer (零售客户分类分级结果告知单)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        grade = selectors.grade_get(user=user, pk=pk)
        context = grade_context(grade)
        explanation = context["explanation"]
        context["retailer"] = grade.retailer
        text = explain_text_zh(explanation) if explanation else ""
        # The engine's text is Chinese whatever the UI language (the sheet is for the retailer);
        # its first line names the retailer by id, the sheet names it by its shop.
        first, _sep, rest = text.partition("\n")
        if first.endswith("客户等级说明"):
            text = f"{grade.retailer.shop_name} 客户等级说明（{grade.run.period.name}）\n{rest}"
        context["text_zh"] = text
        context["printed_on"] = timezone.localdate()
        return render(request, "grading/field/grade_sheet.html", context)


# Deductions ---------------------------------------------------------------------------------


class _DeductionRoleMixin(_RoleRequiredMixin):
    capability = "records_deductions"
    refusal = gettext_lazy("只有市管员可以录入扣分。")


class DeductionListView(_DeductionRoleMixin, View):
    """The inspector's home: find a retailer he sees, and his recent deductions."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        q = request.GET.get("q", "").strip()
        retailers: Any = []
        if q:
            retailers = (
                Retailer.objects.visible_to(user)
                .search(q)
                .select_related("territory")
                .order_by("shop_name", "pk")[:SEARCH_LIMIT]
            )
        recent = (
            deductions_visible_to(user)
            .filter(inspector=user)
            .select_related("retailer", "period", "corrected_by")
            .order_by("-created_at", "-id")[:RECENT_LIMIT]
        )
        return render(
            request,
            "grading/field/deduction_list.html",
            {"q": q, "retailers": retailers, "recent": recent, "limit": SEARCH_LIMIT},
        )


class DeductionCreateView(_DeductionRoleMixin, View):
    template_name = "grading/field/deduction_form.html"

    def _setup(self, request: HttpRequest, retailer_id: int) -> dict[str, Any]:
        retailer = retailer_get(user=request_user(request), pk=retailer_id)
        period = default_period()
        posted = request.POST.get("period", "")
        if posted.isdigit():
            period = GradingPeriod.objects.filter(pk=int(posted)).first() or period
        policy = policy_for_period(period) if period is not None else None
        return {"retailer": retailer, "period": period, "policy": policy}

    def _form(self, setup: dict[str, Any], data: Any = None) -> DeductionForm | None:
        if setup["period"] is None or setup["policy"] is None:
            return None
        items = services.engine_policy(setup["policy"]).compliance.items
        return DeductionForm(
            data,
            periods=open_periods(),
            items=items,
            initial={"period": setup["period"].pk, "occurred_on": timezone.localdate()},
        )

    def get(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        setup = self._setup(request, retailer_id)
        return render(request, self.template_name, {**setup, "form": self._form(setup)})

    def post(self, request: HttpRequest, retailer_id: int) -> HttpResponse:
        setup = self._setup(request, retailer_id)
        form = self._form(setup, request.POST)
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                deduction = services.deduction_record(
                    retailer=setup["retailer"],
                    period=data["period"],
                    policy=setup["policy"],
                    item_code=data["item_code"],
                    points=data["points"],
                    reason=data["reason"].strip(),
                    occurred_on=data["occurred_on"],
                    actor=request_user(request),
                    note=data["note"],
                    explained=data["explained"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已录入扣分：%(item)s，扣 %(points)s 分。")
                    % {"item": deduction.item_label, "points": f"{deduction.points.normalize():f}"},
                )
                return redirect(setup["retailer"].get_absolute_url())
        return render(request, self.template_name, {**setup, "form": form})


class DeductionCorrectView(_DeductionRoleMixin, View):
    """A correction is a new record replacing the old one (0 points cancels it)."""

    template_name = "grading/field/deduction_correct.html"

    def _deduction(self, request: HttpRequest, pk: int) -> Deduction:
        return get_object_or_404(
            deductions_visible_to(request_user(request)).select_related(
                "retailer", "period", "inspector", "corrected_by"
            ),
            pk=pk,
        )

    def _render(self, request: HttpRequest, deduction: Deduction, form: Form) -> HttpResponse:
        corrected = Deduction.objects.filter(corrects=deduction).first()
        return render(
            request,
            self.template_name,
            {"deduction": deduction, "form": form, "corrected_by": corrected},
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        deduction = self._deduction(request, pk)
        form = DeductionCorrectForm(initial={"points": deduction.points})
        return self._render(request, deduction, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        deduction = self._deduction(request, pk)
        form = DeductionCorrectForm(request.POST)
        if form.is_valid():
            try:
                services.deduction_correct(
                    deduction=deduction,
                    points=form.cleaned_data["points"],
                    reason=form.cleaned_data["reason"].strip(),
                    cleared=form.cleaned_data["cleared"],
                    actor=request_user(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已更正扣分记录。"))
                return redirect(deduction.retailer.get_absolute_url())
        return self._render(request, deduction, form)


# Manual indicators ----------------------------------------------------------------------------


class IndicatorEntryView(_RoleRequiredMixin, View):
    """The customer manager's manual indicators: his retailers × the policy's manual keys for
    an open period, 25 retailers a page. Saving a page is all or nothing."""

    capability = "enters_indicators"
    refusal = gettext_lazy("只有客户经理可以录入经营指标。")
    template_name = "grading/field/indicator_entry.html"

    def _setup(self, request: HttpRequest, params: Any) -> dict[str, Any]:
        user = request_user(request)
        periods = open_periods()
        period = default_period()
        wanted = str(params.get("period", ""))
        if wanted.isdigit():
            period = periods.filter(pk=int(wanted)).first() or period
        q = str(params.get("q", "")).strip()
        setup: dict[str, Any] = {"periods": periods, "period": period, "q": q, "keys": []}
        policy = policy_for_period(period) if period is not None else None
        setup["policy"] = policy
        if period is None or policy is None:
            return setup
        setup["keys"] = manual_keys(services.engine_policy(policy))
        retailers = (
            Retailer.objects.editable_by(user)
            .exclude(status=RetailerStatus.CANCELLED)
            .search(q)
            .order_by("license_no", "pk")
        )
        page = Paginator(retailers, INDICATOR_PAGE_SIZE).get_page(params.get("page"))
        setup["page"] = page
        ids = [r.pk for r in page.object_list]
        stored = ManualIndicator.objects.filter(
            period=period, retailer_id__in=ids, key__in=[k["key"] for k in setup["keys"]]
        ).values_list("retailer_id", "key", "value")
        setup["values"] = {(rid, key): value for rid, key, value in stored}
        setup["query"] = urlencode({"period": str(period.pk), "q": q})
        return setup

    def _form(self, setup: dict[str, Any], data: Any = None) -> IndicatorGridForm | None:
        if not setup["keys"]:
            return None
        return IndicatorGridForm(
            data,
            retailers=setup["page"].object_list,
            keys=setup["keys"],
            values=setup["values"],
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        setup = self._setup(request, request.GET)
        return render(request, self.template_name, {**setup, "form": self._form(setup)})

    def post(self, request: HttpRequest) -> HttpResponse:
        setup = self._setup(request, request.POST)
        form = self._form(setup, request.POST)
        if form is not None and form.is_valid():
            retailers = {r.pk: r for r in setup["page"].object_list}
            cells = form.changed_cells()
            try:
                with transaction.atomic():
                    for rid, key, value in cells:
                        services.manual_indicator_set(
                            retailer=retailers[rid],
                            period=setup["period"],
                            key=key,
                            value=value,
                            actor=request_user(request),
                        )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存 %(n)s 项指标。") % {"n": len(cells)})
                url = reverse("grading-indicator-entry")
                return redirect(f"{url}?{setup['query']}&page={setup['page'].number}")
        return render(request, self.template_name, {**setup, "form": form})


# Appeals ------------------------------------------------------------------------------------------


class AppealCreateView(LoginRequiredMixin, View):
    """The customer manager asks for a review (复核) of his retailer's published grade."""

    template_name = "grading/field/appeal_form.html"

    def _grade(self, request: HttpRequest, pk: int) -> RetailerGrade:
        user = request_user(request)
        grade = selectors.grade_get(user=user, pk=pk)
        editable = Retailer.objects.editable_by(user).filter(pk=grade.retailer_id).exists()
        if not (user.enters_indicators and editable):
            raise PermissionDenied(_("只有该零售户的客户经理可以申请复核。"))
        return grade

    def _render(self, request: HttpRequest, grade: RetailerGrade, form: Form) -> HttpResponse:
        context = {
            "grade": grade,
            "retailer": grade.retailer,
            "form": form,
            "open_appeals": grade.appeals.filter(status=AppealStatus.OPEN),
            **grade_context(grade),
        }
        return render(request, self.template_name, context)

    def _tier_count(self, grade: RetailerGrade) -> int:
        return services.engine_policy(grade.run.policy).tiers.count

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        grade = self._grade(request, pk)
        return self._render(request, grade, AppealForm(tier_count=self._tier_count(grade)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        grade = self._grade(request, pk)
        form = AppealForm(request.POST, tier_count=self._tier_count(grade))
        if form.is_valid():
            try:
                services.appeal_raise(
                    grade=grade,
                    reason=form.cleaned_data["reason"].strip(),
                    requested_tier=form.cleaned_data["requested_tier"],
                    actor=request_user(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已提交复核申请，等待营销经理复核。"))
                return redirect(grade.retailer.get_absolute_url())
        return self._render(request, grade, form)
