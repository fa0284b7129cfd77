"""What every management screen of grading shares: the permission gate and small helpers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from django.views import View

from tobacco_crm.core.requests import request_user


class GradingManagerView(LoginRequiredMixin, View):
    """A screen of the marketing manager: signed-in users without `manages_grading` get 403
    (anonymous users go to the login page first)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not request_user(request).manages_grading:
            raise PermissionDenied(_("只有营销经理可以管理分级评定。"))
        return super().dispatch(request, *args, **kwargs)
