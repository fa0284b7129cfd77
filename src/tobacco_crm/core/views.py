"""The dashboard of each role: counts and shortcuts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from tobacco_crm.accounts.models import Territory
from tobacco_crm.core.requests import request_user
from tobacco_crm.needs.selectors import need_queue, overdue_for
from tobacco_crm.retailers.choices import RetailerStatus
from tobacco_crm.retailers.models import Retailer


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = request_user(self.request)
        retailers = Retailer.objects.visible_to(user)
        context["retailer_count"] = retailers.count()
        context["active_count"] = retailers.filter(status=RetailerStatus.NORMAL).count()
        context["territories"] = Territory.objects.visible_to(user).select_related(
            "customer_manager"
        )
        context["open_needs"] = need_queue(user=user).count()
        context["overdue_needs"] = overdue_for(user).count()
        return context
