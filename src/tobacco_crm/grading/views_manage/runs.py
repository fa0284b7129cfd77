"""Grading runs: start a dry run, read its report (distributions, moves per territory), publish
or discard it, and list or export its grades."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from tobacco_crm.accounts.models import Territory
from tobacco_crm.core.http import xlsx_download
from tobacco_crm.core.requests import request_user

from ..choices import ComplianceClass, RunStatus, Segment
from ..excel import grades_export_workbook
from ..forms_manage import GradeFilterForm, RunStartForm
from ..models import GradingRun, RetailerGrade
from ..selectors import run_distribution_by_territory, run_movements
from ..services import grading_run_discard, grading_run_publish, grading_run_start
from ..tables import RetailerGradeTable
from . import reads
from .base import GradingManagerView

GRADES_PER_PAGE = 50
DEFAULT_TIER_COUNT = 30


def _bars(items: list[tuple[Any, str, int]]) -> list[dict[str, Any]]:
    """Rows of a CSS bar chart: key, label, count, bar width (% of the largest count) and
    share (% of the total)."""
    total = sum(count for _key, _label, count in items) or 1
    top = max((count for _key, _label, count in items), default=0) or 1
    return [
        {
            "key": key,
            "label": label,
            "count": count,
            "width": round(count / top * 100, 1),
            "share": round(count / total * 100, 1),
        }
        for key, label, count in items
    ]


def run_report(run: GradingRun) -> dict[str, Any]:
    """The distributions of a run's summary as bar-chart rows."""
    summary: dict[str, Any] = run.summary or {}
    tiers = summary.get("tiers", {})
    tier_rows = sorted(((int(t), c) for t, c in tiers.items()), reverse=True)
    stars = summary.get("stars", {})
    return {
        "retailers": summary.get("retailers", run.retailer_count),
        "tiers": _bars([(t, _("第 %(t)s 档") % {"t": t}, c) for t, c in tier_rows]),
        "classes": _bars(
            [
                (c.value, str(c.label), summary.get("classes", {}).get(c.value, 0))
                for c in ComplianceClass
            ]
        ),
        "segments": _bars(
            [(s.value, str(s.label), summary.get("segments", {}).get(s.value, 0)) for s in Segment]
        ),
        "stars": _bars(
            [
                (int(k), _("%(n)s 星") % {"n": k} if int(k) else _("未评星"), c)
                for k, c in sorted(stars.items(), key=lambda kv: -int(kv[0]))
            ]
        ),
        "super_five": summary.get("super_five", 0),
        "supply_stopped": summary.get("supply_stopped", 0),
    }


class RunListView(GradingManagerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = RunStartForm(periods=reads.period_list(), policies=reads.policy_choices())
        return render(
            request, "grading/manage/run_list.html", {"runs": reads.run_list(), "form": form}
        )


class RunStartView(GradingManagerView):
    """POST: a dry run of a period with a policy version, then its report."""

    template_name = "grading/manage/run_start.html"

    def _form(self, data: Any = None) -> RunStartForm:
        return RunStartForm(data, periods=reads.period_list(), policies=reads.policy_choices())

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            try:
                run = grading_run_start(
                    period=form.cleaned_data["period"],
                    policy=form.cleaned_data["policy"],
                    actor=request_user(request),
                )
            except (ValidationError, ValueError) as error:
                # The run's transaction was rolled back: nothing of it is stored.
                text = "；".join(error.messages) if isinstance(error, ValidationError) else error
                form.add_error(None, _("试算失败，未保存任何结果：%(error)s") % {"error": text})
            else:
                messages.success(
                    request,
                    _("试算完成：%(n)s 户。请检查分布后再发布。") % {"n": run.retailer_count},
                )
                return redirect("grading-run-detail", pk=run.pk)
        return render(request, self.template_name, {"form": form})


class RunDetailView(GradingManagerView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = reads.run_get(pk=pk)
        movements = run_movements(run)
        ups, downs = reads.run_largest_moves(run=run, previous_run_id=movements["previous_run"])
        return render(
            request,
            "grading/manage/run_detail.html",
            {
                "run": run,
                "is_dry_run": run.status == RunStatus.DRY_RUN,
                "report": run_report(run),
                "territories": run_distribution_by_territory(run),
                "movements": movements,
                "ups": ups,
                "downs": downs,
            },
        )


class RunPublishView(GradingManagerView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = reads.run_get(pk=pk)
        try:
            grading_run_publish(run=run, actor=request_user(request))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(
                request,
                _("已发布：%(period)s 的档位即日起生效，批次已锁定。") % {"period": run.period},
            )
        return redirect("grading-run-detail", pk=run.pk)


class RunDiscardView(GradingManagerView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = reads.run_get(pk=pk)
        try:
            grading_run_discard(run=run, actor=request_user(request))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect("grading-run-detail", pk=run.pk)
        messages.success(request, _("已删除试算批次 #%(pk)s。") % {"pk": pk})
        return redirect("grading-run-list")


def _tier_count(run: GradingRun) -> int:
    count = (run.policy.data or {}).get("tiers", {}).get("count", DEFAULT_TIER_COUNT)
    return count if isinstance(count, int) and count > 0 else DEFAULT_TIER_COUNT


def filtered_grades(
    request: HttpRequest, run: GradingRun
) -> tuple[GradeFilterForm, QuerySet[RetailerGrade]]:
    """The filter form of a run's grade list and the grades it selects (none when the
    filters are invalid, e.g. a territory the user can't see)."""
    user = request_user(request)
    form = GradeFilterForm(
        request.GET,
        territories=Territory.objects.visible_to(user).order_by("code"),
        tier_count=_tier_count(run),
    )
    if not form.is_valid():
        return form, reads.grade_list(user=user, run=run, filters=reads.GradeFilters()).none()
    data = form.cleaned_data
    filters = reads.GradeFilters(
        territory=data.get("territory"),
        compliance_class=data.get("compliance_class") or "",
        tier=data.get("tier"),
        segment=data.get("segment") or "",
    )
    return form, reads.grade_list(user=user, run=run, filters=filters)


class RunGradesView(GradingManagerView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = reads.run_get(pk=pk)
        form, grades = filtered_grades(request, run)
        table = RetailerGradeTable(grades, order_by=request.GET.get("sort"))
        RequestConfig(request, paginate={"per_page": GRADES_PER_PAGE}).configure(table)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "grading/manage/run_grades.html",
            {"run": run, "filter_form": form, "table": table, "export_query": query.urlencode()},
        )


class RunExportView(GradingManagerView):
    """The filtered grade list as .xlsx (the same rows as the screen, masked per role)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = reads.run_get(pk=pk)
        _form, grades = filtered_grades(request, run)
        content = grades_export_workbook(grades=grades, run=run, user=request_user(request))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_download(content, f"grades-{run.period.code}-run{run.pk}-{stamp}.xlsx")
