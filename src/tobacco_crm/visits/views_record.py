"""Visits on a phone: today's visits from this week's plan (`visits-today`), a visit's page
(`visits-visit`) with the 签到 button (the browser's geolocation posted to
`visits-check-in`), the checklist, not in with the call made, a need heard in the shop and an
archive correction. Reads go through the selectors (another manager's visit answers 404),
writes through `record_services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from tobacco_crm.core.requests import request_user

from . import record_selectors, record_services, selectors
from .choices import InfoGiven, VisitOutcome
from .forms import day_label
from .models import PlannedVisit, VisitRecord
from .record_forms import (
    ArchiveForm,
    CheckInForm,
    ChecklistForm,
    NotInForm,
    VisitNeedForm,
    checklist_initial,
)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class TodayView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        today = timezone.localdate()
        plan = selectors.plan_for_week(user=user, week_start=today)
        visits = list(selectors.plan_visits(user=user, plan=plan, day=today)) if plan else []
        return render(
            request,
            "visits/today.html",
            {"today": today, "day_label": day_label(today), "plan": plan, "visits": visits},
        )


def _visit_url(visit: PlannedVisit) -> str:
    return reverse("visits-visit", args=[visit.pk])


def _current(records: list[VisitRecord]) -> VisitRecord | None:
    """The newest visited record (the one the checklist fills)."""
    return next((r for r in records if r.outcome == VisitOutcome.VISITED), None)


class VisitPageView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        visit = selectors.visit_get(user=user, pk=pk)
        return self.render_page(request, visit)

    @staticmethod
    def render_page(request: HttpRequest, visit: PlannedVisit, **forms: Any) -> HttpResponse:
        user = request_user(request)
        records = record_selectors.records_of_visit(user=user, visit=visit)
        current = _current(records)
        if current is not None and "checklist_form" not in forms:
            forms["checklist_form"] = ChecklistForm(initial=checklist_initial(current))
        info_labels = dict(InfoGiven.choices)
        context: dict[str, Any] = {
            "visit": visit,
            "retailer": visit.retailer,
            "records": [
                {"record": r, "info": [info_labels.get(x, x) for x in r.info_given]}
                for r in records
            ],
            "current": current,
            "editable": current is not None and not current.day_closed,
            "not_in_form": forms.get("not_in_form") or NotInForm(),
            "need_form": forms.get("need_form") or VisitNeedForm(),
            "archive_form": forms.get("archive_form") or ArchiveForm(instance=visit.retailer),
            "checklist_form": forms.get("checklist_form"),
            "is_mine": visit.plan.manager_id == user.pk,
        }
        return render(request, "visits/visit.html", context)


class CheckInView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        visit = selectors.visit_get(user=user, pk=pk)
        form = CheckInForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("未能获取定位，请允许浏览器获取位置后重试。"))
            return redirect(_visit_url(visit))
        try:
            record = record_services.visit_check_in(
                planned_visit=visit,
                lat=form.cleaned_data["lat"],
                lon=form.cleaned_data["lon"],
                accuracy=form.cleaned_data["accuracy"],
                actor=user,
            )
        except (PermissionDenied, ValidationError) as exc:
            messages.error(
                request, str(exc) if isinstance(exc, PermissionDenied) else _error_text(exc)
            )
            return redirect(_visit_url(visit))
        if record.far_from_shop:
            messages.warning(
                request,
                _("已签到，但距店铺 %(m).0f 米，已标记为远离店铺。") % {"m": record.distance_m},
            )
        else:
            messages.success(request, _("已签到"))
        return redirect(_visit_url(visit))


class ChecklistView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        visit = selectors.visit_get(user=user, pk=pk)
        current = _current(record_selectors.records_of_visit(user=user, visit=visit))
        if current is None:
            messages.error(request, _("请先签到。"))
            return redirect(_visit_url(visit))
        form = ChecklistForm(request.POST)
        if not form.is_valid():
            return VisitPageView.render_page(request, visit, checklist_form=form)
        try:
            if current.day_closed:
                record_services.visit_correct(record=current, actor=user, **form.cleaned_data)
                messages.success(request, _("已提交更正记录"))
            else:
                record_services.visit_record_checklist(
                    record=current, actor=user, **form.cleaned_data
                )
                messages.success(request, _("检查项目已保存"))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect(_visit_url(visit))


class NotInView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        visit = selectors.visit_get(user=user, pk=pk)
        form = NotInForm(request.POST)
        if not form.is_valid():
            return VisitPageView.render_page(request, visit, not_in_form=form)
        try:
            record_services.visit_not_in(
                planned_visit=visit, call_note=form.cleaned_data["call_note"], actor=user
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("已记录未遇，下周计划将重新安排拜访"))
        return redirect(_visit_url(visit))


class VisitNeedView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        visit = selectors.visit_get(user=user, pk=pk)
        form = VisitNeedForm(request.POST)
        if not form.is_valid():
            return VisitPageView.render_page(request, visit, need_form=form)
        try:
            record_services.visit_need_raise(
                retailer=visit.retailer, actor=user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return VisitPageView.render_page(request, visit, need_form=form)
        messages.success(request, _("诉求已登记"))
        return redirect(_visit_url(visit))


class VisitArchiveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        visit = selectors.visit_get(user=user, pk=pk)
        form = ArchiveForm(request.POST, instance=PlannedVisit.objects.get(pk=visit.pk).retailer)
        if not form.is_valid():
            return VisitPageView.render_page(request, visit, archive_form=form)
        data = {name: form.cleaned_data[name] for name in ArchiveForm.Meta.fields}
        try:
            record_services.visit_archive_correct(retailer=visit.retailer, data=data, actor=user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("档案已更正"))
        return redirect(_visit_url(visit))
