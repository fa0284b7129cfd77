"""A plan: its lines (add, change, delete while editable), the simulation and its report,
publishing (all-or-nothing; a published plan is locked), and the per territory × tier
breakdown of a product's limits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from tobacco_crm.core.requests import request_user

from .. import selectors
from ..choices import PlanStatus
from ..forms import LimitsExportForm, PlanLineForm
from ..models import SupplyPlan, SupplyPlanLine
from ..services import (
    supply_plan_line_delete,
    supply_plan_line_set,
    supply_plan_publish,
    supply_plan_simulate,
)
from ..tables import SupplyPlanLineTable
from .base import SupplyManagerView, error_text


def _detail(plan: SupplyPlan, anchor: str = "") -> HttpResponse:
    url = reverse("supply-plan-detail", args=[plan.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refuse_locked(request: HttpRequest, plan: SupplyPlan) -> HttpResponse | None:
    if plan.editable:
        return None
    messages.error(request, _("方案已发布，不能再修改。"))
    return _detail(plan)


class PlanDetailView(SupplyManagerView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = selectors.plan_get(pk=pk)
        lines = list(selectors.plan_lines(plan=plan))
        table = SupplyPlanLineTable(lines, exclude=() if plan.editable else ("actions",))
        RequestConfig(request, paginate=False).configure(table)
        simulated = plan.status != PlanStatus.DRAFT
        user = request_user(request)
        return render(
            request,
            "supply/manage/plan_detail.html",
            {
                "plan": plan,
                "lines": lines,
                "table": table,
                "report": selectors.plan_report(plan=plan, lines=lines) if simulated else None,
                "is_published": plan.status in selectors.PUBLISHED_STATUSES,
                "export_form": LimitsExportForm(
                    territories=selectors.export_territories(user=user)
                ),
            },
        )


class LineEditView(SupplyManagerView):
    """Add a line (no `line_pk`) or change one; the product of an existing line is fixed."""

    template_name = "supply/manage/line_form.html"

    def _objects(self, pk: int, line_pk: int | None) -> tuple[SupplyPlan, SupplyPlanLine | None]:
        plan = selectors.plan_get(pk=pk)
        line = None if line_pk is None else selectors.plan_line_get(plan=plan, pk=line_pk)
        return plan, line

    def _form(
        self, plan: SupplyPlan, line: SupplyPlanLine | None, data: Any = None
    ) -> PlanLineForm:
        return PlanLineForm(
            data,
            products=selectors.product_choices(),
            territories=selectors.territory_choices(),
            taken=selectors.plan_product_ids(plan=plan) if line is None else set(),
            line=line,
        )

    def _render(
        self, request: HttpRequest, plan: SupplyPlan, line: SupplyPlanLine | None, form: Any
    ) -> HttpResponse:
        return render(request, self.template_name, {"plan": plan, "line": line, "form": form})

    def get(self, request: HttpRequest, pk: int, line_pk: int | None = None) -> HttpResponse:
        plan, line = self._objects(pk, line_pk)
        refused = _refuse_locked(request, plan)
        if refused is not None:
            return refused
        return self._render(request, plan, line, self._form(plan, line))

    def post(self, request: HttpRequest, pk: int, line_pk: int | None = None) -> HttpResponse:
        plan, line = self._objects(pk, line_pk)
        refused = _refuse_locked(request, plan)
        if refused is not None:
            return refused
        form = self._form(plan, line, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = supply_plan_line_set(
                    plan=plan,
                    product=data["product"],
                    available=data["available"],
                    basis=data["basis"],
                    rule=data["rule"],
                    eligibility=data["eligibility"],
                    actor=request_user(request),
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("已保存 %(product)s：可供量 %(n)s 条。")
                    % {"product": saved.product, "n": saved.available},
                )
                return _detail(plan, "lines")
        return self._render(request, plan, line, form)


class LineDeleteView(SupplyManagerView):
    def post(self, request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
        plan = selectors.plan_get(pk=pk)
        line = selectors.plan_line_get(plan=plan, pk=line_pk)
        try:
            supply_plan_line_delete(line=line, actor=request_user(request))
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("已从方案中删除 %(product)s。") % {"product": line.product})
        return _detail(plan, "lines")


class SimulateView(SupplyManagerView):
    """POST: compute every line's limits (not yet visible to retailers)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = selectors.plan_get(pk=pk)
        try:
            plan = supply_plan_simulate(plan=plan, actor=request_user(request))
        except (ValidationError, ValueError) as error:
            # The simulation's transaction was rolled back: nothing of it is stored.
            messages.error(
                request, _("模拟失败，未保存任何结果：%(error)s") % {"error": error_text(error)}
            )
            return _detail(plan)
        summary = plan.summary or {}
        messages.success(
            request,
            _("模拟完成：可供 %(a)s 条，投放 %(b)s 条，未投放 %(c)s 条。请检查后再发布。")
            % {
                "a": summary.get("available", 0),
                "b": summary.get("allocated", 0),
                "c": summary.get("undistributed", 0),
            },
        )
        return _detail(plan, "report")


class PublishView(SupplyManagerView):
    """POST with the confirmation box ticked: publish all-or-nothing and lock the plan."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = selectors.plan_get(pk=pk)
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("请先勾选确认，再发布。"))
            return _detail(plan, "publish")
        try:
            plan = supply_plan_publish(plan=plan, actor=request_user(request))
        except ValidationError as error:
            messages.error(request, error_text(error))
            return _detail(plan)
        messages.success(
            request,
            _("已发布：%(period)s 的限量即日起公开，方案已锁定。") % {"period": plan.period},
        )
        return _detail(plan)


class TerritoriesView(SupplyManagerView):
    """One product's limits per territory and tier (an htmx fragment on the plan page, a
    page of its own otherwise)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = selectors.plan_get(pk=pk)
        try:
            product_id = int(request.GET.get("product", ""))
        except ValueError:
            raise Http404 from None
        line = selectors.plan_line_of_product(plan=plan, product_id=product_id)
        context = {
            "plan": plan,
            "line": line,
            "blocks": selectors.plan_territory_tiers(plan=plan, product_id=product_id),
        }
        htmx = getattr(request, "htmx", False)
        template = "supply/manage/_territories.html" if htmx else "supply/manage/territories.html"
        return render(request, template, context)
