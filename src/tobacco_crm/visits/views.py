"""The customer manager's weekly plan on a phone: the week's days with their ordered visits,
arrival times and purposes (`visits-plan`), a day with its route drawn on an inline SVG map
(`visits-plan-day`) where a visit can be added (`visits-visit-add`: search the manager's
retailers, pick one, note its purpose), moving and dropping visits, drafting and confirming,
the Excel export and a print style. Views validate and configure; reads go through
`selectors` (scoped by `visible_to`: another manager's plan answers 404), writes through
`services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from tobacco_crm.core.excel import SheetSpec, write_workbook
from tobacco_crm.core.http import xlsx_download
from tobacco_crm.core.requests import request_user
from tobacco_crm.retailers.models import Retailer

from . import selectors, services
from .choices import LeftOutReason, PlanStatus
from .forms import AddVisitForm, MoveForm, WeekForm, day_label
from .models import PlannedVisit, VisitPlan
from .svg import route_svg

# Retailers listed by the add-a-visit search.
ADD_SEARCH_LIMIT = 20


def _day_url(plan: VisitPlan, day: dt.date) -> str:
    return reverse("visits-plan-day", args=[plan.pk, day.isoformat()])


def _week(request: HttpRequest) -> dt.date:
    form = WeekForm(request.GET or request.POST or None)
    if form.is_valid() and form.cleaned_data["week"]:
        return selectors.week_start_of(form.cleaned_data["week"])
    return selectors.week_start_of(timezone.localdate())


def _plan_url(plan: VisitPlan) -> str:
    return f"{reverse('visits-plan')}?week={plan.week_start.isoformat()}"


def _days(plan: VisitPlan, visits: list[PlannedVisit]) -> list[dict[str, Any]]:
    by_day: dict[dt.date, list[PlannedVisit]] = {}
    for v in visits:
        by_day.setdefault(v.day, []).append(v)
    return [
        {"date": d, "label": day_label(d), "visits": by_day.get(d, [])}
        for d in selectors.plan_days(plan)
    ]


def _left_out(user: Any, plan: VisitPlan) -> list[dict[str, Any]]:
    ids = [x["retailer"] for x in plan.left_out]
    names = dict(
        Retailer.objects.visible_to(user).filter(pk__in=ids).values_list("pk", "shop_name")
    )
    return [
        {"retailer": names[x["retailer"]], "reason": LeftOutReason(x["reason"]).label}
        for x in plan.left_out
        if x["retailer"] in names
    ]


class PlanView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        week = _week(request)
        plan = selectors.plan_for_week(user=user, week_start=week)
        context: dict[str, Any] = {
            "week": week,
            "prev_week": week - dt.timedelta(days=7),
            "next_week": week + dt.timedelta(days=7),
            "plan": plan,
            "editable": plan is not None and plan.status == PlanStatus.DRAFT,
        }
        if plan is not None:
            visits = list(selectors.plan_visits(user=user, plan=plan))
            context["days"] = _days(plan, visits)
            context["left_out"] = _left_out(user, plan)
            context["move_days"] = [
                (d.isoformat(), day_label(d)) for d in selectors.plan_days(plan)
            ]
        return render(request, "visits/plan.html", context)


class PlanDraftView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponseBase:
        user = request_user(request)
        week = _week(request)
        try:
            plan = services.visit_plan_draft(manager=user, week_start=week, actor=user)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect(f"{reverse('visits-plan')}?week={week.isoformat()}")
        messages.success(request, _("已生成本周拜访计划。"))
        return redirect(_plan_url(plan))


class PlanConfirmView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        user = request_user(request)
        plan = selectors.plan_get(user=user, pk=pk)
        try:
            services.visit_plan_confirm(plan=plan, actor=user)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        return redirect(_plan_url(plan))


class PlanDayView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int, day: str) -> HttpResponse:
        user = request_user(request)
        plan = selectors.plan_get(user=user, pk=pk)
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            date = plan.week_start
        visits = list(selectors.plan_visits(user=user, plan=plan, day=date))
        depot = services.depot_of(
            plan.manager,
            [
                (float(v.retailer.latitude), float(v.retailer.longitude))
                for v in visits
                if v.retailer.latitude is not None and v.retailer.longitude is not None
            ],
        )
        context = {
            "plan": plan,
            "day": date,
            "day_label": day_label(date),
            "visits": visits,
            "svg": route_svg(depot, visits),
            "editable": plan.status == PlanStatus.DRAFT,
            "move_days": [(d.isoformat(), day_label(d)) for d in selectors.plan_days(plan)],
        }
        query = request.GET.get("q", "").strip()[:64]
        if context["editable"]:
            context["q"] = query
            context["add_form"] = AddVisitForm()
            if query:
                context["candidates"] = list(
                    Retailer.objects.visible_to(user)
                    .search(query)
                    .exclude(pk__in=plan.visits.values("retailer_id"))
                    .order_by("shop_name", "pk")[:ADD_SEARCH_LIMIT]
                )
        return render(request, "visits/plan_day.html", context)


class VisitAddView(LoginRequiredMixin, View):
    """Add a retailer (visible to the user; in the plan manager's territory, else 403) to a
    day of the plan; the day re-optimizes."""

    def post(self, request: HttpRequest, pk: int, day: str) -> HttpResponseBase:
        user = request_user(request)
        plan = selectors.plan_get(user=user, pk=pk)
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            messages.error(request, _("请选择本周的工作日。"))
            return redirect(_plan_url(plan))
        form = AddVisitForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择要添加的零售户。"))
            return redirect(_day_url(plan, date))
        retailer = get_object_or_404(
            Retailer.objects.visible_to(user), pk=form.cleaned_data["retailer"]
        )
        try:
            services.planned_visit_add(
                plan=plan,
                retailer=retailer,
                day=date,
                actor=user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("已添加，线路已重新优化。"))
        return redirect(_day_url(plan, date))


class VisitMoveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        user = request_user(request)
        visit = selectors.visit_get(user=user, pk=pk)
        form = MoveForm(request.POST, days=selectors.plan_days(visit.plan))
        if not form.is_valid():
            messages.error(request, _("请选择本周的工作日。"))
            return redirect(_plan_url(visit.plan))
        try:
            services.planned_visit_move(visit=visit, day=form.cleaned_data["day"], actor=user)
        except PermissionDenied:
            raise
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("已调整，线路已重新优化。"))
        return redirect(_plan_url(visit.plan))


class VisitDropView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        user = request_user(request)
        visit = selectors.visit_get(user=user, pk=pk)
        try:
            services.planned_visit_drop(visit=visit, actor=user)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("已从计划中移除。"))
        return redirect(_plan_url(visit.plan))


class PlanExportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        plan = selectors.plan_get(user=user, pk=pk)
        visits = selectors.plan_visits(user=user, plan=plan)
        rows = (
            [
                day_label(v.day),
                v.position,
                v.planned_arrival.strftime("%H:%M") if v.planned_arrival else "",
                v.retailer.shop_name,
                v.retailer.address,
                v.service_minutes,
                "；".join(p.get("label", "") for p in v.purposes),
                v.unfit_reason and LeftOutReason(v.unfit_reason).label,
            ]
            for v in visits
        )
        data = write_workbook(
            SheetSpec(
                title=_("拜访计划"),
                headers=[
                    _("日期"),
                    _("顺序"),
                    _("预计到达"),
                    _("店铺"),
                    _("地址"),
                    _("拜访分钟"),
                    _("拜访目的"),
                    _("备注"),
                ],
                rows=rows,
                wrap=True,
            )
        )
        return xlsx_download(data, f"visit-plan-{plan.week_start.isoformat()}.xlsx")
