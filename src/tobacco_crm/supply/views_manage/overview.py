"""The marketing manager's supply overview: periods and plans, and a new plan for a week."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from tobacco_crm.core.requests import request_user

from .. import selectors
from ..choices import PlanStatus
from ..forms import PlanCreateForm
from ..models import SupplyPlan
from ..services import supply_period_for, supply_plan_create, week_of
from ..tables import SupplyPlanTable
from .base import SupplyManagerView, error_text

PLANS_PER_PAGE = 25
RECENT_PERIODS = 8


class HomeView(SupplyManagerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        week, monday, sunday = week_of(today)
        published = Prefetch(
            "plans",
            queryset=SupplyPlan.objects.filter(status=PlanStatus.PUBLISHED),
            to_attr="published_plans",
        )
        periods = list(selectors.period_list().prefetch_related(published)[:RECENT_PERIODS])
        table = SupplyPlanTable(selectors.plan_list())
        RequestConfig(request, paginate={"per_page": PLANS_PER_PAGE}).configure(table)
        return render(
            request,
            "supply/manage/home.html",
            {
                "week": week,
                "monday": monday,
                "sunday": sunday,
                "periods": periods,
                "table": table,
                "form": PlanCreateForm(initial={"day": today}),
            },
        )


class PlanCreateView(SupplyManagerView):
    """POST: a new draft plan for the week holding the chosen day (today by default)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PlanCreateForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(str(m) for ms in form.errors.values() for m in ms))
            return redirect("supply-home")
        day = form.cleaned_data.get("day") or timezone.localdate()
        try:
            period = supply_period_for(day=day)
            name = form.cleaned_data.get("name") or _("%(period)s 投放方案") % {
                "period": period.code
            }
            plan = supply_plan_create(period=period, name=name, actor=request_user(request))
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("supply-home")
        if plan.grading_run is None:
            messages.warning(
                request, _("还没有已发布的分级结果：模拟前请先发布客户分级，档位是投放的依据。")
            )
        messages.success(request, _("已创建投放方案：%(plan)s。") % {"plan": plan})
        return redirect("supply-plan-detail", pk=plan.pk)
